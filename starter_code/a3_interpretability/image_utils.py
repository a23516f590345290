"""Image helpers: preprocessing for SqueezeNet, jitter, blur, sample photographs."""
import numpy as np
import torch
import torch.nn.functional as F

SQUEEZENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
SQUEEZENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def preprocess(img, size=224):
    """
    Turn a PIL image into a normalised batch of one.

    Inputs:
    - img: PIL.Image in RGB.
    - size: Integer; the shorter side is resized to this, then centre-cropped to
      (size, size).

    Returns:
    - X: Tensor of shape (1, 3, size, size), float32, normalised with the
      ImageNet mean and standard deviation.
    """
    img = img.convert("RGB")
    w, h = img.size
    scale = size / min(w, h)
    img = img.resize((max(size, round(w * scale)), max(size, round(h * scale))))
    w, h = img.size
    left, top = (w - size) // 2, (h - size) // 2
    img = img.crop((left, top, left + size, top + size))
    x = np.asarray(img, dtype=np.float32) / 255.0                  # (H, W, 3)
    x = (x - SQUEEZENET_MEAN) / SQUEEZENET_STD
    return torch.from_numpy(x).permute(2, 0, 1).unsqueeze(0).contiguous()


def deprocess(X, should_rescale=True):
    """
    Undo `preprocess`.

    Inputs:
    - X: Tensor of shape (1, 3, H, W) or (3, H, W).
    - should_rescale: If True, stretch the values to fill [0, 1] first.

    Returns:
    - img: NumPy array of shape (H, W, 3), float32, values in [0, 1].
    """
    x = X.detach().cpu().reshape(-1, *X.shape[-2:]).permute(1, 2, 0).numpy()
    x = x * SQUEEZENET_STD + SQUEEZENET_MEAN
    if should_rescale:
        x = (x - x.min()) / max(float(x.max() - x.min()), 1e-12)
    return np.clip(x, 0.0, 1.0).astype(np.float32)


def image_range(device=None, dtype=torch.float32):
    """
    Returns:
    - (low, high): Tensors of shape (1, 3, 1, 1): the normalised values of the
      pixel intensities 0 and 1 in each channel.
    """
    mean = torch.tensor(SQUEEZENET_MEAN, device=device, dtype=dtype).view(1, 3, 1, 1)
    std = torch.tensor(SQUEEZENET_STD, device=device, dtype=dtype).view(1, 3, 1, 1)
    return (0 - mean) / std, (1 - mean) / std


def clamp_image_(X):
    """Clamp a normalised image (N, 3, H, W) in place to the range of real pixels."""
    low, high = image_range(X.device, X.dtype)
    return X.copy_(torch.maximum(torch.minimum(X, high), low))


def jitter(X, ox, oy):
    """
    Roll an image by ox pixels horizontally and oy pixels vertically (wrapping around).

    Inputs:
    - X: Tensor of shape (N, C, H, W).
    - ox, oy: Integers.

    Returns:
    - Tensor of shape (N, C, H, W).
    """
    return torch.roll(X, shifts=(oy, ox), dims=(2, 3))


def blur_image(X, sigma=1.0):
    """
    Gaussian-blur an image in place, each channel on its own.

    Inputs:
    - X: Tensor of shape (N, C, H, W).
    - sigma: Standard deviation of the Gaussian, in pixels.

    Returns:
    - X, blurred in place.
    """
    radius = max(1, int(round(3 * sigma)))
    t = torch.arange(-radius, radius + 1, device=X.device, dtype=X.dtype)
    kernel = torch.exp(-0.5 * (t / sigma) ** 2)
    kernel = kernel / kernel.sum()
    C = X.shape[1]
    kx = kernel.view(1, 1, 1, -1).repeat(C, 1, 1, 1)                # (C, 1, 1, k)
    ky = kernel.view(1, 1, -1, 1).repeat(C, 1, 1, 1)                # (C, 1, k, 1)
    out = F.pad(X, (radius, radius, 0, 0), mode="reflect")
    out = F.conv2d(out, kx, groups=C)
    out = F.pad(out, (0, 0, radius, radius), mode="reflect")
    out = F.conv2d(out, ky, groups=C)
    X.copy_(out)
    return X


def load_sample_photos():
    """
    Returns:
    - photos: Dict name -> PIL.Image with the two photographs that ship with
      scikit-learn ("china", a temple, and "flower"); no download needed.
    """
    from PIL import Image
    from sklearn.datasets import load_sample_images

    data = load_sample_images()
    names = [f.rsplit("/", 1)[-1].rsplit(".", 1)[0] for f in data.filenames]
    return {name: Image.fromarray(img) for name, img in zip(names, data.images, strict=True)}

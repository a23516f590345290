"""Probes for A3: they run inside the sandbox worker, next to the student's code.

Every probe imports the student's modules inside its body, takes plain data
(NumPy arrays, numbers) and returns plain data. Nothing here knows an expected
value. `build_squeezenet` is imported by the tests too: the grader builds the
very same seeded network to compute its oracles (Captum, torch autograd).
"""
import numpy as np

GRADCAM_LAYER = 12          # gc_model.features[GRADCAM_LAYER], the last Fire module
HOOK_TABLES = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks")


def build_squeezenet(seed):
    """A SqueezeNet 1.1 with seeded random weights, eval mode, frozen, on the CPU.

    The very network of torchvision.models.squeezenet1_1(weights=None) after
    torch.manual_seed(seed) (and of model_zoo.build_squeezenet(seed, device="cpu")):
    same modules, same names, same initialisation order, so the same weights. It is
    built here without torchvision so that the grader's process does not load it
    (about 130 MB less memory on Gradescope).
    """
    import torch

    torch.manual_seed(seed)
    model = _squeezenet1_1()
    for param in model.parameters():
        param.requires_grad_(False)
    return model.eval()


def _squeezenet1_1(num_classes=1000):
    import torch
    import torch.nn as nn

    class Fire(nn.Module):
        def __init__(self, inplanes, squeeze_planes, expand1x1_planes, expand3x3_planes):
            super().__init__()
            self.inplanes = inplanes
            self.squeeze = nn.Conv2d(inplanes, squeeze_planes, kernel_size=1)
            self.squeeze_activation = nn.ReLU(inplace=True)
            self.expand1x1 = nn.Conv2d(squeeze_planes, expand1x1_planes, kernel_size=1)
            self.expand1x1_activation = nn.ReLU(inplace=True)
            self.expand3x3 = nn.Conv2d(squeeze_planes, expand3x3_planes, kernel_size=3, padding=1)
            self.expand3x3_activation = nn.ReLU(inplace=True)

        def forward(self, x):
            x = self.squeeze_activation(self.squeeze(x))
            return torch.cat([self.expand1x1_activation(self.expand1x1(x)),
                              self.expand3x3_activation(self.expand3x3(x))], 1)

    class SqueezeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.num_classes = num_classes

            def pool():
                return nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)

            self.features = nn.Sequential(
                nn.Conv2d(3, 64, kernel_size=3, stride=2), nn.ReLU(inplace=True), pool(),
                Fire(64, 16, 64, 64), Fire(128, 16, 64, 64), pool(),
                Fire(128, 32, 128, 128), Fire(256, 32, 128, 128), pool(),
                Fire(256, 48, 192, 192), Fire(384, 48, 192, 192),
                Fire(384, 64, 256, 256), Fire(512, 64, 256, 256))
            final_conv = nn.Conv2d(512, num_classes, kernel_size=1)
            self.classifier = nn.Sequential(nn.Dropout(p=0.5), final_conv, nn.ReLU(inplace=True),
                                            nn.AdaptiveAvgPool2d((1, 1)))
            # torchvision's initialisation, in module order
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    if m is final_conv:
                        nn.init.normal_(m.weight, mean=0.0, std=0.01)
                    else:
                        nn.init.kaiming_uniform_(m.weight)
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)

        def forward(self, x):
            return torch.flatten(self.classifier(self.features(x)), 1)

    return SqueezeNet()


def extract_features(x, cnn):
    """The output of every layer of cnn (the same as style_utils.extract_features)."""
    features = []
    for module in cnn:
        x = module(x)
        features.append(x)
    return features


def _images(X):
    import torch

    return torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))


def _labels(y):
    import torch

    return torch.from_numpy(np.asarray(y, dtype=np.int64))


def _numpy(value):
    """Tensors go back as NumPy arrays (detached, CPU); anything else unchanged."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return value


# --- part 1: saliency -----------------------------------------------------------

def saliency_maps(X, y, seed):
    from visualizers.saliency_map import SaliencyMap

    model = build_squeezenet(seed)
    return _numpy(SaliencyMap().compute_saliency_maps(_images(X), _labels(y), model))


# --- part 2: guided backprop and Grad-CAM ----------------------------------------

def guided_relu(x, dout):
    """Forward and backward of CustomReLU on a float64 tensor."""
    import torch
    from visualizers.gradcam import CustomReLU

    x = torch.from_numpy(np.asarray(x, dtype=np.float64)).requires_grad_(True)
    out = CustomReLU.apply(x)
    out.backward(torch.from_numpy(np.asarray(dout, dtype=np.float64)))
    return {"out": _numpy(out), "dx": _numpy(x.grad)}


def guided_backprop(X, y, seed):
    from visualizers.gradcam import GradCam

    model = build_squeezenet(seed)
    return _numpy(GradCam().guided_backprop(_images(X), _labels(y), model))


def grad_cam(X, y, seed):
    from visualizers.gradcam import GradCam

    model = build_squeezenet(seed)
    return _numpy(GradCam().grad_cam(_images(X), _labels(y), model))


def hooks_after_grad_cam(X, y, seed):
    """Runs the student's grad_cam, then counts the hooks left on the model."""
    from visualizers.gradcam import GradCam

    model = build_squeezenet(seed)
    GradCam().grad_cam(_images(X), _labels(y), model)
    left = {}
    for name, module in model.named_modules():
        for table in HOOK_TABLES:
            count = len(getattr(module, table, {}))
            if count:
                left[f"{name or 'model'}.{table}"] = count
    return left


# --- part 3: fooling images -------------------------------------------------------

def fooling_image(X, target_y, seed, **kwargs):
    from visualizers.fooling_image import FoolingImage

    model = build_squeezenet(seed)
    return _numpy(FoolingImage().make_fooling_image(_images(X), int(target_y), model, **kwargs))


# --- part 4: class visualization --------------------------------------------------

def class_visualization_plain_steps(init_img, target_y, seed, l2_reg, learning_rate,
                                    num_iterations):
    """Class visualization from a given image with jitter and blur switched off."""
    import torch
    from visualizers.class_visualization import ClassVisualization

    model = build_squeezenet(seed)
    img = ClassVisualization().create_class_visualization(
        int(target_y), [f"class {i}" for i in range(1000)], model, torch.float32,
        l2_reg=l2_reg, learning_rate=learning_rate, num_iterations=num_iterations,
        blur_every=0, max_jitter=0, show_every=0, init_img=_images(init_img))
    return _numpy(img)


def class_visualization_noisy_run(target_y, seed, img_size, num_iterations, max_jitter, blur_every):
    """Class visualization from random noise with jitter and blur switched on."""
    import torch
    from visualizers.class_visualization import ClassVisualization

    model = build_squeezenet(seed)
    img = ClassVisualization().create_class_visualization(
        int(target_y), [f"class {i}" for i in range(1000)], model, torch.float32,
        num_iterations=num_iterations, max_jitter=max_jitter, blur_every=blur_every,
        img_size=img_size, show_every=0)
    return _numpy(img)


# --- part 5: style transfer -------------------------------------------------------

def _float64(a):
    import torch

    return torch.from_numpy(np.array(a, dtype=np.float64)).requires_grad_(True)


def _loss_and_grads(loss, inputs):
    """The loss as a float plus the gradient of each input (None where no gradient)."""
    import torch

    out = {"is_tensor": isinstance(loss, torch.Tensor)}
    if not out["is_tensor"] or loss.numel() != 1:
        out["loss"] = _numpy(loss) if out["is_tensor"] else loss
        return out
    out["loss"] = float(loss.detach())
    if loss.requires_grad:
        loss.backward()
    out["grads"] = [None if x.grad is None else _numpy(x.grad) for x in inputs]
    return out


def content_loss(content_weight, current, original):
    from style_modules.content_loss import ContentLoss

    current, original = _float64(current), _float64(original)
    loss = ContentLoss()(content_weight, current, original)
    return _loss_and_grads(loss, [current])


def gram_matrix(features, normalize=True):
    from style_modules.style_loss import StyleLoss

    feats = _float64(features)
    gram = StyleLoss().gram_matrix(feats, normalize=normalize)
    return _numpy(gram)


def style_loss(feats, style_layers, style_targets, style_weights):
    from style_modules.style_loss import StyleLoss

    feats = [_float64(f) for f in feats]
    targets = [_float64(t).detach() for t in style_targets]
    loss = StyleLoss()(feats, list(style_layers), targets, list(style_weights))
    return _loss_and_grads(loss, feats)


def tv_loss(img, tv_weight):
    from style_modules.tv_loss import TotalVariationLoss

    img = _float64(img)
    loss = TotalVariationLoss()(img, tv_weight)
    return _loss_and_grads(loss, [img])


def style_transfer_sgd_step(img, content_target, style_targets, seed, learning_rate, config):
    """One StyleTransfer.step with plain SGD; returns the loss and the new image."""
    import torch
    from style_transfer import StyleTransfer

    model = build_squeezenet(seed)
    transfer = StyleTransfer(model.features, **config)
    img = _images(img).requires_grad_(True)
    optimizer = torch.optim.SGD([img], lr=learning_rate)
    loss = transfer.step(img, optimizer, _images(content_target),
                         [_images(t) for t in style_targets])
    if isinstance(loss, torch.Tensor) and loss.numel() == 1:
        loss = float(loss)      # the contract asks for a float; accept a 1-element tensor
    return {"loss": loss, "img": _numpy(img)}

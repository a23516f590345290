"""Probes for A3: they run inside the sandbox worker, next to the student's code.

Every probe imports the student's modules inside its body, takes plain data
(NumPy arrays, numbers) and returns plain data. Nothing here knows an expected
value: the tests compare what the probes return, in the grader, with Captum's
attributions and with the reference solution's outputs recorded at build time.
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

    return torch.from_numpy(np.array(X, dtype=np.float32))    # a copy: the caller keeps its array


def _labels(y):
    import torch

    return torch.from_numpy(np.asarray(y, dtype=np.int64))


def _numpy(value):
    """Tensors go back as NumPy arrays (detached, CPU); anything else unchanged."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return value


def _attribute(obj, name):
    """obj.name as plain data, or the string "missing" when obj has no such attribute."""
    if not hasattr(obj, name):
        return "missing"
    return _numpy(getattr(obj, name))


def _hooks(model):
    """{"module.table": count} for every hook table of every module that is not empty."""
    left = {}
    for name, module in model.named_modules():
        for table in HOOK_TABLES:
            count = len(getattr(module, table, None) or {})
            if count:
                left[f"{name or 'model'}.{table}"] = count
    return left


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
    """The map, what the hooks captured (GradCam.activation_value and .gradient_value, the
    names the stub declares) and the hooks left on the model afterwards."""
    from visualizers.gradcam import GradCam

    model = build_squeezenet(seed)
    gc = GradCam()
    cam = gc.grad_cam(_images(X), _labels(y), model)
    return {"cam": _numpy(cam), "activation": _attribute(gc, "activation_value"),
            "gradient": _attribute(gc, "gradient_value"), "hooks_left": _hooks(model)}


def grad_cam_beside_other_hooks(X, y, seed):
    """grad_cam on a model that already carries hooks of its own (a forward hook on the
    Grad-CAM layer and a backward hook on the model): they must survive, and only they."""
    from visualizers.gradcam import GradCam

    model = build_squeezenet(seed)
    calls = {"forward": 0, "backward": 0}

    def count_forward(module, inputs, output):
        calls["forward"] += 1

    def count_backward(module, grad_input, grad_output):
        calls["backward"] += 1

    mine = [model.features[GRADCAM_LAYER].register_forward_hook(count_forward),
            model.register_full_backward_hook(count_backward)]
    before = _hooks(model)
    cam = GradCam().grad_cam(_images(X), _labels(y), model)
    after = _hooks(model)
    for handle in mine:
        handle.remove()
    return {"cam": _numpy(cam), "before": before, "after": after, "calls": calls}


# --- part 3: fooling images -------------------------------------------------------

def fooling_image(X, target_y, seed, **kwargs):
    from visualizers.fooling_image import FoolingImage

    model = build_squeezenet(seed)
    return _numpy(FoolingImage().make_fooling_image(_images(X), int(target_y), model, **kwargs))


# --- part 4: class visualization --------------------------------------------------

def class_visualization(init_img, target_y, seed, random_seed=0, **kwargs):
    """Class visualization from a given image; `random` (the jitter) seeded with random_seed."""
    import random

    import torch
    from visualizers.class_visualization import ClassVisualization

    model = build_squeezenet(seed)
    random.seed(int(random_seed))
    img = ClassVisualization().create_class_visualization(
        int(target_y), [f"class {i}" for i in range(1000)], model, torch.float32,
        show_every=0, init_img=_images(init_img), **kwargs)
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
    """The student's style loss and its gradients, and (to name a wrong helper) the
    student's normalised Gram matrices of the style layers."""
    import torch
    from style_modules.style_loss import StyleLoss

    feats = [_float64(f) for f in feats]
    targets = [_float64(t).detach() for t in style_targets]
    loss = StyleLoss()(feats, list(style_layers), targets, list(style_weights))
    out = _loss_and_grads(loss, feats)
    with torch.no_grad():
        out["grams"] = [_numpy(StyleLoss().gram_matrix(feats[layer].detach())) for layer in style_layers]
    return out


def tv_loss(img, tv_weight):
    from style_modules.tv_loss import TotalVariationLoss

    img = _float64(img)
    loss = TotalVariationLoss()(img, tv_weight)
    return _loss_and_grads(loss, [img])


def _loss_value(loss):
    import torch

    if isinstance(loss, torch.Tensor) and loss.numel() == 1:
        return float(loss.detach())
    return _numpy(loss)


def style_transfer_sgd_steps(img, content_target, style_targets, seed, learning_rate, config, steps):
    """`steps` calls of StyleTransfer.step with plain SGD: the losses it returned, the image
    after them (and after each call), and the three losses (the student's own modules) of the
    first image."""
    import torch
    from style_modules import ContentLoss, StyleLoss, TotalVariationLoss
    from style_transfer import StyleTransfer

    model = build_squeezenet(seed)
    content_target = _images(content_target)
    style_targets = [_images(t) for t in style_targets]
    img = _images(img).requires_grad_(True)
    with torch.no_grad():
        feats = extract_features(img, model.features)
        parts = {"content": _loss_value(ContentLoss()(config["content_weight"], feats[config["content_layer"]],
                                                      content_target)),
                 "style": _loss_value(StyleLoss()(feats, list(config["style_layers"]), style_targets,
                                                  list(config["style_weights"]))),
                 "tv": _loss_value(TotalVariationLoss()(img, config["tv_weight"]))}
    transfer = StyleTransfer(model.features, **config)
    optimizer = torch.optim.SGD([img], lr=learning_rate)
    losses, imgs = [], []
    for _ in range(int(steps)):
        loss = transfer.step(img, optimizer, content_target, style_targets)
        if isinstance(loss, torch.Tensor) and loss.numel() == 1:
            loss = float(loss)      # the contract asks for a float; accept a 1-element tensor
        losses.append(loss)
        imgs.append(_numpy(img).copy())
    return {"losses": losses, "img": _numpy(img), "imgs": imgs, "parts": parts}

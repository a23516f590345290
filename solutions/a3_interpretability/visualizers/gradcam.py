import copy

import torch
import torch.nn as nn
import torch.nn.functional as F


class CustomReLU(torch.autograd.Function):
    """A ReLU whose backward pass follows the guided-backpropagation rule."""

    @staticmethod
    def forward(ctx, x):
        """
        Inputs:
        - x: Tensor of any shape.

        Returns:
        - out: Tensor of the shape of x, max(x, 0).
        """
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, dout):
        """
        Inputs:
        - dout: Upstream gradient, of the shape of x.

        Returns:
        - dx: Tensor of the shape of x: dout where both x > 0 and dout > 0, 0
          elsewhere (at x == 0 too).
        """
        (x,) = ctx.saved_tensors
        # TODO: task 2.1 - the guided-backpropagation rule.
        # Let the gradient through only where the forward input was positive
        # AND the upstream gradient is positive.
        # BEGIN SOLUTION
        dx = dout.clamp(min=0) * (x > 0).to(dout.dtype)
        # END SOLUTION
        return dx


class GuidedReLU(nn.Module):
    """Module wrapper around CustomReLU, a drop-in replacement for nn.ReLU."""

    def forward(self, x):
        return CustomReLU.apply(x)


def with_guided_relus(model):
    """
    Returns a copy of model in which every nn.ReLU (also inside Fire modules and
    the classifier) is replaced by a GuidedReLU. The model passed in is untouched.
    """
    model = copy.deepcopy(model)
    for module in list(model.modules()):
        for name, child in module.named_children():
            if isinstance(child, nn.ReLU):
                setattr(module, name, GuidedReLU())
    return model


class GradCam:
    def guided_backprop(self, X_tensor, y_tensor, gc_model):
        """
        Guided backpropagation (Springenberg et al., 2015): the gradient of the
        correct-class scores with respect to the images, where every ReLU uses the
        guided rule of CustomReLU in its backward pass.

        Inputs:
        - X_tensor: Input images; Tensor of shape (N, 3, H, W).
        - y_tensor: Labels for X; LongTensor of shape (N,).
        - gc_model: A CNN (e.g. SqueezeNet); it is left unchanged.

        Returns:
        - grads: NumPy array of shape (N, H, W, 3), float32: d score[i, y[i]] /
          d X[i] with the channel axis moved last (signed, not normalised).
        """
        model = with_guided_relus(gc_model).eval()
        X = X_tensor.clone().detach().requires_grad_(True)
        # TODO: task 2.2 - guided backprop through the guided model.
        # Run it forward, back-propagate the sum of the correct-class scores,
        # and return X.grad as a NumPy array (N, H, W, 3).
        # BEGIN SOLUTION
        scores = model(X)                                      # (N, num_classes)
        scores.gather(1, y_tensor.view(-1, 1)).sum().backward()
        grads = X.grad.permute(0, 2, 3, 1)                     # (N, H, W, 3)
        return grads.detach().cpu().numpy()
        # END SOLUTION

    def grad_cam(self, X_tensor, y_tensor, gc_model):
        """
        Grad-CAM (Selvaraju et al., 2017) on the last Fire module of SqueezeNet,
        gc_model.features[12].

        Inputs:
        - X_tensor: Input images; Tensor of shape (N, 3, H, W).
        - y_tensor: Labels for X; LongTensor of shape (N,).
        - gc_model: A SqueezeNet. When this method returns, no hook that it
          registered is left on the model.

        Returns:
        - cam: NumPy array of shape (N, H, W), float32, non-negative: the class
          activation maps, upsampled from the layer's (h, w) to (H, W) with
          bilinear interpolation (F.interpolate, align_corners=False), not
          normalised.

        Afterwards self.activation_value and self.gradient_value hold what the
        hooks captured, both (N, C, h, w); the tests of task 2.3 read them under
        these names.
        """
        conv_module = gc_model.features[12]
        self.gradient_value = None    # will hold d score / d activation, (N, C, h, w)
        self.activation_value = None  # will hold the layer output, (N, C, h, w)

        def activation_hook(module, inputs, output):
            self.activation_value = output.detach()

        def gradient_hook(module, grad_input, grad_output):
            self.gradient_value = grad_output[0].detach()

        X = X_tensor.clone().detach().requires_grad_(True)
        # TODO: task 2.3 - capture activations and gradients with hooks.
        # Register activation_hook as a forward hook and gradient_hook as a
        # (full) backward hook on conv_module, run the model forward and
        # back-propagate the sum of the correct-class scores, then remove both
        # hooks (keep the handles that register_* returns).
        # BEGIN SOLUTION
        handles = [
            conv_module.register_forward_hook(activation_hook),
            conv_module.register_full_backward_hook(gradient_hook),
        ]
        try:
            scores = gc_model(X)                               # (N, num_classes)
            scores.gather(1, y_tensor.view(-1, 1)).sum().backward()
        finally:
            for handle in handles:
                handle.remove()
        # END SOLUTION

        # TODO: task 2.4 - the class activation map.
        # Weight each channel of the activation by the spatial mean of its
        # gradient, sum over channels, apply a ReLU, and upsample the
        # (N, 1, h, w) map to the size of the images.
        # BEGIN SOLUTION
        alpha = self.gradient_value.mean(dim=(2, 3), keepdim=True)          # (N, C, 1, 1)
        cam = F.relu((alpha * self.activation_value).sum(dim=1, keepdim=True))  # (N, 1, h, w)
        cam = F.interpolate(cam, size=tuple(X_tensor.shape[2:]), mode="bilinear",
                            align_corners=False)                            # (N, 1, H, W)
        return cam[:, 0].cpu().numpy()
        # END SOLUTION

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
        - dx: Tensor of the shape and dtype of x: the gradient that guided
          backpropagation sends through a ReLU (Springenberg et al., 2015,
          "Striving for Simplicity: The All Convolutional Net", Figure 1,
          which sets its rule beside those of plain backpropagation and of
          the deconvnet).

        Conventions:
        - Ties close the gate: where x is exactly zero (-0.0 included), or
          where dout is exactly zero, dx is 0.
        - dx is compared exactly, with no tolerance, in float64 (also for
          values as small as 1e-300): what passes, passes unscaled.
        """
        (x,) = ctx.saved_tensors
        # TODO: task 2.1 - the guided-backpropagation rule of a ReLU.
        raise NotImplementedError('task 2.1 - the guided-backpropagation rule of a ReLU. (visualizers/gradcam.py)')
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
        Guided backpropagation (Springenberg et al., 2015): the derivative of
        each image's correct-class score with respect to its pixels, where the
        backward pass of every ReLU follows the guided rule of CustomReLU.

        Conventions:
        - Every nn.ReLU of the model is guided, those inside the Fire modules
          and the classifier's included: the copy that with_guided_relus
          returns (above) is such a model, in eval mode; gc_model itself is
          left unchanged.
        - The score is the unnormalised class score, entry [i, y[i]] of the
          model's output (no softmax), for the label as given.
        - The result is signed and not normalised.

        Inputs:
        - X_tensor: Input images; Tensor of shape (N, 3, H, W).
        - y_tensor: Labels for X; LongTensor of shape (N,).
        - gc_model: A CNN (e.g. SqueezeNet) with frozen parameters.

        Returns:
        - grads: NumPy array of shape (N, H, W, 3), float32, channels last (for
          plotting): grads[i, h, w, c] belongs to the pixel X_tensor[i, c, h, w].
        """
        model = with_guided_relus(gc_model).eval()
        X = X_tensor.clone().detach().requires_grad_(True)
        # TODO: task 2.2 - guided backpropagation through the guided copy.
        raise NotImplementedError('task 2.2 - guided backpropagation through the guided copy. (visualizers/gradcam.py)')

    def grad_cam(self, X_tensor, y_tensor, gc_model):
        """
        Grad-CAM (Selvaraju et al., 2017, "Grad-CAM: Visual Explanations from
        Deep Networks via Gradient-based Localization", section 3, eqs. 1-2) at
        the output of the last Fire module of SqueezeNet, gc_model.features[12].

        Conventions, task 2.3 (what the hooks capture):
        - The paper's y^c is the unnormalised score, entry [i, y[i]] of the
          model's output (before any softmax), for the label as given.
        - self.activation_value is the output of gc_model.features[12] and
          self.gradient_value the derivative of each image's own score with
          respect to that output; both (N, C, h, w), detached. The tests read
          them under these two names.
        - They are captured with PyTorch module hooks: a forward hook and a
          full backward hook on that layer (torch.nn.Module's hook API); the
          two hook functions below are written for them.
        - When this method returns, no hook that it registered is left on any
          module. Hooks that the model carried before the call stay on it, and
          run during the call as they would without Grad-CAM.

        Conventions, task 2.4 (the map):
        - The channel weights are the alpha of eq. (1) with its 1/Z: averaged,
          not summed, over the h x w cells.
        - The ReLU of eq. (2) acts on the (h, w) map, before upsampling.
        - The map is upsampled from (h, w) to the images' (H, W) by bilinear
          interpolation with align_corners=False, and is not normalised (no
          scaling to [0, 1]; visualize.py scales it for display).

        Inputs:
        - X_tensor: Input images; Tensor of shape (N, 3, H, W).
        - y_tensor: Labels for X; LongTensor of shape (N,).
        - gc_model: A SqueezeNet in eval mode with frozen parameters.

        Returns:
        - cam: NumPy array of shape (N, H, W), float32, non-negative: the class
          activation maps.
        """
        conv_module = gc_model.features[12]
        self.gradient_value = None    # will hold d score / d activation, (N, C, h, w)
        self.activation_value = None  # will hold the layer output, (N, C, h, w)

        def activation_hook(module, inputs, output):
            self.activation_value = output.detach()

        def gradient_hook(module, grad_input, grad_output):
            self.gradient_value = grad_output[0].detach()

        X = X_tensor.clone().detach().requires_grad_(True)
        # TODO: task 2.3 - capture the layer's activation and gradient with hooks.
        raise NotImplementedError("task 2.3 - capture the layer's activation and gradient with hooks. (visualizers/gradcam.py)")

        # TODO: task 2.4 - the class activation map (conventions in the docstring).
        raise NotImplementedError('task 2.4 - the class activation map (conventions in the docstring). (visualizers/gradcam.py)')

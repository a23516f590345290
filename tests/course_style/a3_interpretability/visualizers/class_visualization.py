"""Course style: the objective through torch.norm, the update through .data."""
import random

import torch
from image_utils import blur_image, clamp_image_, jitter


class ClassVisualization:
    def create_class_visualization(self, target_y, class_names, model, dtype, **kwargs):
        """
        Generate an image that maximises the score of target_y under a pretrained
        model (Simonyan et al., 2014; Yosinski et al., 2015).

        Inputs:
        - target_y: Integer in [0, num_classes) giving the class to maximise.
        - class_names: List of class names (used for the progress messages).
        - model: A CNN mapping images to class scores (1, num_classes).
        - dtype: Torch datatype for the computation, e.g. torch.float32.

        Keyword arguments:
        - l2_reg: Strength of the L2 regularisation on the image (default 1e-3).
        - learning_rate: Length (L2 norm) of each step (default 25).
        - num_iterations: Number of gradient-ascent steps (default 100).
        - blur_every: Blur the image every so many steps; 0 switches blur off
          (default 10).
        - max_jitter: Largest random shift in pixels; 0 switches jitter off
          (default 16).
        - show_every: Print progress every so many steps; 0 is silent (default 0).
        - img_size: Side of the square image when init_img is not given (default 224).
        - init_img: Optional Tensor (1, 3, H, W) to start from instead of noise.

        Returns:
        - img: Tensor of shape (1, 3, H, W) of dtype, the normalised image (use
          image_utils.deprocess to view it).

        One iteration: jitter the image by (ox, oy); compute the objective
            S_y(I) - l2_reg * ||I||_2^2
        where S_y is the unnormalised score of target_y; let g be its gradient
        with respect to the image I and take the step I <- I + learning_rate *
        g / ||g||_2; undo the jitter; clamp the pixels to the range of real
        images (image_utils.clamp_image_); blur when the iteration is due.
        """
        l2_reg = kwargs.pop("l2_reg", 1e-3)
        learning_rate = kwargs.pop("learning_rate", 25)
        num_iterations = kwargs.pop("num_iterations", 100)
        blur_every = kwargs.pop("blur_every", 10)
        max_jitter = kwargs.pop("max_jitter", 16)
        show_every = kwargs.pop("show_every", 0)
        img_size = kwargs.pop("img_size", 224)
        init_img = kwargs.pop("init_img", None)
        if kwargs:
            raise TypeError(f"unexpected keyword arguments {sorted(kwargs)}")

        model.type(dtype)
        model.eval()
        if init_img is None:
            init_img = torch.randn(1, 3, img_size, img_size)
        device = next(model.parameters()).device
        img = init_img.clone().detach().to(device).type(dtype).requires_grad_(True)

        for t in range(num_iterations):
            ox, oy = random.randint(0, max_jitter), random.randint(0, max_jitter)
            with torch.no_grad():
                img.copy_(jitter(img, ox, oy))

            # task 4.1 - one gradient-ascent step on the regularised score.
            # See the docstring for the objective and the step. Update img in
            # place under torch.no_grad() and zero img.grad afterwards.
            score = model(img)[:, target_y] - l2_reg * torch.norm(img) ** 2
            score.backward()
            img.data += learning_rate * img.grad.data / img.grad.data.norm()
            img.grad.data.zero_()

            with torch.no_grad():
                img.copy_(jitter(img, -ox, -oy))
                clamp_image_(img)
                if blur_every > 0 and t % blur_every == 0:
                    blur_image(img, sigma=0.5)

            if show_every > 0 and (t == 0 or (t + 1) % show_every == 0 or t == num_iterations - 1):
                with torch.no_grad():
                    score_now = model(img)[0, target_y].item()
                print(f"{class_names[target_y]}: iteration {t + 1}/{num_iterations}, "
                      f"score {score_now:.3f}")
        return img.detach()

import random

import torch
from image_utils import blur_image, clamp_image_, jitter


class ClassVisualization:
    def create_class_visualization(self, target_y, class_names, model, dtype, **kwargs):
        """
        Class model visualisation (Simonyan, Vedaldi and Zisserman, 2014,
        section 2, eq. 1) with the regularisers of Yosinski et al. (2015,
        "Understanding Neural Networks Through Deep Visualization", section 3):
        an image that maximises the score of target_y.

        Conventions (the tests compare your image with the reference solution's
        after a few iterations):
        - The objective is eq. (1) of Simonyan et al. with lambda = l2_reg: the
          unnormalised score S_y of target_y (the model's output, not a
          softmax) minus l2_reg times the squared L2 norm of the whole image,
          with no factor 1/2 and no division by the number of pixels.
        - The L2 penalty enters through the gradient of that objective, not as
          a separate decay of the image as in Yosinski et al.
        - Step normalisation: each step moves the image by exactly
          learning_rate in L2 norm, the norm taken over the whole (1, 3, H, W)
          tensor, along the gradient of the objective at the current image.
        - Your step works on img as the loop holds it, jittered; it changes img
          in place, and img stays the same leaf tensor with requires_grad=True
          from one iteration to the next. The provided code around it draws
          the jitter, undoes it, clamps the pixels to the range of real images
          (image_utils.clamp_image_) and blurs when the iteration is due.
        - The jitter is the only randomness: two draws from Python's random
          module per iteration, which the tests seed. Draw no random numbers
          of your own.
        - The model is cast to dtype and put in eval mode (below).

        Inputs:
        - target_y: Integer in [0, num_classes) giving the class to maximise.
        - class_names: List of class names (used for the progress messages).
        - model: A CNN mapping images to class scores (1, num_classes), with
          frozen parameters.
        - dtype: Torch datatype for the computation, e.g. torch.float32.

        Keyword arguments:
        - l2_reg: Strength of the L2 regularisation on the image (default 1e-3).
        - learning_rate: L2 length of each step (default 25).
        - num_iterations: Number of gradient-ascent steps (default 100).
        - blur_every: Blur the image at the iterations t (counted from 0) that
          are multiples of blur_every; 0 switches blur off (default 10).
        - max_jitter: Largest random shift in pixels; 0 switches jitter off
          (default 16).
        - show_every: Print progress every so many steps; 0 is silent (default 0).
        - img_size: Side of the square image when init_img is not given (default 224).
        - init_img: Optional Tensor (1, 3, H, W) to start from instead of noise.

        Returns:
        - img: Tensor of shape (1, 3, H, W) of dtype, the normalised image (use
          image_utils.deprocess to view it).
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

            # TODO: task 4.1 - one gradient-ascent step on the regularised score.
            # BEGIN SOLUTION
            score = model(img)[0, target_y]
            objective = score - l2_reg * img.pow(2).sum()
            objective.backward()
            with torch.no_grad():
                g = img.grad
                img += learning_rate * g / g.norm()
            img.grad.zero_()
            # END SOLUTION

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

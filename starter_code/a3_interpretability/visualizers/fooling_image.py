import torch


class FoolingImage:
    def make_fooling_image(self, X, target_y, model, learning_rate=10, max_iter=100):
        """
        A fooling image (Szegedy et al., 2014, "Intriguing properties of neural
        networks", section 4): an image close to X that the model classifies as
        target_y, reached by gradient ascent on the target's score.

        Conventions (the tests compare your image with the reference solution's
        after one step, after two, and at the end of a run):
        - The objective is the unnormalised score of target_y, its entry in the
          model's output (not a softmax, a log-probability or a loss).
        - Step normalisation: each step moves the image by exactly
          learning_rate in L2 norm, the norm taken over the whole
          (1, 3, H, W) tensor, along the gradient of that score at the current
          image (normalised gradient ascent: not the sign of the gradient, as
          in the fast gradient sign method of Goodfellow et al., 2015, and no
          momentum).
        - Stopping rule: the prediction (the argmax of the scores) is checked
          before every step, and the run stops as soon as it is target_y. At
          most max_iter steps are taken; when they run out, the image after the
          last step is returned, whatever its class. An image that is already
          classified as target_y comes back unchanged.
        - The image is neither clamped to the range of real pixels nor
          projected in any other way. X itself is left unchanged.
        - The model arrives with frozen parameters and is put in eval mode
          (below).

        Inputs:
        - X: Input image; Tensor of shape (1, 3, H, W).
        - target_y: An integer in [0, num_classes).
        - model: A CNN mapping images to class scores (1, num_classes).
        - learning_rate: L2 length of each step.
        - max_iter: Largest number of steps.

        Returns:
        - X_fooling: Tensor of shape (1, 3, H, W), of the dtype of X, without a
          gradient history.
        """
        model.eval()
        X_fooling = X.clone().detach().requires_grad_(True)
        # TODO: task 3.1 - the fooling iteration (conventions in the docstring).
        raise NotImplementedError('task 3.1 - the fooling iteration (conventions in the docstring). (visualizers/fooling_image.py)')
        return X_fooling.detach()

import torch


class FoolingImage:
    def make_fooling_image(self, X, target_y, model, learning_rate=10, max_iter=100):
        """
        Generate a fooling image: an image close to X that the model classifies as
        target_y.

        Inputs:
        - X: Input image; Tensor of shape (1, 3, H, W).
        - target_y: An integer in [0, num_classes).
        - model: A CNN mapping images to class scores (1, num_classes).
        - learning_rate: Length (L2 norm) of each step.
        - max_iter: Most gradient-ascent steps to take.

        Returns:
        - X_fooling: Tensor of shape (1, 3, H, W), without a gradient history.

        Algorithm: repeat at most max_iter times: compute the scores of the
        current image; stop if the predicted class is already target_y;
        otherwise let g be the gradient of the (unnormalised) target score with
        respect to the image and take the step
            X_fooling <- X_fooling + learning_rate * g / ||g||_2.
        """
        model.eval()
        X_fooling = X.clone().detach().requires_grad_(True)
        # TODO: task 3.1 - the fooling loop described in the docstring.
        # Update the image under torch.no_grad() and zero X_fooling.grad after
        # each step.
        # BEGIN SOLUTION
        for _ in range(max_iter):
            scores = model(X_fooling)                          # (1, num_classes)
            if scores.argmax(dim=1).item() == target_y:
                break
            scores[0, target_y].backward()
            with torch.no_grad():
                g = X_fooling.grad
                X_fooling += learning_rate * g / g.norm()
            X_fooling.grad.zero_()
        # END SOLUTION
        return X_fooling.detach()

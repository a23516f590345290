import torch


class FoolingImage:
    def make_fooling_image(self, X, target_y, model, learning_rate=10, max_iter=100):
        """Course style: the image is updated through .data, the gradient cleared through .data."""
        model.eval()

        # Initialize our fooling image to the input image, and enable gradients.
        X_fooling = X.clone()
        X_fooling = X_fooling.requires_grad_()

        for it in range(max_iter):
            scores = model(X_fooling)
            _, index = scores.max(1)
            if index[0] == target_y:
                break
            target_score = scores[0, target_y]
            target_score.backward()
            g = X_fooling.grad.data
            dX = learning_rate * g / g.norm()
            X_fooling.data += dX
            X_fooling.grad.data.zero_()

        return X_fooling.detach()



class SaliencyMap:
    def compute_saliency_maps(self, X, y, model):
        """
        Compute a class saliency map: how much each pixel moves the score of the
        correct class (Simonyan et al., 2014).

        Inputs:
        - X: Input images; Tensor of shape (N, 3, H, W).
        - y: Labels for X; LongTensor of shape (N,), values in [0, num_classes).
        - model: A CNN mapping images (N, 3, H, W) to class scores (N, num_classes).

        Returns:
        - saliency: Tensor of shape (N, H, W), on the device of X, without a
          gradient history; saliency[i, h, w] is the largest absolute value, over
          the 3 color channels, of d score[i, y[i]] / d X[i, :, h, w].
        """
        model.eval()
        X = X.clone().detach().requires_grad_(True)
        # TODO: task 1.1 - compute the saliency maps.
        # Run the model forward, back-propagate the sum of the correct-class
        # scores (unnormalised, no softmax) to X, then take the absolute value
        # of X.grad and its maximum over the channel dimension.
        # BEGIN SOLUTION
        scores = model(X)                                      # (N, num_classes)
        correct = scores.gather(1, y.view(-1, 1)).squeeze(1)   # (N,)
        correct.sum().backward()
        saliency = X.grad.abs().amax(dim=1)                    # (N, H, W)
        # END SOLUTION
        return saliency.detach()

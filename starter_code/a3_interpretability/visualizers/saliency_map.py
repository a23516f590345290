

class SaliencyMap:
    def compute_saliency_maps(self, X, y, model):
        """
        Class saliency maps (Simonyan, Vedaldi and Zisserman, 2014, "Deep Inside
        Convolutional Networks", section 3.1): how strongly each pixel of an
        image moves the score of its labelled class.

        Conventions:
        - The score is the unnormalised class score: entry [i, y[i]] of the
          model's output, the input of a softmax (not a probability, a
          log-probability or a loss), for the label y[i] as given, whether or
          not the model predicts it.
        - saliency[i] comes from image i and its own score only.
        - Channel reduction: at each pixel, the maximum of the absolute value
          over the 3 colour channels (the paper's choice for RGB images).
        - The model arrives in eval mode with frozen parameters
          (requires_grad=False); X itself is left unchanged.

        Inputs:
        - X: Input images; Tensor of shape (N, 3, H, W).
        - y: Labels for X; LongTensor of shape (N,), values in [0, num_classes).
        - model: A CNN mapping images (N, 3, H, W) to class scores (N, num_classes).

        Returns:
        - saliency: Tensor of shape (N, H, W), of the dtype and on the device of
          X, without a gradient history.
        """
        model.eval()
        X = X.clone().detach().requires_grad_(True)
        # TODO: task 1.1 - the class saliency maps (conventions in the docstring).
        raise NotImplementedError('task 1.1 - the class saliency maps (conventions in the docstring). (visualizers/saliency_map.py)')
        return saliency.detach()

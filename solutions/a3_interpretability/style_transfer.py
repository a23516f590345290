import torch
from style_modules import ContentLoss, StyleLoss, TotalVariationLoss
from style_utils import extract_features


class StyleTransfer:
    """
    Style transfer (Gatys et al., 2016) with the layers of a CNN's feature
    extractor (for SqueezeNet: model.features).
    """

    def __init__(self, cnn, content_layer=3, content_weight=6e-2,
                 style_layers=(1, 4, 6, 7), style_weights=(300000, 1000, 15, 3),
                 tv_weight=2e-2):
        """
        Inputs:
        - cnn: nn.Sequential whose layers give the features (model.features).
        - content_layer: Index of the layer used for the content loss.
        - content_weight: Weight of the content loss.
        - style_layers: Indices of the layers used for the style loss.
        - style_weights: One weight per style layer.
        - tv_weight: Weight of the total-variation loss.
        """
        self.cnn = cnn
        self.content_layer = content_layer
        self.content_weight = content_weight
        self.style_layers = list(style_layers)
        self.style_weights = list(style_weights)
        self.tv_weight = tv_weight
        self.content_loss = ContentLoss()
        self.style_loss = StyleLoss()
        self.tv_loss = TotalVariationLoss()

    def targets(self, content_img, style_img):
        """
        Inputs:
        - content_img, style_img: Tensors of shape (1, 3, H, W) (sizes may differ).

        Returns:
        - content_target: Tensor (1, C_l, H_l, W_l), features of content_img at
          content_layer.
        - style_targets: List of Tensors (1, C_l, C_l), normalised Gram matrices of
          style_img at each style layer.
        """
        with torch.no_grad():
            content_target = extract_features(content_img, self.cnn)[self.content_layer].clone()
            feats = extract_features(style_img, self.cnn)
            style_targets = [self.style_loss.gram_matrix(feats[layer]).clone()
                             for layer in self.style_layers]
        return content_target, style_targets

    def step(self, img, optimizer, content_target, style_targets):
        """
        One update of the image being generated (Gatys et al., 2016, eq. 7, with
        a total-variation term added).

        Conventions:
        - The total loss is the content loss at self.content_layer with
          self.content_weight, plus the style loss at self.style_layers with
          self.style_weights, plus the total-variation loss of img itself (the
          pixels, not features) with self.tv_weight: the settings stored on
          the object, never the defaults of __init__. The three are the losses
          of tasks 5.1, 5.3 and 5.4. A layer index l counts the modules of
          self.cnn from 0: it names the output of module l, as in the list
          that style_utils.extract_features returns.
        - Each call makes exactly one update of img with the optimizer it is
          given, from the gradient of the loss of this call alone (the tests
          call step several times in a row, with plain SGD).
        - step neither clamps nor otherwise changes img beyond that update, and
          leaves the optimizer's settings alone (run clamps before each call).

        Inputs:
        - img: Tensor of shape (1, 3, H, W) with requires_grad=True, the image
          being optimised (the only parameter of optimizer).
        - optimizer: A torch.optim optimizer over [img].
        - content_target: Tensor (1, C_l, H_l, W_l), see targets().
        - style_targets: List of Tensors (1, C_l, C_l), see targets().

        Returns:
        - loss: Python float, the total loss of img as it was BEFORE the update.
        """
        # TODO: task 5.5 - one update step of style transfer.
        # BEGIN SOLUTION
        optimizer.zero_grad()
        feats = extract_features(img, self.cnn)
        loss = (self.content_loss(self.content_weight, feats[self.content_layer], content_target)
                + self.style_loss(feats, self.style_layers, style_targets, self.style_weights)
                + self.tv_loss(img, self.tv_weight))
        loss.backward()
        optimizer.step()
        return loss.item()
        # END SOLUTION

    def run(self, content_img, style_img, num_iterations=200, init_random=False,
            learning_rate=3.0, decay_lr_at=180, decay_lr=0.1, callback=None):
        """
        The style-transfer loop: Adam on the pixels, the learning rate drops by
        decay_lr at iteration decay_lr_at, pixels stay within [-1.5, 1.5].

        Inputs:
        - content_img, style_img: Tensors (1, 3, H, W), normalised images.
        - num_iterations: Number of steps.
        - init_random: Start from uniform noise instead of the content image.
        - callback: Optional function callback(t, img, loss) called every step.

        Returns:
        - img: Tensor (1, 3, H, W), the generated image (normalised).
        """
        content_target, style_targets = self.targets(content_img, style_img)
        if init_random:
            img = torch.empty_like(content_img).uniform_(0, 1)
        else:
            img = content_img.clone()
        img = img.detach().requires_grad_(True)
        optimizer = torch.optim.Adam([img], lr=learning_rate)
        for t in range(num_iterations):
            with torch.no_grad():   # every step: an unclamped image drifts out of range and the loss jumps
                img.clamp_(-1.5, 1.5)
            if t == decay_lr_at:
                for group in optimizer.param_groups:
                    group["lr"] = learning_rate * decay_lr
            loss = self.step(img, optimizer, content_target, style_targets)
            if callback is not None:
                callback(t, img, loss)
        return img.detach()

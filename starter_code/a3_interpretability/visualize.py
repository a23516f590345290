"""Draw the pictures of every part of the assignment into visualization/.

    python visualize.py                       # offline: seeded random SqueezeNet, small images
    python visualize.py --pretrained          # course machine: ImageNet weights (downloads once)
    python visualize.py --only saliency gradcam

Inputs are the two photographs bundled with scikit-learn (a temple, "china", and a
flower); on a course machine, --images takes your own files instead. The attribution
pictures show your implementation next to Captum's (Saliency, GuidedBackprop,
LayerGradCam, GuidedGradCam, and LayerConductance, which has no counterpart of yours).
A part whose TODOs are still open is skipped with a message.
"""
import argparse
import os
import time
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from image_utils import deprocess, load_sample_photos, preprocess  # noqa: E402
from model_zoo import build_squeezenet, imagenet_class_names  # noqa: E402

PARTS = ["saliency", "guided_backprop", "gradcam", "guided_gradcam", "conductance",
         "fooling", "class_visualization", "style_transfer"]
GRADCAM_LAYER = 12


def scale01(a):
    """Stretch an array to [0, 1] (a constant array becomes 0)."""
    a = np.asarray(a, dtype=np.float32)
    span = float(a.max() - a.min())
    return (a - a.min()) / span if span > 0 else np.zeros_like(a)


def gradient_picture(g):
    """Turn a signed gradient (H, W, 3) into a viewable picture, as in the papers."""
    g = (g - g.mean()) / (g.std() + 1e-12)
    return np.clip(0.5 + 0.15 * g, 0, 1)


def upsample(cam, size):
    """(N, 1, h, w) tensor -> (N, H, W) NumPy, bilinear."""
    return F.interpolate(cam, size=size, mode="bilinear", align_corners=False)[:, 0].detach().cpu().numpy()


def draw_grid(path, rows, titles, row_labels, cmaps=None):
    """rows: list of lists of pictures (H, W) or (H, W, 3); saves one figure."""
    n_rows, n_cols = len(rows), len(rows[0])
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(2.3 * n_cols, 2.4 * n_rows), squeeze=False)
    for r, row in enumerate(rows):
        for c, pic in enumerate(row):
            ax = axes[r][c]
            ax.imshow(pic, cmap=(cmaps[c] if cmaps else None) if np.ndim(pic) == 2 else None)
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(titles[c], fontsize=8)
        axes[r][0].set_ylabel(row_labels[r], fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"  wrote {path}")


def compare(name, mine, captum):
    diff = float(np.max(np.abs(np.asarray(mine) - np.asarray(captum))))
    scale = float(np.max(np.abs(captum))) or 1.0
    print(f"  {name}: max |yours - Captum| = {diff:.3g} (relative {diff / scale:.2g})")


class Context:
    """What every part needs: model, images, labels, names, output folder."""

    def __init__(self, args):
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        self.model = build_squeezenet(seed=args.seed, pretrained=args.pretrained, device=self.device)
        self.names = imagenet_class_names()
        self.size = args.size or (224 if args.pretrained else 112)
        if args.images:
            from PIL import Image

            photos = {os.path.splitext(os.path.basename(p))[0]: Image.open(p) for p in args.images}
        else:
            photos = load_sample_photos()
        self.photo_names = list(photos)
        self.photos = photos
        self.X = torch.cat([preprocess(img, self.size) for img in photos.values()]).to(self.device)
        with torch.no_grad():
            self.y = self.model(self.X).argmax(dim=1)       # explain the predicted class
        self.labels = [f"{n}\n→ {self.short(int(c))}" for n, c in zip(self.photo_names, self.y, strict=True)]
        self.out = args.out
        self.args = args
        os.makedirs(self.out, exist_ok=True)

    def short(self, c):
        return f"{c} {self.names[c][:18]}"

    def pictures(self):
        return [deprocess(x) for x in self.X]


def part_saliency(ctx):
    from captum.attr import Saliency
    from visualizers import SaliencyMap

    mine = SaliencyMap().compute_saliency_maps(ctx.X, ctx.y, ctx.model).cpu().numpy()
    theirs = Saliency(ctx.model).attribute(ctx.X.clone().requires_grad_(), target=ctx.y, abs=True)
    theirs = theirs.amax(dim=1).detach().cpu().numpy()
    compare("saliency", mine, theirs)
    rows = [[img, scale01(m), scale01(t)] for img, m, t in zip(ctx.pictures(), mine, theirs, strict=True)]
    draw_grid(os.path.join(ctx.out, "saliency.png"), rows, ["image", "yours", "Captum Saliency"],
              ctx.labels, cmaps=[None, "hot", "hot"])


def part_guided_backprop(ctx):
    from captum.attr import GuidedBackprop
    from visualizers import GradCam

    mine = GradCam().guided_backprop(ctx.X, ctx.y, ctx.model)
    theirs = GuidedBackprop(ctx.model).attribute(ctx.X.clone().requires_grad_(), target=ctx.y)
    theirs = theirs.permute(0, 2, 3, 1).detach().cpu().numpy()
    compare("guided backprop", mine, theirs)
    rows = [[img, gradient_picture(m), gradient_picture(t)] for img, m, t in zip(ctx.pictures(), mine, theirs, strict=True)]
    draw_grid(os.path.join(ctx.out, "guided_backprop.png"), rows,
              ["image", "yours", "Captum GuidedBackprop"], ctx.labels)


def captum_grad_cam(ctx):
    from captum.attr import LayerGradCam

    layer = ctx.model.features[GRADCAM_LAYER]
    cam = LayerGradCam(ctx.model, layer).attribute(ctx.X.clone().requires_grad_(), target=ctx.y,
                                                   relu_attributions=True)
    return upsample(cam, tuple(ctx.X.shape[2:]))


def overlay(img, cam):
    """Blend a heat map (H, W) over a picture (H, W, 3)."""
    heat = plt.get_cmap("jet")(scale01(cam))[..., :3]
    return np.clip(0.55 * img + 0.45 * heat, 0, 1)


def part_gradcam(ctx):
    from visualizers import GradCam

    mine = GradCam().grad_cam(ctx.X, ctx.y, ctx.model)
    theirs = captum_grad_cam(ctx)
    compare("Grad-CAM", mine, theirs)
    rows = [[img, overlay(img, m), overlay(img, t)] for img, m, t in zip(ctx.pictures(), mine, theirs, strict=True)]
    draw_grid(os.path.join(ctx.out, "gradcam.png"), rows, ["image", "yours", "Captum LayerGradCam"],
              ctx.labels)


def part_guided_gradcam(ctx):
    from captum.attr import GuidedGradCam
    from visualizers import GradCam

    gc = GradCam()
    mine = gc.guided_backprop(ctx.X, ctx.y, ctx.model) * gc.grad_cam(ctx.X, ctx.y, ctx.model)[..., None]
    theirs = GuidedGradCam(ctx.model, ctx.model.features[GRADCAM_LAYER]).attribute(
        ctx.X.clone().requires_grad_(), target=ctx.y, interpolate_mode="bilinear")
    theirs = theirs.permute(0, 2, 3, 1).detach().cpu().numpy()
    compare("guided Grad-CAM", mine, theirs)
    rows = [[img, gradient_picture(m), gradient_picture(t)] for img, m, t in zip(ctx.pictures(), mine, theirs, strict=True)]
    draw_grid(os.path.join(ctx.out, "guided_gradcam.png"), rows,
              ["image", "yours (guided backprop x Grad-CAM)", "Captum GuidedGradCam"], ctx.labels)


def part_conductance(ctx):
    from captum.attr import LayerConductance
    from visualizers import GradCam

    cond = LayerConductance(ctx.model, ctx.model.features[GRADCAM_LAYER]).attribute(
        ctx.X, target=ctx.y, n_steps=16)                               # (N, C, h, w)
    cond = upsample(cond.sum(dim=1, keepdim=True), tuple(ctx.X.shape[2:]))
    try:
        mine = GradCam().grad_cam(ctx.X, ctx.y, ctx.model)
    except NotImplementedError:
        mine = np.zeros_like(cond)                     # Grad-CAM not written yet
    rows = [[img, overlay(img, m), overlay(img, c)] for img, m, c in zip(ctx.pictures(), mine, cond, strict=True)]
    draw_grid(os.path.join(ctx.out, "layer_conductance.png"), rows,
              ["image", "your Grad-CAM", "Captum LayerConductance\n(features[12], summed over channels)"],
              ctx.labels)


def part_fooling(ctx):
    from visualizers import FoolingImage

    rows, labels = [], []
    for i in range(len(ctx.X)):
        x = ctx.X[i:i + 1]
        with torch.no_grad():
            scores = ctx.model(x)[0]
        # The runner-up class is a reachable target for random and pretrained weights alike;
        # with pretrained weights try any class (the handout uses 6, a stingray).
        target = int(scores.topk(2).indices[1]) if ctx.args.fooling_target is None else ctx.args.fooling_target
        fool = FoolingImage().make_fooling_image(x, target, ctx.model)
        with torch.no_grad():
            pred = int(ctx.model(fool).argmax())
        diff = (fool - x)[0].permute(1, 2, 0).cpu().numpy()
        rows.append([deprocess(x), deprocess(fool, should_rescale=False), scale01(diff),
                     np.clip(0.5 + 10 * diff * 0.225, 0, 1)])
        labels.append(f"{ctx.photo_names[i]}: was {ctx.short(int(scores.argmax()))}\n"
                      f"target {ctx.short(target)}\nnow {ctx.short(pred)}")
        print(f"  {ctx.photo_names[i]}: target {target}, predicted {pred} after fooling, "
              f"||difference||_2 = {float((fool - x).norm()):.3g}")
    draw_grid(os.path.join(ctx.out, "fooling.png"), rows,
              ["original", "fooling image", "difference (stretched)", "difference x10"], labels)


def part_class_visualization(ctx):
    from visualizers import ClassVisualization

    targets = ctx.args.classes or [76, 78, 113, 366]      # tarantula, tick, snail, gorilla
    pics = []
    for target in targets:
        torch.manual_seed(ctx.args.seed)
        img = ClassVisualization().create_class_visualization(
            target, ctx.names, ctx.model, torch.float32, img_size=ctx.size,
            num_iterations=ctx.args.class_iterations)
        pics.append(deprocess(img))
    draw_grid(os.path.join(ctx.out, "class_visualization.png"), [pics],
              [ctx.short(t) for t in targets], ["generated"])


def part_style_transfer(ctx):
    from style_transfer import StyleTransfer

    names = ctx.photo_names
    content = ctx.X[0:1]
    style = ctx.X[1:2] if len(ctx.X) > 1 else ctx.X[0:1]
    transfer = StyleTransfer(ctx.model.features)
    losses = []
    result = transfer.run(content, style, num_iterations=ctx.args.style_iterations,
                          decay_lr_at=int(0.9 * ctx.args.style_iterations),
                          callback=lambda t, img, loss: losses.append(loss))
    print(f"  style transfer: loss {losses[0]:.4g} -> {losses[-1]:.4g} in {len(losses)} steps")
    draw_grid(os.path.join(ctx.out, "style_transfer.png"),
              [[deprocess(content), deprocess(style), deprocess(result)]],
              [f"content ({names[0]})", f"style ({names[-1]})", "result"], ["style transfer"])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pretrained", action="store_true", help="torchvision's ImageNet weights (downloads)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random weights (default 0)")
    parser.add_argument("--size", type=int, default=None, help="image side (default 112, or 224 pretrained)")
    parser.add_argument("--images", nargs="*", help="your own image files instead of the bundled photos")
    parser.add_argument("--out", default="visualization", help="output folder (default visualization/)")
    parser.add_argument("--only", nargs="*", choices=PARTS, help="draw only these parts")
    parser.add_argument("--fooling-target", type=int, default=None, help="class for the fooling images")
    parser.add_argument("--classes", type=int, nargs="*", help="classes for class visualization")
    parser.add_argument("--class-iterations", type=int, default=100)
    parser.add_argument("--style-iterations", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1,
                        help="CPU threads for torch (default 1: small images gain little from more, "
                             "and a busy machine loses a lot)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    warnings.filterwarnings("ignore", message="Setting backward hooks on ReLU")
    ctx = Context(args)
    weights = "pretrained ImageNet" if args.pretrained else f"random (seed {args.seed})"
    print(f"SqueezeNet 1.1 with {weights} weights on {ctx.device}; images {ctx.size}x{ctx.size}")
    for part in args.only or PARTS:
        start = time.time()
        print(f"{part}:")
        try:
            globals()[f"part_{part}"](ctx)
        except NotImplementedError as exc:
            print(f"  skipped: {exc}")
        print(f"  ({time.time() - start:.1f} s)")


if __name__ == "__main__":
    main()

"""Draw the pictures of every part of the assignment, recorded as a run in runs/<name>/.

    python visualize.py                        # offline: a small CNN trained on generated shapes
    python visualize.py --pretrained           # course machine: SqueezeNet 1.1, ImageNet weights, photographs
    python visualize.py --model squeezenet     # SqueezeNet with random weights: explanations of nothing
    python visualize.py --only saliency gradcam --name shapes_maps

Offline, the network explained is the small CNN of shapes.py, trained once on generated
shapes (about 12 s on one CPU core; then loaded from runs/shapes_cnn/), on one image of each
shape; style transfer uses SqueezeNet with random weights on the two photographs bundled
with scikit-learn. With --pretrained (or --model squeezenet) everything uses SqueezeNet and the
photographs (or --images). Each attribution picture shows your result next to Captum's.
The run folder holds config.yaml, one PNG per part, summary.json (predictions, differences
from Captum, how much of each map lies on the object, the fooling changes) and, when style
transfer ran, metrics.csv and curves.png of its loss. A part whose TODOs are still open is
skipped with a message.
"""
import argparse
import os
import sys
import time
import warnings

import matplotlib

matplotlib.use("Agg")
import torch  # noqa: E402
from image_utils import deprocess, load_sample_photos, preprocess  # noqa: E402
from model_zoo import PretrainedWeightsUnavailable, build_shapes_cnn, build_squeezenet, imagenet_class_names  # noqa: E402
from visualize_parts import PARTS, run_part  # noqa: E402

from autograder.runs import Run  # noqa: E402


class Context:
    """What every part needs: the model, the images and their labels, the run to write into."""

    def __init__(self, args, log=print):
        self.args, self.log = args, log
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        self.kind = "squeezenet" if args.pretrained else args.model
        self.masks = None
        if self.kind == "shapes":
            self._shapes()
        else:
            self._squeezenet()
        with torch.no_grad():
            self.y = self.model(self.X).argmax(dim=1)       # explain the predicted class
        self.labels = [f"{n}\n→ {self.short(int(c))}" for n, c in zip(self.image_names, self.y, strict=True)]
        self.run, self.out = None, os.path.join(args.root, args.name)
        self.summary = {"model": self.describe(), "images": self.image_names,
                        "predicted": [self.short(int(c)) for c in self.y]}

    def _shapes(self):
        import shapes

        self.model = build_shapes_cnn(root=self.args.root, device=self.device, log=self.log)
        self.names = list(shapes.CLASSES)
        self.size = shapes.IMAGE_SIZE
        X, y, masks = shapes.generate_shapes(len(shapes.CLASSES), seed=1000 + self.args.seed)
        self.X, self.masks = X.to(self.device), masks.numpy()
        self.image_names = [f"a {shapes.CLASSES[int(c)]}" for c in y]
        self.photos_X = None

    def _squeezenet(self):
        self.model = build_squeezenet(seed=self.args.seed, pretrained=self.args.pretrained, device=self.device)
        self.names = imagenet_class_names()
        self.size = self.args.size or (224 if self.args.pretrained else 112)
        self.X, self.image_names = self.photographs(self.size)

    def photographs(self, size):
        """The bundled photographs (or --images) as a batch, and their names."""
        if self.args.images:
            from PIL import Image

            photos = {os.path.splitext(os.path.basename(p))[0]: Image.open(p) for p in self.args.images}
        else:
            photos = load_sample_photos()
        X = torch.cat([preprocess(img, size) for img in photos.values()]).to(self.device)
        return X, list(photos)

    def attach(self, run):
        """Write the pictures into this run's folder, and the style-transfer loss into its metrics."""
        self.run, self.out = run, str(run.path)

    def describe(self):
        if self.kind == "shapes":
            return "small CNN trained on generated shapes (shapes.py)"
        weights = "pretrained ImageNet" if self.args.pretrained else f"random (seed {self.args.seed})"
        return f"SqueezeNet 1.1 with {weights} weights"

    def short(self, c):
        return f"{c} {self.names[c][:18]}"

    def pictures(self):
        return [deprocess(x, should_rescale=False) for x in self.X]

    def path(self, name):
        os.makedirs(self.out, exist_ok=True)
        return os.path.join(self.out, name)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pretrained", action="store_true",
                        help="SqueezeNet with torchvision's ImageNet weights (downloaded once)")
    parser.add_argument("--model", choices=["shapes", "squeezenet"], default="shapes",
                        help="shapes: the small CNN trained offline (default); squeezenet: SqueezeNet 1.1 "
                             "(random weights unless --pretrained)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random weights and the shape images")
    parser.add_argument("--size", type=int, default=None, help="side of the photographs (default 112, or 224 "
                                                               "pretrained)")
    parser.add_argument("--images", nargs="*", help="your own image files instead of the bundled photographs")
    parser.add_argument("--name", default=None, help="run name: the pictures go to runs/NAME/ (default "
                                                     "visualize, or visualize_pretrained)")
    parser.add_argument("--root", default="runs", help="folder of the runs (default runs/)")
    parser.add_argument("--out", default=None, help="a run folder given as a path, e.g. runs/visualize "
                                                    "(the same as --root runs --name visualize)")
    parser.add_argument("--only", nargs="*", choices=PARTS, help="draw only these parts")
    parser.add_argument("--fooling-target", type=int, default=None, help="class for the fooling images "
                                                                         "(default: each image's runner-up)")
    parser.add_argument("--classes", type=int, nargs="*", help="classes for class visualization")
    parser.add_argument("--class-iterations", type=int, default=100)
    parser.add_argument("--style-iterations", type=int, default=100)
    parser.add_argument("--style-weights", type=float, nargs=4, default=None, metavar="W",
                        help="the four style layers' weights (default: StyleTransfer's)")
    parser.add_argument("--threads", type=int, default=1,
                        help="CPU threads for torch (default 1: small images gain little from more, and a "
                             "busy machine loses a lot)")
    args = parser.parse_args(argv)
    if args.out:
        args.root, args.name = os.path.dirname(os.path.normpath(args.out)) or ".", os.path.basename(
            os.path.normpath(args.out))
    if args.name is None:
        args.name = "visualize_pretrained" if args.pretrained else (
            "visualize" if args.model == "shapes" else "visualize_random_squeezenet")
    return args


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore", message="Setting backward hooks on ReLU")
    try:
        ctx = Context(args)
    except PretrainedWeightsUnavailable as exc:
        print(exc, file=sys.stderr)
        return 2
    with Run(args.name, config=dict(vars(args), model=ctx.describe()), root=args.root) as run:
        ctx.attach(run)
        print(f"{ctx.describe()} on {ctx.device}; images {ctx.size}x{ctx.size}; run folder {run.path}")
        for part in args.only or PARTS:
            start = time.time()
            print(f"{part}:")
            try:
                run_part(part, ctx)
            except NotImplementedError as exc:
                print(f"  skipped: {exc}")
                ctx.summary.setdefault("skipped", []).append(part)
            print(f"  ({time.time() - start:.1f} s)")
        run.save_json("summary.json", ctx.summary)
    print(f"run recorded in {run.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

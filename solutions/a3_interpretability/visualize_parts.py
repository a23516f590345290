"""The parts of visualize.py: one function per technique, each drawing one PNG into the run
folder and adding what it measured to the run's summary.json."""
import random

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from image_utils import deprocess

PARTS = ["saliency", "guided_backprop", "gradcam", "guided_gradcam", "conductance",
         "fooling", "class_visualization", "style_transfer"]
GRADCAM_LAYER = 12
EARLIER_LAYER = {"shapes": 10, "squeezenet": 7}     # a layer with non-linear layers above it


def run_part(part, ctx):
    globals()[f"part_{part}"](ctx)


# --- drawing ---------------------------------------------------------------------------

def scale01(a):
    """Stretch an array to [0, 1] (a constant array becomes 0)."""
    a = np.asarray(a, dtype=np.float32)
    span = float(a.max() - a.min())
    return (a - a.min()) / span if span > 0 else np.zeros_like(a)


def gradient_picture(g):
    """Turn a signed gradient (H, W, 3) into a viewable picture, as in the papers."""
    g = (g - g.mean()) / (g.std() + 1e-12)
    return np.clip(0.5 + 0.15 * g, 0, 1)


def overlay(img, cam):
    """Blend a heat map (H, W) over a picture (H, W, 3)."""
    heat = plt.get_cmap("jet")(scale01(cam))[..., :3]
    return np.clip(0.55 * img + 0.45 * heat, 0, 1)


def upsample(cam, size):
    """(N, 1, h, w) tensor -> (N, H, W) NumPy, bilinear."""
    return F.interpolate(cam, size=size, mode="bilinear", align_corners=False)[:, 0].detach().cpu().numpy()


PAGE_WIDTH = 6.4    # inches: the figure is printed at its own size on a letter page, so 9-pt text stays 9 pt
FONT = 9


def draw_grid(path, rows, titles, row_labels, cmaps=None, note=None):
    """rows: list of lists of pictures (H, W) or (H, W, 3), with a title per column and a label per row;
    saves one figure as wide as a page's text, with an optional note under it. With at least as many rows
    as columns the grid is turned (a picture per image across, a row per method), so that it stays short."""
    if len(rows) >= len(rows[0]) > 1:
        rows = [list(col) for col in zip(*rows, strict=True)]
        titles, row_labels = row_labels, titles
        cmaps = None if cmaps is None else [cmaps[r] for r in range(len(rows))]
        by_row = True
    else:
        by_row = False
    n_rows, n_cols = len(rows), len(rows[0])
    label_lines = max(str(t).count("\n") + 1 for t in row_labels)
    title_lines = max(str(t).count("\n") + 1 for t in titles)
    # at most 4 inches tall up to three rows (two such figures and their captions fill a page), 5.5 beyond
    height = (4.0 if n_rows <= 3 else 5.5) - 0.2 * title_lines
    cell = min(1.9, PAGE_WIDTH / (n_cols + 0.1 + 0.17 * label_lines), height / n_rows)
    note_height = 0.18 * (len(note) * FONT / 8.5 / 110 + 1) if note else 0
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(PAGE_WIDTH, cell * n_rows + 0.2 * title_lines + note_height),
                             squeeze=False)
    for r, row in enumerate(rows):
        for c, pic in enumerate(row):
            ax = axes[r][c]
            cmap = (cmaps[r] if by_row else cmaps[c]) if cmaps else None
            ax.imshow(pic, cmap=cmap if np.ndim(pic) == 2 else None)
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(titles[c], fontsize=FONT)
        axes[r][0].set_ylabel(row_labels[r], fontsize=FONT)
    if note:
        fig.text(0.01, 0.005, note, fontsize=FONT - 0.5, va="bottom", wrap=True)
        fig.tight_layout(rect=(0, note_height / fig.get_figheight(), 1, 1))
    else:
        fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)
    print(f"  wrote {path}")


# --- measuring -------------------------------------------------------------------------

def compare(ctx, part, mine, captum):
    diff = float(np.max(np.abs(np.asarray(mine) - np.asarray(captum))))
    scale = float(np.max(np.abs(captum))) or 1.0
    print(f"  {part}: max |yours - Captum| = {diff:.3g} (relative {diff / scale:.2g})")
    ctx.summary.setdefault(part, {})["max_difference_from_captum"] = diff


def object_region(masks, border=2):
    """The objects' masks (N, H, W) grown by `border` pixels: gradients live on edges, just outside too."""
    grown = F.max_pool2d(torch.as_tensor(masks, dtype=torch.float32)[:, None], 2 * border + 1, stride=1,
                         padding=border)
    return grown[:, 0].numpy() > 0


def on_object(ctx, part, maps):
    """With the shapes, the share of each map's total (absolute) value that lies on the object or
    within 2 pixels of it, beside the share of the image that region covers."""
    if ctx.masks is None:
        return
    region = object_region(ctx.masks)
    maps = np.abs(np.asarray(maps, dtype=np.float64))
    share = (maps * region).sum(axis=(1, 2)) / np.maximum(maps.sum(axis=(1, 2)), 1e-12)
    area = region.mean(axis=(1, 2))
    print(f"  {part}: {100 * share.mean():.0f}% of the map lies on the object (within 2 pixels), which covers "
          f"{100 * area.mean():.0f}% of the image")
    ctx.summary.setdefault(part, {}).update(share_on_object=share.round(3).tolist(),
                                            object_area=area.round(3).tolist())


def correlation(a, b):
    a, b = np.ravel(a), np.ravel(b)
    return float(np.corrcoef(a, b)[0, 1]) if a.std() > 0 and b.std() > 0 else float("nan")


# --- parts 1 and 2 ------------------------------------------------------------------------

def part_saliency(ctx):
    from captum.attr import Saliency
    from visualizers import SaliencyMap

    mine = SaliencyMap().compute_saliency_maps(ctx.X, ctx.y, ctx.model).cpu().numpy()
    theirs = Saliency(ctx.model).attribute(ctx.X.clone().requires_grad_(), target=ctx.y, abs=True)
    theirs = theirs.amax(dim=1).detach().cpu().numpy()
    compare(ctx, "saliency", mine, theirs)
    on_object(ctx, "saliency", mine)
    rows = [[img, scale01(m), scale01(t)] for img, m, t in zip(ctx.pictures(), mine, theirs, strict=True)]
    draw_grid(ctx.path("saliency.png"), rows, ["image", "yours", "Captum\nSaliency"], ctx.labels,
              cmaps=[None, "hot", "hot"])


def part_guided_backprop(ctx):
    from captum.attr import GuidedBackprop
    from visualizers import GradCam

    mine = GradCam().guided_backprop(ctx.X, ctx.y, ctx.model)
    theirs = GuidedBackprop(ctx.model).attribute(ctx.X.clone().requires_grad_(), target=ctx.y)
    theirs = theirs.permute(0, 2, 3, 1).detach().cpu().numpy()
    compare(ctx, "guided_backprop", mine, theirs)
    on_object(ctx, "guided_backprop", np.abs(mine).max(axis=3))
    rows = [[img, gradient_picture(m), gradient_picture(t)] for img, m, t in zip(ctx.pictures(), mine, theirs, strict=True)]
    draw_grid(ctx.path("guided_backprop.png"), rows, ["image", "yours", "Captum\nGuidedBackprop"],
              ctx.labels)


def captum_grad_cam(ctx, relu=True):
    from captum.attr import LayerGradCam

    layer = ctx.model.features[GRADCAM_LAYER]
    cam = LayerGradCam(ctx.model, layer).attribute(ctx.X.clone().requires_grad_(), target=ctx.y,
                                                   relu_attributions=relu)
    return upsample(cam, tuple(ctx.X.shape[2:]))


def part_gradcam(ctx):
    from visualizers import GradCam

    mine = GradCam().grad_cam(ctx.X, ctx.y, ctx.model)
    theirs = captum_grad_cam(ctx)
    compare(ctx, "gradcam", mine, theirs)
    on_object(ctx, "gradcam", mine)
    rows = [[img, overlay(img, m), overlay(img, t)] for img, m, t in zip(ctx.pictures(), mine, theirs, strict=True)]
    draw_grid(ctx.path("gradcam.png"), rows, ["image", "yours", "Captum\nLayerGradCam"], ctx.labels)


def part_guided_gradcam(ctx):
    from captum.attr import GuidedGradCam
    from visualizers import GradCam

    gc = GradCam()
    mine = gc.guided_backprop(ctx.X, ctx.y, ctx.model) * gc.grad_cam(ctx.X, ctx.y, ctx.model)[..., None]
    theirs = GuidedGradCam(ctx.model, ctx.model.features[GRADCAM_LAYER]).attribute(
        ctx.X.clone().requires_grad_(), target=ctx.y, interpolate_mode="bilinear")
    theirs = theirs.permute(0, 2, 3, 1).detach().cpu().numpy()
    compare(ctx, "guided_gradcam", mine, theirs)
    on_object(ctx, "guided_gradcam", np.abs(mine).max(axis=3))
    rows = [[img, gradient_picture(m), gradient_picture(t)] for img, m, t in zip(ctx.pictures(), mine, theirs, strict=True)]
    draw_grid(ctx.path("guided_gradcam.png"), rows,
              ["image", "yours (guided\nbackprop x Grad-CAM)", "Captum\nGuidedGradCam"], ctx.labels)


def conductance(ctx, index):
    """Captum's LayerConductance of features[index], summed over channels, upsampled: (N, H, W)."""
    from captum.attr import LayerConductance

    cond = LayerConductance(ctx.model, ctx.model.features[index]).attribute(ctx.X, target=ctx.y, n_steps=16)
    return upsample(cond.sum(dim=1, keepdim=True), tuple(ctx.X.shape[2:]))


def part_conductance(ctx):
    from visualizers import GradCam

    earlier = EARLIER_LAYER[ctx.kind]
    last, early = conductance(ctx, GRADCAM_LAYER), conductance(ctx, earlier)
    raw = captum_grad_cam(ctx, relu=False)
    r_last, r_early = correlation(raw, last), correlation(raw, early)
    print(f"  correlation with Grad-CAM before its ReLU: conductance of features[{GRADCAM_LAYER}] {r_last:.4f}, "
          f"of features[{earlier}] {r_early:.4f}")
    ctx.summary["conductance"] = {f"correlation_features{GRADCAM_LAYER}": r_last,
                                  f"correlation_features{earlier}": r_early}
    try:
        mine = GradCam().grad_cam(ctx.X, ctx.y, ctx.model)
    except NotImplementedError:
        mine = np.maximum(raw, 0)                      # Grad-CAM not written yet: Captum's
    note = (f"Why the two middle columns look alike (correlation {r_last:.4f} before Grad-CAM's ReLU): above "
            f"features[{GRADCAM_LAYER}] the network only has a 1x1 convolution and an average pooling"
            f"{' (and a ReLU, open where the class map is positive)' if ctx.kind == 'squeezenet' else ''}, so "
            "the score is linear in that layer's output, with the same gradient in every cell and at every point "
            "of the path from the baseline. Conductance summed over channels is then gradient x (activation - "
            "baseline activation): Grad-CAM's weighted sum of channels. Above features"
            f"[{earlier}] there are non-linear layers, and its conductance differs (correlation {r_early:.4f}).")
    rows = [[img, overlay(img, m), overlay(img, a), overlay(img, b)]
            for img, m, a, b in zip(ctx.pictures(), mine, last, early, strict=True)]
    draw_grid(ctx.path("layer_conductance.png"), rows,
              ["image", f"your Grad-CAM\nfeatures[{GRADCAM_LAYER}]",
               f"Captum\nLayerConductance\nfeatures[{GRADCAM_LAYER}]", f"Captum\nLayerConductance\nfeatures[{earlier}]"],
              ctx.labels, note=note)


# --- parts 3 to 5 -------------------------------------------------------------------------

def part_fooling(ctx):
    from image_utils import SQUEEZENET_STD
    from visualizers import FoolingImage

    # steps of 10 suit 224-pixel images; the step length grows with the square root of the pixel count
    learning_rate = 10.0 * ctx.size / 224
    rows, labels, records = [], [], []
    for i in range(len(ctx.X)):
        x = ctx.X[i:i + 1]
        with torch.no_grad():
            scores = ctx.model(x)[0]
        # the runner-up class is a target the iteration reaches quickly, whatever the weights
        target = int(scores.topk(2).indices[1]) if ctx.args.fooling_target is None else ctx.args.fooling_target
        forwards = []
        hook = ctx.model.register_forward_hook(lambda *_, forwards=forwards: forwards.append(1))
        try:
            fool = FoolingImage().make_fooling_image(x, target, ctx.model, learning_rate=learning_rate)
        finally:
            hook.remove()
        with torch.no_grad():
            pred = int(ctx.model(fool).argmax())
        diff = (fool - x)[0].permute(1, 2, 0).cpu().numpy()                       # (H, W, 3), normalised
        pixels = np.abs(diff * SQUEEZENET_STD).max() * 255                        # largest change, 0-255 scale
        records.append({"image": ctx.image_names[i], "was": ctx.short(int(scores.argmax())),
                        "target": ctx.short(target), "now": ctx.short(pred),
                        "l2_change": float(np.linalg.norm(diff)), "largest_pixel_change_0_255": float(pixels),
                        # the prediction is checked before every step (the docstring's stopping rule)
                        "steps": len(forwards) - 1,
                        "mean_pixel_change": float(np.abs(diff).mean())})
        rows.append([deprocess(x, should_rescale=False), deprocess(fool, should_rescale=False), scale01(diff),
                     np.clip(0.5 + 10 * diff * 0.225, 0, 1)])
        labels.append(f"{ctx.image_names[i]}\nwas {ctx.short(int(scores.argmax()))}\n"
                      f"target {ctx.short(target)}\nnow {ctx.short(pred)}")
        print(f"  {ctx.image_names[i]}: target {target}, predicted {pred} after fooling, ||difference||_2 = "
              f"{records[-1]['l2_change']:.3g}, largest pixel change {pixels:.1f}/255")
    ctx.summary["fooling"] = {"learning_rate": learning_rate, "images": records}
    draw_grid(ctx.path("fooling.png"), rows, ["original", "fooling\nimage", "difference\n(stretched)",
                                              "difference\nx10"], labels)


def class_visualization_settings(ctx):
    """Defaults for 224-pixel ImageNet images; the step and the jitter scale with the image."""
    settings = {"img_size": ctx.size, "learning_rate": round(25.0 * ctx.size / 224, 2),
                "max_jitter": max(1, round(16 * ctx.size / 224))}
    if ctx.kind == "shapes":
        return list(range(len(ctx.names))), settings
    return [76, 78, 113, 366], settings     # tarantula, tick, snail, gorilla


def part_class_visualization(ctx):
    from visualizers import ClassVisualization

    targets, settings = class_visualization_settings(ctx)
    targets = ctx.args.classes or targets
    pics, scores = [], {}
    for target in targets:
        # The starting noise comes from torch, the jitter from Python's random: seeding both makes
        # each picture, and the numbers of summary.json, the same from one run to the next.
        torch.manual_seed(ctx.args.seed)
        random.seed(ctx.args.seed)
        img = ClassVisualization().create_class_visualization(
            target, ctx.names, ctx.model, torch.float32, num_iterations=ctx.args.class_iterations, **settings)
        with torch.no_grad():
            out = ctx.model(img.to(ctx.X.device))[0]
        scores[ctx.short(target)] = {"score": float(out[target]), "predicted": ctx.short(int(out.argmax()))}
        pics.append(deprocess(img))
    ctx.summary["class_visualization"] = {"settings": settings, "iterations": ctx.args.class_iterations,
                                          "classes": scores}
    draw_grid(ctx.path("class_visualization.png"), [pics], [ctx.short(t) for t in targets], ["generated"])


def loss_terms(transfer, img, content, style):
    """Each weighted term of the style-transfer loss of img: the content, each style layer, the total variation."""
    from style_utils import extract_features

    content_target, style_targets = transfer.targets(content, style)
    with torch.no_grad():
        img = img.clamp(-1.5, 1.5)   # as StyleTransfer.run keeps it before every step
        feats = extract_features(img, transfer.cnn)
        terms = {"content": float(transfer.content_loss(transfer.content_weight, feats[transfer.content_layer],
                                                        content_target))}
        for layer, target, weight in zip(transfer.style_layers, style_targets, transfer.style_weights, strict=True):
            terms[f"style_layer{layer}"] = float(transfer.style_loss(feats, [layer], [target], [weight]))
        terms["tv"] = float(transfer.tv_loss(img, transfer.tv_weight))
    return terms


def part_style_transfer(ctx):
    from model_zoo import build_squeezenet
    from style_transfer import StyleTransfer

    if ctx.kind == "shapes":     # the photographs and SqueezeNet's features (random weights offline)
        cnn = build_squeezenet(seed=ctx.args.seed, device=ctx.device).features
        X, names = ctx.photographs(ctx.args.size or 112)
    else:
        cnn, X, names = ctx.model.features, ctx.X, ctx.image_names
    content, style = X[0:1], X[1:2] if len(X) > 1 else X[0:1]
    weights = {} if ctx.args.style_weights is None else {"style_weights": tuple(ctx.args.style_weights)}
    transfer = StyleTransfer(cnn, **weights)
    losses = []

    def record(t, img, loss):
        losses.append(loss)
        if ctx.run is not None:
            ctx.run.log(step=t + 1, style_transfer_loss=loss)

    result = transfer.run(content, style, num_iterations=ctx.args.style_iterations,
                          decay_lr_at=int(0.9 * ctx.args.style_iterations), callback=record)
    print(f"  style transfer: loss {losses[0]:.4g} -> {losses[-1]:.4g} in {len(losses)} steps")
    ctx.summary["style_transfer"] = {"content": names[0], "style": names[-1], "first_loss": losses[0],
                                     "last_loss": losses[-1], "steps": len(losses), "size": int(X.shape[-1]),
                                     "terms_at_start": loss_terms(transfer, content, content, style),
                                     "terms_at_end": loss_terms(transfer, result, content, style),
                                     "weights": {"content_layer": transfer.content_layer,
                                                 "content_weight": transfer.content_weight,
                                                 "style_layers": transfer.style_layers,
                                                 "style_weights": transfer.style_weights,
                                                 "tv_weight": transfer.tv_weight}}
    draw_grid(ctx.path("style_transfer.png"), [[deprocess(content), deprocess(style), deprocess(result)]],
              [f"content ({names[0]})", f"style ({names[-1]})", "result"], ["style transfer"])

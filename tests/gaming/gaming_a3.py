"""A3 gaming upload: the hand-written attribution methods done by Captum, reached at run time."""

from __future__ import annotations

from pathlib import Path

from gaming_harness import Upload, indented, run_time_spellings

AID = "a3_interpretability"
SALIENCY, GRADCAM = "visualizers/saliency_map.py", "visualizers/gradcam.py"

#: the two spellings graded here: one the static check also refuses, one only the worker can
CAPTUM_SPELLINGS = {k: v for k, v in run_time_spellings("attr", "captum.attr").items()
                    if k in ("importlib", "importlib, disguised")}


def captum_methods(tmp: Path, spelling: str) -> Upload:
    """Case 10: saliency maps and guided backpropagation computed by Captum's Saliency and
    GuidedBackprop, which the handout forbids in these files."""
    bind = indented(CAPTUM_SPELLINGS[spelling])
    saliency = {"SaliencyMap.compute_saliency_maps": f'''
def compute_saliency_maps(self, X, y, model):
{bind}
    model.eval()
    return attr.Saliency(model).attribute(X.clone().detach(), target=y, abs=True).amax(dim=1).detach()
'''}
    guided = {"GradCam.guided_backprop": f'''
def guided_backprop(self, X_tensor, y_tensor, gc_model):
{bind}
    model = copy.deepcopy(gc_model).eval()
    grads = attr.GuidedBackprop(model).attribute(X_tensor.clone().detach(), target=y_tensor)
    return grads.permute(0, 2, 3, 1).detach().cpu().numpy()
'''}
    return Upload.make(AID, tmp).replace(SALIENCY, saliency).replace(GRADCAM, guided)


def methods_reverted(tmp: Path) -> Upload:
    up = Upload.make(AID, tmp)
    return up.revert(SALIENCY, ["SaliencyMap.compute_saliency_maps"]).revert(GRADCAM, ["GradCam.guided_backprop"])

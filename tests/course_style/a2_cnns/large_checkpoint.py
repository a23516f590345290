"""The checkpoint of the large MyModel in models/my_model.py, made at run time (never committed):
used by tests/test_a2_cnns_course_style.py and bench/bench_a2_large_model.py."""

import importlib.util
from pathlib import Path

import torch

MODEL_FILE = Path(__file__).resolve().parent / "models" / "my_model.py"


def large_my_model_state(reference_checkpoint: Path, width: int | None = None,
                         trained: bool = True) -> tuple[dict, int]:
    """(state_dict, number of parameters) of the large MyModel built after torch.manual_seed(0).

    ``width`` replaces the wide branch's WIDTH. With ``trained``, the reference MyModel's weights
    from ``reference_checkpoint`` fill the layers the two designs share and the branch's last
    layer is set to zero, so that the large model predicts exactly what the reference predicts."""
    spec = importlib.util.spec_from_file_location("course_style_large_my_model", MODEL_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if width is not None:
        module.WIDTH = width
    torch.manual_seed(0)
    model = module.MyModel()
    state = model.state_dict()
    if trained:
        reference = torch.load(reference_checkpoint, map_location="cpu", weights_only=True)
        extra = set(state) - set(reference)
        if not all(k.startswith("wide.") for k in extra):
            raise ValueError(f"the reference MyModel lacks layers other than the wide branch: {sorted(extra)}")
        state.update(reference)
        last = max(int(k.split(".")[1]) for k in state if k.startswith("wide."))
        for kind in ("weight", "bias"):
            state[f"wide.{last}.{kind}"] = torch.zeros_like(state[f"wide.{last}.{kind}"])
    return state, sum(p.numel() for p in model.parameters())

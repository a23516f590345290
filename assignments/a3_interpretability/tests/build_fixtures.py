"""Build-time fixtures for A3 (run by `autograder build` with the solution folder on sys.path).

1. The tests build SqueezeNet 1.1 with a3_probes.build_squeezenet, a torchvision-free copy of
   the network (the grader never loads torchvision). The build fails if it ever stops giving
   the very same network as model_zoo.build_squeezenet (torchvision) for the same seed: the
   fixed part, fixed/squeezenet_check.json.
2. It records what the grader cannot recompute cheaply (tests/staff/a3_record.py): the
   reference solution's outputs of the multi-step tasks the public tests compare with, with
   their inputs kept as seeds, the small closed-form cases, and the seeds of the hidden fooling
   case, which needs a screen. Captum's attributions (parts 1 and 2) and the hidden tests'
   other expected values are computed by the grader itself, on inputs drawn for each
   submission, so a draw is small (about 200 kB) and quick to record.
   - public/a3_public.safetensors: the students' set (request.draw None, fixed seeds; it ships
     with the public tests) or one draw's public cases;
   - a3_hidden.safetensors: one draw's hidden case (autograder zip only).
   Every recorded value of the reference solution is first checked against the staff
   references (tests/staff/a3_refs.py); a disagreement stops the build. A draw that makes no
   usable case is drawn again, and falls back to a known-good case (a3_record.py).
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEEDS = [0, 3, 7, 29]


def build(request) -> None:
    """The fixed part: the SqueezeNet check. The students' set: the public cases on fixed seeds.
    A draw: public and hidden cases drawn from it (see autograder.staff.fixtures)."""
    out_dir = Path(request.out_dir)
    for folder in ("probes", "staff"):
        if str(HERE / folder) not in sys.path:
            sys.path.insert(0, str(HERE / folder))
    import torch
    from safetensors.numpy import save_file

    torch.set_num_threads(1)
    if request.fixed:
        check_squeezenet(out_dir)
        return
    import a3_record as record

    (out_dir / "public").mkdir(parents=True, exist_ok=True)
    save_file(record.public_cases(request.draw), str(out_dir / "public" / "a3_public.safetensors"))
    if request.draw is not None:
        save_file(record.hidden_cases(request.draw), str(out_dir / "a3_hidden.safetensors"))


def check_squeezenet(out_dir: Path) -> None:
    import torch
    from a3_probes import build_squeezenet as from_probes
    from model_zoo import build_squeezenet as from_torchvision

    x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    for seed in SEEDS:
        ours, theirs = from_probes(seed), from_torchvision(seed, device="cpu")
        a, b = ours.state_dict(), theirs.state_dict()
        if list(a) != list(b) or str(ours) != str(theirs):
            raise SystemExit(f"a3_probes.build_squeezenet({seed}) has other modules than torchvision's "
                             "squeezenet1_1: fix tests/probes/a3_probes.py")
        bad = [k for k in a if not torch.equal(a[k], b[k])]
        if bad:
            raise SystemExit(f"a3_probes.build_squeezenet({seed}) differs from torchvision's squeezenet1_1 "
                             f"in {bad[:3]}: the initialisation order changed; fix tests/probes/a3_probes.py")
        with torch.no_grad():
            if not torch.equal(ours(x), theirs(x)):
                raise SystemExit(f"a3_probes.build_squeezenet({seed}) computes other scores than torchvision's")
    (out_dir / "squeezenet_check.json").write_text(
        json.dumps({"seeds": SEEDS, "same_as_torchvision_squeezenet1_1": True}) + "\n")

"""Build-time fixtures of a4_sequences: expected values recorded from the reference solution.

`autograder build` calls build(request) (autograder.staff.fixtures.FixtureRequest) with the solution folder and
this tests/ folder on sys.path. Each case (a4_case_specs.py) runs through the same probe the worker
runs on a student's code (probes/a4_probes.py), here on the reference with weights drawn by
role. Before anything is written, every eval-mode case is checked against the float64 staff
references (staff/a4_refs.py), and every greedy decoding against near-ties (a top-two margin
under MARGIN could flip between two correct float32 implementations).

Written: public/a4_cases.{json,safetensors} and a4_hidden_cases.{json,safetensors}. The
students' set (request.draw None) writes the public cases on their fixed seeds; it ships in the
bundle. Each draw of the pool writes both files, every case drawn from a seed of its own (the
draw's), the same sizes as the fixed ones: a draw whose greedy decoding has a near-tie is
rejected and drawn again (autograder.staff.fixtures.screened), and a case whose draws are all
rejected falls back to one of its seeds known to be good (a4_case_specs.KNOWN_GOOD_PUBLIC and
KNOWN_GOOD_HIDDEN; never the students' set, whose values the bundle holds).

Weights drawn by role (a4_binding.draw) are written as their seed, not as values: the grader
draws them again (a4_cases.case), and a checksum of the values makes sure it gets the same ones.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARGIN = 1e-3
#: Kinds whose expected values come from a greedy decoding, which a near-tie could flip.
SCREENED_KINDS = ("standins", "full_generate")


def _paths():
    for sub in ("probes", "staff", ""):
        path = str(HERE / sub) if sub else str(HERE)
        if path not in sys.path:
            sys.path.insert(0, path)


def _record(case, torch):
    import a4_probes as probes

    if case["kind"] == "standins":
        got = probes.seq2seq_standins(case["spec"], case["spec"]["inputs"]["source"])
        return {"outputs": got["outputs"], "roles": [], "tensors": []}
    if case["kind"] == "lstm":
        gen = torch.Generator().manual_seed(case["seed"])
        named = {name: torch.randn(shape, generator=gen) * 0.3 for name, shape in case["names"]}
        got = probes.lstm_forward(*case["spec"]["sizes"], case["spec"]["inputs"]["x"], named)
        return {"outputs": got["outputs"], "roles": [{"name": n} for n in named], "tensors": list(named.values())}
    return probes.run_case(case["kind"], case["spec"], seed=case["seed"])


def _margins_ok(scores):
    top = scores.double().topk(2, dim=-1).values
    return bool((top[..., 0] - top[..., 1]).min() >= MARGIN)


def _feeds_back(scores, source, torch):
    """Whether a step before the last predicts a word other than the first one fed (``source[:, 0]``):
    otherwise a Seq2Seq that feeds <sos> at every step would give the same outputs on this case."""
    first = torch.as_tensor(source)[:, :1]
    return bool((scores.argmax(dim=-1)[:, :-1] != first).any())


def _named_weights(case, got, torch):
    """The reference's own {parameter name: tensor} for the weights a case drew."""
    import a4_binding as binding
    import a4_probes as probes

    if case["kind"] == "lstm":
        return {role["name"]: t for role, t in zip(got["roles"], got["tensors"], strict=True)}
    if case["kind"] == "standins":
        return {}
    model, call = probes._build(case["kind"], case["spec"])
    binding.bind(model, call, got["roles"], got["tensors"], "reference")
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _check(case, got, torch, screen=True):
    import a4_refs as refs

    from autograder.staff.fixtures import Rejected

    out = {k: v for k, v in got["outputs"].items()}
    if any(v is None for v in out.values()):
        raise ValueError(f"case {case['id']}: the reference returned a non-tensor")
    if screen and case["kind"] in SCREENED_KINDS and not _margins_ok(out["out"]):
        raise Rejected(f"case {case['id']}: greedy decoding has a near-tie")
    if screen and case["kind"] == "standins" and not _feeds_back(out["out"], case["spec"]["inputs"]["source"], torch):
        raise Rejected(f"case {case['id']}: greedy decoding predicts only the first token before its last step")
    expected = refs.expected(case, _named_weights(case, got, torch))
    if expected is None:
        return
    for name, value in expected.items():
        if not torch.allclose(out[name].double(), value.double(), rtol=1e-4, atol=1e-5):
            diff = float((out[name].double() - value.double()).abs().max())
            raise ValueError(f"case {case['id']}: the reference solution and staff/a4_refs.py disagree on "
                             f"{name} (max difference {diff:.3g})")


def recorded(case, torch, screen=True):
    """(case, what the reference gave) after the checks; raises Rejected on a near-tie when ``screen``."""
    got = _record(case, torch)
    _check(case, got, torch, screen)
    return case, got


def _write(pairs, folder: Path, stem: str, torch):
    import a4_binding as binding
    from safetensors.numpy import save_file

    folder.mkdir(parents=True, exist_ok=True)
    arrays, meta = {}, {}
    for case, got in pairs:
        cid = case["id"]
        spec = {k: v for k, v in case["spec"].items() if k != "inputs"}
        meta[cid] = {"kind": case["kind"], "task": case["task"], "spec": spec, "roles": got["roles"],
                     "inputs": sorted(case["spec"]["inputs"]), "outputs": sorted(got["outputs"]),
                     "n_tensors": len(got["tensors"])}
        for name, value in case["spec"]["inputs"].items():
            arrays[f"{cid}/in/{name}"] = value.numpy()
        tensors = [torch.as_tensor(value).detach() for value in got["tensors"]]
        by_seed = case["kind"] not in ("lstm", "standins", "attention") and tensors
        if by_seed and binding.same_tensors(binding.redraw(got["roles"], case["seed"]), tensors):
            meta[cid]["weights"] = {"seed": case["seed"], "checksum": binding.checksum(tensors)}
        else:
            for i, value in enumerate(tensors):
                arrays[f"{cid}/w/{i:03d}"] = value.numpy()
        for name, value in got["outputs"].items():
            arrays[f"{cid}/out/{name}"] = value.numpy()
    save_file({k: v.copy(order="C") for k, v in arrays.items()}, str(folder / f"{stem}.safetensors"))
    (folder / f"{stem}.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")


def _case_seed(draw, cid):
    import hashlib

    return int.from_bytes(hashlib.sha256(f"{draw}:{cid}".encode()).digest()[:8], "big") >> 2


def _drawn(make, kind, draw, cid, known_good, torch):
    """Case ``cid`` of a draw. A greedy decoding is screened against near-ties and drawn again;
    when every try is rejected it falls back to one of the case's seeds known to be good (picked
    by the draw, never the students' set, so that the bundle's values earn nothing on Gradescope).
    Other cases cannot be rejected and are drawn once."""
    from autograder.staff.fixtures import screened

    seed = _case_seed(draw, cid)
    if kind not in SCREENED_KINDS:
        return recorded(make(seed), torch, screen=False)
    good = known_good[cid]
    return screened(lambda s: recorded(make(s), torch), seed, name=cid,
                    fallback=lambda: recorded(make(good[draw % len(good)]), torch, screen=False))


def build(request) -> None:
    """The fixed part: nothing. The students' set: the public cases on their fixed seeds. A draw:
    every public and hidden case drawn from the draw (see autograder.staff.fixtures)."""
    if request.fixed:
        return
    _paths()
    import a4_case_specs as cases
    import torch

    torch.set_num_threads(1)
    out_dir = Path(request.out_dir)
    if request.draw is None:
        _write([recorded(case, torch) for case in cases.public_cases()], out_dir / "public", "a4_cases", torch)
        return
    public = [_drawn(lambda s, cid=cid: cases.public_case(cid, s), cases.kind_of(cid), request.draw, cid,
                     cases.KNOWN_GOOD_PUBLIC, torch) for cid, _, _ in cases.PUBLIC]
    hidden = [_drawn(lambda s, cid=cid: cases.hidden_case(cid, s), cases.kind_of(cid), request.draw, cid,
                     cases.KNOWN_GOOD_HIDDEN, torch) for cid, _ in cases.HIDDEN]
    _write(public, out_dir / "public", "a4_cases", torch)
    _write(hidden, out_dir, "a4_hidden_cases", torch)

"""Grader-side helpers of a4_sequences: read the recorded cases, run one in the worker, compare.

The values were recorded at build time from the reference solution (build_fixtures.py):
inputs, the weights given to each layer by role, and the outputs. A test sends the inputs and
weights to the worker, where a4_probes runs the student's code, and compares what comes back
here. Nothing in this file computes an expected value.
"""

import functools
import json
from pathlib import Path

import a4_probes as probes
import torch

from autograder.grading.checks import assert_tensor, fail

TOL = dict(rtol=1e-4, atol=1e-5)


@functools.lru_cache(maxsize=4)
def _load(folder: str, stem: str):
    from safetensors.numpy import load_file

    meta = json.loads((Path(folder) / f"{stem}.json").read_text())
    arrays = load_file(str(Path(folder) / f"{stem}.safetensors"))
    return meta, arrays


def case(fixtures_dir, cid, hidden=False):
    """One recorded case: {"kind", "task", "spec" (with its inputs), "roles", "tensors", "outputs"}."""
    folder, stem = (fixtures_dir, "a4_hidden_cases") if hidden else (fixtures_dir / "public", "a4_cases")
    meta, arrays = _load(str(folder), stem)
    if cid not in meta:
        raise KeyError(f"no recorded case {cid!r} in {stem}.json; rebuild the fixtures")
    entry = meta[cid]
    spec = dict(entry["spec"])
    spec["inputs"] = {name: torch.from_numpy(arrays[f"{cid}/in/{name}"].copy()) for name in entry["inputs"]}
    return {"id": cid, "kind": entry["kind"], "task": entry["task"], "spec": spec, "roles": entry["roles"],
            "tensors": _weights(cid, entry, arrays),
            "outputs": {name: torch.from_numpy(arrays[f"{cid}/out/{name}"].copy()) for name in entry["outputs"]}}


def _weights(cid, entry, arrays):
    """The recorded weights of a case: stored, or drawn again from their seed (and checked)."""
    import a4_binding as binding

    if "weights" not in entry:
        return [torch.from_numpy(arrays[f"{cid}/w/{i:03d}"].copy()) for i in range(entry["n_tensors"])]
    tensors = binding.redraw(entry["roles"], entry["weights"]["seed"])
    if len(tensors) != entry["n_tensors"] or binding.checksum(tensors) != entry["weights"]["checksum"]:
        fail(f"grader: the weights of case {cid} could not be drawn again as recorded (another NumPy?); "
             "tell the course staff")
    return tensors


def run(student, c):
    """Run a case on the student's code in the worker; returns the probe's result dict."""
    if c["kind"] == "standins":
        return student.run(probes.seq2seq_standins, c["spec"], c["spec"]["inputs"]["source"])
    if c["kind"] == "lstm":
        named = {role["name"]: t for role, t in zip(c["roles"], c["tensors"], strict=True)}
        return student.run(probes.lstm_forward, *c["spec"]["sizes"], c["spec"]["inputs"]["x"], named)
    return student.run(probes.run_case, c["kind"], c["spec"], c["roles"], c["tensors"])


def compare(got, c, what, where, tol=None, pair_hint="", labels=None):
    """Every recorded output of case ``c`` against what the probe returned."""
    outputs = got["outputs"]
    tol = tol or TOL
    for name, expected in c["outputs"].items():
        label = what if name == "out" else f"{what}, {(labels or {}).get(name) or _part(name)}"
        if name not in outputs:
            shape = "a pair (h, c)" if name.endswith((".0", ".1")) else "a tensor"
            fail(f"{label}: expected {shape} here, got something else{pair_hint}. Where to look: {where}")
        if outputs[name] is None:
            fail(f"{label}: expected a torch tensor of shape {tuple(expected.shape)}, got another kind of value. "
                 f"Where to look: {where}")
        assert_tensor(outputs[name], expected, **tol, name=label, where=where)


def _part(name):
    parts = name.split(".")[1:]
    labels = {("0",): "first returned value", ("1",): "second returned value",
              ("1", "0"): "h of the returned (h, c)", ("1", "1"): "c of the returned (h, c)"}
    return labels.get(tuple(parts), "returned value " + ".".join(parts))


def run_and_compare(student, fixtures_dir, cid, what, where, hidden=False, tol=None, pair_hint="", labels=None):
    c = case(fixtures_dir, cid, hidden)
    got = run(student, c)
    compare(got, c, what, where, tol, pair_hint, labels)
    return got

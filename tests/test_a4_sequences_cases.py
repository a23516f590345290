"""A4's cases and feedback (issues 18 and 20).

- A failure in one module costs its points in one task: 2.5 runs on stand-ins only, and a step
  with attention (2.4) gets the correct attention weights from the test, so an Encoder or
  Decoder bug loses no points in 2.5, and an attention bug none in 2.4.
- The stand-ins have every attribute the course's Encoder and Decoder set, so code written to
  the course's templates (``self.decoder.output_size``) runs on them.
- Every draw keeps each public case's structure (sizes, <pad> positions, modes), and a screened
  case whose draws are all rejected falls back to a seed known to be good, never to the students'
  set that the bundle holds.
- Public messages name the concept to check, not the line to write; hidden ones never a size.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tomllib

REPO = Path(__file__).resolve().parents[1]
AID = "a4_sequences"
ASSIGNMENT = REPO / "assignments" / AID
TESTS = ASSIGNMENT / "tests"
STARTER = REPO / "starter_code" / AID


@pytest.fixture(scope="module")
def specs():
    """a4_case_specs and a4_probes, importable (their names are A4's own, nothing else clashes)."""
    for sub in (TESTS / "probes", TESTS / "staff", TESTS):
        if str(sub) not in sys.path:
            sys.path.insert(0, str(sub))
    import a4_case_specs
    import a4_probes

    return a4_case_specs, a4_probes


# ---- stand-ins ---------------------------------------------------------------------------------

def _init_attributes(path: Path, cls: str) -> set[str]:
    """The ``self.X = ...`` names a starter class's __init__ sets outside its TODO (the course's own)."""
    tree = ast.parse(path.read_text())
    init = next(f for c in tree.body if isinstance(c, ast.ClassDef) and c.name == cls
                for f in c.body if isinstance(f, ast.FunctionDef) and f.name == "__init__")
    return {t.attr for node in ast.walk(init) if isinstance(node, ast.Assign) for t in node.targets
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"}


def test_stand_ins_have_every_attribute_the_course_modules_set(specs):
    _, probes = specs
    encoder = probes.standin_encoder(13, 8, "LSTM", 5)
    decoder = probes.standin_decoder(11, 8, "LSTM", 5)
    wanted_enc = _init_attributes(STARTER / "models/seq2seq/Encoder.py", "Encoder")
    wanted_dec = _init_attributes(STARTER / "models/seq2seq/Decoder.py", "Decoder")
    assert {"input_size", "emb_size", "encoder_hidden_size", "decoder_hidden_size", "model_type"} <= wanted_enc
    assert "output_size" in wanted_dec
    assert not [a for a in wanted_enc if not hasattr(encoder, a)], wanted_enc
    assert not [a for a in wanted_dec if not hasattr(decoder, a)], wanted_dec
    assert (encoder.input_size, decoder.output_size, decoder.decoder_hidden_size, decoder.model_type) == \
        (13, 11, 8, "LSTM")


# ---- one module, one task ----------------------------------------------------------------------

def test_seq2seq_runs_on_stand_ins_only_and_2_4_gets_its_attention(specs):
    cases, _ = specs
    every = cases.public_cases() + [cases.hidden_case(cid, 7) for cid, _ in cases.HIDDEN]
    seq2seq = [c for c in every if c["task"] == "2.5"]
    assert len(seq2seq) == 6 and {c["kind"] for c in seq2seq} == {"standins"}
    assert {c["spec"]["mode"] for c in seq2seq} == {"eval", "train"}
    with_attention = [c for c in every if c["kind"] == "decoder" and c["spec"]["attention"]]
    assert len(with_attention) == 2
    for c in with_attention:
        x = c["spec"]["inputs"]
        n, t = x["encoder_outputs"].shape[:2]
        assert tuple(x["given_attention"].shape) == (n, 1, t)
        assert np.allclose(x["given_attention"].sum(-1).numpy(), 1.0, atol=1e-6)


def test_handout_says_how_2_5_is_graded():
    text = " ".join((ASSIGNMENT / "handout.md").read_text().split())
    assert "graded on stand-in encoder and decoder modules only" in text
    assert "a bug in your `Encoder` or `Decoder` does not cost its points twice" in text
    assert "the hidden test of 2.5 also runs your own" not in text


class _Elsewhere:
    def __init__(self, dist):
        from autograder.staff.repo import Repo

        class Here(Repo):
            def dist(self):
                return Path(dist)

        self.repo = Here(REPO)


@pytest.fixture(scope="module")
def zips(tmp_path_factory):
    from autograder.staff.build import build

    return build(_Elsewhere(tmp_path_factory.mktemp("dist")).repo, AID, log=lambda *_: None, pool_size=3)


@pytest.fixture(scope="module")
def grader_zip(zips):
    return zips[0]


def _graded(grader_zip, tmp_path, mutant_id, mutant=None):
    """The reference with one declared mutant (or ``mutant``, a Mutant of this test's own), graded."""
    from autograder.staff.emulate import emulate
    from autograder.staff.mutants import apply_mutant, load_mutants

    if mutant is None:
        mutants, _ = load_mutants(ASSIGNMENT / "mutants.toml")
        mutant = next(m for m in mutants if m.id == mutant_id)
    sub = tmp_path / mutant_id
    shutil.copytree(REPO / "solutions" / AID / "models", sub / "models", ignore=shutil.ignore_patterns("__pycache__"))
    path = sub / mutant.file
    path.write_text(apply_mutant(mutant, path.read_text()))
    return emulate(grader_zip, sub, warm=True).results.to_json()


def _lost(results):
    return sorted({t["number"] for t in results["tests"] if t["score"] < t["max_score"]})


@pytest.mark.parametrize(("mutant_id", "tasks"), [
    ("attention-dot-product-not-cosine", ["2.3"]),        # cost 18 points over 2.3, 2.4 and 2.5 before
    ("encoder-lstm-transforms-cell-state", ["2.1"]),
])
@pytest.mark.slow
def test_a_bug_in_one_piece_costs_points_in_its_own_task_only(grader_zip, tmp_path, mutant_id, tasks):
    assert _lost(_graded(grader_zip, tmp_path, mutant_id)) == tasks


@pytest.mark.slow
def test_the_mask_properties_of_4_2_need_scores_that_depend_on_the_inputs(grader_zip, tmp_path):
    """A forward that returns zeros used to pass the causal and <pad> property tests (5 points)."""
    from autograder.staff.mutants import Mutant

    zeros = Mutant("full-forward-zeros", "models/FullTransformer.py", "constant scores",
                   "outputs = self.fc_final(out)",
                   "outputs = torch.zeros(tgt.shape[0], tgt.shape[1], self.fc_final.out_features)")
    results = _graded(grader_zip, tmp_path, zeros.id, zeros)
    scores = {t["name"]: t["score"] for t in results["tests"] if t["number"] == "4.2"}
    assert scores == {"forward with padding masks": 0, "forward is causal": 0, "forward ignores source padding": 0}


@pytest.mark.slow
def test_failing_transformer_tests_show_no_library_warning(grader_zip, tmp_path):
    """Failing 4.2 and 4.3 tests showed torch's nested-tensor UserWarning as if the student had printed it."""
    results = _graded(grader_zip, tmp_path, "full-causal-mask-on-wrong-side")
    assert _lost(results) == ["4.2", "4.3"]
    outputs = " ".join(t.get("output", "") for t in results["tests"] if t["number"] in ("4.2", "4.3"))
    assert "Where to look: models/FullTransformer.py" in outputs
    assert "nested tensor" not in outputs.lower() and "UserWarning" not in outputs


# ---- draws -------------------------------------------------------------------------------------

def _structure(case):
    """What every draw of a public case keeps: kind, task, the spec but for seeds, each input's shape
    and dtype, and where <pad> sits in token inputs drawn above the specials."""
    spec = {k: v for k, v in case["spec"].items() if k not in ("inputs", "seed", "dropout_seed")}
    inputs = {}
    for name, value in case["spec"]["inputs"].items():
        entry = [tuple(value.shape), str(value.dtype)]
        if case["kind"] in ("standins", "full_forward", "full_generate"):
            entry.append((value == 1).nonzero().tolist())
            entry.append((value[:, 0] == 2).all().item() if name in ("source", "tgt") else None)
        inputs[name] = entry
    return case["kind"], case["task"], json.dumps(spec, sort_keys=True, default=str), inputs


def test_every_draw_keeps_the_structure_of_each_public_case(specs):
    cases, _ = specs
    fixed = {c["id"]: c for c in cases.public_cases()}
    for seed in (3, 1234, 2**40 + 17):
        for cid, _, _ in cases.PUBLIC:
            drawn = cases.public_case(cid, seed)
            assert _structure(drawn) == _structure(fixed[cid]), (cid, seed)
            first = next(iter(drawn["spec"]["inputs"]))
            assert not np.array_equal(drawn["spec"]["inputs"][first].numpy(),
                                      fixed[cid]["spec"]["inputs"][first].numpy()), (cid, seed)


def _public_sets(grader_zip, student_zip):
    """({case id: {array name: array}} of the bundle, [the same for each draw of the zip])."""
    import zipfile

    from safetensors.numpy import load

    def split(blob):
        out = {}
        for key, value in load(blob).items():
            cid, rest = key.split("/", 1)
            out.setdefault(cid, {})[rest] = value
        return out

    with zipfile.ZipFile(student_zip) as zf:
        bundle = split(zf.read(next(n for n in zf.namelist() if n.endswith("fixtures/public/a4_cases.safetensors"))))
    with zipfile.ZipFile(grader_zip) as zf:
        draws = [split(zf.read(n)) for n in sorted(zf.namelist())
                 if re.fullmatch(r"fixtures/draws/\d+/public/a4_cases\.safetensors", n)]
    return bundle, draws


def _replayable(bundle, draws):
    """(draw, case id) pairs where a draw holds a public case's recorded inputs or outputs from the bundle."""
    found = []
    for k, drawn in enumerate(draws):
        assert set(drawn) == set(bundle), "every draw records every public case"
        for cid, arrays in bundle.items():
            same = [name for name, value in arrays.items() if name.split("/")[0] in ("in", "out")
                    and value.shape == drawn[cid][name].shape and np.array_equal(value, drawn[cid][name])]
            if same:
                found.append((k, cid, same))
    return found


@pytest.mark.slow
def test_no_public_case_on_gradescope_holds_the_bundles_values(zips):
    bundle, draws = _public_sets(*zips)
    assert len(draws) == 3 and len(bundle) >= 20
    assert _replayable(bundle, draws) == []


def test_the_screen_rejects_a_seq2seq_case_that_predicts_only_the_first_token(specs):
    """The build's screen itself, on a case made to fail it: every step before the last predicts
    <sos> (the first token fed), so a Seq2Seq that feeds <sos> at every step would match it."""
    import build_fixtures
    import torch

    from autograder.staff.fixtures import Rejected

    source = torch.tensor([[2, 5, 7], [2, 4, 3]])
    stuck = torch.full((2, 4, 11), -5.0)
    stuck[:, :, 2] = 5.0                       # <sos> (id 2) at every step, by a wide margin
    moving = stuck.clone()
    moving[1, 1, 2], moving[1, 1, 6] = -5.0, 5.0
    case = {"id": "s2s_made_up", "kind": "standins", "spec": {"inputs": {"source": source}}}
    with pytest.raises(Rejected, match="predicts only the first token"):
        build_fixtures._check(case, {"outputs": {"out": stuck}}, torch)
    build_fixtures._check(case, {"outputs": {"out": moving}}, torch)   # one fed-back word is enough


@pytest.mark.slow
def test_every_drawn_seq2seq_case_feeds_back_a_predicted_word(zips):
    """A draw whose greedy decoding predicts only <sos> before its last step cannot tell a Seq2Seq
    that feeds back its prediction from one that feeds <sos> at every step (the mutant
    seq2seq-feeds-sos-every-step lost 5, 8 or 10 public points depending on the submission id)."""
    bundle, draws = _public_sets(*zips)
    for k, cases in enumerate([bundle, *draws]):
        for cid, arrays in cases.items():
            if cid.startswith("s2s_"):
                words = arrays["out/out"].argmax(axis=-1)[:, :-1]
                assert (words != arrays["in/source"][:, :1]).any(), (k, cid, words.tolist())


@pytest.mark.slow
def test_fallbacks_alone_hold_none_of_the_bundles_values(tmp_path, monkeypatch, zips):
    from autograder.staff import fixtures
    from autograder.staff.build import build

    monkeypatch.setenv(fixtures.REJECT_ALL, "1")
    grader, _ = build(_Elsewhere(tmp_path).repo, AID, log=lambda *_: None, pool_size=2)
    bundle, _ = _public_sets(*zips)
    _, draws = _public_sets(grader, zips[1])
    assert _replayable(bundle, draws) == []


def test_known_good_seeds_pass_the_screen_and_are_not_the_students_set(specs):
    cases, _ = specs
    screened = {cid for cid, _, _ in cases.PUBLIC if cases.kind_of(cid) in ("standins", "full_generate")}
    assert set(cases.KNOWN_GOOD_PUBLIC) == screened
    assert set(cases.KNOWN_GOOD_HIDDEN) == {cid for cid, _ in cases.HIDDEN
                                            if cases.kind_of(cid) in ("standins", "full_generate")}
    script = f"""
import sys, json
sys.path[:0] = [{str(REPO / 'solutions' / AID)!r}, {str(TESTS / 'probes')!r}, {str(TESTS / 'staff')!r},
                {str(TESTS)!r}, {str(REPO)!r}]
import torch
torch.set_num_threads(1)
import a4_case_specs as cases, build_fixtures as bf
from autograder.staff.fixtures import Rejected
bad = []
for table, make in ((cases.KNOWN_GOOD_PUBLIC, cases.public_case), (cases.KNOWN_GOOD_HIDDEN, cases.hidden_case)):
    for cid, seeds in table.items():
        for seed in seeds:
            try:
                bf.recorded(make(cid, seed), torch)
            except Rejected as exc:
                bad.append(str(exc))
print(json.dumps(bad))
"""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []
    fixed = {c["id"]: c for c in cases.public_cases()}
    for cid, seeds in cases.KNOWN_GOOD_PUBLIC.items():
        for seed in seeds:
            src = next(iter(cases.public_case(cid, seed)["spec"]["inputs"].values()))
            assert not np.array_equal(src.numpy(), next(iter(fixed[cid]["spec"]["inputs"].values())).numpy())


# ---- messages ----------------------------------------------------------------------------------

#: Text that handed over a step (issue 20's list for A4): it must not come back in what ships.
STEPS = [
    "pass dropout=dropout", "src_key_padding_mask", "memory_key_padding_mask", "tgt_mask",
    "blocked above the diagonal", "appends the argmax word", "scores of the last position",
    "linear1 -> ReLU", "attention @ encoder_outputs", "source[:, 0:1] first", "then each step's argmax word",
    "loop over time", "Linear H->F", "plus the position embedding", "embed -> multi_head_attention",
    "scaled by sqrt(dim_k)", "concatenated head 1 then head 2", "concatenate input THEN hidden",
    "LogSoftmax over the classes",
]


def _shipped_sources():
    """Public tests and probes: what the student bundle holds and what public feedback is made of."""
    return {p.relative_to(TESTS).as_posix(): p.read_text()
            for p in sorted((TESTS / "public").glob("*.py")) + sorted((TESTS / "probes").glob("*.py"))}


def _strings(source: str) -> str:
    """Every string literal of a module, joined (comments and code left out)."""
    parts = [n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return " ".join(" ".join(parts).split())


def test_public_messages_point_without_solving():
    forbidden = list(STEPS)
    for task in tomllib.loads((ASSIGNMENT / "conventions.toml").read_text())["task"]:
        forbidden += task.get("forbidden", [])
    found = [(rel, phrase) for rel, src in _shipped_sources().items() for phrase in forbidden
             if " ".join(phrase.split()).lower() in _strings(src).lower()]
    assert found == []


def test_hidden_tests_name_properties_not_sizes():
    source = (TESTS / "hidden" / "test_variations.py").read_text()
    text = _strings(source)
    assert not re.findall(r"\b(?:[NTDHFV]|max_len|out_seq_len|dim_[kvq])\s*=\s*\d", text), text
    tree = ast.parse(source)
    tests = [f for f in tree.body if isinstance(f, ast.FunctionDef) and f.name.startswith("test_")]
    assert tests and all(ast.get_docstring(f) for f in tests), "every hidden test has a title of its own"
    assert not [f.name for f in tests if re.search(r"\d", f.name.replace("seq2seq", ""))]

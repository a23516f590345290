"""A4's train.py records what the written report cites, and reaches the figures the handout states
(issue 14). Runs the reference solution's train.py in a copy of the solution folder, on one CPU
thread, seeded: the runs are deterministic, so a figure that moves means the handout needs a
new measurement (python train.py, then copy the final table into Part 5)."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow   # trains models: `make test`, not `make check`

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "solutions" / "a4_sequences"
HANDOUT = REPO / "assignments" / "a4_sequences" / "handout.md"
RUN_FILES = ("config.yaml", "metrics.csv", "curves.png", "summary.json", "samples.txt")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    target = tmp_path_factory.mktemp("a4") / "a4_sequences"
    shutil.copytree(SOLUTION, target, ignore=shutil.ignore_patterns("__pycache__", "runs", "data"))
    return target


def _train(workdir, *args, prelude=""):
    code = prelude + "import train; train.main(" + repr(list(args)) + ")"
    env = {**os.environ, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", code], cwd=workdir, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def handout_row(model):
    """(epochs, test perplexity, test BLEU) of a model in the handout's Part 5 table."""
    for line in HANDOUT.read_text().splitlines():
        cells = [c.strip().strip("*") for c in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and cells[0] == f"`{model}`":
            return int(cells[1]), float(cells[2]), float(cells[3])
    raise AssertionError(f"no row for `{model}` in the handout's results table")


def test_transformer_run_is_recorded_and_matches_the_handout(workdir):
    proc = _train(workdir, "--models", "transformer")
    run = workdir / "runs" / "transformer"
    for part in RUN_FILES:
        assert (run / part).is_file(), f"{run / part} missing"
    summary = json.loads((run / "summary.json").read_text())
    epochs, ppl, bleu = handout_row("transformer")
    assert summary["data"] == "toy" and summary["epochs"] == epochs
    assert summary["test_ppl"] == pytest.approx(ppl, abs=0.02), summary
    assert summary["test_bleu"] == pytest.approx(bleu, abs=1.0), summary
    rows = (run / "metrics.csv").read_text().splitlines()
    assert rows[0] == "epoch,train_ppl,valid_ppl,valid_bleu" and len(rows) == epochs + 1
    samples = (run / "samples.txt").read_text().strip().split("\n\n")
    assert len(samples) == 10 and all(s.count("\n") == 2 and s.startswith("source:") for s in samples)
    assert re.search(r"transformer\s+10\s+[\d.]+\s+[\d.]+", proc.stdout), "BLEU is printed next to perplexity"
    assert "valid BLEU" in proc.stdout


def test_attention_beats_plain_rnn_early(workdir):
    _train(workdir, "--models", "rnn", "rnn_attention", "--epochs", "8", "--runs", "runs_short")
    bleu = {m: json.loads((workdir / "runs_short" / m / "summary.json").read_text())["test_bleu"]
            for m in ("rnn", "rnn_attention")}
    assert bleu["rnn_attention"] > bleu["rnn"] + 10, bleu


def test_multi30k_unavailable_falls_back_with_banners(workdir):
    # Nothing listens on port 9 of this machine: the download fails at once, as offline.
    proc = _train(workdir, "--data", "multi30k", "--models", "full_transformer", "--epochs", "1",
                  prelude="import data; data.MULTI30K_URL = 'http://127.0.0.1:9/'; ")
    assert proc.stdout.count("FALLING BACK") == 1 and "NOT Multi30k" in proc.stdout.split("test BLEU")[-1]
    config = (workdir / "runs" / "full_transformer" / "config.yaml").read_text()
    assert "data: toy" in config and "lr: 0.003" in config
    assert json.loads((workdir / "runs" / "full_transformer" / "summary.json").read_text())["data"] == "toy"

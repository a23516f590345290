"""A4 graded as students of earlier offerings write it (issues 12 and 20): free layer names, another
declaration order, another order of use, and a Seq2Seq that reads the decoder's output_size. The fixture under tests/course_style/a4_sequences/
replaces every submitted file of the reference solution; graded through the real autograder
zip, it must get full marks on every test."""

import shutil
from pathlib import Path

import pytest

from autograder.staff.emulate import emulate

pytestmark = pytest.mark.slow   # grades a real assignment's zip: `make test`, not `make check`

REPO = Path(__file__).resolve().parents[1]
AID = "a4_sequences"
FIXTURE = REPO / "tests" / "course_style" / AID
COURSE_FILES = ["models/naive/RNN.py", "models/naive/LSTM.py", "models/seq2seq/Encoder.py",
                "models/seq2seq/Decoder.py", "models/seq2seq/Seq2Seq.py", "models/Transformer.py",
                "models/FullTransformer.py"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory, built_zips):
    grader_zip, _ = built_zips(AID)
    submission = tmp_path_factory.mktemp("course_style") / "submission"
    shutil.copytree(REPO / "solutions" / AID / "models", submission / "models",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for rel in COURSE_FILES:
        shutil.copyfile(FIXTURE / rel, submission / rel)
    return emulate(grader_zip, submission, warm=True)


def test_fixture_really_departs_from_the_reference_names():
    text = {rel: (FIXTURE / rel).read_text() for rel in COURSE_FILES}
    assert "self.i2h" in text["models/naive/RNN.py"] and "layer_1" not in text["models/naive/RNN.py"]
    assert "self.emb " in text["models/seq2seq/Encoder.py"] and "self.embedding" not in text["models/seq2seq/Encoder.py"]
    assert "self.out " in text["models/seq2seq/Decoder.py"] and "self.linear" not in text["models/seq2seq/Decoder.py"]
    for course, ours in (("ff_layer1", "ff1"), ("output_layer", "out_layer"), ("norm_ff", "self.norm(")):
        assert course in text["models/Transformer.py"] and ours not in text["models/Transformer.py"]
    # An earlier offering's Seq2Seq reads the sizes the course's Encoder and Decoder keep as
    # attributes; 2.5 grades it on stand-ins, which must have them too (issue 20).
    assert "self.decoder.output_size" in text["models/seq2seq/Seq2Seq.py"]
    assert "self.encoder.decoder_hidden_size" in text["models/seq2seq/Seq2Seq.py"]


def test_course_style_solution_gets_full_marks(graded):
    results = graded.results
    failed = [(t.number, t.name, t.output[:300]) for t in results.tests if t.score != t.max_score]
    assert not graded.problems, graded.problems
    assert failed == [], failed
    assert results.score == pytest.approx(100.0)

"""A3 graded as students of earlier offerings write it (issue 12): the deprecated
register_backward_hook with a one-hot backward pass, updates through .data, torch.bmm and
view, loss modules made afresh in each step, NumPy maps built image by image. The fixture
under tests/course_style/a3_interpretability/ replaces every submitted file of the reference
solution; graded through the real autograder zip, it must get full marks on every test."""

import shutil
from pathlib import Path

import pytest

from autograder.staff.emulate import emulate

pytestmark = pytest.mark.slow   # grades a real assignment's zip: `make test`, not `make check`

REPO = Path(__file__).resolve().parents[1]
AID = "a3_interpretability"
FIXTURE = REPO / "tests" / "course_style" / AID
COURSE_FILES = ["visualizers/saliency_map.py", "visualizers/gradcam.py", "visualizers/fooling_image.py",
                "visualizers/class_visualization.py", "style_modules/content_loss.py",
                "style_modules/style_loss.py", "style_modules/tv_loss.py", "style_transfer.py"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory, built_zips):
    grader_zip, _ = built_zips(AID)
    submission = tmp_path_factory.mktemp("course_style") / "submission"
    for rel in COURSE_FILES:
        (submission / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIXTURE / rel, submission / rel)
    return emulate(grader_zip, submission, warm=True)


def test_fixture_really_departs_from_the_reference():
    text = {rel: (FIXTURE / rel).read_text() for rel in COURSE_FILES}
    solution = {rel: (REPO / "solutions" / AID / rel).read_text() for rel in COURSE_FILES}
    assert all(text[rel] != solution[rel] for rel in COURSE_FILES)
    assert "register_backward_hook(" in text["visualizers/gradcam.py"]
    assert "register_full_backward_hook" not in text["visualizers/gradcam.py"]
    assert "X_fooling.data +=" in text["visualizers/fooling_image.py"]
    assert "img.data +=" in text["visualizers/class_visualization.py"]
    assert "torch.bmm" in text["style_modules/style_loss.py"]
    assert "self.content_loss(" not in text["style_transfer.py"]


def test_course_style_solution_gets_full_marks(graded):
    results = graded.results
    failed = [(t.number, t.name, t.output[:300]) for t in results.tests if t.score != t.max_score]
    assert not graded.problems, graded.problems
    assert failed == [], failed
    assert results.score == pytest.approx(100.0)

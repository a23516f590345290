"""The gaming suite: submissions a dishonest student could write from the student bundle alone,
graded through each assignment's real autograder zip in the emulator with a random submission id
(as Gradescope gives one), against a cap in points out of 100 and against their honest parts (the
same upload with the gamed part put back as the starter has it, or raising NotImplementedError),
graded with the same id. Each case is also the regression test of an attack that once worked; the
cases and what stops each are listed in tests/adversarial/SECURITY.md.
"""

import re

import gaming_a1 as a1_cases
import gaming_a2 as a2_cases
import gaming_a3 as a3_cases
import gaming_a4 as a4_cases
import pytest
from gaming_harness import (
    Outcome,
    Upload,
    assert_bounded,
    check_locally,
    credit,
    first_submission_id,
    grade_all,
    honest,
    record,
    submit,
)

#: Every case builds a real assignment's zip and grades it several times: make test runs the
#: suite, the fast tier (make check) does not.
pytestmark = pytest.mark.slow

A1 = "a1_neural_nets"


@pytest.fixture(scope="module")
def a1(built):
    return built(A1)


@pytest.fixture(scope="module")
def sid():
    return first_submission_id()


def _starter(aid, where):
    return lambda: Upload.make(aid, where, base="starter")


def _backward_raising(where):
    return lambda: a1_cases.with_backward(where, a1_cases.HONEST_BACKWARD)


# ----------------------------------------------------------------------------- A1
def test_a1_shape_only_stubs(a1, sid, gaming_dir):
    """1. Every graded function returns the right type and shape, and nothing else."""
    case = submit(a1, a1_cases.shape_stubs(gaming_dir).folder, sid)
    fair = honest(a1, "starter", _starter(A1, gaming_dir), sid)
    assert_bounded("a1: shape-only stubs", case.result(), 10, fair.result())


def test_a1_fixture_replay(a1, sid, gaming_dir):
    """2. The bundle's recorded public values, looked up by their inputs, with no model code. It
    earns public points in the student's own check (the attack works where those values apply),
    and nothing on Gradescope, whose public tests run on cases drawn for the submission."""
    upload = a1_cases.fixture_replay(gaming_dir, a1)
    case = submit(a1, upload.folder, sid)
    fair = honest(a1, "starter", _starter(A1, gaming_dir), sid)
    local = check_locally(a1, upload)
    assert_bounded("a1: fixture replay", case.result(), 10, fair.result(),
                   note=f"{local['score']:g} in the student's check")
    assert local["score"] >= 25, f"the replay earns only {local['score']} in check: the case no longer replays"


@pytest.fixture(scope="module")
def a1_round1(a1, sid, gaming_dir):
    """Round 1 of case 3: one upload per channel, graded under this session's submission id."""
    uploads = {ch: (a1_cases.carried_out(gaming_dir, ch).folder, sid) for ch in a1_cases.CHANNELS}
    return grade_all(a1, uploads)


@pytest.mark.parametrize("channel", list(a1_cases.CHANNELS))
def test_a1_hidden_inputs_are_not_carried_out(a1_round1, channel):
    """3, round 1. The backward passes encode their inputs into a frame name, an exception
    message, the shape of what they return (zero-size shapes included), mismatch counts and the
    worst index, or an exit status. None of it reaches what a student sees of hidden tests (their
    outputs are shown once grades are published), nor the run's output or the leaderboard. The
    public tests do show it (public feedback is complete by design, about that test's own
    inputs): that shows the channel really carries the inputs (a check of the check)."""
    graded = a1_round1[channel]
    name = f"a1: inputs carried out by {channel} (round 1)"
    outcome = record(Outcome(name, graded.score, None, None))
    shown = [p for p in a1_cases.CHANNELS[channel][1] if re.search(p, graded.visible_text(("public",)))]
    sealed = graded.sealed_text()
    leaked = sorted({m.group(0)[:80] for p in a1_cases.LEAK_PATTERNS for m in re.finditer(p, sealed)})
    assert not leaked, f"{name}: a student sees encoded hidden inputs under submission id {graded.submission_id}: {leaked[:5]}"
    assert shown, f"{name}: not even a public test shows the channel; the case no longer carries anything out"
    outcome.held = True


def test_a1_leaked_answers_hard_coded(a1, a1_round1, sid, gaming_dir):
    """3, round 2. A second submission (a new id, drawing another public set) whose backward passes
    answer only from what round 1 showed (every full input that any output carried, answered
    offline), and raise otherwise, earns no more than the same upload with the backward raising."""
    table = a1_cases.leaked_table([g.visible_text() for g in a1_round1.values()])
    second = a1.other_id(sid)
    case = submit(a1, a1_cases.hard_coded(gaming_dir, table).folder, second)
    fair = honest(a1, "backward raising", _backward_raising(gaming_dir), second)
    assert_bounded("a1: leaked answers hard-coded (round 2)", case.result(), None, fair.result(),
                   note=f"{len(table)} leaked inputs answered")


@pytest.mark.parametrize("spelling", list(a1_cases.TORCH_SPELLINGS))
def test_a1_torch_at_run_time(a1, sid, gaming_dir, spelling):
    """4. Backward passes done by torch autograd, torch reached however the import is spelled."""
    case = submit(a1, a1_cases.torch_backward(gaming_dir, spelling).folder, sid)
    fair = honest(a1, "backward raising", _backward_raising(gaming_dir), sid)
    graded = case.result()
    told = "forbidden" if re.search(r"Forbidden (module|import).*torch", graded.visible_text(("public",))) else ""
    assert_bounded(f"a1: torch through {spelling}", graded, None, fair.result(), note=told)


@pytest.fixture(scope="module")
def offline_weights(gaming_dir):
    return a1_cases.offline_weights(gaming_dir)


def test_a1_weights_swapped_in_by_the_optimizer(a1, sid, gaming_dir, offline_weights):
    """5. SGD.update ignores the gradients and installs weights trained offline: the trained-
    accuracy test (6.1) must see that the weights do not come from the student's own steps."""
    case = submit(a1, a1_cases.swapped_weights(gaming_dir, offline_weights).folder, sid)
    fair = honest(a1, "sgd reverted", lambda: Upload.make(A1, gaming_dir).revert(a1_cases.SGD), sid)
    assert_bounded("a1: weights swapped in by SGD.update", case.result(), None, fair.result())


def test_a1_zero_gradients(a1, sid, gaming_dir):
    """6. Correct forward passes and gradients of zeros, so that weight decay alone lowers the loss:
    no more than the backward raising NotImplementedError, and the smoke test 5.3 fails."""
    case = submit(a1, a1_cases.with_backward(gaming_dir, a1_cases.ZERO_BACKWARD).folder, sid)
    fair = honest(a1, "backward raising", _backward_raising(gaming_dir), sid)
    graded = case.result()
    smoke = graded.test("train one epoch smoke")
    # The forward passes are the upload's own work: the forward tasks (2.1, 3.1), which also run a
    # forward in train mode, count among its honest parts whatever the backward does.
    fair = credit(fair.result(), graded, ("2.1", "3.1"))
    assert_bounded("a1: zero gradients", graded, None, fair, note=f"smoke test 5.3 {smoke['status']}")
    assert smoke["score"] == 0, "a1: zero gradients: the smoke test 5.3 passes with gradients of zeros"


def test_a1_test_that_knows_where_it_runs(a1, sid, gaming_dir):
    """7. Code that looks at its folder, HOME, TMPDIR, the environment, the parent process, the uid,
    its age and whether its inputs are the recorded ones, replays the bundle's values where it
    believes it runs a public test, and smuggles what it saw out of the others."""
    case = submit(a1, a1_cases.where_it_runs(gaming_dir, a1).folder, sid)
    fair = honest(a1, "starter", _starter(A1, gaming_dir), sid)
    graded = case.result()
    sealed = graded.sealed_text()
    assert "LEAK" not in sealed, f"a1: a hidden output shows what the code saw: {sealed[sealed.find('LEAK'):][:200]}"
    assert_bounded("a1: a test that knows where it runs", graded, 10, fair.result())


# ----------------------------------------------------------------------------- A2
A2 = "a2_cnns"


@pytest.fixture(scope="module")
def a2(built):
    return built(A2)


@pytest.mark.parametrize("spelling", list(a2_cases.TORCH_SPELLINGS))
def test_a2_part1_by_torch(a2, sid, gaming_dir, spelling):
    """8. Part 1's NumPy convolution and max pooling done by F.conv2d, F.max_pool2d and autograd,
    torch reached at run time (A2's workers of Part 2 have torch loaded)."""
    case = submit(a2, a2_cases.torch_part1(gaming_dir, spelling).folder, sid)
    fair = honest(a2, "part 1 reverted", lambda: a2_cases.part1_reverted(gaming_dir), sid)
    assert_bounded(f"a2: Part 1 by torch through {spelling}", case.result(), None, fair.result())


def _column(graded, model):
    """(points of the model's graded leaderboard test, its leaderboard value or None)."""
    points = graded.test(f"{model} checkpoint accuracy")["score"]
    values = [e["value"] for e in graded.results.get("leaderboard", []) if e["name"].startswith(f"{model} accuracy")]
    return points, (values[0] if values else None)


@pytest.mark.parametrize("model", ["TwoLayerNet", "VanillaCNN"])
def test_a2_impostor_architecture(a2, sid, gaming_dir, model):
    """9. A fixed-architecture leaderboard column taken by another network: a TwoLayerNet that
    builds a VanillaCNN when hidden_size == 1000 (a checkpoint of the CNN's weights and a
    (1000, 3072) tensor, so that the hidden size reads 1000), and a VanillaCNN that grows into a
    bigger network when its checkpoint holds one. The column scores 0 (points and leaderboard
    entry), a public message names the difference, and the rest is graded as without it."""
    make, stem = ((a2_cases.impostor_twolayer, "twolayernet") if model == "TwoLayerNet"
                  else (a2_cases.impostor_cnn, "vanillacnn"))
    case = submit(a2, make(gaming_dir).folder, sid)
    fair = honest(a2, f"without {stem}.pt", lambda: a2_cases.without_checkpoint(gaming_dir, stem), sid)
    graded = case.result()
    points, value = _column(graded, model)
    public = graded.visible_text(("public",))
    named = re.search(rf"{stem}\.pth?\b[^\n]*\b(architecture|does not (match|fit)|layers?)\b", public, re.I)
    assert_bounded(f"a2: impostor {model}", graded, None, fair.result(),
                   note=f"column {points:g} points, leaderboard {value}")
    assert points == 0 and not value, f"a2: impostor {model} takes its column: {points:g} points, leaderboard {value}"
    assert named, f"a2: impostor {model}: no public message names what differs from the {model} architecture"


# ----------------------------------------------------------------------------- A3
A3 = "a3_interpretability"


@pytest.fixture(scope="module")
def a3(built):
    return built(A3)


@pytest.mark.parametrize("spelling", list(a3_cases.CAPTUM_SPELLINGS))
def test_a3_attributions_by_captum(a3, sid, gaming_dir, spelling):
    """10. Saliency maps and guided backpropagation computed by Captum (the grader's oracle, which
    the handout forbids in these files), reached at run time."""
    case = submit(a3, a3_cases.captum_methods(gaming_dir, spelling).folder, sid)
    fair = honest(a3, "methods reverted", lambda: a3_cases.methods_reverted(gaming_dir), sid)
    assert_bounded(f"a3: saliency and guided backprop by Captum through {spelling}", case.result(), None,
                   fair.result())


# ----------------------------------------------------------------------------- A4
A4 = "a4_sequences"


@pytest.fixture(scope="module")
def a4(built):
    return built(A4)


def test_a4_fixture_replay(a4, sid, gaming_dir):
    """11. A4's recorded public cases replayed: the modules keep the course's layers (bound by role)
    and use each once, but answer from the bundle's recorded outputs looked up by input. The
    student's check pays for it; Gradescope's drawn public cases do not."""
    upload = a4_cases.fixture_replay(gaming_dir, a4)
    case = submit(a4, upload.folder, sid)
    fair = honest(a4, "methods reverted", lambda: a4_cases.methods_reverted(gaming_dir), sid)
    local = check_locally(a4, upload)
    assert_bounded("a4: fixture replay", case.result(), 10, fair.result(),
                   note=f"{local['score']:g} in the student's check")
    assert local["score"] >= 40, f"the replay earns only {local['score']} in check: the case no longer replays"

import pytest

from autograder.grading.manifest import ManifestError, load_manifest

GOOD = 'id = "x"\ntitle = "X"\npoints = 10\nfiles = ["a.py"]\n'


def write(tmp_path, text):
    path = tmp_path / "assignment.toml"
    path.write_text(text)
    (tmp_path / "sol").mkdir(exist_ok=True)
    (tmp_path / "sol" / "a.py").write_text("")
    return path


def test_good_manifest_loads_with_defaults(tmp_path):
    m = load_manifest(write(tmp_path, GOOD), tmp_path / "sol")
    assert m.files == ["a.py"] and m.hidden_visibility == "after_published" and m.public_visibility == "visible"


@pytest.mark.parametrize(('extra', 'key'), [
    ("colour = 1\n", "colour"),
    ("[limits]\ntest_secs = 3\n", "limits.test_secs"),
    ("[visibility]\nhidden = \"sometimes\"\n", "visibility.hidden"),
    ("[limits]\nmemory_mb = -1\n", "limits.memory_mb"),
    ("[[leaderboard]]\nname = \"acc\"\norder = \"up\"\n", "leaderboard[0].order"),
    ("[thresholds]\nacc = \"high\"\n", "thresholds.acc"),
    ("[imports]\nforbidden = [\"torch\"]\n[worker]\npreload = [\"numpy\", \"torch.nn\"]\n", "worker.preload"),
    ("[worker.without]\n\"part one\" = [\"torch\"]\n", "worker.without.part one"),
    ("[worker.without]\n\"1\" = []\n", "worker.without.1"),
    ("[worker.without]\n\"1\" = [\"torch\"]\n\"1.2\" = [\"scipy\"]\n", "worker.without.1.2"),
])
def test_bad_keys_are_named_with_the_file(tmp_path, extra, key):
    path = write(tmp_path, GOOD + extra)
    with pytest.raises(ManifestError) as err:
        load_manifest(path, tmp_path / "sol")
    assert str(path) in str(err.value) and f"'{key}'" in str(err.value)


def test_listed_file_must_exist_in_solution(tmp_path):
    path = write(tmp_path, GOOD.replace('"a.py"', '"a.py", "missing.py"'))
    with pytest.raises(ManifestError, match="missing.py"):
        load_manifest(path, tmp_path / "sol")


def test_invalid_toml_is_reported(tmp_path):
    path = write(tmp_path, "id = \n")
    with pytest.raises(ManifestError, match="not valid TOML"):
        load_manifest(path)


def test_worker_without_makes_a_lean_family_that_refuses_what_it_drops(tmp_path):
    text = GOOD + ('[imports]\nforbidden = ["scipy"]\n[worker]\npreload = ["numpy", "torch", "autograder.grading.roles"]\n'
                   '[worker.without]\n"1" = ["torch", "torchvision"]\n')
    m = load_manifest(write(tmp_path, text), tmp_path / "sol")
    main, lean = m.families()
    assert (main.name, main.preload, main.refused, main.numbers) == \
        ("main", ("numpy", "torch", "autograder.grading.roles"), ("scipy",), ())
    assert (lean.preload, lean.refused, lean.numbers) == \
        (("numpy", "autograder.grading.roles"), ("scipy", "torch", "torchvision"), ("1",))


def test_the_course_manifests_keep_their_library_rules():
    """A1, A3 refuse their libraries in every worker, without preloading them; A2's Part 1 runs
    without torch."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "assignments"
    families = {a: load_manifest(root / a / "assignment.toml").families() for a in
                ("a1_neural_nets", "a2_cnns", "a3_interpretability", "a4_sequences")}
    assert {"torch", "scipy", "sklearn"} <= set(families["a1_neural_nets"][0].refused)
    assert "captum" in families["a3_interpretability"][0].refused
    assert not any("captum" in f.preload for f in families["a3_interpretability"])
    lean = [f for f in families["a2_cnns"] if f.numbers == ("1",)]
    assert lean and "torch" not in lean[0].preload and {"torch", "torchvision"} <= set(lean[0].refused)

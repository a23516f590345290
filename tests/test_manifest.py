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

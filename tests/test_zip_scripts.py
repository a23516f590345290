"""The zip's shell scripts: setup.sh installs into a venv of its own, run_autograder uses it.

Both run here against stand-in commands (a fake ``python3``, ``apt-get``, ``useradd``) that log
what they are asked to do, so the tests need neither root nor a package index.
"""

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[1] / "autograder" / "staff" / "templates"

# A stand-in Python: logs its arguments; `-m venv DIR` makes DIR/bin/python (itself);
# `-m ensurepip` fails when $NO_ENSUREPIP is set; a script run writes a results file.
FAKE_PYTHON = """#!/usr/bin/env bash
echo "$0 $*" >> "$LOG"
if [ "$1" = -m ] && [ "$2" = ensurepip ] && [ -n "${NO_ENSUREPIP:-}" ]; then exit 1; fi
if [ "$1" = -m ] && [ "$2" = venv ]; then mkdir -p "$3/bin"; cp "$0" "$3/bin/python"; fi
if [ "$1" = -I ]; then mkdir -p "$AUTOGRADER_ROOT/results"; echo '{"score": 1}' > "$AUTOGRADER_ROOT/results/results.json"; fi
exit 0
"""
LOGGER = """#!/usr/bin/env bash
echo "$(basename "$0") $*" >> "$LOG"
[ "$(basename "$0")" = id ] && exit 1
exit 0
"""


def _tool(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@pytest.fixture
def fakes(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _tool(bin_dir, "python3", FAKE_PYTHON)
    for name in ("apt-get", "useradd", "id"):
        _tool(bin_dir, name, LOGGER)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "LOG": str(tmp_path / "log"), "HOME": str(tmp_path)}
    return tmp_path, env


def _run(script: Path, env: dict, cwd: Path) -> str:
    subprocess.run(["bash", str(script)], env=env, cwd=cwd, check=True, capture_output=True, timeout=60)
    return (Path(env["LOG"])).read_text()


def _setup(tmp_path: Path, requirements: str) -> Path:
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(TEMPLATES / "setup.sh", source / "setup.sh")
    (source / "requirements.txt").write_text(requirements)
    return source


def test_setup_installs_into_a_venv_of_its_own(fakes):
    tmp_path, env = fakes
    source = _setup(tmp_path, "numpy>=1.26,<3\ntorch==2.14.1\n")
    venv = tmp_path / "venv"
    log = _run(source / "setup.sh", {**env, "AUTOGRADER_VENV": str(venv)}, source)
    vpy = f"{venv}/bin/python"
    assert f"-m venv {venv}" in log and "apt-get" not in log
    assert f"{vpy} -m pip install --index-url https://download.pytorch.org/whl/cpu torch==2.14.1" in log
    assert f"{vpy} -m pip install -r requirements.txt" in log
    assert "python3 -m pip install" not in log.replace(vpy, "VENV")  # nothing into the system Python
    assert "useradd --system" in log
    assert os.stat(venv / "bin" / "python").st_mode & stat.S_IROTH  # the sandbox user imports from it


def test_setup_installs_python3_venv_when_ensurepip_is_missing(fakes):
    tmp_path, env = fakes
    source = _setup(tmp_path, "numpy\n")
    log = _run(source / "setup.sh", {**env, "AUTOGRADER_VENV": str(tmp_path / "venv"), "NO_ENSUREPIP": "1"}, source)
    assert "apt-get install -y python3 python3-venv" in log and "torch" not in log


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    shutil.copy(TEMPLATES / "run_autograder", root / "run_autograder")
    return root


@pytest.mark.parametrize("case", ["venv", "override", "no venv"])
def test_run_autograder_uses_the_venv_unless_told_otherwise(fakes, case):
    tmp_path, env = fakes
    root = _tree(tmp_path)
    venv = tmp_path / "venv"
    other = tmp_path / "other"
    for folder in (venv, other):
        (folder / "bin").mkdir(parents=True)
        shutil.copy(tmp_path / "bin" / "python3", folder / "bin" / "python")
    env = {**env, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_VENV": str(venv if case != "no venv" else tmp_path / "none")}
    if case == "override":
        env["AUTOGRADER_PYTHON"] = str(other / "bin" / "python")
    log = _run(root / "run_autograder", env, root)
    expected = {"venv": f"{venv}/bin/python", "override": f"{other}/bin/python", "no venv": "python3"}[case]
    assert log.split(" -I ")[0].endswith(expected), log
    assert (root / "results" / "results.json").is_file()

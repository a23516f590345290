"""A synthetic Gradescope "Download Submissions" export of the toy assignment, for the regrade tests.

About twenty submissions: reference solutions, starters, broken and hostile ones, a group
submission and its verbatim copy, a link, a zip bomb, a malformed metadata entry, a folder the
metadata does not know and an entry without a folder. ``EXPECTED`` holds the score each must get.
"""

from __future__ import annotations

import shutil
import stat
import struct
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TOY = REPO / "tests" / "toy"
SOLUTION = TOY / "solutions" / "toy"
STARTER = TOY / "starter_code" / "toy"

#: A solution of one student's own, long enough that a copy of it stands out from the starter code.
OWN_OPS = '''"""Small array operations."""

import numpy as np


def add(a, b):
    """Return a + b for two numbers."""
    total = a
    total = total + b
    return total


def relu(x):
    """Inputs: x, an array of any shape. Returns: max(x, 0), same shape."""
    positive = x > 0
    result = np.where(positive, x, np.zeros_like(x))
    return result


def softmax(scores):
    """Inputs: scores (N, C). Returns: row-wise softmax probabilities (N, C)."""
    row_max = np.max(scores, axis=1, keepdims=True)
    centred = scores - row_max
    exps = np.exp(centred)
    totals = np.sum(exps, axis=1, keepdims=True)
    probabilities = exps / totals
    return probabilities
'''

#: Folder -> the score the toy grader gives it (None: not graded).
EXPECTED: dict[str, float | None] = {
    "submission_1001": 10, "submission_1002": 10, "submission_1003": 0, "submission_1004": 0,
    "submission_1005": 10, "submission_1006": 10, "submission_1007": 5, "submission_1008": 5,
    "submission_1009": 5, "submission_1010": 8, "submission_1011": 8, "submission_1012": 9,
    "submission_1013": 8, "submission_1014": 10, "submission_1015": 10, "submission_1016": 5,
    "submission_1017": 0, "submission_1018": 10, "submission_1019": 0, "submission_1020": None,
}


def _person(name: str, sid: str) -> tuple[str, str, str]:
    return name, sid, f"{name.split()[0].lower()}@example.edu"


#: Folder -> (submitters, Gradescope's score as the metadata gives it).
PEOPLE = {
    "submission_1001": ([_person("Ada Lovelace", "01001")], "10.0"),
    "submission_1002": ([_person("Alan Turing", "01002")], "10.0"),
    "submission_1003": ([_person("Grace Hopper", "01003")], "0.0"),
    "submission_1004": ([_person("Edsger Dijkstra", "01004")], "0.0"),
    "submission_1005": ([_person("Barbara Liskov", "01005"), _person("John McCarthy", "01055")], "10.0"),
    "submission_1006": ([_person("Donald Knuth", "01006")], "10.0"),
    "submission_1007": ([_person("Frances Allen", "01007")], "5.0"),
    "submission_1008": ([_person("Ken Thompson", "01008")], "5.0"),
    "submission_1009": ([_person("Dennis Ritchie", "01009")], "5.0"),
    "submission_1010": ([_person("Margaret Hamilton", "01010")], "!ruby/object:BigDecimal 18:0.1e2"),
    "submission_1011": ([_person("Tony Hoare", "01011")], "8.0"),
    "submission_1012": ([_person("Leslie Lamport", "01012")], "9.0"),
    "submission_1013": ([_person("Radia Perlman", "01013")], "8.0"),
    "submission_1014": ([_person("Niklaus Wirth", "01014")], "10.0"),
    "submission_1015": ([_person("Adele Goldberg", "01015")], "10.0"),
    "submission_1016": ([_person("Butler Lampson", "01016")], "5.0"),
    "submission_1017": ([_person("Shafi Goldwasser", "01017")], "0.0"),
    "submission_1020": ([_person("Robin Milner", "01020")], "7.0"),
}


def _copy(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def _edit(folder: Path, rel: str, old: str, new: str) -> None:
    path = folder / rel
    text = path.read_text()
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new))


def declare_size(data: bytes, member: str, size: int) -> bytes:
    """Rewrite the uncompressed size a zip declares for ``member`` (local header and central directory)."""
    buf = bytearray(data)
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as zf:
        offset = zf.getinfo(member).header_offset
    struct.pack_into("<I", buf, offset + 22, size)
    at = buf.find(b"PK\x01\x02")
    while at != -1:
        name_len = struct.unpack_from("<H", buf, at + 28)[0]
        if bytes(buf[at + 46:at + 46 + name_len]).decode() == member:
            struct.pack_into("<I", buf, at + 24, size)
        at = buf.find(b"PK\x01\x02", at + 4)
    return bytes(buf)


def zip_bomb(target: Path) -> None:
    """A small zip that declares it unpacks to 3 GB."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("calc/ops.py", (SOLUTION / "calc" / "ops.py").read_text())
    target.write_bytes(declare_size(target.read_bytes(), "calc/ops.py", 3 << 30))


def _submissions(base: Path) -> None:
    sol = lambda n: _copy(SOLUTION, base / n)  # noqa: E731
    sol("submission_1001")
    sol("submission_1002")
    _copy(STARTER, base / "submission_1003")
    _copy(STARTER, base / "submission_1004")
    (sol("submission_1005") / "calc" / "ops.py").write_text(OWN_OPS)          # the group's own work
    (sol("submission_1006") / "calc" / "ops.py").write_text(OWN_OPS)          # ... copied verbatim
    (sol("submission_1007") / "calc" / "counter.py").write_text("class Counter(:\n")
    (sol("submission_1008") / "calc" / "counter.py").unlink()
    ops = "calc/ops.py"
    _edit(sol("submission_1009"), ops, "import numpy as np\n", "import numpy as np\nimport scipy.linalg\n")
    _edit(sol("submission_1010"), ops, "e / e.sum(axis=1, keepdims=True)", "e / e.sum()")      # wrong axis
    _edit(sol("submission_1011"), ops, "return np.maximum(x, 0)", "return x")
    _edit(sol("submission_1012"), ops, "return a + b", "while True:\n        pass")           # hangs
    _edit(sol("submission_1013"), ops, "return np.maximum(x, 0)", "import os\n    os._exit(3)")  # kills its worker
    _edit(sol("submission_1014"), ops, "import numpy as np\n",                                  # snoops, quietly
          "import numpy as np\n\nfor _p in ('../../source/tests/hidden/test_counter.py', '/autograder/results/"
          "results.json'):\n    try:\n        open(_p).read()\n    except Exception:\n        pass\n")
    _copy(SOLUTION, base / "submission_1015" / "my_homework")                  # wrapped in a folder
    (sol("submission_1016") / "calc" / "counter.py").unlink()
    (base / "submission_1016" / "calc" / "counter.py").symlink_to("/etc/passwd")
    (base / "submission_1017").mkdir()
    zip_bomb(base / "submission_1017" / "upload.zip")
    sol("submission_1018")                                                     # its metadata entry is malformed
    _copy(STARTER, base / "submission_1019")                                   # the metadata does not know it


def _metadata() -> str:
    lines = ["---"]
    for folder, (people, score) in PEOPLE.items():
        lines += [f"{folder}:", "  :submitters:"]
        for name, sid, email in people:
            lines += [f"  - :name: {name}", f"    :sid: '{sid}'", f"    :email: {email}"]
        lines += ["  :created_at: 2026-03-01 23:59:12.123456000 -08:00", f"  :score: {score}", "  :history: []"]
    lines += ["submission_1018:", "  :submitters: Grace Murray", "  :score: ten"]
    return "\n".join(lines) + "\n"


def build_export(root: Path) -> Path:
    """Write the export under ``root`` as Gradescope's zip unpacks it (one top folder); return that folder."""
    base = Path(root) / "assignment_7_export"
    base.mkdir(parents=True)
    _submissions(base)
    (base / "submission_metadata.yml").write_text(_metadata())
    return base


def zip_export(folder: Path, target: Path) -> Path:
    """Zip an export folder the way Gradescope does (one top folder); links are stored as links."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            name = f"{folder.name}/{path.relative_to(folder).as_posix()}"
            if path.is_symlink():
                info = zipfile.ZipInfo(name)
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                zf.writestr(info, str(path.readlink()))
            elif path.is_file():
                zf.write(path, name)
    return target


_GRADED: dict[str, tuple[Path, Path, Path]] = {}


def graded_class(tmp_path_factory, grader_zip: Path) -> tuple[Path, Path, Path]:
    """(export folder, regrade output folder, the zip it was graded with), graded once per test session.

    The zip is copied first: another session building the toy next to this one must not change it.
    """
    from autograder.staff.classtools.regrade import regrade

    key = str(tmp_path_factory.getbasetemp())
    if key not in _GRADED:
        root = tmp_path_factory.mktemp("class")
        export = build_export(root)
        out = root / "regrade-toy"
        own_zip = Path(shutil.copy(grader_zip, root / "toy_autograder.zip"))
        regrade(own_zip, export, out, workers=2, progress=False)
        _GRADED[key] = (export, out, own_zip)
    return _GRADED[key]

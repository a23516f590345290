"""What arrives from a student: find the folder of their files, unpack a zip safely, copy the files."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path, PurePosixPath

from .manifest import Manifest

IGNORED_NAMES = {"__MACOSX", ".DS_Store", "__pycache__", ".git", ".ipynb_checkpoints"}


MAX_UNZIPPED_BYTES = 1 << 30


def _visible_entries(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name not in IGNORED_NAMES and not p.name.startswith("._")]


def safe_extract(archive: Path, target: Path) -> None:
    with zipfile.ZipFile(archive) as zf:
        total = 0
        for info in zf.infolist():
            name = PurePosixPath(info.filename)
            if name.is_absolute() or ".." in name.parts:
                raise ValueError(f"the zip contains an unsafe path {info.filename!r}")
            total += info.file_size
            if total > MAX_UNZIPPED_BYTES:
                raise ValueError("the zip unpacks to more than 1 GB")
        for info in zf.infolist():
            if info.is_dir():
                continue
            dest = target / info.filename
            dest.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out)


def locate_root(submission: Path, manifest: Manifest, scratch: Path) -> tuple[Path, list[str]]:
    """Find the folder that holds the student's files: unwrap a nested zip or an enclosing folder."""
    notes: list[str] = []
    root = submission
    for _ in range(4):
        if any((root / rel).exists() for rel in manifest.files):
            return root, notes
        entries = _visible_entries(root) if root.is_dir() else []
        zips = [p for p in entries if p.suffix.lower() == ".zip" and p.is_file()]
        dirs = [p for p in entries if p.is_dir()]
        if len(entries) == 1 and zips:
            target = scratch / f"unzipped-{len(notes)}"
            target.mkdir(parents=True, exist_ok=True)
            try:
                safe_extract(zips[0], target)
            except (zipfile.BadZipFile, ValueError, OSError) as exc:
                notes.append(f"Your upload is a single zip file ({zips[0].name}), and it could not be opened: {exc}.")
                return root, notes
            notes.append(f"Your upload was a zip inside the zip ({zips[0].name}); it was unpacked.")
            root = target
            continue
        if len(dirs) == 1 and not any(p.is_file() and p.suffix == ".py" for p in entries):
            notes.append(f"Your files were inside a folder '{dirs[0].name}/'; it was unwrapped. "
                         "Next time, zip the files themselves (python -m autograder submit does this).")
            root = dirs[0]
            continue
        break
    return root, notes


def assemble(root: Path, manifest: Manifest, target: Path) -> None:
    """Copy the student's own files (plain files within the size limit) into a fresh ``target``.

    Modification times are kept (tests may tell which of two files was saved last); nothing
    else of the original's metadata is."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for rel in student_files(root, manifest):
        path = root / rel
        stat = path.stat()
        if stat.st_size <= manifest.max_file_mb * 1e6:
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
            os.utime(dest, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def plain_file_inside(root: Path, path: Path) -> bool:
    """A regular file, reached without any symbolic link, inside ``root``."""
    if path.is_symlink() or not path.is_file():
        return False
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def student_files(root: Path, manifest: Manifest) -> list[str]:
    """The files under ``root`` that the manifest lets a student submit (links never count)."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if manifest.is_student_file(p.relative_to(root).as_posix())
                  and not any(part in IGNORED_NAMES for part in p.parts) and plain_file_inside(root, p))

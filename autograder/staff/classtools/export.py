"""Read Gradescope's "Download Submissions" export: a folder, or the zip that Gradescope hands out.

The export holds one folder per submission (``submission_<n>/``) and ``submission_metadata.yml``,
keyed by folder name, whose values carry Ruby-symbol keys (``:submitters:``, ``:created_at:``,
``:score:``; each submitter has ``:name:``, ``:sid:``, ``:email:``). Everything in it came from
students, so nothing is trusted: links are never followed, sizes are capped, and a problem with one
submission is reported for that submission while the rest of the class goes on.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .metadata import METADATA_NAME, Entry, read_metadata

#: The most one submission may unpack to; a bigger one is not graded (Gradescope caps uploads far lower).
MAX_SUBMISSION_BYTES = 200 * 1024 * 1024
#: The most files one submission may hold.
MAX_SUBMISSION_FILES = 5000
_IGNORED_FOLDERS = {"__MACOSX"}
_EPOCH = (1980, 1, 1, 0, 0, 0)


class SubmissionError(Exception):
    """One submission that cannot be read; the message says which and why, in plain words."""


@dataclass
class Packed:
    """A submission's files as one zip in memory, with a digest of their names and contents."""

    data: bytes
    digest: str
    files: int
    notes: list[str]


def natural_key(name: str) -> tuple:
    """Sort ``submission_9`` before ``submission_10``."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


class _Packer:
    """Collects files into a reproducible in-memory zip, enforcing the size and count caps."""

    def __init__(self, name: str):
        self.name = name
        self.files: dict[str, bytes] = {}
        self.total = 0
        self.notes: list[str] = []

    def add(self, rel: str, data: bytes) -> None:
        self.total += len(data)
        if self.total > MAX_SUBMISSION_BYTES:
            raise SubmissionError(f"{self.name}: its files are larger than {MAX_SUBMISSION_BYTES >> 20} MB; "
                                  "not graded (is it a zip bomb?)")
        if len(self.files) >= MAX_SUBMISSION_FILES:
            raise SubmissionError(f"{self.name}: it holds more than {MAX_SUBMISSION_FILES} files; not graded")
        self.files[rel] = data
        if rel.lower().endswith(".zip"):
            self._look_inside(rel, data)

    def _look_inside(self, rel: str, data: bytes) -> None:
        """Name a zip inside the submission that the grader will refuse to unpack (a zip bomb)."""
        from ...grading.upload import MAX_UNZIPPED_BYTES

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as inner:
                declared = sum(i.file_size for i in inner.infolist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            self.notes.append(f"{self.name}: {rel} is not a readable zip")
            return
        if declared > MAX_UNZIPPED_BYTES:
            self.notes.append(f"{self.name}: {rel} would unpack to {declared >> 20} MB (a zip bomb?); "
                              f"the grader refuses zips over {MAX_UNZIPPED_BYTES >> 20} MB")

    def finish(self) -> Packed:
        digest = hashlib.sha256()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for rel in sorted(self.files):
                data = self.files[rel]
                digest.update(rel.encode("utf-8", "surrogateescape") + b"\0" + str(len(data)).encode() + b"\0")
                digest.update(data)
                info = zipfile.ZipInfo(rel, date_time=_EPOCH)
                info.external_attr = 0o100644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
        return Packed(buffer.getvalue(), digest.hexdigest(), len(self.files), self.notes)


class Export:
    """An export; ``entries`` lists every submission, ``problems`` what concerns the export as a whole."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.problems: list[str] = []
        self.entries: list[Entry] = []

    def _build_entries(self, folders: list[str], metadata_text: bytes | None, where: str) -> None:
        meta, problems = read_metadata(metadata_text, where)
        self.problems.extend(problems)
        by_name: dict[str, Entry] = {}
        for name in folders:
            entry = meta.pop(name, None) if meta is not None else None
            if entry is None:
                entry = Entry(name)
                if meta is not None:
                    entry.notes.append(f"{name}: no entry in {METADATA_NAME}, so its submitters are unknown")
            by_name[name] = entry
        for name, entry in (meta or {}).items():
            entry.present = False
            entry.notes.append(f"{name}: listed in {METADATA_NAME} but the export has no such folder; not graded")
            by_name[name] = entry
        self.entries = [by_name[n] for n in sorted(by_name, key=natural_key)]

    def pack(self, entry: Entry) -> Packed:  # pragma: no cover - each kind of export defines it
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> Export:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class FolderExport(Export):
    """An export already unpacked into a folder."""

    def __init__(self, path: Path):
        super().__init__(path)
        self.base = _folder_base(self.path)
        folders = []
        with os.scandir(self.base) as it:
            for item in it:
                if item.name.startswith(".") or item.name in _IGNORED_FOLDERS:
                    continue
                if item.is_symlink() or item.is_dir(follow_symlinks=False):
                    folders.append(item.name)
        meta_path = self.base / METADATA_NAME
        text = None
        if meta_path.is_file() and not meta_path.is_symlink():
            text = meta_path.read_bytes()
        elif meta_path.is_symlink():
            self.problems.append(f"{meta_path} is a link; it was not followed")
        self._build_entries(folders, text, str(meta_path))

    def pack(self, entry: Entry) -> Packed:
        folder = self.base / entry.name
        if not entry.present:
            raise SubmissionError(f"{entry.name}: the export has no such folder")
        if folder.is_symlink():
            raise SubmissionError(f"{entry.name}: it is a link, not a folder; links are never followed, "
                                  "so it was not graded")
        packer = _Packer(entry.name)
        self._walk(folder, "", packer)
        return packer.finish()

    def _walk(self, folder: Path, prefix: str, packer: _Packer) -> None:
        try:
            items = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            where = f"the folder {prefix or '.'}" if prefix else "its folder"
            raise SubmissionError(f"{packer.name}: cannot read {where}: {exc.strerror or exc}; not graded") from None
        for item in items:
            rel = f"{prefix}{item.name}"
            if item.is_symlink():
                packer.notes.append(f"{packer.name}: {rel} is a symbolic link; it was left out "
                                    "(links are never followed)")
            elif item.is_dir(follow_symlinks=False):
                self._walk(Path(item.path), rel + "/", packer)
            elif item.is_file(follow_symlinks=False):
                packer.add(rel, _read_no_follow(item.path, packer.name, rel))
            else:
                packer.notes.append(f"{packer.name}: {rel} is not a regular file; it was left out")


def _read_no_follow(path: str, name: str, rel: str) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise SubmissionError(f"{name}: cannot read {rel}: {exc.strerror or exc}; not graded") from None
    with open(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise SubmissionError(f"{name}: {rel} changed into something other than a file while being read")
        data = fh.read(MAX_SUBMISSION_BYTES + 1)
    if len(data) > MAX_SUBMISSION_BYTES:
        raise SubmissionError(f"{name}: {rel} is larger than {MAX_SUBMISSION_BYTES >> 20} MB; not graded")
    return data


def _folder_base(path: Path) -> Path:
    """The folder that holds the submissions: ``path`` itself or its one subfolder (Gradescope's zip nests one)."""
    if not path.is_dir():
        raise FileNotFoundError(f"export folder not found: {path}")
    if (path / METADATA_NAME).exists() or any(p.name.startswith("submission_") for p in path.iterdir()):
        return path
    inner = [p for p in path.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")
             and p.name not in _IGNORED_FOLDERS]
    if len(inner) == 1 and ((inner[0] / METADATA_NAME).exists()
                            or any(p.name.startswith("submission_") for p in inner[0].iterdir())):
        return inner[0]
    return path


class ZipExport(Export):
    """The export zip itself, read member by member (never unpacked as a whole)."""

    def __init__(self, path: Path):
        super().__init__(path)
        try:
            self.zf = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ValueError(f"the export {self.path} is not a readable zip: {exc}") from None
        self.members: dict[str, list[zipfile.ZipInfo]] = {}
        self.prefix = _zip_prefix([i.filename for i in self.zf.infolist()])
        text = None
        for info in self.zf.infolist():
            name = info.filename
            if not name.startswith(self.prefix):
                continue
            rest = name[len(self.prefix):]
            if rest == METADATA_NAME:
                text = self._read(info, "the export", METADATA_NAME)
                continue
            top, _, inner = rest.partition("/")
            if not top or top.startswith(".") or top in _IGNORED_FOLDERS or (not inner and not info.is_dir()):
                continue
            self.members.setdefault(top, [])
            if inner:
                self.members[top].append(info)
        self._build_entries(list(self.members), text, f"{self.path}!{self.prefix}{METADATA_NAME}")

    def _read(self, info: zipfile.ZipInfo, name: str, rel: str) -> bytes:
        try:
            with self.zf.open(info) as fh:
                data = fh.read(MAX_SUBMISSION_BYTES + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as exc:
            raise SubmissionError(f"{name}: {rel} is damaged in the export zip ({exc}); not graded") from None
        if len(data) > MAX_SUBMISSION_BYTES:
            raise SubmissionError(f"{name}: {rel} unpacks to more than {MAX_SUBMISSION_BYTES >> 20} MB; "
                                  "not graded (a zip bomb?)")
        return data

    def pack(self, entry: Entry) -> Packed:
        if not entry.present:
            raise SubmissionError(f"{entry.name}: the export has no such folder")
        infos = self.members.get(entry.name, [])
        declared = sum(i.file_size for i in infos)
        if declared > MAX_SUBMISSION_BYTES:
            raise SubmissionError(f"{entry.name}: its files unpack to {declared >> 20} MB, more than the "
                                  f"{MAX_SUBMISSION_BYTES >> 20} MB allowed for one submission (a zip bomb?); "
                                  "not graded")
        packer = _Packer(entry.name)
        cut = len(self.prefix) + len(entry.name) + 1
        for info in sorted(infos, key=lambda i: i.filename):
            rel = info.filename[cut:]
            parts = PurePosixPath(rel).parts
            if rel.startswith("/") or ".." in parts or "\\" in rel:
                packer.notes.append(f"{entry.name}: {rel!r} is an unsafe path; it was left out")
            elif info.is_dir():
                continue
            elif stat.S_ISLNK(info.external_attr >> 16):
                packer.notes.append(f"{entry.name}: {rel} is a symbolic link; it was left out "
                                    "(links are never followed)")
            else:
                packer.add(rel, self._read(info, entry.name, rel))
        return packer.finish()

    def close(self) -> None:
        self.zf.close()


def _zip_prefix(names: list[str]) -> str:
    """The folder inside the zip that holds the submissions ("" or Gradescope's one top folder)."""
    if METADATA_NAME in names or any(n.startswith("submission_") for n in names):
        return ""
    tops = {n.split("/", 1)[0] for n in names if "/" in n and not n.startswith(("__MACOSX/", "."))}
    if len(tops) == 1:
        return tops.pop() + "/"
    return ""


def open_export(path: Path | str) -> Export:
    """Open an export: a folder, or a zip file (``.zip``)."""
    path = Path(path)
    if path.is_dir():
        return FolderExport(path)
    if path.is_file():
        return ZipExport(path)
    raise FileNotFoundError(f"export not found: {path} (give the folder or the zip that Gradescope's "
                            "'Download Submissions' produced)")

"""``autograder similar``: which submissions share code, with each other or with other corpora.

copydetect (winnowed k-gram fingerprints over tokens, names and strings blanked) fingerprints each
graded file of each submission; fingerprints of the starter code are boilerplate and never count,
so two students who both handed in the starter are not alike. Each pair of submissions is compared
file by file (same graded file); ``--against`` adds other corpora (past terms, solutions found
online), whose files are compared with the graded file of the same name.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import logging
import re
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...grading import files
from ...grading.manifest import Manifest
from ...grading.upload import locate_root, safe_extract
from .export import SubmissionError, open_export

NOISE = 25      # copydetect's default: shortest match (in filtered characters) that counts
GUARANTEE = 30  # matches this long are always found (window = GUARANTEE - NOISE + 1)
FIELDS = ["submission_a", "submission_b", "names_a", "names_b", "similarity", "similarity_a", "similarity_b",
          "tokens", "file", "view"]


@dataclass
class Source:
    """One file to compare: whose it is, which graded file it stands for, and its text."""

    owner: str
    names: str
    rel: str
    text: str
    fingerprint: Any = None


@dataclass
class Similarity:
    csv: Path
    flagged: list[dict] = field(default_factory=list)
    compared: int = 0
    problems: list[str] = field(default_factory=list)


def _code(rel: str, data: bytes) -> str:
    """A graded file's text; for a notebook, its code cells."""
    text = data.decode("utf-8", "replace")
    if rel.endswith(".ipynb"):
        try:
            cells = json.loads(text).get("cells", [])
            return "\n\n".join("".join(c.get("source", "")) if isinstance(c.get("source"), list) else
                               str(c.get("source", "")) for c in cells if c.get("cell_type") == "code")
        except (ValueError, AttributeError):
            return ""
    return text


def _graded_files(packed: bytes, manifest: Manifest, scratch: Path) -> dict[str, str]:
    """The graded files of one packed submission, found as the grader finds them (unwrapping a folder or a zip)."""
    scratch.mkdir(parents=True)
    folder = scratch / "files"
    folder.mkdir()
    safe_extract(io.BytesIO(packed), folder)  # type: ignore[arg-type]
    root, _ = locate_root(folder, manifest, scratch / "unwrapped")
    out = {}
    for rel in manifest.files:
        path = root / rel
        if path.is_file() and not path.is_symlink():
            out[rel] = _code(rel, path.read_bytes())
    return out


def _fingerprint(source: Source, boilerplate) -> Any:
    from copydetect import CodeFingerprint

    return CodeFingerprint(source.rel, NOISE, GUARANTEE - NOISE + 1, boilerplate, fp=io.StringIO(source.text))


def _boilerplate(starter: Path, manifest: Manifest):
    import numpy as np
    from copydetect import CodeFingerprint

    hashes: list = []
    for rel in manifest.files:
        path = starter / rel
        if path.is_file():
            text = _code(rel, path.read_bytes())
            hashes.extend(CodeFingerprint(rel, NOISE, 1, fp=io.StringIO(text)).hashes)
    return np.unique(np.array(hashes, dtype=np.int64))


def _submissions(export_path: Path, manifest: Manifest, problems: list[str]) -> list[Source]:
    sources = []
    with open_export(export_path) as export, tempfile.TemporaryDirectory(prefix="similar-") as tmp:
        problems.extend(export.problems)
        for i, entry in enumerate(e for e in export.entries if e.present):
            names = "; ".join(f"{p.name} ({p.sid})" for p in entry.submitters) or "(unknown)"
            try:
                files = _graded_files(export.pack(entry).data, manifest, Path(tmp) / str(i))
            except (SubmissionError, ValueError, OSError) as exc:
                problems.append(f"{entry.name}: not compared: {exc}")
                continue
            sources += [Source(entry.name, names, rel, text) for rel, text in files.items()]
    return sources


def _corpus(dirs: list[Path], manifest: Manifest) -> list[Source]:
    wanted: dict[str, list[str]] = defaultdict(list)
    for rel in manifest.files:
        wanted[Path(rel).name].append(rel)
    sources = []
    for base in dirs:
        if not Path(base).is_dir():
            raise FileNotFoundError(f"--against folder not found: {base}")
        for path in files.walk(Path(base)):
            if path.name in wanted:
                label = f"{Path(base).name}/{path.relative_to(base).as_posix()}"
                for rel in wanted[path.name]:
                    sources.append(Source(label, "(other corpus)", rel, _code(rel, path.read_bytes())))
    return sources


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:80]


def _view(out: Path, a: Source, b: Source, result: tuple) -> str:
    """Write the side-by-side page of one pair and file; return its path relative to ``out``."""
    from copydetect.utils import highlight_overlap

    _, (sim_a, sim_b), (slices_a, slices_b) = result
    code_a, _ = highlight_overlap(a.fingerprint.raw_code, slices_a, "<mark>", "</mark>", escape_html=True)
    code_b, _ = highlight_overlap(b.fingerprint.raw_code, slices_b, "<mark>", "</mark>", escape_html=True)
    digest = hashlib.sha1(f"{a.owner}|{b.owner}|{a.rel}".encode(), usedforsecurity=False).hexdigest()[:8]
    rel = f"similarity/{_slug(a.owner)}--{_slug(b.owner)}--{_slug(a.rel)}-{digest}.html"
    e = html.escape
    page = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{e(a.owner)} and {e(b.owner)}: "
            f"{e(a.rel)}</title><style>body{{font-family:system-ui,sans-serif;margin:1em}}"
            ".cols{display:flex;gap:1em} .cols>div{flex:1;min-width:0} pre{background:#f7f7f7;padding:.5em;"
            "overflow-x:auto;font-size:.8em} mark{background:#ffd6d6}</style></head><body>"
            f"<p><a href='../report.html'>back to the report</a></p><h1>{e(a.rel)}</h1><div class='cols'>"
            f"<div><h2>{e(a.owner)}</h2><p>{e(a.names)}<br>{100 * sim_a:.0f}% of this file matches</p>"
            f"<pre>{code_a}</pre></div><div><h2>{e(b.owner)}</h2><p>{e(b.names)}<br>{100 * sim_b:.0f}% of this "
            f"file matches</p><pre>{code_b}</pre></div></div></body></html>")
    (out / rel).parent.mkdir(parents=True, exist_ok=True)
    (out / rel).write_text(page, encoding="utf-8")
    return rel


def _candidates(left: list[Source], right: list[Source], same_set: bool) -> set[tuple[int, int]]:
    """Pairs (index in left, index in right) of the same graded file sharing at least one fingerprint."""
    index: dict[tuple[str, int], list[int]] = defaultdict(list)
    for j, src in enumerate(right):
        for h in src.fingerprint.hashes:
            index[(src.rel, int(h))].append(j)
    pairs = set()
    for i, src in enumerate(left):
        for h in src.fingerprint.hashes:
            for j in index.get((src.rel, int(h)), ()):
                if not same_set or (i < j and left[i].owner != right[j].owner):
                    pairs.add((i, j))
    return pairs


def similar(manifest: Manifest, starter: Path, export_path: Path, out: Path, against: list[Path] | None = None,
            threshold: float = 0.5) -> Similarity:
    """Compare every pair of submissions (and each with ``against``); write similarity.csv and the views."""
    from copydetect import compare_files

    if not 0 < threshold <= 1:
        raise ValueError(f"--threshold must be in (0, 1], got {threshold}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out / "similarity", ignore_errors=True)  # views of an earlier run
    result = Similarity(out / "similarity.csv")
    subs = _submissions(Path(export_path), manifest, result.problems)
    others = _corpus([Path(d) for d in against or []], manifest)
    boilerplate = _boilerplate(Path(starter), manifest)
    root_logger = logging.getLogger()
    level = root_logger.level
    root_logger.setLevel(max(level, logging.ERROR))  # copydetect warns on the root logger about every odd file
    try:
        for src in subs + others:
            src.fingerprint = _fingerprint(src, boilerplate)
    finally:
        root_logger.setLevel(level)
    rows: list[dict[str, Any]] = []
    for left, right, same in ((subs, subs, True), (subs, others, False)):
        for i, j in sorted(_candidates(left, right, same)):
            a, b = left[i], right[j]
            found = compare_files(a.fingerprint, b.fingerprint)
            result.compared += 1
            tokens, (sim_a, sim_b), _ = found
            score = max(float(sim_a), float(sim_b))
            if score >= threshold:
                rows.append({"submission_a": a.owner, "submission_b": b.owner, "names_a": a.names, "names_b": b.names,
                             "similarity": round(score, 4), "similarity_a": round(float(sim_a), 4),
                             "similarity_b": round(float(sim_b), 4), "tokens": int(tokens), "file": a.rel,
                             "view": _view(out, a, b, found)})
    rows.sort(key=lambda r: (-float(r["similarity"]), r["submission_a"], r["submission_b"], r["file"]))
    with open(result.csv, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    result.flagged = rows
    if (out / "regrade.json").is_file():
        from .report import write_report

        write_report(out)
    return result

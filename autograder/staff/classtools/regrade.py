"""``autograder regrade``: grade a whole Gradescope export and compare with Gradescope's scores.

Writes, in the output folder (``regrade-<id>/`` by default):

- ``scores.csv``: a row per submitter (name, sid, email, submission, our score, Gradescope's
  score, the difference, seconds, problems);
- ``<submission>/results.json``: what the autograder wrote for each submission;
- ``graded.json``: which zip and which files each results.json came from, so that a second run
  grades only what changed (``force=True`` grades everything again);
- ``regrade.json`` and ``report.html``: the class at a glance (see :mod:`autograder.staff.classtools.report`).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ...grading.results import Results, validate
from .export import Entry, Export, SubmissionError, natural_key, open_export
from .grading import Job, grade_locally, grade_on_dask, submission_id_of

CSV_FIELDS = ["name", "sid", "email", "submission", "score", "gradescope_score", "difference", "max_score",
              "seconds", "problems"]


@dataclass
class Regrade:
    """What one run produced."""

    csv: Path
    report: Path
    graded: int = 0        # submissions graded in this run
    reused: int = 0        # submissions whose earlier results were kept (same zip, same files)
    failed: int = 0        # submissions that could not be graded
    changed: int = 0       # submitter rows whose score differs from Gradescope's
    rows: int = 0          # submitter rows written
    problems: list[str] = field(default_factory=list)


def _safe_folder(name: str) -> bool:
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".")


def _write_json(path: Path, doc: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=1, sort_keys=True))
    os.replace(tmp, path)


def _record(entry: Entry) -> dict:
    return {"name": entry.name, "submitters": [vars(s) for s in entry.submitters], "created_at": entry.created_at,
            "gradescope_score": entry.gradescope_score, "score": None, "max_score": None, "seconds": None,
            "problems": list(entry.notes), "graded": False, "reused": False, "host": None,
            "drops_privileges": None}


def _apply(record: dict, outcome: dict, out: Path) -> None:
    """Fill ``record`` from what a grading returned and store its results.json."""
    raw = outcome.get("results") or {}
    doc = Results.from_json(raw)
    problems = list(outcome.get("problems") or [])
    if raw:
        problems += [p for p in validate(raw) if p not in problems]
        folder = out / record["name"]
        folder.mkdir(parents=True, exist_ok=True)
        doc.write_atomic(folder / "results.json", check=False)  # as the grader wrote it
    if not doc.tests:
        problems.append(f"the grader gave no test results: {(doc.output if raw else 'no results.json')[:300]}")
    record.update(score=doc.score, max_score=round(doc.totals()[1], 4),
                  seconds=outcome.get("seconds"), host=outcome.get("host"),
                  drops_privileges=outcome.get("drops_privileges"), graded=bool(raw))
    record["problems"] += [f"{record['name']}: {p}" for p in problems]


def _jobs(export: Export, records: dict[str, dict], ledger: dict, zip_sha: str, out: Path, force: bool,
          result: Regrade) -> Iterator[Job]:
    """Pack each submission that needs grading; note the ones that cannot be read or are already graded."""
    for entry in export.entries:
        record = records[entry.name]
        if not entry.present:
            continue
        if not _safe_folder(entry.name):
            record["problems"].append(f"{entry.name!r} is not a plain folder name; not graded")
            continue
        try:
            packed = export.pack(entry)
        except SubmissionError as exc:
            record["problems"].append(str(exc))
            result.failed += 1
            continue
        record["problems"] += packed.notes
        if submission_id_of(entry.name) is None:
            record["problems"].append(f"{entry.name}: no Gradescope id in the folder name (submission_<id>), so it "
                                      "is graded as id 0 and its inputs may differ from those Gradescope drew")
        record["digest"] = packed.digest
        seen = ledger.get(entry.name, {})
        results_file = out / entry.name / "results.json"
        if not force and seen.get("zip") == zip_sha and seen.get("submission") == packed.digest \
                and results_file.is_file():
            _apply(record, {"results": Results.load(results_file).to_json(), "problems": seen.get("problems", []),
                            "seconds": seen.get("seconds"), "host": seen.get("host"),
                            "drops_privileges": seen.get("drops_privileges")}, out)
            record["reused"] = True
            result.reused += 1
            continue
        yield entry.name, packed.data


def _submitter_rows(records: list[dict]) -> list[dict]:
    rows = []
    for rec in records:
        ours, theirs = rec["score"], rec["gradescope_score"]
        diff = round(ours - theirs, 4) if ours is not None and theirs is not None else None
        people = rec["submitters"] or [{"name": "", "sid": "", "email": ""}]
        for person in people:
            rows.append({**person, "submission": rec["name"], "score": ours, "gradescope_score": theirs,
                         "difference": diff, "max_score": rec["max_score"], "seconds": rec["seconds"],
                         "problems": "; ".join(rec["problems"])})
    return rows


def _cell(value):
    """A CSV cell; text that a spreadsheet would run as a formula (a name such as '=HYPERLINK(...)') is quoted."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def changed(row: dict) -> bool:
    """A score that differs from Gradescope's, or one Gradescope gave that we could not reproduce."""
    if row["gradescope_score"] is None:
        return False
    return row["score"] is None or abs(row["score"] - row["gradescope_score"]) > 1e-6


def regrade(zip_path: Path, export_path: Path, out: Path, workers: int = 2, *, scheduler: str | None = None,
            force: bool = False, changed_only: bool = False, timeout: float = 3600,
            progress: bool = True) -> Regrade:
    """Grade every submission of the export with ``zip_path``; write the CSV, the results and the report."""
    from .report import write_report

    zip_bytes = Path(zip_path).read_bytes()
    zip_sha = hashlib.sha256(zip_bytes).hexdigest()
    out = Path(out)
    ledger_path = out / "graded.json"
    ledger = json.loads(ledger_path.read_text()) if ledger_path.is_file() and not force else {}
    result = Regrade(out / "scores.csv", out / "report.html")
    with open_export(export_path) as export:
        out.mkdir(parents=True, exist_ok=True)
        result.problems = list(export.problems)
        records = {e.name: _record(e) for e in export.entries}
        jobs = _jobs(export, records, ledger, zip_sha, out, force, result)
        saved = time.monotonic()
        if scheduler:
            finished = grade_on_dask(scheduler, zip_bytes, jobs, timeout)
        else:
            finished = grade_locally(zip_bytes, jobs, workers, timeout)
        try:
            for name, outcome, error in _progress(finished, progress):
                record = records[name]
                if error is not None:
                    record["problems"].append(error)
                    result.failed += 1
                    continue
                _apply(record, outcome, out)
                result.graded += 1
                ledger[name] = {"zip": zip_sha, "submission": record.get("digest"), "seconds": record["seconds"],
                                "problems": outcome.get("problems", []), "host": record["host"],
                                "drops_privileges": record["drops_privileges"]}
                if time.monotonic() - saved > 5:
                    _write_json(ledger_path, ledger)
                    saved = time.monotonic()
        finally:  # an interrupted run keeps what it graded
            _write_json(ledger_path, ledger)
    ordered = [records[n] for n in sorted(records, key=natural_key)]
    rows = _submitter_rows(ordered)
    result.changed = sum(1 for r in rows if changed(r))
    if changed_only:
        rows = [r for r in rows if changed(r)]
    result.rows = len(rows)
    with open(result.csv, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_FIELDS)
        writer.writeheader()
        writer.writerows({k: _cell(v) for k, v in r.items()} for r in rows)
    _write_json(out / "regrade.json", {"zip": Path(zip_path).name,
                                       "zip_sha256": zip_sha, "export": str(export_path),
                                       "problems": result.problems, "submissions": ordered})
    write_report(out)
    return result


def _progress(items: Iterator, show: bool) -> Iterator:
    if not show:
        yield from items
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("Regrading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()) as bar:
        task = bar.add_task("regrade", total=None)  # unknown until the export is read: graded ones are skipped
        for item in items:
            bar.advance(task)
            yield item

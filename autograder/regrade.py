"""``autograder regrade``: grade a whole Gradescope submissions export in parallel."""

from __future__ import annotations

import csv
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from .emulate import emulate


def submissions_in(export: Path) -> list[Path]:
    """Each folder of the export that holds a submission (Gradescope names them submission_<id>)."""
    return sorted(p for p in export.iterdir() if p.is_dir() and not p.name.startswith("."))


def regrade(zip_path: Path, export: Path, out: Path, workers: int = 2) -> Path:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    subs = submissions_in(export)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    with Progress(TextColumn("Regrading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()) as bar:
        task = bar.add_task("regrade", total=len(subs))
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = {pool.submit(emulate, zip_path, sub, results_copy=out / sub.name / "results.json"): sub
                       for sub in subs}
            for fut in as_completed(futures):
                sub = futures[fut]
                try:
                    em = fut.result()
                    doc = em.results
                    rows.append({"submission": sub.name, "score": doc.get("score", 0),
                                 "max_score": sum(t.get("max_score", 0) for t in doc.get("tests", [])),
                                 "seconds": round(em.seconds, 1),
                                 "problems": "; ".join(em.problems)})
                except Exception as exc:  # one bad folder never stops the class
                    rows.append({"submission": sub.name, "score": 0, "max_score": 0, "seconds": 0,
                                 "problems": f"could not grade: {exc}"})
                bar.advance(task)
    rows.sort(key=lambda r: r["submission"])
    csv_path = out / "scores.csv"
    with open(csv_path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["submission", "score", "max_score", "seconds", "problems"])
        writer.writeheader()
        writer.writerows(rows)
    return csv_path

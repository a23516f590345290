"""``python -m autograder check``: the public tests, graded as Gradescope grades them, in a table."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from ..grading import selection
from ..grading.manifest import load_manifest
from ..grading.session import Layout, grade


def bundle_layout(folder: Path) -> Layout:
    manifest = load_manifest(folder / "assignment.toml")
    info_path = folder / ".autograder-bundle.json"
    support = json.loads(info_path.read_text())["support_files"] if info_path.is_file() else []
    recorded = folder / "tests" / "fixtures"   # expected values recorded from the reference at build time
    return Layout(manifest, [folder / "tests" / "public"], folder / "tests" / "probes",
                  support_root=folder, support_files=support, complete=False,
                  fixtures=recorded if recorded.is_dir() else None)


def check(folder: Path, keyword: str | list[str] | None = None, verbose: bool = False,
          html: bool | str = False) -> int:
    """Run the public tests with Gradescope's scoring and print a table; 0 when all pass.

    ``keyword`` selects tests as ``check -k`` does: task numbers (``1.2``; ``3.`` for all of
    task 3), words of test names, pytest's ``and``/``or``/``not`` (see :mod:`autograder.grading.selection`).
    Returns 2 when nothing matches it. ``verbose`` (``check -v``) also prints which user runs
    the student's code. ``html`` (``check --html [PATH]``) also writes the feedback, pictures
    included, and the curves of the recorded runs into one page, and prints its path.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .console import print_results

    folder = folder.resolve()
    if not (folder / "assignment.toml").is_file():
        print(f"No assignment.toml in {folder}: run this inside your unpacked assignment folder.")
        return 2
    layout = bundle_layout(folder)
    expression = selection.expression(keyword) if keyword else None
    import sys

    console = Console(file=sys.stdout)
    found: dict = {}
    with tempfile.TemporaryDirectory(prefix="autograder-check-") as tmp:
        os.chmod(tmp, 0o711)  # when run as root, the sandbox user must reach its working copy
        with Progress(TextColumn("[bold]Grading[/bold] {task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=True) as bar:
            task = bar.add_task("collecting tests", total=None)

            def collected(n: int, numbers: list[str]) -> None:
                found.update(selected=n, numbers=numbers)
                bar.update(task, total=n, description="public tests")

            def advance(nodeid: str, entry: dict) -> None:
                bar.update(task, advance=1, description=entry["name"][:40])

            doc = grade(layout, folder, Path(tmp) / "results.json", Path(tmp) / "area", quiet=True,
                        keyword=expression, progress=advance, on_collected=collected, verbose=verbose)
    if expression and found.get("selected") == 0:
        typed = keyword if isinstance(keyword, str) else " ".join(keyword or [])
        numbers = ", ".join(found.get("numbers") or []) or "none"
        console.print(f"No public test matches -k {typed}. Select tests by task number (-k 1.2, or -k 3. for "
                      f"every part of task 3) or by a word of a test's name.\nThe public tests are numbered: "
                      f"{numbers}.", markup=False, highlight=False)
        return 2
    hint = "" if html else ("{n} test(s) show pictures of your results: `python -m autograder check --html` "
                            "writes them into a page you can open in a browser.")
    print_results(doc, console, title=f"{layout.manifest.title}: public tests", pictures_hint=hint)
    if html:
        from .page import write_page

        target = write_page(doc, f"{layout.manifest.title}: public tests", folder,
                            Path(html) if isinstance(html, str) else None)
        console.print(f"Feedback with pictures: {target}", markup=False, highlight=False)
    console.print("Hidden tests run only on Gradescope; passing every public test does not guarantee full marks.")
    return 0 if all(t.status == "passed" for t in doc.tests) else 1

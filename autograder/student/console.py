"""How results look in a terminal: the table of tests that ``check`` and ``emulate`` print."""

from __future__ import annotations

from ..grading.results import Results


def print_results(doc: Results, console=None, title: str = "Results") -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = console or Console()
    table = Table(title=title)
    for col in ("number", "test", "score", "status", "visibility"):
        table.add_column(col)
    for test in doc.tests:
        status = test.status or ""
        style = "green" if status == "passed" else "red"
        table.add_row(escape(test.number or ""), escape(test.name), f"{test.score:g} / {test.max_score:g}",
                      f"[{style}]{status}[/{style}]", test.visibility or "visible")
    console.print(table)
    for test in doc.tests:
        if test.status == "failed" and test.output:
            console.print(f"[bold]{escape(test.label)}[/bold]")
            console.print(test.output, markup=False, highlight=False)
    console.print(doc.output, markup=False, highlight=False)
    for entry in doc.leaderboard:
        console.print(f"leaderboard {entry.name}: {entry.value}")

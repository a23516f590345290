"""How results look in a terminal: the table of tests that ``check`` and ``emulate`` print."""

from __future__ import annotations

from ..grading.results import Results


def print_results(doc: Results, console=None, title: str = "Results", pictures_hint: str = "") -> None:
    """The table, each failed test's text, the summary; ``pictures_hint`` is printed when some
    test's output holds pictures (which a terminal cannot show)."""
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
    pictures = 0
    for test in doc.tests:
        pictures += test.output_format == "html"
        if test.status == "failed" and test.output:
            console.print(f"[bold]{escape(test.label)}[/bold]")
            console.print(test.text, markup=False, highlight=False)
    console.print(doc.output, markup=False, highlight=False)
    if pictures and pictures_hint:
        console.print(pictures_hint.format(n=pictures), markup=False, highlight=False)
    for entry in doc.leaderboard:
        console.print(f"leaderboard {entry.name}: {entry.value}")

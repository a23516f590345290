"""How results look in a terminal: the table of tests that ``check`` and ``emulate`` print."""

from __future__ import annotations


def print_results(doc: dict, console=None, title: str = "Results") -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = console or Console()
    table = Table(title=title)
    for col in ("number", "test", "score", "status", "visibility"):
        table.add_column(col)
    for test in doc.get("tests", []):
        status = test.get("status", "")
        style = "green" if status == "passed" else "red"
        table.add_row(escape(test.get("number", "")), escape(test.get("name", "")),
                      f"{test.get('score', 0):g} / {test.get('max_score', 0):g}",
                      f"[{style}]{status}[/{style}]", test.get("visibility", "visible"))
    console.print(table)
    for test in doc.get("tests", []):
        if test.get("status") == "failed" and test.get("output"):
            console.print(f"[bold]{escape(test.get('number', ''))} {escape(test.get('name', ''))}[/bold]")
            console.print(test["output"], markup=False, highlight=False)
    console.print(doc.get("output", ""), markup=False, highlight=False)
    for entry in doc.get("leaderboard", []):
        console.print(f"leaderboard {entry['name']}: {entry['value']}")

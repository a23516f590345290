"""Run files shown in a report as Markdown: ``metrics.csv`` and ``summary.json`` as tables,
``samples.txt`` as verbatim text, a ``.tex`` answer through pandoc's LaTeX reader. Images are left
to the typesetter."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path

from .source import FIGURE_SUFFIXES

MAX_ROWS = 40
MAX_TEXT_LINES = 60
MAX_CELL = 120


def _cell(value: object) -> str:
    if isinstance(value, float):
        text = f"{value:.4g}"
    elif isinstance(value, (dict, list)):
        text = json.dumps(value, separators=(", ", ": "))
    else:
        text = str(value)
        try:
            number = float(text)
            if "." in text or "e" in text.lower():
                text = f"{number:.4g}"
        except ValueError:
            pass
    if len(text) > MAX_CELL:
        text = text[:MAX_CELL - 3] + "..."
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("$", "\\$") or " "


def markdown_table(header: Sequence[object], rows: Sequence[Sequence[object]], caption: str, note: str = "") -> str:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |",
             "|" + "---|" * len(header)]
    for row in rows:
        cells = [_cell(v) for v in row] + [" "] * (len(header) - len(row))
        lines.append("| " + " | ".join(cells[:len(header)]) + " |")
    out = "\n\n" + "\n".join(lines) + "\n\n"
    if caption or note:
        out += f": {caption}{' ' if caption and note else ''}{note}\n\n"
    return out


def csv_table(path: Path, rel: str, caption: str) -> str:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows:
        return f"\n\n*{rel} is empty.*\n\n"
    header, body = rows[0], rows[1:]
    note = ""
    if len(body) > MAX_ROWS:
        note = f"(the first {MAX_ROWS} of {len(body)} rows of {rel})"
        body = body[:MAX_ROWS]
    return markdown_table(header, body, caption, note)


def json_table(path: Path, rel: str, caption: str) -> str:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{rel} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if isinstance(data, dict) and data and all(isinstance(v, dict) for v in data.values()):
        # one row per entry (a run, a model), one column per number or word it holds; lists are left to
        # the tables that show them (metrics.csv)
        columns = list(dict.fromkeys(k for v in data.values() for k, x in v.items() if not isinstance(x, (dict, list))))
        if columns:
            return markdown_table([""] + columns, [[k] + [v.get(c, "") for c in columns] for k, v in data.items()],
                                  caption)
    if isinstance(data, dict):
        return markdown_table(["key", "value"], [[k, v] for k, v in data.items()], caption)
    if isinstance(data, list) and data and all(isinstance(r, dict) for r in data):
        header = list(dict.fromkeys(k for r in data for k in r))
        return markdown_table(header, [[r.get(k, "") for k in header] for r in data[:MAX_ROWS]], caption)
    return verbatim(json.dumps(data, indent=1), rel, caption)


def verbatim(text: str, rel: str, caption: str) -> str:
    """Text as it is, one block per paragraph (a sample of several lines is never split across pages)."""
    lines = text.splitlines()
    note = ""
    if len(lines) > MAX_TEXT_LINES:
        note = f"\n*(the first {MAX_TEXT_LINES} of {len(lines)} lines of {rel})*\n"
        lines = lines[:MAX_TEXT_LINES]
    fence = "~" * max(4, 1 + max((len(x) - len(x.lstrip("~")) for x in lines), default=0))
    title = f"**{caption}**\n\n" if caption else ""
    chunks, current = [], []
    for line in lines + [""]:
        if line.strip():
            current.append(line)
        elif current:
            chunks.append(current)
            current = []
    blocks = "\n\n".join(f"{fence}\n" + "\n".join(chunk) + f"\n{fence}" for chunk in chunks)
    return f"\n\n{title}{blocks}\n{note}\n"


def embed_file(path: Path, rel: str, caption: str) -> str | None:
    """Markdown standing for a run file, or None for an image the typesetter places itself."""
    suffix = path.suffix.lower()
    if suffix in FIGURE_SUFFIXES:
        return None
    try:
        if suffix == ".tex":
            from .latex import latex_to_markdown

            return "\n\n" + latex_to_markdown(path.read_text(encoding="utf-8"), rel) + "\n\n"
        if suffix == ".csv":
            return csv_table(path, rel, caption)
        if suffix == ".json":
            return json_table(path, rel, caption)
        if suffix in (".txt", ".md", ".log"):
            return verbatim(path.read_text(encoding="utf-8", errors="replace"), rel, caption)
    except (OSError, csv.Error, UnicodeDecodeError) as exc:
        raise ValueError(f"{rel} could not be read: {exc}") from None
    kinds = ", ".join(FIGURE_SUFFIXES + (".csv", ".json", ".txt", ".tex"))
    raise ValueError(f"{rel}: a report shows only figures, tables, text and LaTeX answers ({kinds})")

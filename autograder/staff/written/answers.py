"""Staff answers computed from their runs: a small Jinja2 vocabulary over ``runs/<name>/``.

A staff answer to an experiment question quotes its numbers through template expressions, so the
key and the reference report always agree with the figures beside them::

    The attention RNN reaches a test BLEU of {{ run("rnn_attention").summary.test_bleu | num(1) }}
    after {{ run("rnn_attention").summary.epochs }} epochs; the strongest model by BLEU is
    `{{ best(["rnn", "lstm", "transformer"], "summary.test_bleu").name }}`.

    {{ table(["rnn", "lstm"], [("model", "name"), ("test BLEU", "summary.test_bleu", 1)]) }}

Vocabulary:

- ``run(name)``: the run folder ``runs/<name>/``, with ``.summary`` (``summary.json``), ``.config``
  (``config.yaml``), ``.final`` (the last row of ``metrics.csv``), ``.metrics`` (every row),
  ``.column("valid_acc")``, ``.row(epoch=3)``, ``.name``, ``.shortened``, ``.command``,
  ``.full_command``. Values read as attributes or items (``.summary["test_bleu"]``); a key that is not
  there is an error naming the file and the keys it has.
- ``best(names, "summary.test_bleu")``, ``worst(...)``, ``ranked(...)`` (best first); ``lowest=True``
  where smaller is better (losses, perplexities).
- ``table(names, columns)``: a Markdown table, one row per run; a column is ``(header, path)`` or
  ``(header, path, decimals)``; the path ``name`` is the run's name.
- ``check(condition, "what the answer assumes")``: nothing, or an error when the runs stop agreeing
  with what the answer shows (for example which run's samples it quotes).
- ``run(name).samples``: the paragraphs of ``samples.txt`` (``.source``, ``.reference``, ``.model``, and
  ``.exact``: the model wrote the reference word for word).
- filters: ``num(d)`` (``d`` decimals), ``sig(n)`` (``n`` significant digits), ``pct(d)`` (0.97 -> 97%),
  ``sep`` (12288 -> 12,288), ``mean``, and Jinja's own (``round``, ``min``, ``max``, ``sum``, ``map``, ...);
  ``zip`` is Python's.

``typed_numbers`` finds the numbers an experiment answer types instead (a test fails on them).
"""

from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...student.written.source import Question


class AnswerError(ValueError):
    """A template expression that cannot be computed: the message names the run, the file and the key."""


class MissingRun(AnswerError):
    """The run a staff answer reads was not made (a build without the reference runs)."""


@dataclass
class RunOrigin:
    """How a run folder was made: by which reference run, with which command, shortened or not."""

    spec: str
    command: list[str]
    full_command: list[str] | None = None
    key: str = ""
    cached: bool = False

    @property
    def shortened(self) -> bool:
        return self.full_command is not None


class Values:
    """A dict read as attributes or items; a missing key names the file it was looked up in."""

    def __init__(self, data: dict, where: str):
        self._data, self._where = data, where

    def _get(self, key: str) -> Any:
        if key not in self._data:
            keys = ", ".join(sorted(map(str, self._data))) or "none"
            raise AnswerError(f"{self._where} has no {key!r} (it has: {keys})")
        return wrap(self._data[key], f"{self._where}[{key!r}]")

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        return self._get(key)

    def __getitem__(self, key: str) -> Any:
        return self._get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self):
        return iter(self._data)

    def items(self):
        return [(k, wrap(v, f"{self._where}[{k!r}]")) for k, v in self._data.items()]

    def keys(self):
        return list(self._data)

    def values(self):
        return [wrap(v, f"{self._where}[{k!r}]") for k, v in self._data.items()]

    def __len__(self) -> int:
        return len(self._data)


def wrap(value: Any, where: str) -> Any:
    return Values(value, where) if isinstance(value, dict) else value


def _number(text: str) -> Any:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return text
    return int(value) if value.is_integer() and re.fullmatch(r"-?\d+", text.strip()) else value


class RunData:
    """One run folder, read on demand."""

    def __init__(self, name: str, folder: Path, origin: RunOrigin | None):
        self.name, self.folder, self.origin = name, folder, origin

    def _file(self, filename: str) -> Path:
        path = self.folder / filename
        if not path.is_file():
            raise AnswerError(f"runs/{self.name}/{filename} does not exist (the run wrote: "
                              f"{', '.join(sorted(p.name for p in self.folder.iterdir())) or 'nothing'})")
        return path

    @property
    def summary(self) -> Values:
        return Values(json.loads(self._file("summary.json").read_text(encoding="utf-8")),
                      f"runs/{self.name}/summary.json")

    @property
    def config(self) -> Values:
        import yaml

        data = yaml.safe_load(self._file("config.yaml").read_text(encoding="utf-8")) or {}
        return Values(data, f"runs/{self.name}/config.yaml")

    @property
    def metrics(self) -> list[Values]:
        with open(self._file("metrics.csv"), newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        return [Values({k: _number(v) for k, v in row.items()}, f"runs/{self.name}/metrics.csv row {i + 1}")
                for i, row in enumerate(rows)]

    @property
    def final(self) -> Values:
        rows = self.metrics
        if not rows:
            raise AnswerError(f"runs/{self.name}/metrics.csv has no rows")
        return rows[-1]

    def column(self, name: str) -> list[Any]:
        return [row[name] for row in self.metrics]

    @property
    def samples(self) -> list[Values]:
        """The paragraphs of ``samples.txt`` as ``key: value`` lines (``source``, ``reference``, ``model``)."""
        text = self._file("samples.txt").read_text(encoding="utf-8")
        out = []
        for i, block in enumerate(b for b in re.split(r"\n\s*\n", text) if b.strip()):
            fields = {}
            for line in block.splitlines():
                key, sep, value = line.partition(":")
                if sep:
                    fields[key.strip()] = value.strip()
            if "model" in fields and "reference" in fields:
                fields["exact"] = fields["model"] == fields["reference"]
            out.append(Values(fields, f"runs/{self.name}/samples.txt sample {i + 1}"))
        return out

    def row(self, **where: Any) -> Values:
        for row in self.metrics:
            if all(row[k] == v for k, v in where.items()):
                return row
        raise AnswerError(f"runs/{self.name}/metrics.csv has no row with {where}")

    @property
    def shortened(self) -> bool:
        return bool(self.origin and self.origin.shortened)

    @property
    def command(self) -> str:
        return " ".join(self.origin.command) if self.origin else ""

    @property
    def full_command(self) -> str:
        return " ".join(self.origin.full_command or self.origin.command) if self.origin else ""

    def value(self, path: str) -> Any:
        """``"summary.test_bleu"``, ``"final.valid_acc"``, ``"config.epochs"`` or ``"name"``."""
        if path == "name":
            return self.name
        head, _, rest = path.partition(".")
        if head not in ("summary", "final", "config") or not rest:
            raise AnswerError(f"{path!r}: a value is summary.KEY, final.COLUMN, config.KEY or name")
        value: Any = getattr(self, head)
        for key in rest.split("."):
            value = value[key]
        return value

    def __str__(self) -> str:
        return self.name


@dataclass
class Runs:
    """The run folders under ``root/runs`` (None: a build without runs) and where each came from."""

    root: Path | None
    origins: dict[str, RunOrigin] = field(default_factory=dict)   # "runs/<name>" -> origin
    used: set[str] = field(default_factory=set)                   # run names the answers read

    def get(self, name: str) -> RunData:
        folder = self.root / "runs" / name if self.root else None
        if folder is None or not folder.is_dir():
            raise MissingRun(f"runs/{name} was not made" + ("" if self.root else " (no reference runs in this build)"))
        self.used.add(name)
        return RunData(name, folder, self.origins.get(f"runs/{name}"))


def _ranked(runs: Runs, names, metric: str, lowest: bool) -> list[RunData]:
    items = [runs.get(n) if isinstance(n, str) else n for n in names]
    if not items:
        raise AnswerError("best/worst/ranked of no runs")
    values = [(r.value(metric), r) for r in items]
    bad = [r.name for v, r in values if not isinstance(v, (int, float)) or math.isnan(v)]
    if bad:
        raise AnswerError(f"{metric} is not a number for {', '.join(bad)}")
    return [r for _, r in sorted(values, key=lambda vr: vr[0], reverse=not lowest)]


def _table(runs: Runs, names, columns) -> str:
    items = [runs.get(n) if isinstance(n, str) else n for n in names]
    header = [c[0] for c in columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    for r in items:
        cells = []
        for column in columns:
            value = r.value(column[1])
            digits = column[2] if len(column) > 2 else None
            cells.append(f"`{value}`" if column[1] == "name" else _format(value, digits))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n\n" + "\n".join(lines) + "\n\n"


def _format(value: Any, digits: int | None) -> str:
    if isinstance(value, float) and digits is not None:
        return f"{value:,.{digits}f}"
    if isinstance(value, float):
        return f"{value:.4g}"
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _check(condition: Any, message: str) -> str:
    """``{{ check(worst(models, "summary.test_bleu").name == "rnn", "the figures show the RNN's samples") }}``:
    an answer that holds only while the runs agree with it says so, and fails loudly when they stop agreeing."""
    if not condition:
        raise AnswerError(f"the runs no longer agree with the answer: {message}")
    return ""


def _num(value: Any, digits: int = 2) -> str:
    return f"{float(value):.{digits}f}"


def _sig(value: Any, n: int = 3) -> str:
    return f"{float(value):.{n}g}"


def _pct(value: Any, digits: int = 0) -> str:
    return f"{100 * float(value):.{digits}f}%"


def _mean(values: Any) -> float:
    values = [float(v) for v in values]
    if not values:
        raise AnswerError("the mean of no values")
    return sum(values) / len(values)


def _sep(value: Any) -> str:
    return f"{int(round(float(value))):,}"


def environment(runs: Runs):
    """A Jinja2 environment with the vocabulary above; undefined names are errors, nothing is escaped."""
    import jinja2

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False,  # noqa: S701 (Markdown, not HTML)
                             keep_trailing_newline=True)
    env.globals.update(
        run=runs.get,
        best=lambda names, metric, lowest=False: _ranked(runs, names, metric, lowest)[0],
        worst=lambda names, metric, lowest=False: _ranked(runs, names, metric, lowest)[-1],
        ranked=lambda names, metric, lowest=False: _ranked(runs, names, metric, lowest),
        table=lambda names, columns: _table(runs, names, columns),
        check=_check,
    )
    env.globals["zip"] = zip
    env.filters.update(num=_num, sig=_sig, pct=_pct, sep=_sep, mean=_mean)
    return env


def render_answer(text: str, runs: Runs, where: str) -> str:
    """The staff answer with its expressions computed; AnswerError (or MissingRun) names ``where``."""
    import jinja2

    if "{{" not in text and "{%" not in text:
        return text
    try:
        return environment(runs).from_string(text).render()
    except MissingRun as exc:
        raise MissingRun(f"{where}: {exc}") from None
    except AnswerError as exc:
        raise AnswerError(f"{where}: {exc}") from None
    except jinja2.TemplateError as exc:
        lineno = getattr(exc, "lineno", None)
        line = f" (line {lineno} of the answer)" if lineno else ""
        raise AnswerError(f"{where}: {exc.message or exc}{line}") from None
    except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError) as exc:
        raise AnswerError(f"{where}: {type(exc).__name__}: {exc}") from None


_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_CODE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`", re.S)
_FIGURE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
#: Digits that are references, not measurements: "Question 3b", "Questions 1 and 2", "task 2.5".
_REFERENCE = re.compile(r"\b(?:Questions?|[Tt]asks?|Part|Parts|Section|Figure|Table)\s+\d+[a-z]?(?:\.\d+)*[a-z]?"
                        r"(?:(?:,\s*|\s+and\s+|\s+or\s+|\s*[-\u2013]\s*|\s+to\s+)\d+[a-z]?(?:\.\d+)*[a-z]?)*")
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])\.?\d[\d.,]*")
_SUBSCRIPT = re.compile(r"_\{?\d+\}?")   # $L_2$, $x_1$: names, not measurements


def typed_numbers(q: Question) -> list[str]:
    """The numbers an experiment answer (a question with figures or tables) types outside template
    expressions, code and references to questions or tasks, each with a little context."""
    if not q.expects:
        return []
    text = _COMMENT.sub(" ", q.solution)
    for pattern in (_TEMPLATE, _CODE, _FIGURE, _REFERENCE, _SUBSCRIPT):
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    found = []
    for m in _NUMBER.finditer(text):   # a word that starts with a letter (seq2seq, L2) is a name
        if m.group(0).rstrip(".,") in ("0", "1"):   # the constants of formulas: $1 - \eta\lambda$, $\approx 0$
            continue
        start = max(0, m.start() - 30)
        found.append(" ".join(q.solution[start:m.end() + 10].split()))
    return found


def figure_runs(markdown: str) -> list[str]:
    """``runs/<name>`` of every figure or table a Markdown text shows, in order, without repeats."""
    from ...student.written.render import figure_refs

    out: list[str] = []
    for _, _, _, rel in figure_refs(markdown):
        parts = Path(rel).parts
        if len(parts) >= 3 and parts[0] == "runs":
            folder = f"runs/{parts[1]}"
            if folder not in out:
                out.append(folder)
    return out


def shortened_notes(markdown: str, runs: Runs) -> str:
    """After the last figure of each shortened reference run, say so, with the full-length command."""
    from ...student.written.render import figure_refs

    refs = figure_refs(markdown)
    last_of: dict[str, int] = {}
    for i, (_, _, _, rel) in enumerate(refs):
        parts = Path(rel).parts
        if len(parts) >= 3 and parts[0] == "runs":
            origin = runs.origins.get(f"runs/{parts[1]}")
            if origin and origin.shortened:
                last_of[origin.spec] = i
    for spec, i in sorted(last_of.items(), key=lambda kv: -kv[1]):
        origin = next(o for o in runs.origins.values() if o.spec == spec)
        end = refs[i][1]
        note = (f"\n\n*Shortened for CI ({spec}):* `{' '.join(origin.command)}`. "
                f"*Full length:* `{' '.join(origin.full_command or [])}`.\n\n")
        markdown = markdown[:end] + note + markdown[end:]
    return markdown

"""Gradescope's ``results.json``: typed, read tolerantly, validated and written failing safe.

This module alone reads and writes results files. :class:`Results` and :class:`TestResult` are
what the grader builds and what the staff tools (``verify``, ``mutants``, ``emulate``,
``regrade``) and the student's ``check`` read back. Reading is tolerant: Gradescope's own files
and those of older graders may lack keys or hold odd types; unknown keys are kept, so a document
read and written again loses nothing.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

_lock = threading.Lock()
MAX_RESULTS_BYTES = 1_000_000
MAX_TEST_OUTPUT = 8_000
#: An HTML output (a public test with pictures, see :mod:`autograder.grading.figures`) may be longer:
#: its pictures are PNG data URIs. It is cut by tokens, never inside a tag or an image.
MAX_HTML_OUTPUT = 120_000
SCHEMA_PATH = Path(__file__).with_name("schema") / "results.schema.json"

GRADER_FAILED = (
    "The autograder itself ran into a problem while grading this submission, so no score could "
    "be given. This is not a judgement of your code. Please resubmit; if it happens again, tell the "
    "course staff (they can see the details)."
)


@lru_cache(maxsize=1)
def _validator():
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def validate(doc: Any) -> list[str]:
    """Return every schema violation of ``doc`` (empty when valid), with the reference validator."""
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in _validator().iter_errors(doc)]


@lru_cache(maxsize=1)
def _fast_validator():
    import fastjsonschema

    return fastjsonschema.compile(json.loads(SCHEMA_PATH.read_text()))


def validate_fast(doc: Any) -> list[str]:
    """The first schema violation of ``doc``, if any: what the grader runs on every results file.

    fastjsonschema compiles the same schema to Python in a few milliseconds, where importing the
    reference validator costs about 45 ms of CPU on each grading run. The framework's tests hold
    the two to the same verdicts.
    """
    import fastjsonschema

    try:
        _fast_validator()(doc)
    except fastjsonschema.JsonSchemaException as exc:
        return [str(exc)]
    return []


def number_key(number: str | None) -> tuple:
    """Sort key for test numbers like '1.10' after '1.9'; entries without a number go last."""
    if not number:
        return (1, ())
    return (0, tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.\-]", number)))


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 60] + f"\n[... output cut: {len(text) - limit + 60} more characters ...]"


def clip_text(text: str) -> str:
    """Plain text cut to a text output's budget (the text part of an HTML output too)."""
    return _clip(text, MAX_TEST_OUTPUT)


def _clip_output(test: dict, limit: int) -> str:
    """A test's output under ``limit`` characters (HTML: under its own, larger budget, cut by tokens)."""
    text = str(test.get("output", ""))
    if test.get("output_format") == "html":
        from .figures import clip_html

        return clip_html(text, limit * MAX_HTML_OUTPUT // MAX_TEST_OUTPUT)
    return _clip(text, limit)


def _clean_text(value: Any) -> Any:
    """Strings as valid UTF-8 (a lone surrogate from student text would stop the write), recursively."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [_clean_text(v) for v in value]
    if isinstance(value, dict):
        return {_clean_text(k): _clean_text(v) for k, v in value.items()}
    return value


def _clean_leaderboard(entries: Any) -> list:
    """Keep entries whose value is a finite number or a short string (JSON has no NaN or inf)."""
    out = []
    for entry in entries if isinstance(entries, list) else []:
        value = entry.get("value") if isinstance(entry, dict) else None
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            continue
        if isinstance(value, float) and not math.isfinite(value):
            continue
        out.append({**entry, "value": value[:200] if isinstance(value, str) else value})
    return out


def finalize(doc: dict) -> dict:
    """Sanitize numbers and cap sizes so the document is always valid and under the size limit."""
    doc = _clean_text(doc)
    if "leaderboard" in doc:
        doc["leaderboard"] = _clean_leaderboard(doc["leaderboard"])
    for test in doc.get("tests", []):
        for key in ("score", "max_score"):
            value = test.get(key, 0)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
                test[key] = 0.0
        test["output"] = _clip_output(test, MAX_TEST_OUTPUT)
    if "score" in doc and (not isinstance(doc["score"], (int, float)) or not math.isfinite(doc["score"])):
        doc["score"] = 0.0
    doc["output"] = _clip(str(doc.get("output", "")), 20_000)
    limit = MAX_TEST_OUTPUT
    while len(json.dumps(doc)) > MAX_RESULTS_BYTES and limit > 200:
        limit //= 2
        for test in doc.get("tests", []):
            test["output"] = _clip_output(test, limit)
    return doc


def warm_up() -> None:
    """Compile the validator ahead of time (safe to call from a thread)."""
    with _lock:
        _fast_validator()


def _number(value: Any, default: float | None = 0.0) -> float | None:
    """``value`` as a finite float, or ``default`` (booleans, strings and NaN are not scores)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return default
    return float(value)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _choice(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@dataclass
class TestResult:
    """One entry of ``tests``: a graded test, or a problem the grader reports as a failed entry."""

    __test__: ClassVar[bool] = False   # not a pytest test class, whatever its name says

    name: str
    score: float = 0.0
    max_score: float = 0.0
    status: str | None = None          # "passed" or "failed"; Gradescope infers it when absent
    output: str = ""
    output_format: str | None = None
    visibility: str | None = None
    number: str | None = None
    tags: list[str] = field(default_factory=list)
    extra_data: dict[str, Any] = field(default_factory=dict)
    other: dict[str, Any] = field(default_factory=dict)    # keys this framework does not use

    _KNOWN: ClassVar[tuple[str, ...]] = ("name", "score", "max_score", "status", "output", "output_format",
                                         "visibility", "number", "tags", "extra_data")

    @property
    def passed(self) -> bool:
        """Passed as Gradescope counts it: by status, else by full marks."""
        if self.status is not None:
            return self.status == "passed"
        return self.score >= self.max_score

    @property
    def suite(self) -> str:
        """``public`` or ``hidden``: which test folder the entry came from (public when not recorded)."""
        return "hidden" if self.extra_data.get("suite") == "hidden" else "public"

    @property
    def seconds(self) -> float | None:
        """Setup, call and teardown time of the test, where the grader recorded it."""
        return _number(self.extra_data.get("seconds"), None)

    @property
    def label(self) -> str:
        return f"{self.number or ''} {self.name}".strip()

    @property
    def text(self) -> str:
        """The output as plain text: an HTML output's words, its pictures as ``[figure: caption]``."""
        if self.output_format == "html":
            from .figures import html_to_text

            return html_to_text(self.output)
        return self.output

    @classmethod
    def from_json(cls, data: Any) -> TestResult:
        data = data if isinstance(data, dict) else {}
        number = data.get("number")
        tags = data.get("tags")
        extra = data.get("extra_data")
        return cls(name=_text(data.get("name")), score=_number(data.get("score")) or 0.0,
                   max_score=_number(data.get("max_score")) or 0.0, status=_choice(data.get("status")),
                   output=_text(data.get("output")), output_format=_choice(data.get("output_format")),
                   visibility=_choice(data.get("visibility")),
                   number=None if number is None or number == "" else str(number),
                   tags=[str(t) for t in tags] if isinstance(tags, list) else [],
                   extra_data=dict(extra) if isinstance(extra, dict) else {},
                   other={k: v for k, v in data.items() if k not in cls._KNOWN})

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {**self.other, "name": self.name, "score": self.score, "max_score": self.max_score}
        if self.status is not None:
            doc["status"] = self.status
        doc["output"] = self.output
        for key in ("output_format", "visibility", "extra_data", "number", "tags"):
            value = getattr(self, key)
            if value is not None and value != [] and value != {}:
                doc[key] = value
        return doc


@dataclass
class LeaderboardEntry:
    """One value a submission posts to a leaderboard column."""

    name: str
    value: float | int | str
    order: str = "desc"

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "order": self.order}


@dataclass
class Results:
    """A whole ``results.json`` document."""

    score: float | None = None
    execution_time: float | None = None
    output: str = ""
    output_format: str | None = None
    stdout_visibility: str | None = None
    visibility: str | None = None
    tests: list[TestResult] = field(default_factory=list)
    leaderboard: list[LeaderboardEntry] = field(default_factory=list)
    extra_data: dict[str, Any] = field(default_factory=dict)
    other: dict[str, Any] = field(default_factory=dict)

    _KNOWN: ClassVar[tuple[str, ...]] = ("score", "execution_time", "output", "output_format",
                                         "stdout_visibility", "visibility", "tests", "leaderboard", "extra_data")

    @classmethod
    def from_json(cls, data: Any) -> Results:
        """The typed document; entries that are not objects are dropped, bad numbers become absent."""
        data = data if isinstance(data, dict) else {}
        tests = data.get("tests")
        board = data.get("leaderboard")
        extra = data.get("extra_data")
        entries = []
        for e in board if isinstance(board, list) else []:
            value = e.get("value") if isinstance(e, dict) else None
            if isinstance(value, (int, float, str)) and not isinstance(value, bool):
                entries.append(LeaderboardEntry(_text(e.get("name")), value, _choice(e.get("order")) or "desc"))
        return cls(score=_number(data.get("score"), None), execution_time=_number(data.get("execution_time"), None),
                   output=_text(data.get("output")), output_format=_choice(data.get("output_format")),
                   stdout_visibility=_choice(data.get("stdout_visibility")),
                   visibility=_choice(data.get("visibility")),
                   tests=[TestResult.from_json(t) for t in tests if isinstance(t, dict)] if isinstance(tests, list)
                   else [],
                   leaderboard=entries, extra_data=dict(extra) if isinstance(extra, dict) else {},
                   other={k: v for k, v in data.items() if k not in cls._KNOWN})

    @classmethod
    def load(cls, path: Path | str) -> Results:
        """Read a results file; ``OSError`` when it cannot be read, ``ValueError`` when it is not JSON."""
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))

    @classmethod
    def read_checked(cls, path: Path | str) -> tuple[Results, list[str]]:
        """The document at ``path`` and what is wrong with the file as written (empty when valid)."""
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            return cls(), [f"results.json missing or not JSON: {exc}"]
        return cls.from_json(raw), validate(raw)

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = dict(self.other)
        if self.score is not None:
            doc["score"] = self.score
        if self.execution_time is not None:
            doc["execution_time"] = self.execution_time
        doc["output"] = self.output
        for key in ("output_format", "stdout_visibility", "visibility"):
            if getattr(self, key) is not None:
                doc[key] = getattr(self, key)
        if self.extra_data:
            doc["extra_data"] = self.extra_data
        doc["tests"] = [t.to_json() for t in self.tests]
        if self.leaderboard:
            doc["leaderboard"] = [e.to_json() for e in self.leaderboard]
        return doc

    def validate(self) -> list[str]:
        return validate(self.to_json())

    def totals(self) -> tuple[float, float]:
        """(points earned, points possible) summed over the tests."""
        return summarize(self.tests)

    def write_atomic(self, path: Path | str, check: bool = True) -> None:
        write_atomic(self, path, check)


def write_atomic(doc: Results | dict, path: Path | str, check: bool = True) -> None:
    """Write ``doc`` to ``path`` through a temporary file and a rename.

    With ``check`` (the grader's final document) numbers are sanitised, sizes capped and the
    schema enforced first. ``check=False`` writes the document as it is: the fixed fail-safe
    documents of this module, which the framework's tests validate once, and files a staff tool
    stores as the grader wrote them.
    """
    path = Path(path)
    data = doc.to_json() if isinstance(doc, Results) else doc
    if check:
        data = finalize(data)
        with _lock:
            problems = validate_fast(data)
        if problems:
            raise ValueError(f"results document does not match the schema: {problems[:3]}")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".results-", dir=str(path.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False)
            fh.write("\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def failure_document(message: str = GRADER_FAILED, execution_time: float = 0.0) -> Results:
    """A zero-score document that tells the student in plain words that grading failed."""
    return Results(score=0.0, execution_time=round(max(0.0, execution_time), 3), output=message,
                   stdout_visibility="hidden",
                   tests=[TestResult("Grading did not complete", 0.0, 0.0, "failed", message, visibility="visible")])


def summarize(tests: list[TestResult]) -> tuple[float, float]:
    return (sum(t.score for t in tests), sum(t.max_score for t in tests))

"""Reading Gradescope's submission_metadata.yml, and writing scores.csv cells safely (no grading here)."""

import time

from autograder.staff.classtools.metadata import Submitter, read_metadata
from autograder.staff.classtools.regrade import _cell

RUBY_STYLE = b"""---
submission_7:
  :submitters:
  - :name: Ada Lovelace
    :sid: 01234
    :email: ada@example.edu
  - :name: Alan Turing
    :sid: '0042'
    :email: alan@example.edu
  :created_at: 2026-03-01 23:59:12.123456000 -08:00
  :score: !ruby/object:BigDecimal 18:0.85e2
  :history:
  - :id: 99
    :score: 70.0
submission_8:
  :submitters: []
  :score:
"""


def test_ruby_symbol_keys_tags_and_sids_as_written():
    entries, problems = read_metadata(RUBY_STYLE, "export/submission_metadata.yml")
    assert problems == []
    seven = entries["submission_7"]
    assert seven.submitters == [Submitter("Ada Lovelace", "01234", "ada@example.edu"),
                                Submitter("Alan Turing", "0042", "alan@example.edu")]
    assert seven.gradescope_score == 85.0 and seven.created_at.startswith("2026-03-01 23:59:12")
    assert seven.notes == []
    eight = entries["submission_8"]
    assert eight.submitters == [] and eight.gradescope_score is None


def test_an_alias_bomb_is_refused_quickly():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]"
              for i in range(1, 12)]
    started = time.monotonic()
    entries, problems = read_metadata("\n".join(lines).encode(), "m.yml")
    assert entries is None and "expands too far" in problems[0]
    assert time.monotonic() - started < 10


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted():
    assert _cell('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert _cell("@SUM(A1)") == "'@SUM(A1)" and _cell("+1") == "'+1"
    assert _cell("Ada Lovelace") == "Ada Lovelace" and _cell(-2.0) == -2.0 and _cell(None) == ""

"""The ``autograder`` command: parse the arguments, then hand them to the verb's own module.

Student verbs (``check``, ``submit``, ``report``) live in :mod:`autograder.student.commands`,
staff verbs in :mod:`autograder.staff.commands`. A student bundle ships without
``autograder.staff``, so there only the student verbs are offered.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from pathlib import Path


def _staff_available() -> bool:
    """Whether this copy of the framework has the staff verbs (a student bundle does not).

    The staff package must sit beside this very file: another installation of the framework on
    the same machine (an editable install, say) does not make a bundle a staff tool.
    """
    spec = importlib.util.find_spec("autograder.staff")
    here = Path(__file__).resolve().parent
    return spec is not None and spec.origin is not None and Path(spec.origin).resolve().parent.parent == here


def _dispatch(target: str):
    side, name = target.split(":")
    return getattr(importlib.import_module(f"autograder.{side}.commands"), name)


def _student_verbs(sub) -> None:
    """check, submit, report: what a student runs in a bundle."""
    p = sub.add_parser("check", help="(students) run the public tests with Gradescope's scoring")
    p.add_argument("-k", nargs="+", metavar="WORD",
                   help="only these tests: task numbers (1.2; 3. for all of task 3) or words of test names, "
                        "with and/or/not as in pytest; several words select tests matching any of them")
    p.add_argument("--folder", default=".")
    p.add_argument("-v", "--verbose", action="store_true", help="also say which user the sandbox runs your code as")
    p.add_argument("--html", nargs="?", const=True, default=None, metavar="PATH",
                   help="also write the feedback, with the pictures tests show and your runs' curves, into one "
                        "page (default check_results.html in the assignment folder) and print its path")
    p.set_defaults(func="student:cmd_check")

    p = sub.add_parser("submit", help="(students) write the zip to upload")
    p.add_argument("--folder", default=".")
    p.add_argument("-o", "--output")
    p.set_defaults(func="student:cmd_submit")

    p = sub.add_parser("report", help="(students) render report.md, with its figures and tables, to <id>_report.pdf")
    p.add_argument("--folder", default=".")
    p.add_argument("-o", "--output", help="the PDF to write (default: <id>_report.pdf, or <id>_draft.pdf)")
    p.add_argument("--draft", action="store_true",
                   help="render even with blanks, missing files or answers too long (marked, DRAFT watermark)")
    p.set_defaults(func="student:cmd_report")


def _assignment_verbs(sub) -> None:
    """Staff verbs on the course repository's assignments."""
    p = sub.add_parser("starter", help="generate starter_code/ from the solutions' markers")
    p.add_argument("ids", nargs="*", help="assignment ids (default: all)")
    p.add_argument("--check", action="store_true", help="fail, naming files, if the committed starter drifted")
    p.set_defaults(func="staff:cmd_starter")

    p = sub.add_parser("build", help="write dist/<id>_autograder.zip and dist/<id>_student.zip")
    p.add_argument("ids", nargs="*", help="assignment ids or 'all' (default: all)")
    p.add_argument("--release", action="store_true",
                   help="the build to upload: refuse unless the real data sets of [data] release are present")
    p.add_argument("--draws", type=int, metavar="N",
                   help="record N fixture draws instead of the manifest's [fixtures] draws (a quick trial build)")
    p.set_defaults(func="staff:cmd_build")

    p = sub.add_parser("emulate", help="grade a submission with an autograder zip, as Gradescope would")
    p.add_argument("zip")
    p.add_argument("--submission", required=True, help="a folder or a zip")
    p.add_argument("--results", help="also copy results.json here")
    p.add_argument("--json", action="store_true", help="print the results document instead of a table")
    p.add_argument("--submission-id", type=int, metavar="N",
                   help="Gradescope's submission id to grade as (it picks the inputs drawn for the submission; "
                        "default: a random one, printed, or AUTOGRADER_SUBMISSION_ID)")
    p.set_defaults(func="staff:cmd_emulate")

    p = sub.add_parser("verify", help="solutions score full marks, starters zero, starters in sync, zips emulate, "
                                      "every mutant loses points")
    p.add_argument("ids", nargs="*")
    p.add_argument("--no-mutants", action="store_true", help="skip grading the declared mutants")
    p.add_argument("--cached-proofs", action="store_true",
                   help="show the mutation proof and the reference report where they are cached and current; "
                        "never run them (make autograders)")
    p.add_argument("--fresh", action="store_true", help="ignore the results cached in .cache/verify/")
    p.add_argument("--jobs", type=int, default=None, help="mutant gradings at a time (default: the core count)")
    p.set_defaults(func="staff:cmd_verify")

    p = sub.add_parser("mutants", help="grade the declared plausible mistakes (mutants.toml); every one must lose points")
    p.add_argument("id")
    p.add_argument("--json", help="also write the outcomes as JSON to this path")
    p.add_argument("--jobs", type=int, default=None, help="gradings at a time (default: the core count)")
    p.add_argument("--only", nargs="+", metavar="MUTANT", help="grade only these mutants")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the table")
    p.add_argument("--full", action="store_true",
                   help="grade the hidden tests of every mutant, also where a public test already decides")
    p.set_defaults(func="staff:cmd_mutants")
    _repository_verbs(sub)


def _repository_verbs(sub) -> None:
    """Staff verbs on the repository itself: the key, a new assignment, pins and notebooks."""
    p = sub.add_parser("key", help="the course's staff key (.heldout/key): export it for another TA, import theirs")
    keys = p.add_subparsers(dest="key_command", required=True)
    k = keys.add_parser("export", help="print the key, or write it to FILE (mode 0600)")
    k.add_argument("file", nargs="?")
    k.set_defaults(func="staff:cmd_key_export")
    k = keys.add_parser("import", help="store a key from FILE ('-': standard input) as .heldout/key")
    k.add_argument("file")
    k.add_argument("--force", action="store_true", help="replace a different key already there")
    k.set_defaults(func="staff:cmd_key_import")

    p = sub.add_parser("new", help="start a new assignment in the course repository from a working example")
    p.add_argument("id", help="the assignment id: lowercase letters, digits, underscores")
    p.add_argument("--title", help="the title students see (default: made from the id)")
    p.add_argument("--repo", default=argparse.SUPPRESS, help="course repository root (default: current folder)")
    p.set_defaults(func="staff:cmd_new")

    p = sub.add_parser("requirements", help="print what the zips install (pinned as `build` pins them), one per line")
    p.add_argument("ids", nargs="*", help="assignment ids or 'all' (default: all)")
    p.add_argument("--student", action="store_true", help="what the student bundles ask for instead")
    p.set_defaults(func="staff:cmd_requirements")

    p = sub.add_parser("notebooks", help="execute the solution notebooks headless")
    p.add_argument("ids", nargs="*")
    p.add_argument("--timeout", type=int, default=600)
    p.set_defaults(func="staff:cmd_notebooks")

    p = sub.add_parser("export", help="render an executed notebook to HTML")
    p.add_argument("notebook")
    p.add_argument("-o", "--output")
    p.set_defaults(func="staff:cmd_export")


def _class_verbs(sub) -> None:
    """Staff verbs on a class's submissions (a Gradescope export)."""
    p = sub.add_parser("regrade", help="grade a Gradescope submissions export; scores.csv and report.html")
    p.add_argument("id")
    p.add_argument("export", help="Gradescope's 'Download Submissions' export: the folder or the zip")
    p.add_argument("--workers", type=int, default=2, help="gradings at a time on this machine (default 2)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="send the gradings to this Dask scheduler (tcp://host:8786) instead of local workers")
    p.add_argument("--zip", help="autograder zip (default: dist/<id>_autograder.zip, built if missing)")
    p.add_argument("-o", "--output", help="output folder (default: regrade-<id>)")
    p.add_argument("--force", action="store_true", help="grade again what an earlier run graded with the same zip")
    p.add_argument("--changed-only", action="store_true",
                   help="scores.csv lists only the submitters whose score differs from Gradescope's")
    p.set_defaults(func="staff:cmd_regrade")

    p = sub.add_parser("similar", help="compare the submissions of an export pairwise (starter code excluded)")
    p.add_argument("id")
    p.add_argument("export", help="Gradescope's 'Download Submissions' export: the folder or the zip")
    p.add_argument("--against", nargs="+", default=[], metavar="DIR",
                   help="also compare with the files of these folders (past terms, solutions found online)")
    p.add_argument("--threshold", type=float, default=0.5,
                   help="flag a file when at least this share of it matches the other (default 0.5)")
    p.add_argument("-o", "--output", help="output folder (default: regrade-<id>, beside the regrade report)")
    p.set_defaults(func="staff:cmd_similar")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description="Check and submit your work (students); build, check and grade assignments for Gradescope (course staff).")
    parser.add_argument("--repo", default=".", help="course repository root (default: current folder)")
    sub = parser.add_subparsers(dest="command", required=True)
    _student_verbs(sub)
    if _staff_available():
        _assignment_verbs(sub)
        _class_verbs(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(_dispatch(args.func)(args) or 0)
    except (ValueError, FileNotFoundError) as exc:
        print(f"autograder {args.command}: {exc}", file=sys.stderr)
        return 2

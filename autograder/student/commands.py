"""The student verbs behind ``python -m autograder check|submit|report`` in a bundle."""

from __future__ import annotations

from pathlib import Path


def cmd_check(args) -> int:
    from .check import check

    return check(Path(args.folder), keyword=args.k, verbose=getattr(args, "verbose", False),
                 html=getattr(args, "html", None) or False)


def cmd_submit(args) -> int:
    from .submit import submit

    return submit(Path(args.folder), Path(args.output) if args.output else None)


def cmd_report(args) -> int:
    from .written.report import render_report

    return render_report(Path(args.folder), Path(args.output) if args.output else None,
                         draft=getattr(args, "draft", False))

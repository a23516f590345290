"""The ``autograder`` command: one verb per job (see ``autograder --help``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _ids(repo, ids: list[str]) -> list[str]:
    if not ids or ids == ["all"]:
        return repo.assignment_ids()
    for aid in ids:
        repo.assignment(aid)
    return ids


def cmd_starter(args) -> int:
    from . import starter
    from .build import Repo

    repo = Repo(args.repo)
    bad = []
    for aid in _ids(repo, args.ids):
        manifest = repo.manifest(aid)
        generated = starter.generate(repo.solution(aid), manifest.solution_only)
        if args.check:
            problems = starter.drift(generated, repo.starter(aid))
            bad += problems
            print(f"{aid}: {'in sync' if not problems else f'{len(problems)} file(s) drifted'}")
        else:
            starter.write(generated, repo.starter(aid))
            print(f"{aid}: wrote {len(generated)} files to {repo.starter(aid)}")
    for p in bad:
        print(f"  {p}")
    if bad:
        print("Run `autograder starter` to regenerate the starter code from the solutions.")
    return 1 if bad else 0


def cmd_build(args) -> int:
    import time

    from .build import Repo, build

    repo = Repo(args.repo)
    started = time.time()
    for aid in _ids(repo, args.ids):
        grader_zip, bundle = build(repo, aid, release=args.release)
        print(f"{aid}: {grader_zip.relative_to(repo.root)}  {bundle.relative_to(repo.root)}")
        pdfs = [repo.dist() / f"{aid}_{kind}.pdf" for kind in ("questions", "key")]
        if all(p.is_file() for p in pdfs):
            print(f"{' ' * len(aid)}  " + "  ".join(str(p.relative_to(repo.root)) for p in pdfs))
    print(f"built in {time.time() - started:.1f} s")
    return 0


def cmd_emulate(args) -> int:
    import json

    from .emulate import emulate, print_results

    em = emulate(Path(args.zip), Path(args.submission), results_copy=Path(args.results) if args.results else None)
    if args.json:
        print(json.dumps(em.results, indent=2))
    else:
        print_results(em.results, title=f"{Path(args.zip).name} on {args.submission}")
        print(f"{em.seconds:.1f} s wall, {em.cpu_seconds:.1f} CPU s, peak PSS {em.peak_pss_mb:.0f} MB")
    for p in em.problems:
        print(f"INVALID results.json: {p}", file=sys.stderr)
    return 0 if em.results and not em.problems else 1


def cmd_verify(args) -> int:
    from .build import Repo
    from .verify import print_table, verify_one

    repo = Repo(args.repo)
    rows = [verify_one(repo, aid, mutants=not args.no_mutants) for aid in _ids(repo, args.ids)]
    print_table(rows)
    return 1 if any(r.problems for r in rows) else 0


def cmd_mutants(args) -> int:
    import json

    from .build import Repo
    from .mutants import MutantError, print_report, run_mutants

    repo = Repo(args.repo)
    repo.assignment(args.id)
    try:
        report = run_mutants(repo, args.id, jobs=args.jobs, only=args.only or None,
                             log=(lambda *_: None) if args.quiet else print)
    except MutantError as exc:
        print(f"autograder mutants: {exc}", file=sys.stderr)
        return 2
    print_report(report)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report.to_json(), indent=2) + "\n")
    if any(o.verdict == "error" for o in report.outcomes):
        return 2
    return 1 if report.problems() else 0


def cmd_new(args) -> int:
    from .scaffold import new

    root = Path(args.repo).resolve()
    written = new(root, args.id, args.title)
    for path in written:
        print(f"  {path.relative_to(root)}")
    print(f"{args.id}: wrote {len(written)} files in {root}. Next, there:\n"
          f"  autograder build {args.id}     # dist/{args.id}_autograder.zip and dist/{args.id}_student.zip\n"
          f"  autograder verify {args.id}    # solution full marks, starter zero, every mutant loses points")
    return 0


def cmd_requirements(args) -> int:
    from .build import Repo, requirements
    from .pins import requirement_lines

    repo = Repo(args.repo)
    lines: list[str] = []
    for aid in _ids(repo, args.ids):
        lines += requirements(repo.manifest(aid), student=args.student)
    print("\n".join(requirement_lines(lines, {}, source="the assignments' requirements")))
    return 0


def cmd_check(args) -> int:
    from .student import check

    return check(Path(args.folder), keyword=args.k)


def cmd_submit(args) -> int:
    from .student import submit

    return submit(Path(args.folder), Path(args.output) if args.output else None)


def cmd_report(args) -> int:
    from .written.report import render_report

    return render_report(Path(args.folder), Path(args.output) if args.output else None)


def cmd_regrade(args) -> int:
    from .build import Repo, build
    from .regrade import regrade

    repo = Repo(args.repo)
    zip_path = Path(args.zip) if args.zip else repo.dist() / f"{args.id}_autograder.zip"
    if args.zip and not zip_path.is_file():
        raise FileNotFoundError(f"autograder zip not found: {zip_path} (from --zip)")
    if not zip_path.is_file():
        repo.assignment(args.id)
        zip_path, _ = build(repo, args.id)
    out = Path(args.output or f"regrade-{args.id}")
    done = regrade(zip_path, Path(args.export), out, workers=args.workers, scheduler=args.scheduler,
                   force=args.force, changed_only=args.changed_only)
    for problem in done.problems:
        print(f"export: {problem}", file=sys.stderr)
    print(f"graded {done.graded} submission(s), kept {done.reused} graded earlier with the same zip, "
          f"{done.failed} could not be graded; {done.changed} submitter score(s) differ from Gradescope's")
    print(f"scores: {done.csv} ({done.rows} rows)\nreport: {done.report}")
    return 0


def cmd_similar(args) -> int:
    from .build import Repo
    from .classtools.similar import similar

    repo = Repo(args.repo)
    out = Path(args.output or f"regrade-{args.id}")
    found = similar(repo.manifest(args.id), repo.starter(args.id), Path(args.export), out,
                    against=[Path(d) for d in args.against], threshold=args.threshold)
    for problem in found.problems:
        print(f"export: {problem}", file=sys.stderr)
    pairs = {(r["submission_a"], r["submission_b"]) for r in found.flagged}
    print(f"{len(pairs)} pair(s) at or above similarity {args.threshold} ({len(found.flagged)} file(s), "
          f"{found.compared} comparisons): {found.csv}")
    return 0


def cmd_export(args) -> int:
    from .notebooks import export_html

    print(export_html(Path(args.notebook), Path(args.output) if args.output else None))
    return 0


def cmd_notebooks(args) -> int:
    from .build import Repo
    from .notebooks import execute

    repo = Repo(args.repo)
    failed = 0
    for aid in _ids(repo, args.ids):
        for nb in sorted((repo.assignment(aid) / "notebooks").glob("*.ipynb")):
            try:
                execute(nb, repo.solution(aid), timeout=args.timeout)
                print(f"{aid}: {nb.name} ran")
            except Exception as exc:
                failed += 1
                print(f"{aid}: {nb.name} FAILED: {str(exc)[-1500:]}")
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__)
    parser.add_argument("--repo", default=".", help="course repository root (default: current folder)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("starter", help="generate starter_code/ from the solutions' markers")
    p.add_argument("ids", nargs="*", help="assignment ids (default: all)")
    p.add_argument("--check", action="store_true", help="fail, naming files, if the committed starter drifted")
    p.set_defaults(func=cmd_starter)

    p = sub.add_parser("build", help="write dist/<id>_autograder.zip and dist/<id>_student.zip")
    p.add_argument("ids", nargs="*", help="assignment ids or 'all' (default: all)")
    p.add_argument("--release", action="store_true",
                   help="the build to upload: refuse unless the real data sets of [data] release are present")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("emulate", help="grade a submission with an autograder zip, as Gradescope would")
    p.add_argument("zip")
    p.add_argument("--submission", required=True, help="a folder or a zip")
    p.add_argument("--results", help="also copy results.json here")
    p.add_argument("--json", action="store_true", help="print the results document instead of a table")
    p.set_defaults(func=cmd_emulate)

    p = sub.add_parser("verify", help="solutions score full marks, starters zero, starters in sync, zips emulate, "
                                      "every mutant loses points")
    p.add_argument("ids", nargs="*")
    p.add_argument("--no-mutants", action="store_true", help="skip grading the declared mutants")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("mutants", help="grade the declared plausible mistakes (mutants.toml); every one must lose points")
    p.add_argument("id")
    p.add_argument("--json", help="also write the outcomes as JSON to this path")
    p.add_argument("--jobs", type=int, default=None, help="gradings at a time (default: the core count)")
    p.add_argument("--only", nargs="+", metavar="MUTANT", help="grade only these mutants")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the table")
    p.set_defaults(func=cmd_mutants)

    p = sub.add_parser("new", help="start a new assignment in the course repository from a working example")
    p.add_argument("id", help="the assignment id: lowercase letters, digits, underscores")
    p.add_argument("--title", help="the title students see (default: made from the id)")
    p.add_argument("--repo", default=argparse.SUPPRESS, help="course repository root (default: current folder)")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("requirements", help="print what the zips install (pinned as `build` pins them), one per line")
    p.add_argument("ids", nargs="*", help="assignment ids or 'all' (default: all)")
    p.add_argument("--student", action="store_true", help="what the student bundles ask for instead")
    p.set_defaults(func=cmd_requirements)

    p = sub.add_parser("check", help="(students) run the public tests with Gradescope's scoring")
    p.add_argument("-k", nargs="+", metavar="WORD",
                   help="only these tests: task numbers (1.2; 3. for all of task 3) or words of test names, "
                        "with and/or/not as in pytest; several words select tests matching any of them")
    p.add_argument("--folder", default=".")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("submit", help="(students) write the zip to upload")
    p.add_argument("--folder", default=".")
    p.add_argument("-o", "--output")
    p.set_defaults(func=cmd_submit)

    p = sub.add_parser("report", help="(students) render report.md, with its figures and tables, to <id>_report.pdf")
    p.add_argument("--folder", default=".")
    p.add_argument("-o", "--output", help="the PDF to write (default: <id>_report.pdf in the folder)")
    p.set_defaults(func=cmd_report)

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
    p.set_defaults(func=cmd_regrade)

    p = sub.add_parser("similar", help="compare the submissions of an export pairwise (starter code excluded)")
    p.add_argument("id")
    p.add_argument("export", help="Gradescope's 'Download Submissions' export: the folder or the zip")
    p.add_argument("--against", nargs="+", default=[], metavar="DIR",
                   help="also compare with the files of these folders (past terms, solutions found online)")
    p.add_argument("--threshold", type=float, default=0.5,
                   help="flag a file when at least this share of it matches the other (default 0.5)")
    p.add_argument("-o", "--output", help="output folder (default: regrade-<id>, beside the regrade report)")
    p.set_defaults(func=cmd_similar)

    p = sub.add_parser("export", help="render an executed notebook to HTML")
    p.add_argument("notebook")
    p.add_argument("-o", "--output")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("notebooks", help="execute the solution notebooks headless")
    p.add_argument("ids", nargs="*")
    p.add_argument("--timeout", type=int, default=600)
    p.set_defaults(func=cmd_notebooks)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError) as exc:
        print(f"autograder {args.command}: {exc}", file=sys.stderr)
        return 2

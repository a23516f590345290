"""The staff verbs behind ``autograder <verb>``: each parses nothing and prints its outcome.

``autograder.cli`` builds the parser and calls these with its ``argparse`` namespace.
"""

from __future__ import annotations

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
    from .repo import Repo

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

    from .build import build
    from .repo import Repo

    repo = Repo(args.repo)
    started = time.time()
    for aid in _ids(repo, args.ids):
        grader_zip, bundle = build(repo, aid, release=args.release, pool_size=args.draws)
        print(f"{aid}: {grader_zip.relative_to(repo.root)}  {bundle.relative_to(repo.root)}")
        pdfs = [repo.dist() / f"{aid}_{kind}.pdf" for kind in ("questions", "key")]
        if all(p.is_file() for p in pdfs):
            print(f"{' ' * len(aid)}  " + "  ".join(str(p.relative_to(repo.root)) for p in pdfs))
    print(f"built in {time.time() - started:.1f} s")
    return 0


def cmd_emulate(args) -> int:
    import json

    from ..student.console import print_results
    from .emulate import emulate

    em = emulate(Path(args.zip), Path(args.submission), results_copy=Path(args.results) if args.results else None,
                 submission_id=args.submission_id)
    print(f"graded as submission id {em.submission_id} (replay: --submission-id {em.submission_id})",
          file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(em.results.to_json(), indent=2))
    else:
        print_results(em.results, title=f"{Path(args.zip).name} on {args.submission}")
        print(f"{em.seconds:.1f} s wall, {em.cpu_seconds:.1f} CPU s, peak PSS {em.peak_pss_mb:.0f} MB")
    for p in em.problems:
        print(f"INVALID results.json: {p}", file=sys.stderr)
    return 0 if not em.problems else 1


def cmd_key_export(args) -> int:
    from .keys import export_key
    from .repo import Repo

    text = export_key(Repo(args.repo).root, Path(args.file) if args.file else None)
    if args.file:
        print(f"wrote the staff key to {args.file} (keep it secret: it rebuilds every zip's hidden inputs)")
    else:
        print(text)
    return 0


def cmd_key_import(args) -> int:
    from .keys import import_key
    from .repo import Repo

    text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="ascii", errors="replace")
    path = import_key(Repo(args.repo).root, text, force=args.force)
    print(f"stored the staff key in {path}")
    return 0


def cmd_verify(args) -> int:
    from .emulate import SUBMISSION_ID_ENV, run_submission_id
    from .repo import Repo
    from .verify import Options, print_table, verify_one

    print(f"grading as submission id {run_submission_id()} (replay: {SUBMISSION_ID_ENV}={run_submission_id()})")
    repo = Repo(args.repo)
    proofs = "cached" if args.cached_proofs else "run"
    options = Options(mutants="skip" if args.no_mutants else proofs, reference=proofs, fresh=args.fresh,
                      jobs=args.jobs)
    rows = [verify_one(repo, aid, options=options) for aid in _ids(repo, args.ids)]
    print_table(rows)
    return 1 if any(r.problems for r in rows) else 0


def cmd_mutants(args) -> int:
    import json

    from .emulate import SUBMISSION_ID_ENV, run_submission_id
    from .mutants import MutantError, print_report, run_mutants
    from .repo import Repo

    repo = Repo(args.repo)
    repo.assignment(args.id)
    print(f"grading as submission id {run_submission_id()} (replay: {SUBMISSION_ID_ENV}={run_submission_id()})")
    try:
        report = run_mutants(repo, args.id, jobs=args.jobs, only=args.only or None,
                             log=(lambda *_: None) if args.quiet else print, full=args.full)
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
    from .build import requirements
    from .pins import requirement_lines
    from .repo import Repo

    repo = Repo(args.repo)
    lines: list[str] = []
    for aid in _ids(repo, args.ids):
        lines += requirements(repo.manifest(aid), student=args.student)
    print("\n".join(requirement_lines(lines, {}, source="the assignments' requirements")))
    return 0


def cmd_regrade(args) -> int:
    from .build import build
    from .classtools.regrade import regrade
    from .repo import Repo

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
    from .classtools.similar import similar
    from .repo import Repo

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
    from .notebooks import execute
    from .repo import Repo

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

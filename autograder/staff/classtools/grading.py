"""Grade packed submissions through the real autograder zip, on local threads or on a Dask cluster.

One grading is :func:`grade_task`: it receives the autograder zip's bytes and one submission's bytes
and returns what ``run_autograder`` wrote (results.json) plus how the run went. It runs the zip's own
``run_autograder`` in a Gradescope-like tree through :func:`autograder.staff.emulate.emulate`, exactly as
``autograder emulate`` does, so a Dask worker grades under the same trust model as Gradescope: as
root, student code runs as an unprivileged user that cannot read the tests or the results.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import os
import re
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor
from concurrent.futures import wait as wait_local
from pathlib import Path
from typing import Any

from ...grading import files
from ...grading.draws import FALLBACK_SUBMISSION_ID

#: How long to wait for a Dask scheduler to answer.
CONNECT_TIMEOUT = "20s"
_cache_lock = threading.Lock()
_unpacked: dict[str, tuple[Path, str]] = {}   # zip sha256 -> (folder holding the zip and its unpacked copy, digest)


def _cleanup() -> None:
    for folder, _ in list(_unpacked.values()):
        shutil.rmtree(folder, ignore_errors=True)
    _unpacked.clear()


atexit.register(_cleanup)


def unpacked_zip(zip_bytes: bytes) -> tuple[Path, Path]:
    """(the zip on disk, its unpacked copy), made once per process and per zip.

    Before each use the copy is checked against the digest taken when it was made, so that no
    grading starts from a tree an earlier one changed (possible only where workers run as the
    grader's own user); a changed copy is made again.
    """
    from ...grading.upload import safe_extract

    sha = hashlib.sha256(zip_bytes).hexdigest()
    with _cache_lock:
        known = _unpacked.get(sha)
        if known is not None and files.tree_digest([known[0] / "source"]) == known[1]:
            return known[0] / "autograder.zip", known[0] / "source"
        if known is not None:
            shutil.rmtree(known[0], ignore_errors=True)
        folder = Path(tempfile.mkdtemp(prefix=f"autograder-zip-{sha[:12]}-"))
        os.chmod(folder, 0o700)
        (folder / "autograder.zip").write_bytes(zip_bytes)
        (folder / "source").mkdir()
        safe_extract(folder / "autograder.zip", folder / "source")
        _unpacked[sha] = (folder, files.tree_digest([folder / "source"]))
        return folder / "autograder.zip", folder / "source"


def workers_drop_privileges() -> bool:
    """Whether this machine's sandbox runs student code as an unprivileged user (root and a readable Python)."""
    from ...grading.sandbox.privileges import workers_drop_privileges as drops

    return drops()


def submission_id_of(name: str) -> int | None:
    """Gradescope's submission id in an export folder's name (``submission_<id>``), or None."""
    match = re.fullmatch(r"submission_(\d+)", name)
    return int(match.group(1)) if match else None


def grade_task(zip_bytes: bytes, submission: bytes, timeout: float = 3600,
               submission_id: int | None = None) -> dict[str, Any]:
    """Grade one submission (a zip's bytes) with the autograder zip; return results.json and facts of the run.

    ``submission_id`` is Gradescope's id of the submission: it draws the same inputs Gradescope
    graded it on (None: the fixed id 0).
    """
    from ...grading.upload import safe_extract
    from ..emulate import emulate

    zip_path, unpacked = unpacked_zip(zip_bytes)
    with tempfile.TemporaryDirectory(prefix="regrade-submission-") as tmp:
        folder = Path(tmp) / "submission"
        folder.mkdir()
        safe_extract(io.BytesIO(submission), folder)  # type: ignore[arg-type]
        em = emulate(zip_path, folder, unpacked=unpacked, timeout=timeout, measure_memory=False,
                     submission_id=FALLBACK_SUBMISSION_ID if submission_id is None else submission_id)
    return {"results": em.results.to_json(), "problems": list(em.problems), "seconds": round(em.seconds, 2),
            "cpu_seconds": round(em.cpu_seconds, 2), "host": socket.gethostname(),
            "drops_privileges": workers_drop_privileges()}


Job = tuple[str, bytes]          # (submission name, packed submission)
Done = tuple[str, dict | None, str | None]   # (name, what grade_task returned, or an error message)


def _windowed(submit: Callable[[Job], Any], wait_first: Callable, jobs: Iterable[Job], window: int,
              result: Callable[[Any], dict]) -> Iterator[Done]:
    """Keep at most ``window`` gradings in flight; yield each as it finishes, in any order."""
    pending: dict[Any, str] = {}
    source = iter(jobs)
    exhausted = False
    while True:
        while not exhausted and len(pending) < window:
            job = next(source, None)
            if job is None:
                exhausted = True
                break
            pending[submit(job)] = job[0]
        if not pending:
            return
        done, _ = wait_first(list(pending))
        for fut in done:
            name = pending.pop(fut)
            try:
                yield name, result(fut), None
            except Exception as exc:  # one failed grading never stops the class
                yield name, None, f"{name}: could not be graded: {type(exc).__name__}: {exc}"


def grade_locally(zip_bytes: bytes, jobs: Iterable[Job], workers: int, timeout: float) -> Iterator[Done]:
    """Grade on this machine, ``workers`` gradings at a time (each one a process tree of its own)."""
    if workers < 1:
        raise ValueError(f"--workers must be at least 1, got {workers}")
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield from _windowed(lambda job: pool.submit(grade_task, zip_bytes, job[1], timeout, submission_id_of(job[0])),
                             lambda fs: wait_local(fs, return_when=FIRST_COMPLETED),
                             jobs, 2 * workers, lambda fut: fut.result())


def grade_on_dask(address: str, zip_bytes: bytes, jobs: Iterable[Job], timeout: float) -> Iterator[Done]:
    """Send each grading to the Dask cluster whose scheduler listens at ``address``."""
    try:
        from distributed import Client
        from distributed import wait as wait_dask
    except ImportError as exc:
        raise ValueError(f"--scheduler needs the 'distributed' package ({exc}); pip install distributed") from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise ValueError(f"cannot reach the Dask scheduler at {address!r}: {exc}") from None
    try:
        cores = sum(client.nthreads().values()) or 1
        zip_future = client.scatter(zip_bytes, broadcast=True)
        sha = hashlib.sha256(zip_bytes).hexdigest()[:12]

        def submit(job: Job):
            key = f"grade-{job[0]}-{sha}-{hashlib.sha256(job[1]).hexdigest()[:12]}"
            return client.submit(grade_task, zip_future, job[1], timeout, submission_id_of(job[0]), key=key,
                                 pure=False, retries=1)

        yield from _windowed(submit, lambda fs: wait_dask(fs, return_when="FIRST_COMPLETED"),
                             jobs, 2 * cores, lambda fut: fut.result())
    finally:
        client.close()

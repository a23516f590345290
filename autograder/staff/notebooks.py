"""Execute solution notebooks headless, and export an executed notebook to HTML."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path


def execute(notebook: Path, cwd: Path, timeout: int = 600) -> None:
    """Run every cell of ``notebook`` in a copy of ``cwd``; raise on the first error.

    The copy keeps ``cwd`` (a solution folder) as it was: what the notebook writes (run records,
    figures) would otherwise land in the checkout and change what ``verify`` has cached for it.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    with tempfile.TemporaryDirectory(prefix="notebook-") as tmp:
        work = Path(tmp) / Path(cwd).name
        shutil.copytree(cwd, work, ignore=shutil.ignore_patterns("runs", "__pycache__", "*.pyc"))
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(work)}})
        client.execute()


def export_html(notebook: Path, output: Path | None = None) -> Path:
    """Render ``notebook`` (already executed) to a standalone HTML file for the written part."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook, as_version=4)
    body, _ = HTMLExporter().from_notebook_node(nb)
    output = output or notebook.with_suffix(".html")
    output.write_text(body, encoding="utf-8")
    return output

"""Execute solution notebooks headless, and export an executed notebook to HTML."""

from __future__ import annotations

from pathlib import Path


def execute(notebook: Path, cwd: Path, timeout: int = 600) -> None:
    """Run every cell of ``notebook`` with ``cwd`` as working directory; raise on the first error."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}})
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

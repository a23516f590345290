"""``python -m autograder submit``: the zip a student uploads, refused while a file is missing or broken."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..grading import precheck, upload
from ..grading.manifest import load_manifest


def submit(folder: Path, output: Path | None = None) -> int:
    """Write the zip to upload; refuse when a required file is missing or does not parse."""
    folder = folder.resolve()
    manifest = load_manifest(folder / "assignment.toml")
    problems = [p for p in precheck.check(folder, manifest)]
    if problems:
        print("Not packed, fix these first:")
        for p in problems:
            print(f"  - {p['name']}: {p['output']}")
        return 1
    output = output or folder / f"{manifest.id}_submission.zip"
    names = upload.student_files(folder, manifest)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for rel in names:
            zf.write(folder / rel, rel)
    print(f"Wrote {output} with {len(names)} files:")
    for rel in names:
        print(f"  {rel}")
    print("Upload this zip to the assignment on Gradescope.")
    if (folder / "report.md").is_file():
        print(f"The written part is a second upload: `python -m autograder report` makes {manifest.id}_report.pdf.")
    return 0

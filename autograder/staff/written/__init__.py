"""The staff's side of the written half: the questions PDF, the key and the reference report.

- ``documents``: the questions PDF and the staff key (``autograder build``), the report
  template and question list of the student bundle;
- ``reference``: the reference report that ``autograder verify`` renders from the staff
  answers and short reference runs.

Reading the questions' source and rendering Markdown with math to PDF (pandoc and Typst) live in
:mod:`autograder.student.written`, which the student's ``report`` uses too.
"""

from ...student.written.render import RenderError
from ...student.written.source import Question, Written, parse
from .documents import build_documents, bundle_files, load

__all__ = ["Question", "RenderError", "Written", "build_documents", "bundle_files", "load", "parse"]

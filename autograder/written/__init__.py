"""The written half of an assignment: questions, a paper review and a report, graded by staff.

- ``source``: read and check ``assignments/<id>/written/questions.md`` (format in
  docs/AUTHORING.md, "The written part");
- ``documents``: the questions PDF and the staff key (``autograder build``), the report
  template and question list of the student bundle;
- ``report``: ``python -m autograder report`` in a student bundle;
- ``reference``: the reference report that ``autograder verify`` renders from the staff
  answers and short reference runs;
- ``render`` and ``tables``: Markdown with LaTeX math to PDF through pandoc and Typst.

The heavy parts (pandoc, typst) are imported only when a document is rendered.
"""

from .documents import build_documents, bundle_files, load
from .render import RenderError
from .source import Question, Written, parse

__all__ = ["Question", "RenderError", "Written", "build_documents", "bundle_files", "load", "parse"]

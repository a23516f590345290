"""Author, package and grade course assignments for Gradescope, with student code sandboxed.

One subpackage per audience (docs/ARCHITECTURE.md draws them):

- ``autograder.grading``: the grading runtime, and the API test authors write against. It is
  what an autograder zip ships, and it imports nothing from the other two.
- ``autograder.student``: what a student bundle adds to the runtime (``check``, ``submit``,
  ``report``, and ``runs`` for experiment records).
- ``autograder.staff``: the course staff's verbs (build, verify, mutants, regrade, ...), which
  ship in neither.
"""

__version__ = "0.2.0"

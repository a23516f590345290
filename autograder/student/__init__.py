"""What a student bundle adds to the grading runtime: ``check``, ``submit``, ``report`` and ``runs``.

Importing this package loads nothing: student code imports ``autograder.runs`` (a re-export of
:mod:`autograder.student.runs`) inside a grading worker, where only that module is wanted.
"""

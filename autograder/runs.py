"""Experiment records, under the import path student code uses: see :mod:`autograder.student.runs`."""

from .student.runs import Run, draw_curves

__all__ = ["Run", "draw_curves"]

"""Author, package and grade course assignments for Gradescope, with student code sandboxed."""

__version__ = "0.1.0"

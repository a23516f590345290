"""The course staff's verbs: build, verify, mutants, starter, new, regrade, similar, written documents.

Nothing here ships in an autograder zip or a student bundle (``tests/test_layering.py``).
"""

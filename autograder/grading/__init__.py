"""The grading runtime: everything an autograder zip needs to grade one submission.

``session`` runs one grading (static checks, then a pytest session with ``plugin``, then the
results file); the ``sandbox`` runs student code in confined workers; ``checks`` and ``roles``
are what graded tests are written with. Nothing here imports ``autograder.student`` or
``autograder.staff``.
"""

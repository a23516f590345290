"""Staff tools for a whole class: ``autograder regrade`` and ``autograder similar``.

- :mod:`.export` reads Gradescope's "Download Submissions" export (a folder or the zip itself)
  and packs one submission at a time into bytes.
- :mod:`.grading` grades packed submissions through the real autograder zip, on local threads or
  on a Dask cluster, and remembers what it already graded.
- :mod:`.report` turns the graded class into ``report.html`` (one file, pictures embedded).
- :mod:`.similar` compares submissions pairwise with copydetect, starter code excluded.
"""

import os

# One BLAS/OpenMP thread, set before NumPy or torch load: Gradescope gives half a CPU, and the
# sandbox's fork server is forked from this process.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

from .cli import main  # noqa: E402

raise SystemExit(main())

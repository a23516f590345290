"""Start the grader from inside the unpacked autograder zip (called by run_autograder)."""
import os
import sys

# One BLAS/OpenMP thread (half a CPU on Gradescope), set before NumPy or torch load.
for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(name, "1")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))

from autograder.runner import gradescope_main  # noqa: E402

sys.exit(gradescope_main(HERE))

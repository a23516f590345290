"""Start the grader from inside the unpacked autograder zip (called by run_autograder)."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))

import autograder  # noqa: E402
from autograder.grading.settings import CLEAN_ENV, grader_environment, one_thread  # noqa: E402  (nothing heavy)

# Start over with only the variables the grader needs. Sandbox workers are forked from this
# process, and an environment lives on in a process's memory (its first strings sit at the top
# of the stack) even after os.environ is cleared, where student code could read it back.
if os.environ.get(CLEAN_ENV) != "1":
    os.execve(sys.executable, [sys.executable, "-I", os.path.abspath(__file__)],  # noqa: S606 (no shell)
              grader_environment(os.environ))

one_thread(os.environ)   # half a CPU on Gradescope: set before NumPy or torch load

# The framework must come from this zip, never from another installation on the image.
if os.path.dirname(os.path.dirname(os.path.abspath(autograder.__file__))) != os.path.join(HERE, "lib"):
    raise SystemExit(f"autograder was imported from {autograder.__file__}, not from this zip's lib/")

from autograder.grading.session import gradescope_main  # noqa: E402

sys.exit(gradescope_main(HERE))

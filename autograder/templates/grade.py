"""Start the grader from inside the unpacked autograder zip (called by run_autograder)."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))

from autograder.runner import gradescope_main  # noqa: E402

sys.exit(gradescope_main(HERE))

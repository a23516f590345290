"""`grading.apart`: grader-side computations run in a grandchild behave as if they ran here."""

import os

import numpy as np
import pytest

from autograder.grading import apart
from autograder.grading.procfs import pss_kb


@apart.apart(preload=("json",))
def _draw_and_sum(rng, n, scale=1.0):
    return float(scale * rng.standard_normal(n).sum()), os.getpid()


@apart.apart()
def _fails(message):
    raise ValueError(message)


#: What ``_keep_megabytes`` keeps: in place, its blocks would stay in this process's memory.
_KEPT: list = []


@apart.apart()
def _keep_megabytes(mb):
    _KEPT.append(np.ones(mb * 2**20 // 8))
    return float(sum(block.sum() for block in _KEPT))


def test_results_and_the_rng_come_back_as_if_run_here():
    here, apart_rng = np.random.default_rng(5), np.random.default_rng(5)
    value, pid = _draw_and_sum(apart_rng, 10, scale=2.0)
    assert pid != os.getpid()
    assert value == pytest.approx(2.0 * here.standard_normal(10).sum())
    assert apart_rng.integers(1 << 30) == here.integers(1 << 30)    # the generator advanced here too
    _, other = _draw_and_sum(apart_rng, 3)
    assert other != pid                                              # a new grandchild per call


def test_an_exception_is_raised_again_in_the_grader():
    with pytest.raises(ValueError, match="no such case"):
        _fails("no such case")
    assert _draw_and_sum(np.random.default_rng(0), 1)[0] == pytest.approx(np.random.default_rng(0).standard_normal())


def test_the_memory_of_a_computation_ends_with_it():
    before = pss_kb(os.getpid())
    assert _keep_megabytes(200) == 200 * 2**20 // 8
    assert _keep_megabytes(200) == 200 * 2**20 // 8     # a new grandchild: nothing kept from the last
    assert _KEPT == []
    assert pss_kb(os.getpid()) - before < 50 * 1024


def test_close_ends_the_zygote_and_a_later_call_starts_another():
    _draw_and_sum(np.random.default_rng(1), 1)
    pid = apart._current.pid
    apart.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    assert _draw_and_sum(np.random.default_rng(1), 1)[1] != pid
    apart.close()


def test_the_zygote_lives_through_files_that_use_it_and_goes_after_one_that_does_not():
    _draw_and_sum(np.random.default_rng(2), 1)
    pid = apart._current.pid
    apart.close_if_idle()                       # a file that used it ends: it stays
    assert _draw_and_sum(np.random.default_rng(2), 1)[1] != pid and apart._current.pid == pid
    apart.close_if_idle()
    apart.close_if_idle()                       # a file that did not use it ends: it goes
    assert apart._current is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)

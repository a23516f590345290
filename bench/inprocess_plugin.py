"""A pytest plugin for the benchmark only: a ``student`` fixture that calls code in-process.

It mirrors the sandbox worker's API (``call``, ``new``, ``get``, ``run``, ``ref``) without any
isolation, so the same test files can be timed with and without the sandbox.
"""

import importlib
import os
import sys

import pytest


def _resolve(path):
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(path)


class InProcess:
    def call(self, path, *args, **kwargs):
        return _resolve(path)(*args, **kwargs)

    new = call

    def get(self, path):
        return _resolve(path)

    def run(self, probe, *args, **kwargs):
        func = probe if callable(probe) else _resolve(probe)
        return func(*args, **kwargs)

    def ref(self, obj, name):
        return getattr(obj, name)


@pytest.fixture
def student():
    root = os.environ["BENCH_SUBMISSION"]
    if root not in sys.path:
        sys.path.insert(0, root)
    return InProcess()


@pytest.fixture
def rng():
    import numpy as np

    return np.random.default_rng(1234)


@pytest.fixture
def set_score():
    return None


@pytest.fixture
def set_leaderboard_value():
    return None


@pytest.fixture
def fixtures_dir():
    from pathlib import Path

    return Path(os.environ["BENCH_FIXTURES"])

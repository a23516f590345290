"""How `make test` spreads the tests over its pytest-xdist workers (``-n 2 --dist loadgroup``); a pytest
plugin that conftest.py loads.

- The tests of a module that share a module-scoped fixture (a build, a training run, a graded class)
  stay on one worker, which makes it once: one group per such module. ``by_assignment`` groups an
  assignment's tests that share its reference runs.
- The longest tests (marked ``first``) go first: the workers then take the short ones as they free up
  and end together, instead of one long test starting last.
"""

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def by_assignment(aids: list[str]) -> list:
    """``aids`` as parameters, each in its assignment's xdist group: the tests of one group run on one
    worker, one after the other, so that the first makes the assignment's reference runs and the
    others reuse them through the cache (test_written.py key test and test_assignments_whole.py)."""
    return [pytest.param(aid, marks=pytest.mark.xdist_group(f"reference-runs-{aid}")) for aid in aids]


# ---- groups. pytest-xdist's own loadgroup scheduling reads a group from a suffix it appends to each
# test's node id on the workers; pytest 9 builds node ids otherwise and drops that suffix, so every group
# was silently split over the workers (each then made the module's fixtures, and the tests that share an
# assignment's reference runs could make them at the same time). The workers therefore write their groups
# to a file the controller names, and the controller's scheduler (`scheduler`) reads it once every worker
# has collected.

GROUPS_ENV = "COURSE_TEST_GROUPS"


def name_groups_file(config) -> None:
    """On the controller of an xdist run (before its workers start): the file the groups go to."""
    if hasattr(config, "workerinput") or GROUPS_ENV in os.environ:
        return
    folder = Path(tempfile.mkdtemp(prefix="course-test-groups-"))
    os.environ[GROUPS_ENV] = str(folder / "groups.json")
    config.add_cleanup(lambda: (shutil.rmtree(folder, ignore_errors=True), os.environ.pop(GROUPS_ENV, None)))


def group_of(item) -> str | None:
    mark = item.get_closest_marker("xdist_group")
    if mark is None:
        return None
    return str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))


def write_groups(config, items) -> None:
    """On a worker: every grouped test's node id and group (each worker writes the same file)."""
    path = os.environ.get(GROUPS_ENV)
    if not path or not hasattr(config, "workerinput"):
        return
    groups = {item.nodeid: group for item in items if (group := group_of(item)) is not None}
    fd, partial = tempfile.mkstemp(dir=Path(path).parent)
    with os.fdopen(fd, "w") as f:
        json.dump(groups, f)
    os.replace(partial, path)


def scheduler(config, log):
    """xdist's load-scope scheduling with our groups as the scopes, in collection order (the ``first``
    tests' groups first), or None where the run does not ask for --dist loadgroup."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByGroup(LoadScopeScheduling):
        groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self.groups is None:   # every worker wrote it before saying it had collected
                path = Path(os.environ[GROUPS_ENV])
                if not path.is_file():
                    raise RuntimeError(f"the workers wrote no groups to {path}: is tests/parallel.py loaded?")
                self.groups = json.loads(path.read_text())
            group = self.groups.get(nodeid)
            return f"group {group}" if group is not None else nodeid

    config.option.loadscopereorder = False     # keep the collection order: the longest tests start first
    return ByGroup(config, log)


def pytest_configure(config):
    name_groups_file(config)


@pytest.hookimpl(optionalhook=True, tryfirst=True)   # before xdist's own choice
def pytest_xdist_make_scheduler(config, log):
    return scheduler(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("xdist_group") is None and _uses_a_module_fixture(item):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
    items.sort(key=lambda item: item.get_closest_marker("first") is None)
    write_groups(config, items)


def _uses_a_module_fixture(item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    definitions = getattr(info, "name2fixturedefs", {}) or {}
    return any(d.scope == "module" for name in item.fixturenames for d in definitions.get(name, ()))


# ---- suite summaries: the adversarial and gaming suites' closing lines. Their tests run on xdist's
# workers; each case travels to the controller as a user property of its test's report.

_SUMMARIES: dict[str, dict[str, tuple[str, bool]]] = {}
_HEADERS: dict[str, str] = {}


def summarize(node, suite: str, case: str, held: bool, row: str = "", header: str = "") -> None:
    """Note one case of ``suite`` in the test's report: ``row`` is printed after the session (a held
    case without one is only counted), ``header`` above the rows."""
    node.user_properties.append(("summary", [suite, case, bool(held), row, header]))


def summarizing(node, suite: str, outcomes: dict, entry) -> Iterator[None]:
    """The body of a suite's autouse fixture: each case of ``outcomes`` (case -> outcome) that the
    test added or replaced goes into its report; ``entry(outcome)`` gives ``summarize``'s
    ``held``, ``row`` and ``header``."""
    before = dict(outcomes)
    yield
    for case, outcome in outcomes.items():
        if case not in before or before[case] is not outcome:
            summarize(node, suite, case, *entry(outcome))


def collect_summaries(report) -> None:
    for name, value in report.user_properties:
        if name == "summary":
            suite, case, held, row, header = value
            _SUMMARIES.setdefault(suite, {})[case] = (row, held)
            if header:
                _HEADERS[suite] = header


def write_summaries(write) -> None:
    for suite, cases in sorted(_SUMMARIES.items()):
        if suite in _HEADERS:
            write(_HEADERS[suite])
        for row, _ in (cases[case] for case in sorted(cases)):
            if row:
                write(row)
        write(f"{suite}: {len(cases)} cases tried, {sum(held for _, held in cases.values())} held")
        for case in sorted(cases):
            if not cases[case][1]:
                write(f"{suite}: NOT HELD: {case}")


def pytest_runtest_logreport(report):
    """The adversarial and gaming suites' cases, from every test's report (a worker's, under xdist)."""
    collect_summaries(report)


def pytest_terminal_summary(terminalreporter):
    write_summaries(terminalreporter.write_line)

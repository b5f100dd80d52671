"""How the unit stage (``pytest -n 2 --dist loadfile``) shares its tests between the two workers.

As ``loadfile`` does, each test file goes to one worker, so that a module's fixtures are built once; but the
files whose module fixture grades a whole class are split by that fixture's parameter, one lab or one
isolation mode per unit of work, so the two workers finish together instead of one waiting for the other's
last long file (the lab authoring checks alone were a third of the stage). xdist's own ``loadgroup`` cannot do
this under pytest 9: it renames items through an attribute pytest 9 no longer reads.

The browser suite (``pytest -n 2 --dist loadgroup tests/browser``) is shared the same way, one book page per unit
of work (:func:`page_of`), since xdist's ``loadgroup`` does not group there either: each worker's browser then
visits a page once, where xdist scattered one page's tests over both workers and both visited it.

``tests/test_labgrade.py`` stays whole: its root and user runs look for the hostile set's daemons among all
the machine's processes, so they must not run at the same time.
"""

import re

#: test file -> the parameter, in a test's id, whose values are separate units of work
SPLIT_BY = {
    "tests/test_labs.py": re.compile(r"\[(lab\d\d-[\w-]+)\]$"),
    "tests/test_labgrade_integrity.py": re.compile(r"\[(root|user)(?:-.*)?\]$"),
}


def unit_of_work(nodeid: str) -> str:
    """``tests/test_labs.py::test_x[lab07-alarms]`` -> ``tests/test_labs.py[lab07-alarms]``; else the file."""
    path = nodeid.split("::", 1)[0]
    pattern = SPLIT_BY.get(path)
    found = pattern.search(nodeid) if pattern else None
    return f"{path}[{found.group(1)}]" if found else path


#: a browser test's page: the parameter naming a book page (``[book/03-data/quorums]``)
PAGE = re.compile(r"\[(book/[^\]]+)\]$")


def page_of(nodeid: str) -> str:
    """``tests/browser/test_pages.py::test_x[book/03-data/quorums]`` -> ``book/03-data/quorums``; else the test."""
    found = PAGE.search(nodeid)
    return found.group(1) if found else nodeid


def pytest_xdist_make_scheduler(config, log):
    dist = config.getvalue("dist")
    if dist not in ("loadfile", "loadgroup"):
        return None  # xdist's own scheduler
    from xdist.scheduler import LoadFileScheduling, LoadScopeScheduling

    class FilesAndLabs(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of_work(nodeid)

    class ByPage(LoadScopeScheduling):
        """Every test of one page on one worker, which then visits the page once (tests/browser/browserbook.py)."""

        def _split_scope(self, nodeid: str) -> str:
            return page_of(nodeid)

    return (FilesAndLabs if dist == "loadfile" else ByPage)(config, log)

"""How the unit stage (``pytest -n 2 --dist loadfile``) shares its tests between the two workers.

As ``loadfile`` does, each test file goes to one worker, so that a module's fixtures are built once; but the
files whose module fixture grades a whole class are split by that fixture's parameter, one lab or one
isolation mode per unit of work, so the two workers finish together instead of one waiting for the other's
last long file (the lab authoring checks alone were a third of the stage). xdist's own ``loadgroup`` cannot do
this under pytest 9: it renames items through an attribute pytest 9 no longer reads.

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


def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadfile":
        return None  # xdist's own scheduler
    from xdist.scheduler import LoadFileScheduling

    class FilesAndLabs(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of_work(nodeid)

    return FilesAndLabs(config, log)

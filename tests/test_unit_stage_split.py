"""The unit stage's scheduler (tests/conftest.py) splits the class-grading files by lab and isolation mode."""

from pathlib import Path

from conftest import SPLIT_BY, page_of, unit_of_work

ROOT = Path(__file__).resolve().parents[1]


def test_the_files_it_splits_exist():
    assert all((ROOT / path).is_file() for path in SPLIT_BY), "a renamed test file would silently stop being split"


def test_each_lab_and_each_isolation_mode_is_a_unit_of_its_own():
    assert unit_of_work("tests/test_labs.py::test_x[lab07-alarms]") == "tests/test_labs.py[lab07-alarms]"
    assert unit_of_work("tests/test_labs.py::test_x[lab11-raft]") == "tests/test_labs.py[lab11-raft]"
    assert unit_of_work("tests/test_labgrade_integrity.py::test_x[user-lab02_a.ipynb]") == \
        "tests/test_labgrade_integrity.py[user]"


def test_everything_else_stays_with_its_file():
    assert unit_of_work("tests/test_labs.py::test_otter_itself_gives_lab01_solutions_full_marks") == \
        "tests/test_labs.py"
    assert unit_of_work("tests/test_labgrade.py::test_bad_input[empty folder]") == "tests/test_labgrade.py"
    assert unit_of_work("tests/test_labgrade.py::test_x[root]") == "tests/test_labgrade.py"  # see conftest
    assert unit_of_work("tests/sim/test_network.py::test_x[0.5]") == "tests/sim/test_network.py"
    assert unit_of_work("labsupport/sim/node.py::labsupport.sim.node.Node") == "labsupport/sim/node.py"


def test_the_browser_suite_keeps_each_page_on_one_worker():
    assert page_of("tests/browser/test_pages.py::test_x[book/03-data/quorums]") == "book/03-data/quorums"
    assert page_of("tests/browser/test_reading.py::test_y[book/03-data/quorums]") == "book/03-data/quorums"
    assert page_of("tests/browser/test_search.py::test_search_finds_each_chapter[03-data]") == \
        "tests/browser/test_search.py::test_search_finds_each_chapter[03-data]"
    assert page_of("tests/browser/test_pages.py::test_the_site_root_leads_to_the_first_page") == \
        "tests/browser/test_pages.py::test_the_site_root_leads_to_the_first_page"

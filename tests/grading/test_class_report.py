"""report.html shows the class at a glance, offline, without a hidden test's code; gradebook.csv has one row per
student."""

import base64
import csv
import re

from labsupport.grading.autograder import Case, Question
from labsupport.grading.report import summarise, write_gradebook, write_report
from labsupport.grading.results import CaseResult, Result

HIDDEN_CODE = "assert secret_answer() == 'labgrade-hidden-7f3a'"
QUESTIONS = [Question("q1", (Case("q1", 0, ">>> f(1)\n2", False, 1.0), Case("q1", 1, HIDDEN_CODE, True, 2.0))),
             Question("q2", (Case("q2", 0, ">>> g()\nTrue", False, 1.0),))]


def result(name: str, passes: tuple[bool, bool, bool], status: str = "graded", seconds: float = 3.0) -> Result:
    cases = [CaseResult(c.question, c.index, c.hidden, c.points, c.points if ok else 0.0, ok,
                        "" if ok or c.hidden else "expected 2")
             for ok, c in zip(passes, [case for q in QUESTIONS for case in q.cases])]
    return Result(name, status, "", "", cases, seconds)


CLASS = [result("alice.ipynb", (True, True, True)), result("bob.ipynb", (True, False, True)),
         result("carol.ipynb", (False, False, False), "timed out", 20.0), result("dan.txt", (), "not a notebook", 0.1),
         result("dan.ipynb", (True, False, False))]


def test_the_report_has_every_section_and_its_numbers(tmp_path):
    write_report(CLASS, QUESTIONS, tmp_path / "report.html", lab="lab01-clocks")
    page = (tmp_path / "report.html").read_text()
    for section in ("Score distribution", "Questions", "Tests failed most", "Submissions by status",
                    "Time per submission"):
        assert f">{section}</h2>" in page, section
    assert page.count("<img ") == 3  # scores, questions, time: figures, not tables alone
    assert "<td>q1, hidden test 1</td><td>4</td><td>80.0</td>" in page  # failed by bob, carol, dan.txt, dan
    assert "<td>timed out</td><td>1</td>" in page and "<td>graded</td><td>3</td>" in page


def test_the_report_never_shows_a_hidden_test(tmp_path):
    write_report(CLASS, QUESTIONS, tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text()
    figures = [base64.b64decode(data).decode() for data in re.findall(r'base64,([A-Za-z0-9+/=]+)"', page)]
    for text in [page, *figures]:
        assert "labgrade-hidden-7f3a" not in text and "secret_answer" not in text


def test_the_report_works_offline(tmp_path):
    write_report(CLASS, QUESTIONS, tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text()
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r'(src|href)="(?!data:)', page)  # every figure is inside the file
    figures = [base64.b64decode(data).decode() for data in re.findall(r'base64,([A-Za-z0-9+/=]+)"', page)]
    assert len(figures) == 3 and all(f.startswith("<svg") for f in figures)
    assert not any(re.search(r'href="(?!#)', f) for f in figures)  # no font or image fetched by a figure


def test_the_summary_counts_the_class():
    s = summarise(CLASS, QUESTIONS)
    assert s["questions"] == [("q1", 3.0, 1.0, 20.0), ("q2", 1.0, 0.4, 40.0)]
    assert s["percents"] == [100.0, 50.0, 0.0, 25.0, 0.0]


def test_the_gradebook_has_one_row_per_student(tmp_path):
    write_gradebook(CLASS, QUESTIONS, tmp_path / "gradebook.csv")
    with open(tmp_path / "gradebook.csv") as f:
        rows = list(csv.reader(f))
    assert rows == [["identifier", "total", "percent"], ["alice", "4.0", "100.0"], ["bob", "2.0", "50.0"],
                    ["carol", "0.0", "0.0"], ["dan", "1.0", "25.0"]]

"""The class at a glance: ``report.html`` and the LMS gradebook export, from a run's results.

The report is one self-contained HTML file (figures as SVG data URIs, styles
inline, no script, nothing fetched), so it opens offline and can be mailed.
Hidden tests appear by name only ("q2, hidden test 1", numbered as in the
students' feedback), never with their code or messages.

The gradebook (``gradebook.csv``) has one row per student: ``identifier``
(the submission's file name without its extension: name the files by the
LMS's username, email or ID number), ``total`` and ``percent``, under a
header row. This is the shape Moodle's "Import grades from a CSV file" reads:
at import the instructor maps ``identifier`` to the user field the files are
named by and ``total`` (or ``percent``) to the lab's grade item.
"""

from __future__ import annotations

import base64
import csv
import html
import statistics
import threading
from collections import Counter
from pathlib import Path

from .results import STATUSES, Result, _round

__all__ = ["summarise", "write_report", "write_gradebook", "case_name", "load_drawing_early"]

MOST_FAILED = 10  # rows in the "tests failed most" table


def case_name(question, case) -> str:
    """A test's name as students' feedback gives it: public tests by their index, hidden ones numbered apart.

    Examples
    --------
    >>> from labsupport.grading.autograder import Case, Question
    >>> q = Question("q1", (Case("q1", 0, "assert 1", False, 1.0), Case("q1", 1, "assert 2", True, 1.0)))
    >>> [case_name(q, c) for c in q.cases]
    ['q1, public test 1', 'q1, hidden test 1']
    """
    if case.hidden:
        number = 1 + [c.index for c in question.cases if c.hidden].index(case.index)
        return f"{question.name}, hidden test {number}"
    return f"{question.name}, public test {case.index + 1}"


def summarise(results: list[Result], questions) -> dict:
    """The numbers the report shows: per question, per test, per status, and the time taken.

    Examples
    --------
    >>> from labsupport.grading.autograder import Case, Question
    >>> from labsupport.grading.results import CaseResult
    >>> q = Question("q1", (Case("q1", 0, "assert 1", True, 1.0),))
    >>> ok = Result("a.ipynb", "graded", cases=[CaseResult("q1", 0, True, 1.0, 1.0, True)], seconds=2.0)
    >>> bad = Result("b.ipynb", "graded", cases=[CaseResult("q1", 0, True, 1.0, 0.0, False)], seconds=4.0)
    >>> s = summarise([ok, bad], [q])
    >>> s["questions"], s["failed"], s["statuses"], s["percents"]
    ([('q1', 1.0, 0.5, 50.0)], [('q1, hidden test 1', 1, 50.0)], [('graded', 2)], [100.0, 0.0])
    """
    possible = sum(q.points for q in questions)
    count = max(1, len(results))
    percents = [_round(100 * sum(r.question_scores(questions).values()) / possible) if possible else 0.0
                for r in sorted(results, key=lambda r: r.submission)]
    rows = []
    for q in questions:
        scores = [r.question_scores(questions)[q.name] for r in results]
        full = sum(1 for s in scores if q.points and s >= q.points - 1e-9)
        rows.append((q.name, _round(q.points), _round(sum(scores) / count), _round(100 * full / count)))
    passed = Counter((c.question, c.index) for r in results for c in r.cases if c.passed)
    failed = []
    for q in questions:
        for case in q.cases:
            misses = len(results) - passed[(q.name, case.index)]
            if misses:
                failed.append((case_name(q, case), misses, _round(100 * misses / count)))
    failed.sort(key=lambda row: (-row[1], row[0]))
    statuses = Counter(r.status for r in results)
    order = list(STATUSES)
    return {
        "submissions": len(results), "possible": _round(possible), "percents": percents, "questions": rows,
        "failed": failed[:MOST_FAILED],
        "statuses": sorted(statuses.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)),
        "seconds": [r.seconds for r in sorted(results, key=lambda r: r.submission) if r.seconds],
    }


def load_drawing_early() -> None:
    """Import the figures' code (matplotlib) in the background while grading runs.

    So writing the report at the end, also after Ctrl-C, costs only the drawing.
    """
    threading.Thread(target=__import__, args=("labsupport.viz.classreport",), daemon=True).start()


def _figure(svg: str, alt: str) -> str:
    data = base64.b64encode(svg.encode()).decode()
    return f'<img alt="{html.escape(alt)}" src="data:image/svg+xml;base64,{data}">'


def _table(header: list[str], rows: list[tuple]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


STYLE = """body{font-family:sans-serif;max-width:46em;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid #ccc;padding:0.2em 0.6em;text-align:left}
img{max-width:100%}h2{margin-top:1.6em}"""


def write_report(results: list[Result], questions, path: Path, *, lab: str = "") -> None:
    """Write the class report: score distribution, questions, tests failed most, statuses, time per submission."""
    from labsupport.viz.classreport import question_bars, score_histogram, time_histogram

    s = summarise(results, questions)
    title = f"Class report: {lab or 'lab'} ({s['submissions']} submissions)"
    parts = [f"<h1>{html.escape(title)}</h1>"]
    mean = _round(statistics.mean(s["percents"])) if s["percents"] else 0.0
    median = _round(statistics.median(s["percents"])) if s["percents"] else 0.0
    parts += ['<h2 id="distribution">Score distribution</h2>',
              f"<p>Mean {mean}%, median {median}% of {s['possible']} points.</p>"]
    if s["percents"]:
        parts.append(_figure(score_histogram(s["percents"]), "histogram of the scores"))
    parts += ['<h2 id="questions">Questions</h2>',
              "<p>Mean points per question, and the share of the class with full marks on it.</p>",
              _table(["question", "points", "mean", "full marks (%)"], s["questions"])]
    if s["questions"]:
        names = [row[0] for row in s["questions"]]
        means = [100 * row[2] / row[1] if row[1] else 0.0 for row in s["questions"]]
        parts.append(_figure(question_bars(names, means, [row[3] for row in s["questions"]]),
                             "mean score and full marks per question"))
    parts += ['<h2 id="failed">Tests failed most</h2>',
              "<p>Hidden tests by name only, numbered as in the students' feedback.</p>",
              _table(["test", "submissions failing it", "% of the class"], s["failed"])]
    parts += ['<h2 id="statuses">Submissions by status</h2>',
              _table(["status", "submissions", "meaning"], [(k, n, STATUSES.get(k, "")) for k, n in s["statuses"]])]
    parts.append('<h2 id="time">Time per submission</h2>')
    if s["seconds"]:
        seconds = s["seconds"]
        parts.append(f"<p>Median {statistics.median(seconds):.1f} s, longest {max(seconds):.1f} s, "
                     f"{sum(seconds):.0f} s in all (grading time, summed over submissions graded in parallel).</p>")
        parts.append(_figure(time_histogram(seconds), "histogram of the grading time per submission"))
    else:
        parts.append("<p>No grading times recorded (results saved by an earlier labgrade).</p>")
    page = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n")
    path.write_text(page)


def write_gradebook(results: list[Result], questions, path: Path) -> None:
    """One row per student (``identifier,total,percent``); a student with several files gets the best score.

    Examples
    --------
    >>> import tempfile
    >>> from labsupport.grading.autograder import Case, Question
    >>> from labsupport.grading.results import CaseResult
    >>> q = Question("q1", (Case("q1", 0, "assert 1", False, 2.0),))
    >>> r = Result("alice.ipynb", "graded", cases=[CaseResult("q1", 0, False, 2.0, 2.0, True)])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     write_gradebook([r], [q], Path(folder) / "gradebook.csv")
    ...     print((Path(folder) / "gradebook.csv").read_text().strip())
    identifier,total,percent
    alice,2.0,100.0
    """
    possible = sum(q.points for q in questions)
    best: dict[str, float] = {}
    for r in results:
        identifier = Path(r.submission).stem
        best[identifier] = max(best.get(identifier, 0.0), sum(r.question_scores(questions).values()))
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["identifier", "total", "percent"])
        for identifier, total in sorted(best.items()):
            writer.writerow([identifier, _round(total), _round(100 * total / possible) if possible else 0.0])

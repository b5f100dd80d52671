"""What grading one submission produces, and how results become a CSV and feedback files."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["STATUSES", "Result", "CaseResult", "write_csv", "write_feedback"]

#: Every status a submission can end with, in order of how much went wrong.
STATUSES = {
    "graded": "every cell ran and every test was run",
    "timed out": "the notebook's cells ran past the time limit; later cells were skipped",
    "out of memory": "a cell ran out of memory; the notebook was re-run without that cell",
    "crashed": "the kernel died (os._exit, a crash); the notebook was re-run without the cell that killed it",
    "output too large": "a cell printed more than the output limit and was stopped",
    "not a notebook": "the file is empty, is not JSON, or is not a Jupyter notebook",
    "wrong lab": "the notebook belongs to another lab",
    "grader error": "the grader itself failed on this submission (see the log)",
}


@dataclass
class CaseResult:
    question: str
    index: int
    hidden: bool
    points: float
    earned: float
    passed: bool
    message: str = ""  # why it failed: public cases; hidden ones only for a protocol lab's broken property


@dataclass
class Result:
    submission: str
    status: str
    detail: str = ""
    sha256: str = ""
    cases: list[CaseResult] = field(default_factory=list)
    seconds: float = 0.0  # wall-clock time grading it took (0.0 in results saved before this was recorded)

    def question_scores(self, questions) -> dict[str, float]:
        scores = {q.name: 0.0 for q in questions}
        for case in self.cases:
            scores[case.question] = scores.get(case.question, 0.0) + case.earned
        return scores

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_json(cls, text: str) -> "Result":
        data = json.loads(text)
        data["cases"] = [CaseResult(**c) for c in data.get("cases", [])]
        return cls(**data)


def _round(x: float) -> float:
    return round(x + 0.0, 4)


def write_csv(results: list[Result], questions, path: Path) -> None:
    """One row per submission: points per question, total, percentage, status."""
    possible = sum(q.points for q in questions)
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["submission", "status", *[q.name for q in questions], "total", "possible", "percent", "detail"])
        for r in sorted(results, key=lambda r: r.submission):
            scores = r.question_scores(questions)
            total = sum(scores.values())
            writer.writerow([r.submission, r.status, *[_round(scores[q.name]) for q in questions], _round(total),
                             _round(possible), _round(100 * total / possible) if possible else 0.0, r.detail])


def write_feedback(result: Result, questions, path: Path) -> None:
    """A student's feedback: public tests in full, hidden tests only as pass/fail and points."""
    scores = result.question_scores(questions)
    total, possible = sum(scores.values()), sum(q.points for q in questions)
    lines = [f"# Feedback for {result.submission}", "",
             f"Status: **{result.status}** ({STATUSES.get(result.status, '')})."]
    if result.detail:
        lines.append(f"Note: {result.detail}")
    lines += ["", f"Score: **{_round(total)} / {_round(possible)}**", ""]
    by_question: dict[str, list[CaseResult]] = {}
    for case in result.cases:
        by_question.setdefault(case.question, []).append(case)
    for q in questions:
        lines.append(f"## {q.name}: {_round(scores[q.name])} / {_round(q.points)}")
        lines.append("")
        cases = {c.index: c for c in by_question.get(q.name, [])}
        hidden_number = 0
        for spec in q.cases:
            got = cases.get(spec.index)
            passed = bool(got and got.passed)
            mark = "passed" if passed else "failed"
            earned = got.earned if got else 0.0
            if spec.hidden:
                hidden_number += 1
                lines.append(f"- Hidden test {hidden_number}: {mark} ({_round(earned)} / {_round(spec.points)} points)")
                if not passed and got and got.message not in ("", "failed"):
                    shown = got.message.replace("\n", "\n  ")  # only what the sandbox lets a hidden test say
                    lines.append(f"  Result: {shown}")
            else:
                lines.append(f"- Public test {spec.index + 1}: {mark} ({_round(earned)} / {_round(spec.points)} points)")
                lines.append("")
                lines.append("  ```python")
                lines += ["  " + line for line in spec.code.strip().splitlines()]
                lines.append("  ```")
                if not passed and got and got.message:
                    lines.append(f"  Result: {got.message}")
                elif not got:
                    lines.append("  Result: not run (the notebook did not get this far)")
                lines.append("")
        lines.append("")
    path.write_text("\n".join(lines))

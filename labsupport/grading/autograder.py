"""Reading a lab's tests from its otter-grader autograder zip (trusted, instructor-side only)."""

from __future__ import annotations

import doctest
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Case", "Question", "load_autograder", "examples"]


@dataclass(frozen=True)
class Case:
    """One test case: doctest-formatted code, whether students may see it, and its points."""

    question: str
    index: int
    code: str
    hidden: bool
    points: float


@dataclass(frozen=True)
class Question:
    name: str
    cases: tuple[Case, ...]

    @property
    def points(self) -> float:
        return sum(case.points for case in self.cases)


def load_autograder(zip_path: Path) -> tuple[str, list[Question]]:
    """The assignment name and its questions, with otter's own point resolution.

    Raises ValueError naming the problem if the zip is not an otter autograder.
    """
    from otter.test_files.ok_test import OKTestFile

    zip_path = Path(zip_path)
    if not zipfile.is_zipfile(zip_path):
        raise ValueError(f"{zip_path} is not a zip file; pass the lab's autograder zip (make labs writes it)")
    with zipfile.ZipFile(zip_path) as archive, tempfile.TemporaryDirectory() as tmp:
        names = [n for n in archive.namelist() if n.startswith("tests/") and n.endswith(".py")]
        if not names:
            raise ValueError(f"{zip_path} has no tests/*.py: is it an otter autograder zip?")
        archive.extractall(tmp, members=names + [n for n in archive.namelist() if n == "otter_config.json"])
        config = Path(tmp) / "otter_config.json"
        import json

        lab = json.loads(config.read_text()).get("assignment_name", "") if config.exists() else ""
        questions = []
        for name in sorted(names, key=_natural):
            test_file = OKTestFile.from_file(str(Path(tmp) / name))
            cases = tuple(Case(test_file.name, i, tc.body, bool(tc.hidden), float(tc.points))
                          for i, tc in enumerate(test_file.test_cases))
            questions.append(Question(test_file.name, cases))
    return lab, questions


def _natural(name: str):
    stem = Path(name).stem
    digits = "".join(ch for ch in stem if ch.isdigit())
    return (stem.rstrip("0123456789"), int(digits) if digits else 0, stem)


def examples(code: str) -> list[tuple[str, str]]:
    """The (source, expected output) pairs of a doctest-formatted test case."""
    return [(ex.source, ex.want) for ex in doctest.DocTestParser().get_examples(code)]

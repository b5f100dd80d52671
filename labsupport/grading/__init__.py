"""Grading a whole class's lab notebooks with one command: ``labgrade``.

An exam hall, not an honour system: each submission sits alone in its own
room (a process group, and where the machine allows it, its own network,
mount and process namespaces), with a clock on the wall (a time limit),
a cap on the paper it may use (memory, output), and the sealed envelope of
hidden questions opened only after the student has put down the pen (the
tests are sent to the kernel only after the notebook's own cells have run).
"""

from labsupport.grading.autograder import Case, Question, load_autograder
from labsupport.grading.results import STATUSES, Result

__all__ = ["load_autograder", "Question", "Case", "Result", "STATUSES"]

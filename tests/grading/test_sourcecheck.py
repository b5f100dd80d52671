"""The reuse checks read from a notebook's source agree with the live checks, and refuse what they cannot read."""

import pytest

from labsupport.grading.reuse import LIBRARY_POLICY_NAMES
from labsupport.grading.sourcecheck import NotebookSource, borrowed, borrowed_policy_names, forbidden_uses

COST = ["labsupport.cost"]
SETUP = ("import math\nimport numpy as np\nfrom labsupport.cost.usage import hourly_usage\n"
         "from labsupport.cost.commitments import optimal_commitment as oc\n"
         "import labsupport.cost.commitments as lib\nhistory = hourly_usage('weekday', days=2)\nalias = oc")


@pytest.mark.parametrize("cell, found", [
    ("def f(u, d):\n    return float(np.sort(u)[math.ceil(len(u) * d) - 1])", []),
    ("def f(u, d):\n    oc = 3\n    return oc * d", []),                      # a local named like the import
    ("def f(u, d, usage=history):\n    return min(usage)", []),              # data made by a library call
    ("def f(u, d):\n    return oc(u, d)", ["import labsupport.cost.commitments", "oc"]),
    ("def f(u, d):\n    return alias(u, d)", ["import labsupport.cost.commitments", "oc"]),
    ("def g(u, d):\n    return lib.optimal_commitment(u, d)\ndef f(u, d):\n    return g(u, d)",
     ["import labsupport.cost.commitments", "lib", "optimal_commitment"]),   # through a helper
    ("def f(u, d):\n    from labsupport.cost import commitments\n    return commitments.optimal_commitment(u, d)",
     ["commitments", "import labsupport.cost", "optimal_commitment"]),
    ("exec('def f(u, d):\\n    return oc(u, d)')", ["f is not defined in the notebook where the grader can read its source"]),
])
def test_forbidden_uses_from_source(cell, found):
    assert forbidden_uses(NotebookSource([SETUP, cell]), "f", COST) == found


@pytest.mark.parametrize("cell, borrowing", [
    ("class P:\n    def choose(self, targets, state, rng):\n        return min(targets, key=state.outstanding.__getitem__)",
     False),
    ("from labsupport.availability.load_balancing import LeastOutstandingRequests\nclass P(LeastOutstandingRequests):\n"
     "    pass", True),
    ("import labsupport.availability.load_balancing as lb\nclass P:\n    def choose(self, targets, state, rng):\n"
     "        return lb.PowerOfChoices(2).choose(targets, state, rng)", True),
    ("globals()['P'] = type('P', (), {})", True),
])
def test_borrowed_policy_names_from_source(cell, borrowing):
    assert bool(borrowed_policy_names(NotebookSource([cell]), "P", LIBRARY_POLICY_NAMES)) is borrowing


@pytest.mark.parametrize("cells, borrowing", [
    (["import re\ndef evaluate(p, r):\n    return re.fullmatch(p, r) is not None"], False),
    (["from labsupport.security.iam import match as m\ndef evaluate(p, r):\n    return True"], True),
    (["def evaluate(p, r):\n    import labsupport\n    return labsupport.security.iam.evaluate(p, r)"], True),
])
def test_borrowed_from_source(cells, borrowing):
    assert bool(borrowed(NotebookSource(cells), "evaluate")) is borrowing


def test_a_name_the_notebook_imports_from_an_allowed_module_is_not_a_use_of_a_banned_one():
    """Lab 11's kit and the book's Raft both export RequestVote and Vote: using the kit's is no use of the book's."""
    from labsupport.grading.sourcecheck import NotebookSource, forbidden_uses

    banned = ["labsupport.agreement.raft"]
    honest = NotebookSource(["from labsupport.labkits.raftlab import RequestVote, Vote",
                             "class Node:\n    def ask(self):\n        return RequestVote(1, 'n1', 0, 0), Vote"])
    assert forbidden_uses(honest, "Node", banned) == []
    lazy = NotebookSource(["from labsupport.agreement import raft as lib", "class Node(lib.RaftNode):\n    pass"])
    assert forbidden_uses(lazy, "Node", banned) == ["RaftNode", "lib"]

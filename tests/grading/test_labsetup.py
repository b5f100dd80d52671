"""The lab's own values, computed once per lab and copied to each submission's grading process, are exact copies."""

import pickle

from labsupport.grading import runner
from labsupport.grading.labsetup import LabSetup

CELLS = [
    ["import math\nSEED = 7\nKEYS = [SEED, SEED + 1]\nSAME = KEYS\nBROKEN = 1 / 0", False],
    ["def answer(keys):\n    ...", True],
    ["TABLE = {k: math.sqrt(k) for k in KEYS}\nresult = answer(KEYS)", False],
]
CODES = [">>> answer(KEYS) == sorted(KEYS)\nTrue", ">>> TABLE[7] > 2, SAME is KEYS\n(True, True)",
         ">>> BROKEN\n1"]


def fresh_and_restored(cells, codes):
    fresh = LabSetup.for_cases(cells, codes)
    restored = LabSetup(cells)
    restored.restore(fresh.snapshot())
    restored.prepare(["KEYS", "TABLE", "SAME", "BROKEN", "math"])  # as a grading process does: nothing is left to run
    return fresh, restored


def test_a_restored_set_up_holds_the_same_values_and_runs_nothing_again():
    fresh, restored = fresh_and_restored(CELLS, CODES)
    assert restored.done == fresh.done
    assert restored.value("TABLE") == fresh.value("TABLE") == {7: 7 ** 0.5, 8: 8 ** 0.5}
    assert restored.namespace["math"] is fresh.namespace["math"]  # a module is imported again, not copied
    assert restored.namespace["SAME"] is restored.namespace["KEYS"]  # sharing survives the copy
    assert "BROKEN" not in restored.namespace and "result" not in restored.namespace


def test_values_that_cannot_be_copied_exactly_give_no_snapshot():
    cells = [["def helper(x):\n    return x + 1\nVALUE = helper(1)", False]]
    setup = LabSetup.for_cases(cells, [">>> VALUE, helper(2)\n(2, 3)"])
    assert setup.namespace["VALUE"] == 2
    assert setup.snapshot() is None  # a function the notebook defines: each submission computes it itself


def test_labgrade_computes_a_lab_s_values_once_per_process():
    cells = [["CALLS = [1]\nCOUNT = len(CALLS)", False]]
    first = runner.setup_snapshot(cells, [">>> COUNT\n1"])
    assert runner.setup_snapshot(cells, [">>> COUNT\n1"]) is first
    assert pickle.loads(first)[1]["COUNT"] == 1
    assert runner.setup_snapshot([["CALLS = [1, 2]\nCOUNT = len(CALLS)", False]], [">>> COUNT\n1"]) is not first

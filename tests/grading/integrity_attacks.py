"""Attacks on the two verdicts that used to be decided by the submission (issue 13), as notebooks.

Each attack is a lab's student version with one cell appended. Two kinds:

* the student redefines the lab's own set-up values (``KEYS``, ``history``,
  ``baseline``) so that some tests become vacuous;
* the student patches, inside the notebook, the library functions that drive
  or inspect their objects (``run_farm``, the quorum runs, the reuse checks),
  or forges the grader's record of a simulation.

``ATTACKS`` maps a file name to (lab, cell, attacked cases): the cases, as
(question, index), that the attack makes pass where it works. Used by
tests/test_labgrade_integrity.py, and runnable on its own against any checkout
to show the attacks' scores: ``python tests/grading/integrity_attacks.py OUT``.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

KEYS_EMPTY = """\
KEYS = []  # every test that loops over the lab's keys becomes vacuous
def lookup(ring, key, hash_fn=stable_hash):
    return None
def load_per_node(place, keys, nodes):
    return dict.fromkeys(nodes, 0)
"""
FLEET_ZEROS = """\
fleet = (np.zeros(48), np.zeros(48))  # with no usage, any pair of plans is "cheapest"
def choose_plans(usage, discounts):
    return 0.0, 0.0
"""
BASELINE_INFINITE = """\
import types
baseline = types.SimpleNamespace(p99_s=float("inf"), mean_s=float("inf"))
class LeastOutstanding:
    name = "always the first"
    def choose(self, targets, state, rng):
        return targets[0] if len(targets) > 1 else None
"""
PATCH_POLICY_CHECK = """\
import labsupport.grading.reuse as _reuse
_reuse.borrowed_policy_names = lambda cls: set()
from labsupport.availability.load_balancing import LeastOutstandingRequests
class LeastOutstanding(LeastOutstandingRequests):
    name = "least outstanding"
"""
PATCH_RUN_FARM = """\
import labsupport.availability.load_balancing as _lb, labsupport.availability.load_balancing.farm as _farm
_real_run_farm = _farm.run_farm
def _fake_run_farm(policy, *args, **kwargs):
    return _real_run_farm(_lb.PowerOfChoices(2), *args, **kwargs)
_lb.run_farm = _farm.run_farm = _fake_run_farm
class PowerOfTwo:
    name = "no choice at all"
    def choose(self, targets, state, rng):
        return None
"""
FORGE_FARM_LOG = PATCH_RUN_FARM + """\
try:
    import labsupport.grading.record as _record
    def _forged(policy, args, kwargs):  # every choice 'seen' as an idle farm, every pick server 0
        return {"name": "forged", "seen": bytes(8 * 8 * 20000), "keys": None, "picks": bytes(8 * 20000)}
    _record.record_farm = _forged
except ImportError:
    pass
"""
PATCH_QUORUM_RUNS = """\
import types
import labsupport.labkits.quorums as _q
def newest(replies):
    return None
class Coordinator(_q.LabCoordinator):
    def write(self, key, value):
        return "ok"
        yield
    def read(self, key):
        return None
        yield
class _History:
    def __init__(self, ops):
        self.operations = ops
    def __iter__(self):
        return iter(self.operations)
def _run(result, stores):
    ops = [types.SimpleNamespace(kind="read", result=result)] if result else []
    return types.SimpleNamespace(history=_History(ops), stores=stores, trace=())
_done = ((2, "writer"), "v2")
_q.run_repair = lambda *a, **k: _run("v2", {"r3": {"x": _done}, "r5": {"x": _done}})
_q.run_schedule = lambda *a, **k: _run("new", {"r1": {"x": ((2, "w"), "new")}})
_q.run_slow_replica = lambda *a, **k: 0.002
_q.run_workload = lambda *a, **k: _run(None, {})
"""
PATCH_IAM_CHECK = """\
import labsupport.grading.reuse as _reuse
_reuse.borrowed = lambda *functions: []
from labsupport.security.iam import match as _match
def action_matches(pattern, action):
    return _match.action_matches(_match.compile_action(pattern), action)
def resource_matches(pattern, resource):
    return _match.resource_matches(_match.compile_resource(pattern, variables=False), resource, {})
"""
PATCH_FORBIDDEN_CHECK = """\
import labsupport.grading.reuse as _reuse
_reuse.forbidden_uses = lambda *args, **kwargs: []
from labsupport.cost.commitments import optimal_commitment, savings_plan_cost
from labsupport.labkits.plan_pair import best_pair as choose_plans, pair_cost
def commitment_cost(usage, commitment, discount):
    return float(savings_plan_cost(usage, commitment, discount))
def choose_commitment(usage, discount):
    return float(optimal_commitment(usage, discount))
"""

ATTACKS = {
    "lab02_keys_empty.ipynb": ("lab02-hashing", KEYS_EMPTY, [("q2", 1), ("q2", 5), ("q3", 1)]),
    "lab08_fleet_zeros.ipynb": ("lab08-commitments", FLEET_ZEROS, [("q3", 0)]),
    "lab04_baseline_infinite.ipynb": ("lab04-loadbalancer", BASELINE_INFINITE, [("q1", 2)]),
    "lab04_patch_policy_check.ipynb": ("lab04-loadbalancer", PATCH_POLICY_CHECK, [("q1", i) for i in range(7)]),
    "lab04_patch_run_farm.ipynb": ("lab04-loadbalancer", PATCH_RUN_FARM, [("q2", 2), ("q2", 6)]),
    "lab04_forge_farm_log.ipynb": ("lab04-loadbalancer", FORGE_FARM_LOG, [("q2", 2), ("q2", 6)]),
    "lab03_patch_quorum_runs.ipynb": ("lab03-quorums", PATCH_QUORUM_RUNS, [("q2", i) for i in (1, 2, 4, 5, 6)]),
    "lab06_patch_iam_check.ipynb": ("lab06-iam", PATCH_IAM_CHECK, [("q1", 4)]),
    "lab08_patch_forbidden_check.ipynb": ("lab08-commitments", PATCH_FORBIDDEN_CHECK,
                                          [("q1", 2), ("q2", 2)] + [("q3", i) for i in range(1, 7)]
                                          + [("q4", i) for i in range(2, 11)]),
}


def notebook(lab: str, cell: str) -> dict:
    """The lab's student version with ``cell`` appended."""
    nb = copy.deepcopy(json.loads((ROOT / "labs" / lab / f"{lab}.ipynb").read_text()))
    nb["cells"].append({"cell_type": "code", "execution_count": None, "id": "attack", "metadata": {}, "outputs": [],
                        "source": cell})
    return nb


def write_all(folder: Path) -> dict[str, list[str]]:
    """Write every attack into ``folder/<lab>/``; the file names per lab."""
    by_lab: dict[str, list[str]] = {}
    for name, (lab, cell, _) in ATTACKS.items():
        (folder / lab).mkdir(parents=True, exist_ok=True)
        (folder / lab / name).write_text(json.dumps(notebook(lab, cell), indent=1))
        by_lab.setdefault(lab, []).append(name)
    return by_lab


def attacked_points(result: dict, attacked) -> float:
    """Points a saved result (results/<name>.json) earned on the attacked cases."""
    return sum(c["earned"] for c in result["cases"] if (c["question"], c["index"]) in set(attacked))


if __name__ == "__main__":  # grade every attack with this checkout's labgrade; print points on the attacked cases
    import subprocess

    out = Path(sys.argv[1])
    for lab, names in write_all(out / "subs").items():
        subprocess.run([sys.executable, "-m", "labsupport.grading.cli", lab, str(out / "subs" / lab), "--out",
                        str(out / lab), "--workers", "2", "--isolation", sys.argv[2] if len(sys.argv) > 2 else "auto"],
                       check=True, capture_output=True)
        for name in names:
            result = json.loads((out / lab / "results" / f"{name}.json").read_text())
            attacked = ATTACKS[name][2]
            print(f"{name}: {attacked_points(result, attacked):.2f} on the attacked cases {attacked}, "
                  f"total {sum(c['earned'] for c in result['cases']):.2f}")

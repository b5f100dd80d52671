"""What each lab asks students to write: the library code that is not there while the lab is graded.

A lab on vector clocks is not passed by importing the book's vector clocks.
Each lab declares here the library modules (``"pkg.mod"``: everything defined
in it; a package: every module in it) and objects (``"pkg.mod:Name"``) that
implement what its questions ask for. While a submission of that lab is graded,
its kernel holds only stubs of them (:mod:`.guard`), so an answer that calls
them, by any route, fails its tests and scores zero for that question, public
tests included. The lab's introduction says so.

Examples
--------
>>> asked_for("lab01-clocks")[0]
'labsupport.foundations.clocks'
>>> asked_for("a-lab-nobody-declared")
()
"""

from __future__ import annotations

import importlib
import types

__all__ = ["ASKED_FOR", "asked_for", "Declared"]

_POLICIES = "labsupport.availability.load_balancing.policies"

ASKED_FOR: dict[str, tuple[str, ...]] = {
    # Lamport and vector clocks, happened-before and concurrency; the replicas' version vectors too.
    "lab01-clocks": ("labsupport.foundations.clocks", "labsupport.data.quorum.versions",
                     "labsupport.availability.cross_region:_merge_vectors"),
    # A hash ring, lookups, load and movement measurements (every ring and placement in the library).
    "lab02-hashing": ("labsupport.data.hashing", f"{_POLICIES}:ConsistentHashAffinity", f"{_POLICIES}:_ring_point"),
    # Quorum intersection, quorum reads and writes with read repair.
    "lab03-quorums": ("labsupport.data.quorum",),
    # Least outstanding requests and power of choices.
    "lab04-loadbalancer": (f"{_POLICIES}:LeastOutstandingRequests", f"{_POLICIES}:PowerOfChoices",
                           f"{_POLICIES}:_least_outstanding"),
    # The phi-accrual suspicion level and the split-brain analysis of a client history.
    "lab05-failover": ("labsupport.availability.failure_detection.detectors:PhiAccrualDetector",
                       "labsupport.availability.failure_detection.theory:phi_deadline_s",
                       "labsupport.availability.failover.analysis:split_brain",
                       "labsupport.availability.failover.analysis:acknowledged"),
    # Pattern matching, statements, conditions and the decision of IAM policies (the whole evaluator).
    # (evaluate.py is declared by its functions: its Decision enum's methods are Enum's own, shared by every enum.)
    "lab06-iam": tuple(f"labsupport.security.iam.{m}" for m in ("conditions", "match", "parse", "principals", "request",
                                                               "statements", "values", "variables"))
    + ("labsupport.security.iam.evaluate:evaluate", "labsupport.security.iam.evaluate:_identity_side",
       "labsupport.security.iam.evaluate:_check_inputs"),
    # M out of N, missing data and an alarm over a series: CloudWatch's alarm evaluation.
    "lab07-alarms": ("labsupport.monitoring.cloudwatch.alarms",),
    # A Savings Plan's bill and the cheapest commitment; the lab kit's bill of two plans at once and its search
    # for the cheapest pair; its brute force for a plan in two steps.
    "lab08-commitments": ("labsupport.cost.commitments", "labsupport.labkits.commitments:layered_cost",
                          "labsupport.labkits.commitments:best_layered_plan",
                          "labsupport.labkits.commitments:_costs_at", "labsupport.labkits.commitments:_suffix_argmin")
    + tuple(f"labsupport.labkits.plan_pair:{name}" for name in ("pair_cost", "best_pair", "_bill", "_quantile")),
    # The cheapest disaster recovery strategy that meets the objectives.
    "lab09-capstone": ("labsupport.usecases.dr_choice:recommend",),
    # Spreading every value to every node: the book's gossip (push, pull and push-pull dissemination).
    "lab10-broadcast": ("labsupport.agreement.gossip",),
    # Raft: the book's servers, their durable base, the key-value store and the scripted runs built on them
    # (raft_invariants, the referee the lab's checks use, stays).
    "lab11-raft": tuple(f"labsupport.agreement.{m}" for m in ("raft", "raft_durable", "raft_kv", "raft_election",
                                                              "raft_figure8")),
}


def asked_for(lab: str) -> tuple[str, ...]:
    """The declared entries of ``lab`` (empty for a lab that declares none)."""
    return ASKED_FOR.get(lab, ())


class Declared:
    """The grader's view of a lab's entries: which library objects must stay on the grader's side.

    Examples
    --------
    >>> from labsupport.foundations.clocks import happened_before
    >>> from labsupport.foundations.kvstore import run_lost_update
    >>> declared = Declared(asked_for("lab01-clocks"))
    >>> declared.covers(happened_before), declared.covers(run_lost_update)
    (True, False)
    """

    def __init__(self, entries):
        self.modules: tuple[str, ...] = tuple(e for e in entries if ":" not in e)
        self.objects: set[int] = set()
        self.keep: list = []  # the declared objects themselves, so that their ids stay theirs
        for entry in entries:
            module_name, _, attr = entry.partition(":")
            if not attr:
                continue
            try:
                obj = importlib.import_module(module_name)
                for part in attr.split("."):
                    obj = getattr(obj, part)
            except (ImportError, AttributeError):
                continue
            self.objects.add(id(obj))
            self.keep.append(obj)

    def covers_module(self, name: str) -> bool:
        """Whether the module ``name`` is declared whole (or lies inside a declared package)."""
        return any(name == m or name.startswith(m + ".") for m in self.modules)

    def covers(self, obj) -> bool:
        """Whether ``obj`` (a function, class, bound method or instance) is, or belongs to, a declared entry."""
        for candidate in (obj, getattr(obj, "__func__", None), getattr(obj, "__self__", None), type(obj)):
            if candidate is None:
                continue
            if id(candidate) in self.objects:
                return True
            module = getattr(candidate, "__module__", None)
            if isinstance(module, str) and isinstance(candidate, (type, types.FunctionType)) \
                    and self.covers_module(module):
                return True
        return False

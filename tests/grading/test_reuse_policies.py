"""The lab guard tells a student's own policy from reuse of the library's."""

import random

import pytest

from labsupport.grading.reuse import LIBRARY_POLICY_NAMES, borrowed_policy_names
from labsupport.availability.load_balancing import BalancerState, LeastOutstandingRequests, PowerOfChoices, make_policy


class Own:
    name = "own"

    def choose(self, targets, state, rng):
        low = min(state.outstanding[t] for t in targets)
        return rng.choice([t for t in targets if state.outstanding[t] == low])


class OwnPowerOfTwo:
    def __init__(self):
        self.calls = 0

    def choose(self, targets, state, rng):
        self.calls += 1
        if len(targets) == 1:
            return targets[0]
        a, b = rng.sample(list(targets), 2)
        return b if state.outstanding[b] < state.outstanding[a] else a


class UsesBalancerState:
    def choose(self, targets, state, rng):
        return min(targets, key=BalancerState(state.outstanding).outstanding.__getitem__)


def test_own_classes_pass():
    for cls in (Own, OwnPowerOfTwo, UsesBalancerState):
        assert borrowed_policy_names(cls) == set()
        assert cls().choose("ab", BalancerState({"a": 1, "b": 0}), random.Random(0)) == "b"


class Sub(LeastOutstandingRequests):
    pass


class CallsInMethod:
    def choose(self, targets, state, rng):
        return PowerOfChoices(2).choose(targets, state, rng)


class HoldsInInit:
    def __init__(self):
        self.inner = PowerOfChoices(2)

    def choose(self, targets, state, rng):
        return self.inner.choose(targets, state, rng)


class HoldsAtClassLevel:
    inner = LeastOutstandingRequests()

    def choose(self, targets, state, rng):
        return self.inner.choose(targets, state, rng)


class FactoryInLambda:
    def choose(self, targets, state, rng):
        pick = lambda: make_policy("least_outstanding_requests")   # noqa: E731
        return pick().choose(targets, state, rng)


class NeedsArguments:
    def __init__(self, inner):
        self.inner = inner

    def choose(self, targets, state, rng):
        return self.inner.choose(targets, state, rng)


@pytest.mark.parametrize("cls, reason", [
    (LeastOutstandingRequests, "defined in labsupport.availability.load_balancing.policies"),
    (Sub, "subclass of LeastOutstandingRequests"),
    (CallsInMethod, "uses PowerOfChoices"),
    (HoldsInInit, "holds a PowerOfChoices"),
    (HoldsAtClassLevel, "holds a LeastOutstandingRequests"),
    (FactoryInLambda, "uses make_policy"),
])
def test_reuse_is_reported(cls, reason):
    assert reason in borrowed_policy_names(cls)


def test_a_constructor_with_arguments_is_not_called():
    assert borrowed_policy_names(NeedsArguments) == set()


def test_names_cover_every_policy_in_the_library():
    assert {"LeastOutstandingRequests", "PowerOfChoices", "make_policy"} <= LIBRARY_POLICY_NAMES


def test_bad_input():
    with pytest.raises(TypeError, match="cls"):
        borrowed_policy_names(Own())

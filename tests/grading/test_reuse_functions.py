"""Shortcut detection: a function that borrows the library's answer is caught, an honest one is not."""

import math

import numpy as np
import pytest

import labsupport.cost as cost_package
import labsupport.cost.commitments as commitments_module
from labsupport.cost.commitments import optimal_commitment
from labsupport.cost.usage import hourly_usage
from labsupport.grading.reuse import forbidden_uses

BANNED = ["labsupport.cost.commitments", "labsupport.cost.pricing"]


def honest(usage, discount):
    u = np.sort(np.asarray(usage, dtype=float))
    k = math.ceil(u.size * discount)
    return 0.0 if k == 0 else (1 - discount) * float(u[k - 1])


def direct(usage, discount):
    return optimal_commitment(usage, discount)


def through_a_helper(usage, discount):
    return direct(usage, discount) + honest(usage, discount)


def through_a_module(usage, discount):
    return commitments_module.optimal_commitment(usage, discount)


def through_the_package(usage, discount):
    return cost_package.savings_plan_cost(usage, 0.0, discount)


def with_a_local_import(usage, discount):
    from labsupport.cost.commitments import optimal_commitment as oc
    return oc(usage, discount)


def in_a_lambda(usage, discount):
    pick = lambda u: optimal_commitment(u, discount)  # noqa: E731
    return pick(usage)


def recursive(usage, discount, depth=3):
    return honest(usage, discount) if depth == 0 else recursive(usage, discount, depth - 1)


def uses_other_library_parts(usage, discount):
    return honest(hourly_usage("steady", days=1), discount)


def test_an_honest_function_and_its_helpers_pass():
    assert forbidden_uses(honest, BANNED) == []
    assert forbidden_uses(recursive, BANNED) == []
    assert forbidden_uses(uses_other_library_parts, BANNED) == []


@pytest.mark.parametrize("func, names", [
    (direct, ["optimal_commitment"]),
    (through_a_helper, ["optimal_commitment"]),
    (through_a_module, ["commitments_module", "optimal_commitment"]),
    (with_a_local_import, ["optimal_commitment"]),
    (in_a_lambda, ["optimal_commitment"]),
])
def test_every_route_to_the_answer_is_caught(func, names):
    assert forbidden_uses(func, BANNED) == names


def test_a_banned_package_covers_its_submodules_and_its_exports():
    assert forbidden_uses(through_the_package, ["labsupport.cost"]) == ["cost_package", "savings_plan_cost"]
    assert forbidden_uses(uses_other_library_parts, ["labsupport.cost"]) == ["hourly_usage"]
    assert forbidden_uses(through_the_package, BANNED) == ["savings_plan_cost"]  # exported name reached as an attribute


def test_bad_arguments_are_rejected():
    with pytest.raises(TypeError, match="func must be a Python function"):
        forbidden_uses(len, BANNED)
    with pytest.raises(ValueError, match="give at least one non-empty dotted module name"):
        forbidden_uses(honest, [])


class _HonestNode:
    def decide(self, u):
        return honest(u, 0.5)


class _BorrowingNode(_HonestNode):
    def decide(self, u):
        return direct(u, 0.5)


def test_a_class_is_checked_through_its_bases_and_methods():
    """Lab 11 hands in node classes: a method that reaches the library, even an inherited one, is a use."""
    class Inherits(_BorrowingNode):
        pass

    assert forbidden_uses(_HonestNode, BANNED) == []
    assert forbidden_uses(_BorrowingNode, BANNED) == ["optimal_commitment"]
    assert forbidden_uses(Inherits, BANNED) == ["optimal_commitment"]
    assert forbidden_uses(type("FromTheLibrary", (commitments_module.UsageLine,), {}),
                          ["labsupport.cost.commitments"]) == ["UsageLine"]

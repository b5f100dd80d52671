"""Grader helpers of Lab 6: the generated cases are reproducible and varied; the reuse check bites."""

import pytest

from labsupport.grading.reuse import borrowed
from labsupport.labkits.iam import generated_cases


def test_cases_are_reproducible_and_cover_every_decision():
    cases = generated_cases(150, seed=6)
    assert cases == generated_cases(150, seed=6) and cases != generated_cases(150, seed=7)
    assert {d for *_, d in cases} == {"ALLOW", "EXPLICIT_DENY", "IMPLICIT_DENY"}
    with_boundary = generated_cases(60, seed=7, with_boundary=True)
    assert any(b is not None for _, b, _, _ in with_boundary) and any(b is None for _, b, _, _ in with_boundary)
    with pytest.raises(ValueError, match="count"):
        generated_cases(0, seed=1)


def test_borrowed_sees_library_functions_globals_and_imports():
    namespace = {}
    exec("def mine(p, a):\n    return p == a\n", namespace)
    assert borrowed(namespace["mine"]) == []
    exec("from labsupport.security.iam import evaluate as _lib\n", namespace)
    assert borrowed(namespace["mine"]) == ["mine: global _lib comes from labsupport.security.iam"]
    exec("def sneaky(p, a):\n    import labsupport.security.iam.match as m\n    return m.action_matches(m.compile_action(p), a)\n",
         namespace)
    assert "sneaky: imports labsupport in its code" in borrowed(namespace["sneaky"])

"""k-of-n redundancy on the kernel agrees with the binomial closed form, and fails cleanly on bad input."""

import pytest

from labsupport.foundations.redundancy import run_redundancy


@pytest.mark.parametrize("k", [1, 2, 3])
def test_simulated_availability_matches_the_binomial_closed_form(k):
    r = run_redundancy(n=3, k=k, mttf_s=900, mttr_s=100, duration_s=150_000, seed=11)
    # ~150 failure-repair cycles per replica: a few percent of sampling error at most.
    assert r.time_fraction == pytest.approx(r.theory, rel=0.03)
    assert r.probe_fraction == pytest.approx(r.time_fraction, abs=0.01)


def test_probes_are_never_served_while_fewer_than_k_replicas_are_up():
    r = run_redundancy(n=2, k=2, mttf_s=50, mttr_s=50, duration_s=20_000, seed=3)
    assert r.probe_fraction < 0.4 and r.theory == pytest.approx(0.25)


def test_same_seed_same_result():
    assert run_redundancy(n=3, k=2, duration_s=20_000, seed=4) == run_redundancy(n=3, k=2, duration_s=20_000, seed=4)


@pytest.mark.parametrize("kwargs, match", [(dict(n=0), "n=0"), (dict(n=3, k=4), "k=4"), (dict(mttr_s=0), "mttr_s=0"),
                                           (dict(duration_s=-1), "duration_s=-1")])
def test_bad_input_names_the_parameter(kwargs, match):
    with pytest.raises(ValueError, match=match):
        run_redundancy(**kwargs)

"""DDoS scenes: goodput of legitimate users against the closed forms, and determinism."""

import statistics

import pytest

from labsupport.security.ddos import erlang_b, run_request_flood, run_syn_flood, run_volumetric_flood


def test_erlang_b_known_values_and_limits():
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    assert erlang_b(2, 1.0) == pytest.approx(0.2)            # (1/2) / (1 + 1 + 1/2)
    assert erlang_b(10, 0.0) == 0.0
    assert erlang_b(5, 1e6) == pytest.approx(1.0, abs=1e-4)
    with pytest.raises(ValueError, match="c=0 is out of range"):
        erlang_b(0, 1.0)


@pytest.mark.parametrize("defence, expected", [("none", 100 / 450), ("token_bucket", 1.0), ("waf_rate_rule", 1.0)])
def test_request_flood_goodput_matches_sharing_theory(defence, expected):
    r = run_request_flood(defence, seed=3)
    assert r.theory == pytest.approx(expected)
    assert r.goodput == pytest.approx(r.theory, abs=0.03)


def test_waf_needs_time_to_detect_the_flood():
    r = run_request_flood("waf_rate_rule", seed=4)
    assert sum(r.attack_admitted[10:20]) > 5 * 20 * 20       # attackers pass until the first check after they exceed
    assert sum(r.attack_admitted[30:]) == 0                  # then they are blocked for good
    weak = run_request_flood("token_bucket", bucket_rate_per_s=10.0, seed=4)   # 20 x 10/s still floods the server
    assert weak.theory == pytest.approx(100 / 250) and weak.goodput == pytest.approx(weak.theory, abs=0.04)


def test_syn_backlog_occupancy_is_rate_times_timeout_below_saturation():
    r = run_syn_flood(10.0, legit_rate_per_s=1.0, syn_timeout_s=5.0, duration_s=120, seed=5)
    assert r.theory_backlog == pytest.approx(10 * 5 + 1 * 0.05, rel=0.01)   # Little's law, no loss yet
    assert r.mean_backlog == pytest.approx(r.theory_backlog, rel=0.08)
    assert r.success == 1.0


@pytest.mark.parametrize("attack", [40.0, 100.0, 400.0])
def test_syn_flood_success_follows_erlang_loss(attack):
    runs = [run_syn_flood(attack, seed=s) for s in range(3)]
    assert statistics.fmean(r.success for r in runs) == pytest.approx(runs[0].theory_success, abs=0.03)
    assert runs[0].mean_backlog == pytest.approx(runs[0].theory_backlog, rel=0.03)


def test_syn_cookies_keep_every_legitimate_handshake():
    plain, cookies = run_syn_flood(400.0, seed=6), run_syn_flood(400.0, syn_cookies=True, seed=6)
    assert plain.success < 0.1 and cookies.success == 1.0 and cookies.cookies_sent > 10_000
    assert cookies.mean_backlog == pytest.approx(plain.mean_backlog, rel=0.02)  # the backlog still fills: cookies need no slot


def test_anycast_spreads_the_flood_over_edges():
    goodput = {k: run_volumetric_flood(k, concentration=1000.0, seed=7) for k in (1, 4, 16)}
    for k, r in goodput.items():
        assert r.goodput == pytest.approx(r.theory, abs=0.05), k
    assert goodput[1].goodput < goodput[4].goodput < goodput[16].goodput == pytest.approx(1.0, abs=0.01)
    lopsided = run_volumetric_flood(16, concentration=0.3, seed=7)
    assert lopsided.goodput < goodput[16].goodput and lopsided.busiest_edge_load > 1


def test_same_seed_same_results():
    assert run_request_flood("waf_rate_rule", seed=8) == run_request_flood("waf_rate_rule", seed=8)
    assert run_syn_flood(50.0, seed=8) == run_syn_flood(50.0, seed=8)
    assert run_volumetric_flood(4, seed=8) == run_volumetric_flood(4, seed=8)
    assert run_syn_flood(50.0, seed=8) != run_syn_flood(50.0, seed=9)


@pytest.mark.parametrize("call, message", [
    (lambda: run_request_flood("shield", seed=0), "defence='shield'"), (lambda: run_syn_flood(-1.0, seed=0), "attack_rate_per_s"),
    (lambda: run_syn_flood(1.0, backlog=0, seed=0), "backlog"), (lambda: run_volumetric_flood(0, seed=0), "edges"),
    (lambda: run_request_flood("none", steady_from_s=5.0, seed=0), "steady_from_s")])
def test_bad_parameters_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()

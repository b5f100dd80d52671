"""Token bucket and WAF-style rate-based rule: what they promise."""

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.security.ratelimit import WAF_WINDOWS_S, RateBasedRule, TokenBucket


@settings(max_examples=60, deadline=None)
@given(rate=st.floats(0.5, 50), burst=st.integers(1, 20),
       gaps=st.lists(st.floats(0, 0.5), min_size=1, max_size=200))
def test_token_bucket_never_allows_more_than_burst_plus_rate_times_time(rate, burst, gaps):
    tb, t, allowed = TokenBucket(rate, burst), 0.0, []
    for g in gaps:
        t += g
        if tb.allow(t):
            allowed.append(t)
    for i in range(len(allowed)):
        for j in range(i, len(allowed)):
            assert j - i + 1 <= burst + rate * (allowed[j] - allowed[i]) + 1e-9


def test_token_bucket_lets_a_steady_client_below_its_rate_through():
    tb = TokenBucket(rate_per_s=2, burst=1)
    assert all(tb.allow(t * 0.6) for t in range(100))
    with pytest.raises(ValueError, match="earlier"):
        tb.allow(0.0)
    with pytest.raises(ValueError, match="burst"):
        TokenBucket(1, 0.5)


@settings(max_examples=40, deadline=None)
@given(window=st.sampled_from(WAF_WINDOWS_S), limit=st.integers(10, 200), check=st.sampled_from([1.0, 10.0, 30.0]))
def test_a_client_within_the_limit_is_never_blocked(window, limit, check):
    rule = RateBasedRule(limit, window, check)
    period = window / limit * 1.001              # just under limit requests per window
    assert all(rule.allow("10.0.0.1", k * period) for k in range(3 * limit))


def test_flood_is_blocked_after_the_next_check_and_released_when_it_stops():
    rule = RateBasedRule(limit=100, window_s=60, check_interval_s=10)
    times = [k / 50 for k in range(50 * 30)]     # 50 requests a second for 30 s
    verdicts = [rule.allow("198.51.100.7", t) for t in times]
    first_block = times[verdicts.index(False)]
    assert first_block == 10.0                   # 500 requests by the check at 10 s
    assert not any(verdicts[times.index(first_block):])
    assert "198.51.100.7" in rule.blocked
    assert rule.allow("198.51.100.7", 30 + 60 + 10)  # a window of silence, then the next check
    assert rule.allow("192.0.2.1", 31.0)             # other clients are never affected


@pytest.mark.parametrize("kwargs, message", [(dict(limit=9), "choose limit >= 10"), (dict(limit=100, window_s=30), "60, 120, 300, 600"),
                                             (dict(limit=100, window_s=60, check_interval_s=0), "check_interval_s")])
def test_rule_settings_follow_aws_waf(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RateBasedRule(**kwargs)

"""Rate limiting: a token bucket, and a rate-based rule in the style of AWS WAF.

A **token bucket** is a ticket machine that prints ``rate`` tickets a second
into a tray holding at most ``burst`` of them: each request takes a ticket,
and with the tray empty it is refused. Short bursts pass; sustained excess
does not. A **rate-based rule** is a doorman with a notebook: for each client
address it counts the requests of the last few minutes (the *evaluation
window*), and while the count is over the limit it turns that client away.
It looks at its notebook only every so often, so a flood gets a head start.

References
----------
AWS WAF Developer Guide, "Rate-based rule high-level settings": evaluation
window of 60, 120, 300 or 600 seconds (300 is the default); the lowest rate
limit allowed is 10; the limit applies to each aggregation instance (for
example each source IP). "Rate-based rule caveats": AWS WAF *estimates* the
rate, giving more weight to recent requests, so it limits near, not exactly
at, the limit; requests can arrive too fast for some time before WAF detects
and limits them (usually under 30 seconds). The sliding-window count with a
periodic check below is our simplification of that behaviour.
"""

from __future__ import annotations

from collections import defaultdict, deque

from labsupport.checks import check_choice, check_int, check_number

__all__ = ["TokenBucket", "RateBasedRule", "WAF_WINDOWS_S", "WAF_MIN_LIMIT"]

WAF_WINDOWS_S = (60, 120, 300, 600)
WAF_MIN_LIMIT = 10


class TokenBucket:
    """``rate_per_s`` tokens a second, at most ``burst`` stored; a request spends one.

    Examples
    --------
    >>> tb = TokenBucket(rate_per_s=2, burst=3)
    >>> [tb.allow(0.0) for _ in range(4)]          # the burst, then empty
    [True, True, True, False]
    >>> tb.allow(0.5), tb.allow(0.6)                # one token refilled after 0.5 s
    (True, False)
    """

    def __init__(self, rate_per_s: float, burst: float) -> None:
        self.rate_per_s = check_number("rate_per_s", rate_per_s, low=0, low_open=True)
        self.burst = check_number("burst", burst, low=1)  # at least one request
        self._tokens, self._last_s = float(burst), None

    def allow(self, now_s: float) -> bool:
        if self._last_s is not None:
            if now_s < self._last_s:
                raise ValueError(f"now_s={now_s} is earlier than the previous call ({self._last_s}); time only moves forward")
            self._tokens = min(self.burst, self._tokens + (now_s - self._last_s) * self.rate_per_s)
        self._last_s = now_s
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False


class RateBasedRule:
    """Block a client while its requests in the last ``window_s`` exceed ``limit`` (checked every ``check_interval_s``).

    Every request the rule sees is counted, blocked or not.

    Examples
    --------
    >>> rule = RateBasedRule(limit=10, window_s=60, check_interval_s=10)
    >>> seen = [rule.allow("203.0.113.9", t / 10) for t in range(300)]   # 10 requests a second for 30 s
    >>> seen.index(False) / 10                                           # blocked at the first check after 1 s
    10.0
    >>> RateBasedRule(limit=5, window_s=60)
    Traceback (most recent call last):
    ValueError: limit=5 is out of range; choose limit >= 10
    """

    def __init__(self, limit: int, window_s: int = 300, check_interval_s: float = 10.0) -> None:
        check_int("limit", limit, low=WAF_MIN_LIMIT)  # AWS WAF's minimum requests per window
        check_choice("window_s", window_s, WAF_WINDOWS_S)
        check_number("check_interval_s", check_interval_s, low=0, low_open=True, high=window_s)
        self.limit, self.window_s, self.check_interval_s = limit, window_s, check_interval_s
        self._seen: dict[str, deque] = defaultdict(deque)
        self._blocked: set[str] = set()
        self._next_check_s = check_interval_s

    def _check(self, now_s: float) -> None:
        while now_s >= self._next_check_s:
            t = self._next_check_s
            self._blocked = set()
            for ip, times in self._seen.items():
                while times and times[0] <= t - self.window_s:
                    times.popleft()
                if sum(1 for x in times if x <= t) > self.limit:
                    self._blocked.add(ip)
            self._next_check_s += self.check_interval_s

    def allow(self, ip: str, now_s: float) -> bool:
        """Count this request; False if ``ip`` is currently blocked."""
        self._check(now_s)
        self._seen[ip].append(now_s)
        return ip not in self._blocked

    @property
    def blocked(self) -> frozenset[str]:
        return frozenset(self._blocked)

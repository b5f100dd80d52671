"""Latency distributions for network links.

A link's delay is never one number: most messages arrive quickly, a few are
stuck behind a queue somewhere. Each distribution here says how long one
message takes, drawn from a seeded generator, and knows its own mean and
quantiles so tests and chapters can compare what a run measured with what
was configured.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from labsupport.checks import check_number, check_probability, check_type, out_of_range

__all__ = ["Latency", "Constant", "Uniform", "Exponential", "LogNormal", "as_latency"]

Seconds = float


class Latency:
    """Base class: ``sample(rng)`` draws one delay in seconds."""

    def sample(self, rng: random.Random) -> Seconds:  # pragma: no cover - interface
        raise NotImplementedError

    @property
    def mean(self) -> Seconds:  # pragma: no cover - interface
        raise NotImplementedError

    def quantile(self, p: float) -> Seconds:  # pragma: no cover - interface
        raise NotImplementedError


@dataclass(frozen=True)
class Constant(Latency):
    """Every message takes exactly ``delay_s`` seconds.

    Examples
    --------
    >>> Constant(0.002).sample(random.Random(1))
    0.002
    """

    delay_s: Seconds

    def __post_init__(self):
        check_number("delay_s", self.delay_s, low=0)

    def sample(self, rng):
        return self.delay_s

    @property
    def mean(self):
        return self.delay_s

    def quantile(self, p):
        check_probability("p", p, open_high=True)  # a quantile
        return self.delay_s


@dataclass(frozen=True)
class Uniform(Latency):
    """Delays spread evenly between ``low_s`` and ``high_s``.

    Examples
    --------
    >>> Uniform(0.001, 0.003).mean
    0.002
    """

    low_s: Seconds
    high_s: Seconds

    def __post_init__(self):
        check_number("low_s", self.low_s, low=0)
        if not check_number("high_s", self.high_s, low=0) >= self.low_s:
            raise out_of_range("high_s", self.high_s, "0 <= low_s <= high_s", why=f"is below low_s={self.low_s}")

    def sample(self, rng):
        return rng.uniform(self.low_s, self.high_s)

    @property
    def mean(self):
        return (self.low_s + self.high_s) / 2

    def quantile(self, p):
        check_probability("p", p, open_high=True)  # a quantile
        return self.low_s + p * (self.high_s - self.low_s)


@dataclass(frozen=True)
class Exponential(Latency):
    """A fixed propagation delay ``base_s`` plus an exponential queueing delay of mean ``mean_extra_s``.

    Examples
    --------
    >>> d = Exponential(mean_extra_s=0.001, base_s=0.0005)
    >>> round(d.mean, 4), round(d.quantile(0.5), 6)
    (0.0015, 0.001193)
    """

    mean_extra_s: Seconds
    base_s: Seconds = 0.0

    def __post_init__(self):
        check_number("mean_extra_s", self.mean_extra_s, low=0, low_open=True)
        check_number("base_s", self.base_s, low=0)

    def sample(self, rng):
        return self.base_s + rng.expovariate(1 / self.mean_extra_s)

    @property
    def mean(self):
        return self.base_s + self.mean_extra_s

    def quantile(self, p):
        check_probability("p", p, open_high=True)  # a quantile
        return self.base_s - self.mean_extra_s * math.log(1 - p)


@dataclass(frozen=True)
class LogNormal(Latency):
    """A heavy-tailed delay: ``log(delay)`` is normal with median ``median_s`` and shape ``sigma``.

    Measured round-trip times inside a data centre look like this: a tight
    body and a long right tail.

    Examples
    --------
    >>> d = LogNormal(median_s=0.001, sigma=0.5)
    >>> round(d.quantile(0.5), 6), round(d.mean, 6)
    (0.001, 0.001133)
    """

    median_s: Seconds
    sigma: float

    def __post_init__(self):
        check_number("median_s", self.median_s, low=0, low_open=True)
        check_number("sigma", self.sigma, low=0)

    def sample(self, rng):
        return rng.lognormvariate(math.log(self.median_s), self.sigma)

    @property
    def mean(self):
        return self.median_s * math.exp(self.sigma**2 / 2)

    def quantile(self, p):
        check_probability("p", p, open_high=True)  # a quantile
        from statistics import NormalDist

        if p == 0:
            return 0.0
        return self.median_s * math.exp(self.sigma * NormalDist().inv_cdf(p))


def as_latency(value: Latency | float, name: str = "latency") -> Latency:
    """Accept a distribution, or a plain number of seconds meaning :class:`Constant`.

    ``name`` is the parameter named in the error for a bad value.
    """
    if isinstance(value, Latency):
        return value
    # a number of seconds, or a Latency such as Exponential(0.001)
    return Constant(check_number(name, check_type(name, value, (Latency, int, float)), low=0))

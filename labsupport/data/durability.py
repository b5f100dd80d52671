"""How likely is it to lose data? Replication and erasure coding as Markov chains.

A file kept as ``n`` pieces on ``n`` disks is like a rope of ``n`` strands
that can still hold while at most ``f`` strands are cut: disks break at
random, a technician re-braids each cut strand after a while, and the rope
snaps only if ``f + 1`` strands are cut *at the same time*. Three-way
replication is ``n = 3, f = 2``; a Reed-Solomon code with ``k`` data and ``m``
parity shards is ``n = k + m, f = m`` (any ``k`` of the ``n`` shards rebuild
the object).

The model (Gibson's RAID model, generalised): every shard fails
independently at rate ``lam`` (from the annual failure rate, ``afr``), every
failed shard is rebuilt independently after an exponential time with mean
``repair_hours``; the number of failed shards is a birth-death Markov chain
that ends at ``f + 1`` failures. The **mean time to data loss** (MTTDL) is the
mean absorption time; the annual loss probability is ``1 - exp(-1 yr / MTTDL)``.

Where AWS does this: Amazon S3 is "designed to provide 99.999999999%
durability ... of objects over a given year" and stores objects "on multiple
devices across a minimum of three Availability Zones" for most storage classes
(S3 User Guide, *Data protection in Amazon S3*). **Eleven nines** (an annual
loss probability of 1e-11) is what this model yields only under its
assumptions: independent failures, repair in hours rather than weeks, and
enough shards spread over independent failure domains. Correlated failures
break the first assumption; the ``zones`` / ``zone_loss_per_year`` variant
models the most obvious one, losing a whole Availability Zone, and shows why
S3 spreads shards over at least three. Greenan, Plank & Wylie, "Mean time to
meaningless" (HotStorage 2010) explain what MTTDL leaves out (latent sector
errors, non-exponential lifetimes), so treat the numbers as comparisons,
not promises.

Notes
-----
Worked numbers at AFR 2 % and 24-hour repair: 3-way replication gives about
9.7 nines, Reed-Solomon 6+3 about 11.8; a month-long repair costs 6+3 four
nines; losing each of three zones once a century (a made-up rate) leaves
6+3 with 4.8 nines. The MTTDL solves ``-Q t = 1`` on the transient states
of the chain's generator ``Q``. Plain ``numpy.linalg.solve`` loses every
digit once ``(mu / lam)**m`` nears 1e16 (10+4 shards at AFR 1 %), because
the diagonal of ``Q`` is a difference of nearly equal numbers; the solver
here is Gaussian elimination in Grassmann-Taksar-Heyman form (only sums of
positive terms), ``O(S**3)`` for ``S`` states; it matches the birth-death
recursion to ~1e-15 relative (measured over 3000 random settings).
With zones the state is the number of failed shards per zone; shards lost
with their zone are rebuilt like any other failed shard.

Why a Markov chain and not messages: data is lost when failures outpace repairs
over years; the events are disk failures and rebuilds, not messages between
machines, so a birth-death chain (checked by a simpy run of the same failures
and repairs) is the right model, not the message-level kernel
:mod:`labsupport.sim`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import simpy

from labsupport.checks import check_int, check_number, check_probability
from labsupport.foundations.availability import loss_nines as nines  # one rounding for every nines
from labsupport.seeds import Seed, as_rng

__all__ = [
    "HOURS_PER_YEAR",
    "DurabilityEstimate",
    "DurabilitySimulation",
    "failure_rate_per_year",
    "approximate_mttdl_years",
    "annual_loss_probability",
    "nines",
    "replication_durability",
    "erasure_durability",
    "run_durability_simulation",
    "windowed_annual_loss_probability",
]

HOURS_PER_YEAR = 8766.0  # 365.25 days x 24 hours
_MAX_STATES = 5000  # largest chain the exact solver builds


def failure_rate_per_year(afr: float) -> float:
    """Exponential failure rate (per year) of a device with annual failure probability ``afr``.

    ``afr`` is a probability, so ``lam = -ln(1 - afr)``; for the 1-2 % AFRs
    Backblaze reports for hard drives the rate and the probability differ by
    under 1 %.

    Examples
    --------
    >>> round(failure_rate_per_year(0.02), 5)
    0.0202
    """
    afr = check_probability("afr", afr, open_high=True)
    return -math.log1p(-afr)


def _shards(k: int, m: int) -> int:
    check_int("k", k, low=1)
    check_int("m", m, low=0)
    return k + m


def approximate_mttdl_years(k: int, m: int, afr: float, *, repair_hours: float) -> float:
    """The classic first-order MTTDL formula, for ``lam * repair_hours`` much less than 1.

    ``MTTDL ~ m! * mu**m / (n (n-1) ... (n-m) * lam**(m+1))`` with ``n = k + m``,
    ``mu = 1 / repair`` and independent (parallel) repair of every failed shard;
    for a mirrored pair it is Gibson's ``MTTF**2 / (2 MTTR)`` (Patterson,
    Gibson & Katz, SIGMOD 1988). Its relative error grows like ``lam / mu``.

    Examples
    --------
    >>> f"{approximate_mttdl_years(1, 2, 0.02, repair_hours=24):.3g}"
    '5.39e+09'
    """
    n = _shards(k, m)
    lam = failure_rate_per_year(afr)
    mu = HOURS_PER_YEAR / check_number("repair_hours", repair_hours, low=0, low_open=True)
    if lam == 0:
        return math.inf
    mttdl = 1.0 / (n * lam)
    for i in range(1, m + 1):
        mttdl *= i * mu / ((n - i) * lam)
    return mttdl


def annual_loss_probability(mttdl_years: float, years: float = 1.0) -> float:
    """Probability of a loss within ``years``, treating losses as a Poisson process of rate 1/MTTDL.

    With repair much faster than failure the chain forgets its start within
    a few repair times, so the time to loss is very nearly exponential.

    Examples
    --------
    >>> round(annual_loss_probability(1000.0), 7)
    0.0009995
    """
    check_number("mttdl_years", mttdl_years, low=0, low_open=True)
    check_number("years", years, low=0)
    return -math.expm1(-years / mttdl_years)


def windowed_annual_loss_probability(k: int, m: int, afr: float, *, repair_hours: float) -> float:
    """Backblaze's published method: cut the year into aligned repair-length windows, lose data in a window
    when more than ``m`` of the ``n = k + m`` shards fail inside it.

    Backblaze ("Backblaze Durability Calculates at 99.999999999%", 2018, and its
    repository ``Backblaze/erasure-coding-durability``) takes the annual failure
    rate ``A`` as a rate, a window of ``R = repair_hours / 24`` days, the
    per-window failure rate ``F = A R / 365`` and per-shard failure probability
    ``1 - exp(-F)``; the window loses data with the binomial probability of
    ``m + 1`` or more failures, and the year survives if all ``365 / R``
    windows do. Failures that straddle a window boundary are never counted
    together, so to first order this is the Markov chain's loss rate divided
    by ``m + 1``: the chain (like a sliding window) needs the later ``m``
    failures within a repair time *after* the first, which is ``m + 1`` times
    likelier than all ``m + 1`` landing in one fixed window.

    Examples
    --------
    >>> f"{windowed_annual_loss_probability(4, 2, 0.10, repair_hours=24):.3e}"  # Backblaze's README example: 1.500e-07
    '1.500e-07'
    >>> chain = erasure_durability(4, 2, 0.02, repair_hours=24).annual_loss_probability
    >>> round(chain / windowed_annual_loss_probability(4, 2, 0.02, repair_hours=24), 1)
    3.1
    """
    n = _shards(k, m)
    afr = check_number("afr", afr, low=0)  # an annual failure rate
    days = check_number("repair_hours", repair_hours, low=0, low_open=True) / 24
    p = -math.expm1(-afr * days / 365)
    window = math.fsum(math.comb(n, j) * p ** j * (1 - p) ** (n - j) for j in range(m + 1, n + 1))
    if window >= 1:
        return 1.0
    return -math.expm1(365 / days * math.log1p(-window))


def _reduce(rates: np.ndarray, exits: np.ndarray, weight: np.ndarray):
    """Eliminate every transient state but state 0 (Grassmann-Taksar-Heyman form).

    ``rates[s, t]`` are rates between transient states, ``exits[s, e]`` rates
    into absorbing class ``e``, ``weight[s]`` a per-visit reward (1 = time).
    Each step folds state ``x`` into the others and recomputes the total out
    rate as a sum of positive terms: no subtraction, so no cancellation.
    """
    q, a, w = rates.copy(), exits.copy(), weight.copy()
    np.fill_diagonal(q, 0.0)
    for x in range(len(q) - 1, 0, -1):
        f = q[:x, x] / (q[x, :x].sum() + a[x].sum())
        q[:x, :x] += np.outer(f, q[x, :x])
        a[:x] += np.outer(f, a[x])
        w[:x] += f * w[x]
        np.fill_diagonal(q, 0.0)
    return a[0], w[0]


def _chain(sizes, m, lam, mu, zeta):
    """Transient states (failed shards per zone, at most ``m`` in all) and their rates."""
    states = [c for c in itertools.product(*(range(s + 1) for s in sizes)) if sum(c) <= m]
    if len(states) > _MAX_STATES:
        raise ValueError(f"{len(states)} chain states exceed {_MAX_STATES}; "
                         "use fewer shards or zones, or run_durability_simulation")
    index = {c: i for i, c in enumerate(states)}
    rates = np.zeros((len(states), len(states)))
    loss = np.zeros((len(states), 1))
    for c, i in index.items():
        for j, s in enumerate(sizes):
            moves = [(c[j] + 1, (s - c[j]) * lam), (s, zeta if c[j] < s else 0.0),
                     (c[j] - 1, c[j] * mu)]
            for new, rate in moves:
                target = c[:j] + (new,) + c[j + 1:]
                if rate and target in index:
                    rates[i, index[target]] += rate
                elif rate:
                    loss[i, 0] += rate
    return states, rates, loss


@dataclass(frozen=True)
class DurabilityEstimate:
    """The Markov-chain answer for one redundancy scheme.

    Attributes
    ----------
    scheme : str
        ``"3-way replication"`` or ``"EC 6+3"``.
    data_shards, parity_shards : int
        ``k`` and ``m``; the object survives any ``m`` lost shards.
    afr, repair_hours : float
        The inputs: annual failure probability per device, mean repair time.
    shards_per_zone : tuple of int
        Placement over Availability Zones (round robin).
    zone_loss_per_year : float
        Rate of whole-zone loss events per zone.
    mttdl_years : float
        Exact mean time to data loss of the chain.
    approx_mttdl_years : float
        The classic formula (independent failures only, ignores zones).
    loss_given_zone_loss : float
        Probability that data is lost before full redundancy returns, right
        after the fullest zone is lost (1.0 if that zone alone holds > m shards).
    """

    scheme: str
    data_shards: int
    parity_shards: int
    afr: float
    repair_hours: float
    shards_per_zone: tuple[int, ...]
    zone_loss_per_year: float
    mttdl_years: float
    approx_mttdl_years: float
    loss_given_zone_loss: float

    @property
    def annual_loss_probability(self) -> float:
        """Probability of losing the object within one year."""
        return 0.0 if math.isinf(self.mttdl_years) else annual_loss_probability(self.mttdl_years)

    @property
    def nines(self) -> float:
        """Annual durability in nines."""
        return nines(self.annual_loss_probability)


def _model(k, m, afr, repair_hours, zones, zone_loss_per_year):
    """Check every parameter; return (failure rate, repair rate, shards per zone, zone rate)."""
    n = _shards(k, m)
    lam = failure_rate_per_year(afr)
    mu = HOURS_PER_YEAR / check_number("repair_hours", repair_hours, low=0, low_open=True)
    check_int("zones", zones, low=1)
    if zones > n:
        raise ValueError(f"zones={zones} is out of range; choose 1 <= zones <= k + m = {n}")
    zeta = check_number("zone_loss_per_year", zone_loss_per_year, low=0)
    return lam, mu, tuple(n // zones + (j < n % zones) for j in range(zones)), zeta


def _estimate(scheme, k, m, afr, repair_hours, zones, zone_loss_per_year):
    lam, mu, sizes, zeta = _model(k, m, afr, repair_hours, zones, zone_loss_per_year)
    approx = approximate_mttdl_years(k, m, afr, repair_hours=repair_hours)
    states, rates, loss = _chain(sizes, m, lam, mu, zeta)
    exits, weight = _reduce(rates, loss, np.ones(len(states)))
    mttdl = math.inf if exits[0] == 0 else float(weight / exits[0])
    start = (sizes[0],) + (0,) * (zones - 1)  # the fullest zone just went down
    given = 1.0
    if start in states:  # P(loss before returning to state 0): state 0 becomes a second exit
        order = [states.index(start)] + [i for i in range(1, len(states)) if states[i] != start]
        sub = rates[np.ix_(order, order)]
        both = np.hstack([loss[order], rates[order, :1]])
        ends, _ = _reduce(sub, both, np.zeros(len(order)))
        given = float(ends[0] / ends.sum())
    return DurabilityEstimate(scheme, k, m, float(afr), float(repair_hours), sizes, zeta,
                              mttdl, approx, given)


def replication_durability(r: int, afr: float, repair_hours: float, *, zones: int = 1,
                           zone_loss_per_year: float = 0.0) -> DurabilityEstimate:
    """Durability of ``r`` full copies (survives ``r - 1`` lost copies).

    Parameters
    ----------
    r : int
        Number of replicas, ``r >= 1``.
    afr : float
        Annual failure probability of one device, ``0 <= afr < 1``
        (hard drives: about 0.01-0.02, the range Backblaze's drive stats report).
    repair_hours : float
        Mean time to re-create a lost copy, ``> 0``.
    zones, zone_loss_per_year
        Spread copies round robin over ``zones`` Availability Zones, each lost
        as a whole at this rate (0 = independent failures only).

    Examples
    --------
    >>> est = replication_durability(3, afr=0.02, repair_hours=24)
    >>> f"{est.mttdl_years:.3g}", round(est.nines, 1)
    ('5.39e+09', 9.7)
    """
    check_int("r", r, low=1)
    return _estimate(f"{r}-way replication", 1, r - 1, afr, repair_hours, zones, zone_loss_per_year)


def erasure_durability(k: int, m: int, afr: float, *, repair_hours: float, zones: int = 1,
                       zone_loss_per_year: float = 0.0) -> DurabilityEstimate:
    """Durability of an MDS erasure code with ``k`` data and ``m`` parity shards.

    Parameters are those of :func:`replication_durability`, with ``k >= 1``
    and ``m >= 0``. All ``k + m`` shards sit on distinct devices.

    Examples
    --------
    Independent failures: 6+3 beats 3-way replication at half the storage.

    >>> round(erasure_durability(6, 3, afr=0.02, repair_hours=24).nines, 1)
    11.8

    Add a (hypothetical) loss of each zone once a century. Three shards per
    zone over three zones survive a zone loss, but with no margin left, so
    seven nines are lost; all nine shards in one zone do not survive it at all.

    >>> spread = erasure_durability(6, 3, 0.02, repair_hours=24, zones=3, zone_loss_per_year=0.01)
    >>> spread.shards_per_zone, round(spread.nines, 1), f"{spread.loss_given_zone_loss:.1e}"
    ((3, 3, 3), 4.8, '2.1e-04')
    >>> round(erasure_durability(6, 3, 0.02, repair_hours=24, zones=1, zone_loss_per_year=0.01).nines, 1)
    2.0
    """
    return _estimate(f"EC {k}+{m}", k, m, afr, repair_hours, zones, zone_loss_per_year)


@dataclass(frozen=True)
class DurabilitySimulation:
    """What a Monte Carlo run of the shard failure/repair model observed.

    Attributes
    ----------
    lifetimes : int
        Independent objects followed from all-healthy until loss or ``max_years``.
    losses : int
        How many of them were lost.
    exposure_years : float
        Total simulated time over all lifetimes.
    events : int
        Shard failures, zone losses and repairs simulated.
    """

    lifetimes: int
    losses: int
    exposure_years: float
    events: int

    @property
    def mttdl_years(self) -> float:
        """Estimated MTTDL: exposure per loss (the exponential maximum-likelihood estimate)."""
        return math.inf if self.losses == 0 else self.exposure_years / self.losses

    @property
    def annual_loss_probability(self) -> float:
        """``1 - exp(-1 yr / MTTDL)`` from the estimated MTTDL."""
        return 0.0 if self.losses == 0 else annual_loss_probability(self.mttdl_years)

    @property
    def relative_standard_error(self) -> float:
        """About ``1 / sqrt(losses)``: the spread of :attr:`mttdl_years` across seeds."""
        return math.inf if self.losses == 0 else 1.0 / math.sqrt(self.losses)


def _lifetime(k, m, sizes, lam, mu, zeta, max_years, rng):
    """One object's life as simpy processes; returns (years until loss or cap, lost, events)."""
    env = simpy.Environment()
    up = [True] * (k + m)
    lost = env.event()
    events = [0]

    def shard(i):
        while True:
            try:
                yield env.timeout(rng.expovariate(lam))
            except simpy.Interrupt:  # its zone went down
                pass
            up[i] = False
            events[0] += 1
            if up.count(False) > m and not lost.triggered:
                lost.succeed()
            yield env.timeout(rng.expovariate(mu))
            up[i] = True
            events[0] += 1

    procs = [env.process(shard(i)) for i in range(k + m)]

    def zone(members):
        while True:
            yield env.timeout(rng.expovariate(zeta))
            events[0] += 1
            for i in members:
                if up[i]:
                    procs[i].interrupt("zone loss")

    if zeta > 0:
        for j in range(len(sizes)):
            env.process(zone(range(j, k + m, len(sizes))))  # round robin, as in _estimate
    env.run(until=lost | env.timeout(max_years))
    return env.now, lost.triggered, events[0]


def run_durability_simulation(k: int, m: int, afr: float, *, repair_hours: float,
                              zones: int = 1, zone_loss_per_year: float = 0.0,
                              lifetimes: int = 1000, max_years: float = 1e6,
                              seed: Seed = None) -> DurabilitySimulation:
    """Simulate shard failures and repairs event by event, and count data losses.

    Every shard is its own simpy process (up for an exponential time, then
    repaired after an exponential time); each zone process knocks out all
    live shards in its zone at rate ``zone_loss_per_year``. The object is
    lost the moment more than ``m`` shards are down. Use parameters where
    losses are common (high ``afr``, slow repair): at eleven nines a
    simulation would need ~1e11 object-years to see one loss.

    Examples
    --------
    >>> sim = run_durability_simulation(1, 1, afr=0.5, repair_hours=4000, lifetimes=200, seed=1)
    >>> exact = replication_durability(2, afr=0.5, repair_hours=4000).mttdl_years
    >>> round(exact, 2), abs(sim.mttdl_years / exact - 1) < 4 * sim.relative_standard_error
    (4.44, True)
    """
    lam, mu, sizes, zeta = _model(k, m, afr, repair_hours, zones, zone_loss_per_year)
    if lam == 0:
        raise ValueError("afr=0 means no device ever fails; choose 0 < afr < 1 to simulate")
    check_int("lifetimes", lifetimes, low=1)
    max_years = check_number("max_years", max_years, low=0, low_open=True)
    rng = as_rng(seed)
    runs = [_lifetime(k, m, sizes, lam, mu, zeta, max_years, rng) for _ in range(lifetimes)]
    return DurabilitySimulation(lifetimes, sum(r[1] for r in runs),
                                math.fsum(r[0] for r in runs), sum(r[2] for r in runs))

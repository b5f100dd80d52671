"""Figures of a failover: where the outage's time goes.

:func:`draw_failover_timeline` lays a database failover's phases (detection,
lease wait, promotion, DNS update) beside each client's time without a
successful write (4.4 Failover).
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from labsupport.availability.failover.procedure import FailoverResult as DatabaseFailover

__all__ = ["draw_failover_timeline"]

PHASES = (("detection", "#d62728"), ("lease wait", "#9467bd"), ("promotion", "#ff7f0e"), ("DNS update", "#bcbd22"))


def _successes(history, client: str) -> list[float]:
    """When the client's writes that succeeded (their result is an ``("ok", ...)`` tuple) completed, in order."""
    return sorted(op.complete_s for op in history if op.client == client and isinstance(op.result, tuple))


def draw_failover_timeline(result: DatabaseFailover):
    """The first failover's phases as bars from the crash, then one grey bar per client without a success.

    A phase that took no time (no lease wait) gets no row. Each client's bar
    runs from its last successful write before the crash to its first after
    it, which ends with a green dot. Needs a run with ``Faults(crash_s=...)``.
    Returns the Figure.

    Examples
    --------
    >>> from labsupport.availability.failover.procedure import FailoverConfig, Faults, run_failover
    >>> run = run_failover(FailoverConfig(), Faults(crash_s=20.4), clients=2, duration_s=50, seed=1)
    >>> fig = draw_failover_timeline(run)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['detection', 'promotion', 'DNS update', 'client c1', 'client c2']
    >>> plt.close(fig)
    """
    crash_s = result.faults.crash_s
    if crash_s is None:
        raise ValueError("result: draw_failover_timeline needs a run with a crash (Faults(crash_s=...))")
    f, dns_s = result.failovers[0], result.dns_changes[0][0]
    ends = (f["suspected_s"], f["promote_s"], f["promoted_s"], dns_s)
    fig, ax = plt.subplots(figsize=(8, 3.6))
    rows = []
    for (label, colour), start, end in zip(PHASES, (crash_s,) + ends[:-1], ends):
        if end > start:
            ax.barh(len(rows), end - start, left=start - crash_s, color=colour)
            rows.append(label)
    for client in sorted(result.outages_s):
        times = _successes(result.history, client)
        before = max(t for t in times if t <= crash_s)
        after = min(t for t in times if t > crash_s)
        ax.barh(len(rows), after - before, left=before - crash_s, color="0.6")
        ax.plot(after - crash_s, len(rows), "o", color="seagreen")
        rows.append(f"client {client}")
    ax.axvline(0, color="black", lw=1)
    ax.set_yticks(range(len(rows)), rows)
    ax.invert_yaxis()
    ax.set_xlabel("seconds after the crash")
    ax.set_title("Failover timeline (grey: a client's time without a successful write)")
    fig.tight_layout()
    return fig


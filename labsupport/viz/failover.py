"""Figures of a failover: where the outage's time goes, and which acknowledged writes a new leader lacks.

:func:`draw_failover_timeline` lays a database failover's phases (detection,
lease wait, promotion, DNS update) beside each client's time without a
successful write (4.4 Failover); :func:`draw_lost_writes` draws a client's
writes around a leader crash, the acknowledged ones that the promoted
follower never received in red (3.2 Replication).
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from labsupport.availability.failover.procedure import FailoverResult as DatabaseFailover
from labsupport.data.replication import FailoverResult as LeaderFailover

__all__ = ["draw_failover_timeline", "draw_lost_writes"]

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


def draw_lost_writes(result: LeaderFailover):
    """The client's writes from just before the crash to just after the promotion, one bar each.

    Blue: acknowledged and kept; red: acknowledged but missing from the
    promoted follower's log (lost); grey: never acknowledged (timed out).
    Dashed lines mark the crash and the promotion. Returns the Figure.

    Examples
    --------
    >>> from labsupport.data.replication import run_failover
    >>> fig = draw_lost_writes(run_failover("async", seed=1))
    >>> fig.axes[0].get_title().startswith("async: ")
    True
    >>> plt.close(fig)
    """
    r = result
    start, end = r.crash_s - 0.15, r.crash_s + r.failover_s + 0.1
    fig, ax = plt.subplots(figsize=(8, 2.8))
    for op in r.history:
        if op.kind != "write" or not start <= op.invoke_s <= end:
            continue
        colour = "crimson" if op.arg in r.lost else ("0.6" if op.result != "ok" else "#4c72b0")
        gap = 0.003 if op.complete_s - op.invoke_s > 0.01 else 0.0  # separate back-to-back timed-out writes
        ax.plot([op.invoke_s, min(op.complete_s, end) - gap], [1, 1], color=colour, lw=6, solid_capstyle="butt")
        ax.text(op.invoke_s, 1.08, str(op.arg), fontsize=7, color=colour)
    ax.axvline(r.crash_s, color="crimson", ls="--", lw=1)
    ax.text(r.crash_s + 0.003, 0.62, "leader crashes", color="crimson", fontsize=8)
    ax.axvline(r.crash_s + r.failover_s, color="seagreen", ls="--", lw=1)
    ax.text(r.crash_s + r.failover_s + 0.003, 0.62, f"{r.promoted} promoted", color="seagreen", fontsize=8)
    ax.set_xlim(start, end)
    ax.set_ylim(0.5, 1.3)
    ax.set_yticks([])
    ax.set_xlabel("simulated time (s)")
    ax.set_title(f"{r.mode}: {len(r.lost)} acknowledged writes lost (red), RPO {1000 * r.rpo_s:.0f} ms; "
                 "grey: timed out, never acknowledged", fontsize=9)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.2, top=0.86)
    return fig

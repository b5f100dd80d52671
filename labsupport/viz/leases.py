"""A lease run drawn in true time: the lock service's leases, each holder's belief, its writes and its pauses.

The picture a lease argument needs: the service's view (whose lease it is,
and until when) above each holder's view (when it believed it held the
lease), with every write the storage received marked accepted, accepted
although stale, or rejected by its fencing token.
"""

from __future__ import annotations

import matplotlib.pyplot as plt

__all__ = ["draw_lease_run"]


def draw_lease_run(run, *, ax=None, title: str = "") -> None:
    """Draw a :class:`~labsupport.agreement.leases.LeaseRun` on ``ax``.

    Examples
    --------
    >>> from labsupport.agreement.leases import run_lease
    >>> fig, ax = plt.subplots()
    >>> draw_lease_run(run_lease(pause_s=3.0, every_s=0.25, seed=1), ax=ax, title="paused")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['lock service', 'a', 'b']
    >>> plt.close(fig)
    """
    ax = ax or plt.gca()
    holders = sorted({holder for holder, _, _ in run.grants})
    row = {"lock service": 0, **{h: -(i + 1) for i, h in enumerate(holders)}}
    expiry = dict(run.expiries)
    end = max([e.time for e in run.trace] or [1.0])
    for holder, token, granted in run.grants:
        until = expiry.get(token, end)
        ax.plot([granted, until], [0, 0], lw=8, solid_capstyle="butt", alpha=0.7,
                color="tab:green" if token % 2 else "tab:olive")
        ax.text((granted + until) / 2, 0.22, f"{holder}'s lease, token {token}", ha="center", fontsize=10)
    for holder, (first, last) in run.beliefs.items():
        ax.plot([first, last], [row[holder]] * 2, lw=8, solid_capstyle="butt", color="tab:blue", alpha=0.35,
                label="believes it holds the lease" if holder == holders[0] else None)
    paused = {}
    for event in run.trace:
        if event.event == "pause":
            paused[event.node] = event.time
        elif event.event == "resume" and event.node in paused:
            y = row.get(event.node, 0)
            ax.fill_between([paused[event.node], event.time], y - 0.3, y + 0.3, color="0.8", zorder=0,
                            label="paused")
    styles = {"accepted": dict(marker="o", color="tab:blue", ms=4),
              "accepted, stale": dict(marker="x", color="crimson", ms=9, mew=2),
              "rejected (fenced)": dict(marker="s", color="black", ms=6)}
    granted_at = {token: when for _, token, when in run.grants}
    marks: dict[str, tuple[list, list]] = {k: ([], []) for k in styles}
    for time_s, writer, token, _, ok in run.log:
        stale = ok and token + 1 in granted_at and time_s > granted_at[token + 1]
        kind = "rejected (fenced)" if not ok else "accepted, stale" if stale else "accepted"
        marks[kind][0].append(time_s)
        marks[kind][1].append(row[writer])
    for kind, (xs, ys) in marks.items():
        if xs:
            ax.plot(xs, ys, ls="none", label=f"write {kind}", **styles[kind])
    ax.set_yticks(list(row.values()), list(row))
    ax.set_ylim(-len(holders) - 0.5, 0.6)
    ax.set_xlabel("true time (s)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=3, fontsize=9, frameon=False)
    ax.set_title(title, fontsize=11)

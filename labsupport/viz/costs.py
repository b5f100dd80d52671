"""Figures of what availability costs: each design's monthly price against its nines.

A design is a point (nines of availability, dollars per month); the line
through a tier's points follows its **frontier**, the designs that no
cheaper design matches in availability. Drawing the same designs again
behind a shared dependency shows the ceiling that redundancy cannot pass
(7.4 Reliability against cost).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt

from labsupport.cost.reliability import DesignCost
from labsupport.foundations.availability import nines

__all__ = ["cost_frontier", "draw_cost_against_nines"]

STYLES = (("s", "#4c72b0"), ("o", "seagreen"))  # marker, colour per tier, in the order given


def cost_frontier(designs: Sequence[DesignCost]) -> list[DesignCost]:
    """The designs that no cheaper design matches in availability, cheapest first.

    Examples
    --------
    >>> a, b, c = DesignCost("a", 1, 10.0, 0.99), DesignCost("b", 2, 20.0, 0.98), DesignCost("c", 3, 30.0, 0.999)
    >>> [d.name for d in cost_frontier([c, b, a])]
    ['a', 'c']
    """
    best, out = -1.0, []
    for d in sorted(designs, key=lambda d: (d.monthly_cost_usd, -d.availability)):
        if d.availability > best:
            out.append(d)
            best = d.availability
    return out


def draw_cost_against_nines(paper: Mapping[str, Sequence[DesignCost]], *,
                            behind_shared: Mapping[str, Sequence[DesignCost]] | None = None, shared: float = 1.0,
                            label_offsets: Mapping[str, tuple[float, float]] | None = None,
                            title: str | None = None):
    """Each tier's designs as filled markers joined along its frontier; behind a shared dependency, open and dotted.

    ``paper`` maps a tier's name to its priced designs with independent
    failures; ``behind_shared`` maps the same tiers to the designs priced
    behind a shared dependency of availability ``shared``, drawn with open
    markers, a dotted frontier and a red dashed line at the dependency's
    nines. Each filled marker is labelled with the part of the design's name
    after ``": "``, offset by ``label_offsets[label]`` points (default
    ``(6, 3)``). Returns the Figure.

    Examples
    --------
    >>> web = [DesignCost("web: 1 zone", 6, 420.0, 0.999), DesignCost("web: 2 zones", 12, 840.0, 0.999999)]
    >>> fig = draw_cost_against_nines({"web": web})
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['1 zone', '2 zones']
    >>> plt.close(fig)
    """
    if len(paper) > len(STYLES):
        raise ValueError(f"paper: at most {len(STYLES)} tiers, got {len(paper)}")
    offsets = label_offsets or {}
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    for (tier, designs), (marker, colour) in zip(paper.items(), STYLES):
        series = [(designs, True)] + ([(behind_shared[tier], False)] if behind_shared else [])
        for priced, filled in series:
            ax.scatter([nines(d.availability) for d in priced], [d.monthly_cost_usd for d in priced], marker=marker,
                       s=40, color=colour if filled else "white", edgecolors=colour, zorder=3)
            best = cost_frontier(priced)
            ax.plot([nines(d.availability) for d in best], [d.monthly_cost_usd for d in best], color=colour,
                    ls="-" if filled else ":",
                    label=f"{tier}: independent failures" if filled else
                    f"{tier}: behind shared dependencies {shared:g}")
            if filled:
                for d in priced:
                    short = d.name.split(": ")[1]
                    dx, dy = offsets.get(short, (6, 3))
                    ax.annotate(short, (nines(d.availability), d.monthly_cost_usd), textcoords="offset points",
                                xytext=(dx, dy), fontsize=7, ha="right" if dx < 0 else "left")
    if shared < 1:
        ax.axvline(nines(shared), color="crimson", lw=0.8, ls="--")
    low, high = ax.get_xlim()
    ax.set_xlim(low - 0.8, high + 1.2)
    ax.set_xlabel("nines of availability, -log10(1 - A)")
    ax.set_ylabel("$ per month (EXAMPLE prices)")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig

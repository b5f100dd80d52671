"""Route tables: where a packet leaving a subnet goes next.

A route table is the signpost at a crossroads: "10.0.0.0/16 -- stay in town
(local); 172.31.0.0/16 -- take the bridge to the neighbouring town (a peering
connection); everything else -- the motorway (internet gateway)". When two
signs fit, the driver follows the more specific one: the **longest prefix
match**. Every table of a VPC carries a ``local`` route for the VPC's own
range, which cannot be removed.

References
----------
Amazon VPC User Guide, "Configure route tables", section "Route priority":
"we direct traffic using the most specific route that matches the traffic.
This is known as the longest prefix match"; the example table with a local
route, a peering route (pcx-) and an internet gateway route (igw-). Section
"Route table concepts": the local route for communication within the VPC.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Mapping

from labsupport.security.vpc.cidr import Network

__all__ = ["TARGET_KINDS", "Route", "RouteTable", "target_kind"]

TARGET_KINDS = {"local": "local", "igw-": "internet-gateway", "nat-": "nat-gateway", "pcx-": "peering-connection"}


def target_kind(target: str) -> str:
    """The kind of a route target from its name: ``local``, ``igw-...``, ``nat-...`` or ``pcx-...``.

    Examples
    --------
    >>> target_kind("nat-a"), target_kind("local")
    ('nat-gateway', 'local')
    """
    for prefix, kind in TARGET_KINDS.items():
        if target == prefix or (prefix.endswith("-") and isinstance(target, str) and target.startswith(prefix)
                                and len(target) > len(prefix)):
            return kind
    raise ValueError(f"route target {target!r} is not 'local' or the name of an internet gateway (igw-...), "
                     f"NAT gateway (nat-...) or peering connection (pcx-...)")


def _destination(text, where: str) -> Network:
    if isinstance(text, Network):
        return text
    try:
        return ipaddress.IPv4Network(text, strict=True)
    except (ValueError, TypeError):
        raise ValueError(f"{where}: destination {text!r} is not an IPv4 CIDR block such as 0.0.0.0/0 "
                         f"(with no host bits set)") from None


@dataclass(frozen=True)
class Route:
    """One row of a route table: packets for ``destination`` go to ``target``."""

    destination: Network
    target: str

    @property
    def kind(self) -> str:
        return target_kind(self.target)

    def __str__(self) -> str:
        return f"{self.destination} -> {self.target}"


class RouteTable:
    """A named route table of one VPC, with its ``local`` route added automatically.

    Parameters
    ----------
    name : str
        E.g. ``"rtb-public"``.
    vpc_cidr : str or IPv4Network
        The VPC's range; the local route covers it.
    routes : mapping
        Destination CIDR -> target (``"igw-..."``, ``"nat-..."``, ``"pcx-..."``).

    Examples
    --------
    >>> rt = RouteTable("rtb-app", "10.0.0.0/16", {"0.0.0.0/0": "igw-main", "172.31.0.0/16": "pcx-ab"})
    >>> [str(rt.lookup(ip)) for ip in ("10.0.3.7", "172.31.0.9", "8.8.8.8")]
    ['10.0.0.0/16 -> local', '172.31.0.0/16 -> pcx-ab', '0.0.0.0/0 -> igw-main']
    >>> RouteTable("rtb-x", "10.0.0.0/16", {}).lookup("8.8.8.8") is None
    True
    """

    def __init__(self, name: str, vpc_cidr, routes: Mapping[str, str] | None = None) -> None:
        self.name = name
        self.vpc_cidr = _destination(vpc_cidr, f"route table {name}")
        table = [Route(self.vpc_cidr, "local")]
        for dest, target in (routes or {}).items():
            where = f"route table {name}, route {dest} -> {target}"
            net = _destination(dest, where)
            try:
                kind = target_kind(target)
            except ValueError as e:
                raise ValueError(f"{where}: {e}") from None
            if kind == "local":
                raise ValueError(f"{where}: the local route is added automatically for {self.vpc_cidr}")
            if any(r.destination == net for r in table):
                raise ValueError(f"{where}: a route for {net} already exists; destinations must be unique")
            table.append(Route(net, target))
        self.routes: tuple[Route, ...] = tuple(table)

    def lookup(self, ip) -> Route | None:
        """The most specific route that contains ``ip`` (longest prefix match), or None."""
        address = ip if isinstance(ip, ipaddress.IPv4Address) else ipaddress.IPv4Address(ip)
        matches = [r for r in self.routes if address in r.destination]
        return max(matches, key=lambda r: r.destination.prefixlen) if matches else None

    def __repr__(self) -> str:
        return f"RouteTable({self.name!r}, {', '.join(map(str, self.routes))})"

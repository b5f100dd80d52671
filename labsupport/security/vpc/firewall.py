"""Security groups and network ACLs: two filters with different memories.

A **security group** is a doorman with a guest list who remembers faces:
it lists only who may come in (allow rules, no deny rules), evaluates all its
rules together, and lets the reply to an allowed conversation out again
without checking (it is *stateful*). A **network ACL** is a turnstile at the
edge of a subnet that remembers nothing: it reads its numbered rules from the
lowest number up, the first rule that matches decides (allow *or* deny), a
final ``*`` rule denies everything else, and every packet -- replies included
-- must pass on its own (it is *stateless*). So the reply to a request on port
443 comes back to the client's **ephemeral port**, and a network ACL must
allow that port range explicitly.

References
----------
Amazon VPC User Guide: "Security group rules" (you can specify allow rules,
but not deny rules; rules of all groups of a resource are aggregated; a new
group has no inbound rules and an outbound rule that allows all traffic;
rules can reference a security group as source); "Control traffic to subnets
using network ACLs", "Custom network ACLs" (rules evaluated starting with the
lowest numbered rule; the ``*`` rule denies a packet that matches no other
rule; "for every rule that you add, there must be an inbound or outbound rule
that allows response traffic"); "Ephemeral ports" (clients choose the range:
many Linux kernels 32768-61000, Windows Server 2008 and later 49152-65535,
NAT gateways and Elastic Load Balancing 1024-65535; "to cover the different
types of clients ... you can open ephemeral ports 1024-65535"). Amazon EC2
API Reference, "CreateNetworkAclEntry" (rule numbers are processed in
ascending order).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Iterable, Sequence

from labsupport.checks import check_int, check_type, out_of_range

__all__ = ["PROTOCOLS", "EPHEMERAL_PORTS", "Packet", "Verdict", "SgRule", "SecurityGroup", "AclRule",
           "NetworkAcl", "check_security_groups"]

PROTOCOLS = ("tcp", "udp", "icmp", "all")
EPHEMERAL_PORTS = (1024, 65535)  # the range AWS suggests opening in network ACLs for replies
RULE_NUMBERS = (1, 32766)


@dataclass(frozen=True)
class Packet:
    """One packet: protocol, addresses and ports (ports are ignored for ICMP)."""

    protocol: str
    src_ip: str
    dst_ip: str
    src_port: int
    dst_port: int

    def __post_init__(self):
        check_int("src_port", self.src_port, low=0, high=65535)
        check_int("dst_port", self.dst_port, low=0, high=65535)

    def reply(self) -> "Packet":
        """The packet that answers this one: addresses and ports swapped."""
        return Packet(self.protocol, self.dst_ip, self.src_ip, self.dst_port, self.src_port)

    def __str__(self) -> str:
        return f"{self.protocol} {self.src_ip}:{self.src_port} -> {self.dst_ip}:{self.dst_port}"


@dataclass(frozen=True)
class Verdict:
    """A filter's decision on one packet, the rule that made it, and why."""

    allowed: bool
    component: str
    rule: str
    reason: str


def _protocol(value, where: str) -> str:
    if value not in PROTOCOLS:
        raise ValueError(f"{where}: protocol {value!r} is unknown; choose one of {', '.join(PROTOCOLS)}")
    return value


def _ports(value, where: str) -> tuple[int, int]:
    """A port, a ``(low, high)`` pair or None (every port), as a ``(low, high)`` pair."""
    if value is None:
        return (0, 65535)
    lo, hi = value if isinstance(value, (tuple, list)) and len(value) == 2 else (value, value)
    check_int(f"{where}: ports, port range high", hi, high=65535,
              low=check_int(f"{where}: ports, port range low", lo, low=0))
    return (lo, hi)


def _cidr(value, where: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except (ValueError, TypeError):
        raise ValueError(f"{where}: {value!r} is not an IPv4 CIDR block such as 10.0.0.0/16") from None


def _matches(protocol: str, ports: tuple[int, int], packet: Packet) -> bool:
    if protocol != "all" and protocol != packet.protocol:
        return False
    return protocol in ("all", "icmp") or ports[0] <= packet.dst_port <= ports[1]


def _ports_text(protocol: str, ports: tuple[int, int]) -> str:
    if protocol == "all":
        return "all traffic"
    if protocol == "icmp" or ports == (0, 65535):
        return f"{protocol} all ports"
    return f"{protocol}/{ports[0]}" if ports[0] == ports[1] else f"{protocol}/{ports[0]}-{ports[1]}"


@dataclass(frozen=True, init=False)
class SgRule:
    """Allow ``protocol`` on ``ports`` from (inbound) or to (outbound) a CIDR block or a security group.

    Examples
    --------
    >>> str(SgRule("tcp", 5432, "sg-app"))
    'allow tcp/5432 with sg-app'
    """

    protocol: str
    ports: tuple[int, int]
    peer: str  # a CIDR block or the name of a security group (sg-...)

    def __init__(self, protocol: str, ports: int | tuple[int, int] | None, peer: str) -> None:
        where = f"security group rule ({protocol}, {ports}, {peer})"
        object.__setattr__(self, "protocol", _protocol(protocol, where))
        object.__setattr__(self, "ports", _ports(ports, where))
        if not (isinstance(peer, str) and peer.startswith("sg-")):
            peer = str(_cidr(peer, where))
        object.__setattr__(self, "peer", peer)

    def matches(self, packet: Packet, peer_ip: str, peer_groups: Iterable[str]) -> bool:
        if not _matches(self.protocol, self.ports, packet):
            return False
        if self.peer.startswith("sg-"):
            return self.peer in set(peer_groups)
        return ipaddress.IPv4Address(peer_ip) in ipaddress.IPv4Network(self.peer)

    def __str__(self) -> str:
        return f"allow {_ports_text(self.protocol, self.ports)} with {self.peer}"


class SecurityGroup:
    """A stateful, allow-only filter on a network interface.

    ``outbound=None`` means the default rule of a new group: all traffic to 0.0.0.0/0.

    Examples
    --------
    >>> sg = SecurityGroup("sg-db", inbound=[SgRule("tcp", 5432, "sg-app")])
    >>> p = Packet("tcp", "10.0.1.5", "10.0.2.9", 50000, 5432)
    >>> sg.check(p, "inbound", peer_groups=["sg-app"]).allowed
    True
    >>> print(sg.check(p, "inbound", peer_groups=["sg-web"]).reason)
    no inbound rule of sg-db allows tcp/5432 from 10.0.1.5 (groups sg-web)
    """

    def __init__(self, name: str, inbound: Sequence[SgRule] = (), outbound: Sequence[SgRule] | None = None) -> None:
        if not check_type("name", name, str).startswith("sg-"):
            raise out_of_range("name", name, "a security group name such as 'sg-web'", why="does not start with 'sg-'")
        for rule in (*inbound, *(outbound or ())):
            check_type(f"security group {name}: rule", rule, SgRule)
        self.name = name
        self.inbound = tuple(inbound)
        self.outbound = (SgRule("all", None, "0.0.0.0/0"),) if outbound is None else tuple(outbound)

    def check(self, packet: Packet, direction: str, peer_groups: Iterable[str] = ()) -> Verdict:
        """Does a rule allow ``packet`` in (``"inbound"``) or out (``"outbound"``)?"""
        peer_ip = packet.src_ip if direction == "inbound" else packet.dst_ip
        rules = self.inbound if direction == "inbound" else self.outbound
        peer_groups = sorted(peer_groups)
        for rule in rules:
            if rule.matches(packet, peer_ip, peer_groups):
                return Verdict(True, self.name, str(rule), f"{self.name} {direction}: {rule}")
        word = "from" if direction == "inbound" else "to"
        groups = f" (groups {', '.join(peer_groups)})" if peer_groups else ""
        return Verdict(False, self.name, "no matching rule",
                       f"no {direction} rule of {self.name} allows {_ports_text(packet.protocol, (packet.dst_port,) * 2)} "
                       f"{word} {peer_ip}{groups}")


def check_security_groups(groups: Sequence[SecurityGroup], packet: Packet, direction: str,
                          *, peer_groups: Iterable[str] = ()) -> Verdict:
    """The rules of all groups on an interface are aggregated: any allow suffices."""
    verdicts = [g.check(packet, direction, peer_groups) for g in groups]
    for v in verdicts:
        if v.allowed:
            return v
    names = ", ".join(g.name for g in groups) or "(none)"
    reason = "; ".join(v.reason for v in verdicts) or f"the interface has no security group"
    return Verdict(False, names, "no matching rule", reason)


@dataclass(frozen=True, init=False)
class AclRule:
    """A numbered network ACL rule: ``number`` (1-32766), ``"allow"``/``"deny"``, protocol, ports, CIDR.

    Examples
    --------
    >>> str(AclRule(100, "allow", "tcp", ports=(1024, 65535), cidr="0.0.0.0/0"))
    '100 allow tcp/1024-65535 0.0.0.0/0'
    """

    number: int
    action: str
    protocol: str
    ports: tuple[int, int]
    cidr: ipaddress.IPv4Network

    def __init__(self, number: int, action: str, protocol: str, *, ports, cidr: str) -> None:
        where = f"network ACL rule {number}"
        lo, hi = RULE_NUMBERS
        check_int(f"{where} number", number, low=lo, high=hi)
        if action not in ("allow", "deny"):
            raise ValueError(f"{where}: action {action!r} must be 'allow' or 'deny'")
        object.__setattr__(self, "number", number)
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "protocol", _protocol(protocol, where))
        object.__setattr__(self, "ports", _ports(ports, where))
        object.__setattr__(self, "cidr", _cidr(cidr, where))

    def __str__(self) -> str:
        return f"{self.number} {self.action} {_ports_text(self.protocol, self.ports)} {self.cidr}"


class NetworkAcl:
    """A stateless subnet filter: numbered rules in ascending order, first match wins, ``*`` denies.

    Examples
    --------
    >>> acl = NetworkAcl("acl-web", inbound=[AclRule(100, "allow", "tcp", ports=443, cidr="0.0.0.0/0")],
    ...                  outbound=[AclRule(100, "allow", "tcp", ports=(1024, 65535), cidr="0.0.0.0/0")])
    >>> request = Packet("tcp", "198.51.100.7", "10.0.0.10", 50000, 443)
    >>> acl.check(request, "inbound").rule, acl.check(request.reply(), "outbound").rule
    ('100 allow tcp/443 0.0.0.0/0', '100 allow tcp/1024-65535 0.0.0.0/0')
    >>> acl.check(Packet("tcp", "198.51.100.7", "10.0.0.10", 50000, 22), "inbound").rule
    '* deny all traffic'
    """

    def __init__(self, name: str, inbound: Sequence[AclRule] = (), outbound: Sequence[AclRule] = ()) -> None:
        self.name = name
        for direction, rules in (("inbound", inbound), ("outbound", outbound)):
            numbers = [r.number for r in rules]
            dup = sorted({n for n in numbers if numbers.count(n) > 1})
            if dup:
                raise ValueError(f"network ACL {name}: {direction} rule number {dup[0]} is used twice; "
                                 f"numbers must be unique per direction")
        self.inbound = tuple(sorted(inbound, key=lambda r: r.number))
        self.outbound = tuple(sorted(outbound, key=lambda r: r.number))

    def check(self, packet: Packet, direction: str) -> Verdict:
        """Evaluate ``packet`` entering (``"inbound"``) or leaving (``"outbound"``) the subnet."""
        peer = packet.src_ip if direction == "inbound" else packet.dst_ip
        for rule in self.inbound if direction == "inbound" else self.outbound:
            if _matches(rule.protocol, rule.ports, packet) and ipaddress.IPv4Address(peer) in rule.cidr:
                return Verdict(rule.action == "allow", self.name, str(rule),
                               f"{self.name} {direction} rule {rule} is the first match for {packet}")
        return Verdict(False, self.name, "* deny all traffic",
                       f"{self.name} {direction}: no numbered rule matches {packet}, so the * rule denies it")

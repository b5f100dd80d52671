"""Address plans: carving a VPC's CIDR block into subnets across Availability Zones.

A VPC's address range is like the street numbers of a new housing estate:
the developer (you) picks one block of numbers, then hands out contiguous
runs of it to streets (subnets), one street per neighbourhood (Availability
Zone). Runs must not overlap, must stay inside the estate, and in every
street a few numbers belong to the council: AWS keeps five addresses of
each subnet for itself.

References
----------
Amazon EC2 API Reference, "CreateVpc" and "CreateSubnet": an IPv4 VPC or
subnet is between a /28 netmask (16 addresses) and a /16 netmask (65,536);
subnets of one VPC must not overlap; "AWS reserves both the first four and
the last IPv4 address in each subnet's CIDR block". Amazon VPC User Guide,
"Subnet CIDR blocks" (what the four first addresses are for: network address,
VPC router, reserved by AWS, future use; the last is the broadcast address,
which a VPC does not support). The Amazon-provided DNS server is at the base
of the *VPC*'s primary range plus two; a subnet's base + 2 is merely reserved,
and is the DNS server only in the subnet that starts at the VPC's base.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Mapping, Sequence

from labsupport.checks import check_int, out_of_range

__all__ = ["PREFIX_RANGE", "RESERVED_PER_SUBNET", "Subnet", "parse_cidr", "reserved_addresses",
           "plan_subnets", "check_subnets"]

PREFIX_RANGE = (16, 28)  # /16 (65,536 addresses) to /28 (16 addresses), for VPCs and subnets alike
RESERVED_PER_SUBNET = 5  # network, VPC router, reserved (base + 2), future use, broadcast

Network = ipaddress.IPv4Network


def parse_cidr(text, what: str) -> Network:
    """Read an IPv4 CIDR block, rejecting host bits and sizes outside /16 to /28.

    Examples
    --------
    >>> parse_cidr("10.0.0.0/16", "vpc_cidr")
    IPv4Network('10.0.0.0/16')
    >>> parse_cidr("10.0.0.5/24", "subnet public-a")
    Traceback (most recent call last):
    ValueError: subnet public-a: '10.0.0.5/24' has host bits set; did you mean 10.0.0.0/24?
    """
    if isinstance(text, Network):
        net = text
    else:
        if not isinstance(text, str) or "/" not in text:
            raise out_of_range(what, text, "an IPv4 CIDR block such as 10.0.0.0/16", why="is not an IPv4 CIDR block")
        try:
            net = ipaddress.IPv4Network(text, strict=True)
        except ipaddress.NetmaskValueError:
            raise ValueError(f"{what}: {text!r} has an invalid prefix length; use /16 to /28") from None
        except ValueError as e:
            if "host bits set" in str(e):
                fixed = ipaddress.IPv4Network(text, strict=False)
                raise ValueError(f"{what}: {text!r} has host bits set; did you mean {fixed}?") from None
            raise ValueError(f"{what}: {text!r} is not an IPv4 CIDR block such as 10.0.0.0/16") from None
    lo, hi = PREFIX_RANGE
    if not lo <= net.prefixlen <= hi:
        raise ValueError(f"{what}: {net} is a /{net.prefixlen}; AWS allows /{lo} (65,536 addresses) "
                         f"to /{hi} (16 addresses)")
    return net


def reserved_addresses(cidr) -> tuple[tuple[str, str], ...]:
    """The five addresses AWS keeps in a subnet, with what each is for.

    Examples
    --------
    >>> for address, purpose in reserved_addresses("10.0.1.0/24"):
    ...     print(address, purpose)
    10.0.1.0 network address
    10.0.1.1 VPC router
    10.0.1.2 reserved by AWS (the DNS server is the VPC's base + 2)
    10.0.1.3 reserved for future use
    10.0.1.255 broadcast address (not supported in a VPC)
    """
    net = parse_cidr(cidr, "cidr")
    base, last = net.network_address, net.broadcast_address
    return ((str(base), "network address"), (str(base + 1), "VPC router"),
            (str(base + 2), "reserved by AWS (the DNS server is the VPC's base + 2)"), (str(base + 3), "reserved for future use"),
            (str(last), "broadcast address (not supported in a VPC)"))


@dataclass(frozen=True)
class Subnet:
    """One subnet: a named CIDR block in one Availability Zone, for one tier."""

    name: str
    cidr: Network
    az: str
    tier: str = ""

    @property
    def usable(self) -> int:
        """Addresses you can give to instances: all but the five AWS reserves."""
        return self.cidr.num_addresses - RESERVED_PER_SUBNET

    def is_reserved(self, ip) -> bool:
        return str(ipaddress.IPv4Address(ip)) in {a for a, _ in reserved_addresses(self.cidr)}


def _free_block(vpc: Network, prefix: int, taken: list[Network]) -> Network | None:
    for block in vpc.subnets(new_prefix=prefix):
        if not any(block.overlaps(t) for t in taken):
            return block
    return None


def plan_subnets(vpc_cidr, azs: Sequence[str], tiers: Mapping[str, int]) -> tuple[Subnet, ...]:
    """One subnet per tier per Availability Zone, packed from the bottom of the VPC range.

    ``tiers`` maps a tier name to its subnet prefix length. Larger subnets are
    placed first so that every block stays aligned; names are ``<tier>-<az suffix>``.

    Examples
    --------
    >>> for s in plan_subnets("10.0.0.0/16", ["us-east-1a", "us-east-1b"], {"public": 24, "app": 20}):
    ...     print(s.name, s.cidr, s.usable)
    app-a 10.0.0.0/20 4091
    app-b 10.0.16.0/20 4091
    public-a 10.0.32.0/24 251
    public-b 10.0.33.0/24 251
    """
    vpc = parse_cidr(vpc_cidr, "vpc_cidr")
    if not azs or len(set(azs)) != len(azs):
        raise ValueError(f"azs={list(azs)!r}: give one or more distinct Availability Zone names")
    if not tiers:
        raise ValueError("tiers is empty; give e.g. {'public': 24, 'private': 20}")
    for tier, prefix in tiers.items():
        check_int(f"tiers[{tier!r}]", prefix, low=vpc.prefixlen, high=PREFIX_RANGE[1])  # a subnet of the VPC
    taken: list[Network] = []
    plan = []
    for tier, prefix in sorted(tiers.items(), key=lambda kv: (kv[1], list(tiers).index(kv[0]))):
        for az in azs:
            block = _free_block(vpc, prefix, taken)
            if block is None:
                need = sum(2 ** (32 - p) for p in tiers.values()) * len(azs)
                raise ValueError(f"vpc_cidr {vpc} ({vpc.num_addresses} addresses) has no room left for a /{prefix} "
                                 f"for tier {tier!r} in {az}; the plan needs {need} addresses")
            taken.append(block)
            plan.append(Subnet(f"{tier}-{az[-1]}", block, az, tier))
    return tuple(plan)


def check_subnets(vpc_cidr, subnets: Sequence[Subnet]) -> None:
    """Raise ValueError naming the subnet that is outside the VPC, badly sized or overlapping.

    Examples
    --------
    >>> a = Subnet("a", parse_cidr("10.0.0.0/24", "a"), "us-east-1a")
    >>> b = Subnet("b", parse_cidr("10.0.0.128/25", "b"), "us-east-1b")
    >>> check_subnets("10.0.0.0/16", [a, b])
    Traceback (most recent call last):
    ValueError: subnet b (10.0.0.128/25) overlaps subnet a (10.0.0.0/24)
    """
    vpc = parse_cidr(vpc_cidr, "vpc_cidr")
    seen: list[Subnet] = []
    for s in subnets:
        parse_cidr(s.cidr, f"subnet {s.name}")
        if not s.cidr.subnet_of(vpc):
            raise ValueError(f"subnet {s.name} ({s.cidr}) is outside the VPC's CIDR block {vpc}")
        for other in seen:
            if s.name == other.name:
                raise ValueError(f"subnet {s.name}: the name is used twice")
            if s.cidr.overlaps(other.cidr):
                raise ValueError(f"subnet {s.name} ({s.cidr}) overlaps subnet {other.name} ({other.cidr})")
        seen.append(s)

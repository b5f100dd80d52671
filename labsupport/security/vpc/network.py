"""A small AWS network as data: VPCs, subnets, route tables, filters, instances and gateways.

Think of the model as the floor plan of an office campus: each VPC is a
building with its own address range, subnets are its floors, route tables
are the signposts by the lifts, network ACLs are turnstiles at each floor's
door, security groups are the locks on each office, and gateways are the
building's exits (to the street, through a porter who hides your face, or
over a private bridge to one neighbouring building).

:class:`Network` is built step by step and checks every step, naming the
element that is wrong. :meth:`Network.forwarding_graph` turns the routing
into a networkx graph for one destination address: each node (subnet,
gateway, peering connection) has at most one edge, to its next hop.

References
----------
Amazon VPC User Guide: "Configure route tables" (main route table; each
subnet is associated with one route table, else the main one; longest
prefix match), "Control traffic to subnets using network ACLs" (each subnet
has one network ACL, else the VPC's default one, which allows all traffic; a
custom network ACL denies everything until you add rules), "NAT gateways"
(in a public subnet, with an Elastic IP; instances in private subnets can
connect out, but external services cannot initiate a connection to them).
Amazon VPC Peering Guide (no overlapping CIDR blocks; no transitive peering:
traffic cannot pass through one VPC to a third).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Mapping, Sequence

import networkx as nx

from labsupport.checks import check_type, out_of_range
from labsupport.security.vpc.cidr import Subnet, check_subnets, parse_cidr
from labsupport.security.vpc.firewall import AclRule, NetworkAcl, SecurityGroup
from labsupport.security.vpc.routing import RouteTable, target_kind

__all__ = ["Instance", "NatGateway", "Peering", "ExternalHost", "Vpc", "Network"]


@dataclass(frozen=True)
class Instance:
    name: str
    subnet: str
    private_ip: str
    groups: tuple[str, ...]
    public_ip: str | None = None


@dataclass(frozen=True)
class NatGateway:
    name: str
    subnet: str
    private_ip: str
    public_ip: str


@dataclass(frozen=True)
class Peering:
    name: str
    vpc_a: str
    vpc_b: str

    def other(self, vpc: str) -> str:
        return self.vpc_b if vpc == self.vpc_a else self.vpc_a


@dataclass(frozen=True)
class ExternalHost:
    name: str
    ip: str


@dataclass
class Vpc:
    name: str
    cidr: ipaddress.IPv4Network
    internet_gateway: str | None
    subnets: dict[str, Subnet]
    main_route_table: str
    default_acl: str


def _ip(value, where: str) -> str:
    try:
        return str(ipaddress.IPv4Address(value))
    except (ValueError, TypeError):
        raise ValueError(f"{where}: {value!r} is not an IPv4 address") from None


class Network:
    """VPCs and everything in them; every ``add_*`` validates and raises ValueError naming the element.

    Examples
    --------
    >>> net = Network()
    >>> net.add_vpc("prod", "10.0.0.0/16", internet_gateway="igw-prod")
    >>> net.add_subnet("prod", "public-a", "10.0.0.0/24", az="us-east-1a")
    >>> net.add_subnet("prod", "db-a", "10.1.0.0/24", az="us-east-1a")
    Traceback (most recent call last):
    ValueError: subnet db-a (10.1.0.0/24) is outside the VPC's CIDR block 10.0.0.0/16
    """

    def __init__(self) -> None:
        self.vpcs: dict[str, Vpc] = {}
        self.route_tables: dict[str, tuple[str, RouteTable]] = {}  # name -> (vpc, table)
        self.subnet_route_table: dict[str, str] = {}
        self.acls: dict[str, tuple[str, NetworkAcl]] = {}
        self.subnet_acl: dict[str, str] = {}
        self.groups: dict[str, tuple[str, SecurityGroup]] = {}
        self.instances: dict[str, Instance] = {}
        self.nat_gateways: dict[str, NatGateway] = {}
        self.peerings: dict[str, Peering] = {}
        self.externals: dict[str, ExternalHost] = {}

    # -- building ------------------------------------------------------------
    def _unique(self, name: str, what: str) -> None:
        taken = {*self.vpcs, *self.route_tables, *self.acls, *self.groups, *self.instances, *self.nat_gateways,
                 *self.peerings, *self.externals, *(s for v in self.vpcs.values() for s in v.subnets),
                 *(v.internet_gateway for v in self.vpcs.values() if v.internet_gateway)}
        if not check_type(f"{what} name", name, str):
            raise out_of_range(f"{what} name", name, "a non-empty string", why="is empty")
        if name in taken:
            raise ValueError(f"{what} {name}: the name is already used by another element")

    def add_vpc(self, name: str, cidr, internet_gateway: str | None = None) -> None:
        self._unique(name, "VPC")
        net = parse_cidr(cidr, f"VPC {name}")
        if internet_gateway is not None:
            self._unique(internet_gateway, "internet gateway")
            target_kind(internet_gateway)  # must look like igw-...
            if not internet_gateway.startswith("igw-"):
                raise ValueError(f"VPC {name}: internet gateway name {internet_gateway!r} must start with 'igw-'")
        main, acl = f"rtb-{name}-main", f"acl-{name}-default"
        self.vpcs[name] = Vpc(name, net, internet_gateway, {}, main, acl)
        self.route_tables[main] = (name, RouteTable(main, net))
        self.acls[acl] = (name, NetworkAcl(acl, [AclRule(100, "allow", "all", ports=None, cidr="0.0.0.0/0")],
                                           [AclRule(100, "allow", "all", ports=None, cidr="0.0.0.0/0")]))

    def _vpc(self, name: str, where: str) -> Vpc:
        if name not in self.vpcs:
            raise ValueError(f"{where}: VPC {name!r} does not exist; add it with add_vpc first")
        return self.vpcs[name]

    def add_subnet(self, vpc: str, name: str, cidr, *, az: str, tier: str = "") -> None:
        v = self._vpc(vpc, f"subnet {name}")
        self._unique(name, "subnet")
        subnet = Subnet(name, parse_cidr(cidr, f"subnet {name}"), az, tier)
        check_subnets(v.cidr, [*v.subnets.values(), subnet])
        v.subnets[name] = subnet

    def add_subnets(self, vpc: str, subnets: Sequence[Subnet]) -> None:
        for s in subnets:
            self.add_subnet(vpc, s.name, s.cidr, az=s.az, tier=s.tier)

    def vpc_of_subnet(self, subnet: str) -> Vpc:
        for v in self.vpcs.values():
            if subnet in v.subnets:
                return v
        raise ValueError(f"subnet {subnet!r} does not exist")

    def add_route_table(self, name: str, vpc: str, routes: Mapping[str, str], *, subnets: Sequence[str] = ()) -> None:
        v = self._vpc(vpc, f"route table {name}")
        self._unique(name, "route table")
        table = RouteTable(name, v.cidr, routes)
        for r in table.routes[1:]:
            where = f"route table {name}, route {r}"
            if r.kind == "internet-gateway" and r.target != v.internet_gateway:
                raise ValueError(f"{where}: {r.target} is not the internet gateway of VPC {vpc}")
            if r.kind == "nat-gateway" and (r.target not in self.nat_gateways
                                             or self.vpc_of_subnet(self.nat_gateways[r.target].subnet).name != vpc):
                raise ValueError(f"{where}: NAT gateway {r.target} does not exist in VPC {vpc}")
            if r.kind == "peering-connection" and (r.target not in self.peerings
                                                    or vpc not in (self.peerings[r.target].vpc_a, self.peerings[r.target].vpc_b)):
                raise ValueError(f"{where}: peering connection {r.target} does not connect VPC {vpc}")
        self.route_tables[name] = (vpc, table)
        for s in subnets:
            if self.vpc_of_subnet(s).name != vpc:
                raise ValueError(f"route table {name}: subnet {s} is not in VPC {vpc}")
            self.subnet_route_table[s] = name

    def add_network_acl(self, name: str, vpc: str, *, inbound: Sequence[AclRule] = (), outbound: Sequence[AclRule] = (),
                        subnets: Sequence[str] = ()) -> None:
        self._vpc(vpc, f"network ACL {name}")
        self._unique(name, "network ACL")
        self.acls[name] = (vpc, NetworkAcl(name, inbound, outbound))
        for s in subnets:
            if self.vpc_of_subnet(s).name != vpc:
                raise ValueError(f"network ACL {name}: subnet {s} is not in VPC {vpc}")
            self.subnet_acl[s] = name

    def add_security_group(self, vpc: str, group: SecurityGroup) -> None:
        self._vpc(vpc, f"security group {group.name}")
        self._unique(group.name, "security group")
        self.groups[group.name] = (vpc, group)

    def _address_in_subnet(self, subnet: str, ip, what: str) -> str:
        s = self.vpc_of_subnet(subnet).subnets[subnet]
        address = _ip(ip, what)
        if ipaddress.IPv4Address(address) not in s.cidr:
            raise ValueError(f"{what}: {address} is not in subnet {subnet} ({s.cidr})")
        if s.is_reserved(address):
            raise ValueError(f"{what}: {address} is one of the five addresses AWS reserves in {subnet}")
        if any(address == h.private_ip for h in (*self.instances.values(), *self.nat_gateways.values())):
            raise ValueError(f"{what}: {address} is already in use")
        return address

    def add_instance(self, name: str, subnet: str, private_ip, *, groups: Sequence[str], public_ip=None) -> None:
        self._unique(name, "instance")
        address = self._address_in_subnet(subnet, private_ip, f"instance {name}")
        vpc = self.vpc_of_subnet(subnet).name
        for g in groups:
            if g not in self.groups or self.groups[g][0] != vpc:
                raise ValueError(f"instance {name}: security group {g!r} does not exist in VPC {vpc}")
        if not groups:
            raise ValueError(f"instance {name}: an interface needs at least one security group")
        self.instances[name] = Instance(name, subnet, address, tuple(groups),
                                        None if public_ip is None else _ip(public_ip, f"instance {name}"))

    def add_nat_gateway(self, name: str, subnet: str, private_ip, *, public_ip) -> None:
        self._unique(name, "NAT gateway")
        if not name.startswith("nat-"):
            raise ValueError(f"NAT gateway name {name!r} must start with 'nat-'")
        address = self._address_in_subnet(subnet, private_ip, f"NAT gateway {name}")
        self.nat_gateways[name] = NatGateway(name, subnet, address, _ip(public_ip, f"NAT gateway {name}"))

    def add_peering(self, name: str, vpc_a: str, vpc_b: str) -> None:
        self._unique(name, "peering connection")
        if not name.startswith("pcx-"):
            raise ValueError(f"peering connection name {name!r} must start with 'pcx-'")
        a, b = self._vpc(vpc_a, f"peering {name}"), self._vpc(vpc_b, f"peering {name}")
        if vpc_a == vpc_b or a.cidr.overlaps(b.cidr):
            raise ValueError(f"peering {name}: VPCs {vpc_a} ({a.cidr}) and {vpc_b} ({b.cidr}) overlap; "
                             f"peered VPCs need distinct, non-overlapping CIDR blocks")
        self.peerings[name] = Peering(name, vpc_a, vpc_b)

    def add_external(self, name: str, ip) -> None:
        self._unique(name, "external host")
        address = _ip(ip, f"external host {name}")
        if any(ipaddress.IPv4Address(address) in v.cidr for v in self.vpcs.values()):
            raise ValueError(f"external host {name}: {address} is inside a VPC's range; use a public address")
        self.externals[name] = ExternalHost(name, address)

    # -- lookups -----------------------------------------------------------------
    def route_table_of(self, subnet: str) -> RouteTable:
        return self.route_tables[self.subnet_route_table.get(subnet, self.vpc_of_subnet(subnet).main_route_table)][1]

    def acl_of(self, subnet: str) -> NetworkAcl:
        return self.acls[self.subnet_acl.get(subnet, self.vpc_of_subnet(subnet).default_acl)][1]

    def groups_of(self, instance: Instance) -> list[SecurityGroup]:
        return [self.groups[g][1] for g in instance.groups]

    def holder_of(self, ip: str):
        """The instance, NAT gateway or external host that owns ``ip`` (private or public), or None."""
        for h in (*self.instances.values(), *self.nat_gateways.values()):
            if ip in (h.private_ip, h.public_ip):
                return h
        return next((e for e in self.externals.values() if e.ip == ip), None)

    def forwarding_graph(self, dst_ip) -> nx.DiGraph:
        """For destination ``dst_ip``: an edge from each node to its next hop (none: no route).

        Nodes are ``subnet:NAME``, ``igw:NAME``, ``nat:NAME``, ``pcx:NAME``, ``internet`` and
        ``host:NAME``; edges carry the ``route`` used.
        """
        d = _ip(dst_ip, "dst_ip")
        address = ipaddress.IPv4Address(d)
        holder = self.holder_of(d)
        G = nx.DiGraph()
        G.add_node("internet")
        for v in self.vpcs.values():
            if v.internet_gateway:
                G.add_edge(f"igw:{v.internet_gateway}", "internet", route="to the internet")
            for s in v.subnets.values():
                node = f"subnet:{s.name}"
                G.add_node(node)
                if address in s.cidr:
                    if holder is not None and getattr(holder, "private_ip", None) == d:
                        G.add_edge(node, f"host:{holder.name}", route="delivered in the subnet")
                    continue
                route = self.route_table_of(s.name).lookup(address)
                if route is None:
                    continue
                if route.kind == "local":
                    inside = [t for t in v.subnets.values() if address in t.cidr]
                    if inside:
                        G.add_edge(node, f"subnet:{inside[0].name}", route=str(route))
                else:
                    kind = {"internet-gateway": "igw", "nat-gateway": "nat", "peering-connection": "pcx"}[route.kind]
                    G.add_edge(node, f"{kind}:{route.target}", route=str(route))
        for nat in self.nat_gateways.values():
            route = self.route_table_of(nat.subnet).lookup(address)
            if route is not None and route.kind == "internet-gateway":
                G.add_edge(f"nat:{nat.name}", f"igw:{route.target}", route=f"{nat.subnet}: {route}")
        for p in self.peerings.values():
            for vpc in (p.vpc_a, p.vpc_b):
                inside = [t for t in self.vpcs[p.other(vpc)].subnets.values() if address in t.cidr]
                if inside:
                    G.add_edge(f"pcx:{p.name}", f"subnet:{inside[0].name}", route=f"into {p.other(vpc)}")
        if holder is not None and getattr(holder, "public_ip", None) == d and not isinstance(holder, ExternalHost):
            owner = self.vpc_of_subnet(holder.subnet)
            if owner.internet_gateway:
                G.remove_edge(f"igw:{owner.internet_gateway}", "internet")
                G.add_edge("internet", f"igw:{owner.internet_gateway}", route=f"public address {d}")
                target = f"nat:{holder.name}" if isinstance(holder, NatGateway) else f"host:{holder.name}"
                G.add_edge(f"igw:{owner.internet_gateway}", target, route=f"{d} -> {holder.private_ip}")
        elif isinstance(holder, ExternalHost):
            G.add_edge("internet", f"host:{holder.name}", route="delivered on the internet")
        return G

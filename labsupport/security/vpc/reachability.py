"""Can A reach B on TCP port P? Trace the path, and name the rule that stops it.

This is what AWS's VPC Reachability Analyzer does without sending a packet:
it reads the configuration, follows the routes hop by hop, and checks every
filter on the way there *and back*. Like a courier planning a delivery
across a campus, it asks at every door "may I pass?", and at every
crossroads "which way to the address?"; the first "no" is the answer, with
the sign or the lock that said it.

The request must pass: the source's security groups (outbound), the network
ACL of every subnet it leaves and enters, a route at every hop (longest
prefix match), and the destination's security groups (inbound). The reply
must pass the network ACLs again, as its own packet to the client's
ephemeral port (ACLs are stateless), and must route back the way the
request came (security groups are stateful: replies pass them freely).
Network ACLs filter only traffic that crosses a subnet's boundary.

References
----------
Amazon VPC Reachability Analyzer guide: "How Reachability Analyzer works"
(builds a model of the network configuration and does not send packets; if
the path is not reachable it shows the component that blocks it; there
might be additional blocking components) and "Reachability Analyzer
explanation codes". See also :mod:`labsupport.security.vpc.firewall`,
:mod:`labsupport.security.vpc.routing` and :mod:`labsupport.security.vpc.network`.
"""

from __future__ import annotations

from dataclasses import dataclass

from labsupport.checks import check_int
from labsupport.security.vpc.firewall import Packet, check_security_groups
from labsupport.security.vpc.network import ExternalHost, Instance, NatGateway, Network

__all__ = ["Hop", "PathAnalysis", "analyze_path"]

EPHEMERAL_PORT = 50000  # a client port inside the Linux, Windows and NAT gateway ephemeral ranges


@dataclass(frozen=True)
class Hop:
    """One check on the path: which ``stage`` (request/reply), what ``kind``, which component and rule."""

    stage: str
    kind: str
    component: str
    allowed: bool
    rule: str
    detail: str

    def __str__(self) -> str:
        mark = "ok     " if self.allowed else "BLOCKED"
        return f"{mark} {self.stage:<7} {self.kind:<14} {self.component:<19} {self.rule}"


@dataclass(frozen=True)
class PathAnalysis:
    """The verdict on one path: every hop checked, the nodes visited, and what blocks it."""

    source: str
    destination: str
    protocol: str
    port: int
    reachable: bool
    hops: tuple[Hop, ...]
    request_path: tuple[str, ...]
    reply_path: tuple[str, ...]

    @property
    def blocking(self) -> tuple[Hop, ...]:
        return tuple(h for h in self.hops if not h.allowed)

    @property
    def blocked(self) -> Hop | None:
        """The first blocking hop (request before reply), or None if reachable."""
        return self.blocking[0] if self.blocking else None

    def explain(self) -> str:
        head = (f"{self.source} -> {self.destination} {self.protocol}/{self.port}: "
                + ("REACHABLE" if self.reachable else f"NOT REACHABLE -- {self.blocked.detail}"))
        return "\n".join([head, *(f"  {h}" for h in self.hops)])


def _endpoint(net: Network, name: str, what: str):
    if name in net.instances:
        return net.instances[name]
    if name in net.externals:
        return net.externals[name]
    raise ValueError(f"{what}={name!r} is not an instance or external host of this network")


def _location(net: Network, node: str) -> str | None:
    """The subnet a graph node sits in (for network ACL boundaries), or None outside any subnet."""
    kind, _, name = node.partition(":")
    if kind == "subnet":
        return name
    if kind == "nat":
        return net.nat_gateways[name].subnet
    if kind == "host" and name in net.instances:
        return net.instances[name].subnet
    return None


def _dead_end(net: Network, node: str, dst: str) -> tuple[str, str, str]:
    """(kind, component, detail) for a node with no next hop towards ``dst``."""
    kind, _, name = node.partition(":")
    if kind == "subnet":
        table = net.route_table_of(name)
        route = table.lookup(dst)
        if route is not None and route.kind == "local":
            return "route", table.name, f"no network interface in {net.vpc_of_subnet(name).name} has address {dst}"
        return "route", table.name, f"route table {table.name} has no route that contains {dst}"
    if kind == "nat":
        sub = net.nat_gateways[name].subnet
        return "route", net.route_table_of(sub).name, f"{name}'s subnet {sub} has no route to an internet gateway for {dst}"
    if kind == "pcx":
        return "peering", name, f"{dst} is not in either VPC of {name}; VPC peering is not transitive"
    return "route", node, f"nothing on the internet answers at {dst}"


def _walk(net: Network, start: str, dst: str, target: str, stage: str, hops: list) -> list[str] | None:
    graph = net.forwarding_graph(dst)
    nodes = [start]
    while nodes[-1] != target:
        successors = list(graph.successors(nodes[-1]))
        if not successors or successors[0] in nodes:
            kind, component, detail = (_dead_end(net, nodes[-1], dst) if not successors else
                                       ("route", nodes[-1], f"routing loop at {successors[0]}"))
            hops.append(Hop(stage, kind, component, False, "no route", detail))
            return None
        edge = graph.edges[nodes[-1], successors[0]]
        here = nodes[-1].partition(":")
        component = nodes[-1] if here[0] != "subnet" else (
            here[2] if successors[0].startswith("host:") else net.route_table_of(here[2]).name)
        hops.append(Hop(stage, "route", component, True, edge["route"], f"{nodes[-1]} -> {successors[0]}"))
        nodes.append(successors[0])
    return nodes


def _acls(net: Network, nodes: list[str], stage: str, make_packet, hops: list) -> None:
    """Check the network ACL of every subnet boundary the path crosses."""
    where = [_location(net, n) for n in nodes]
    for i in range(1, len(nodes)):
        a, b = where[i - 1], where[i]
        if a == b:
            continue
        if a is not None:
            v = net.acl_of(a).check(make_packet(i, "outbound"), "outbound")
            hops.append(Hop(stage, "network-acl", v.component, v.allowed, v.rule, v.reason))
        if b is not None:
            v = net.acl_of(b).check(make_packet(i, "inbound"), "inbound")
            hops.append(Hop(stage, "network-acl", v.component, v.allowed, v.rule, v.reason))


def analyze_path(net: Network, source: str, destination: str, *, port: int, protocol: str = "tcp",
                 ephemeral_port: int = EPHEMERAL_PORT) -> PathAnalysis:
    """Trace ``source`` -> ``destination`` on ``protocol``/``port`` and its reply, hop by hop.

    Instances are addressed by their private address when the source is an
    instance, and by their public address from the internet.

    Examples
    --------
    >>> from labsupport.security.vpc.firewall import SecurityGroup, SgRule
    >>> net = Network()
    >>> net.add_vpc("prod", "10.0.0.0/16")
    >>> net.add_subnet("prod", "app-a", "10.0.1.0/24", az="us-east-1a")
    >>> net.add_subnet("prod", "db-a", "10.0.2.0/24", az="us-east-1a")
    >>> net.add_security_group("prod", SecurityGroup("sg-app"))
    >>> net.add_security_group("prod", SecurityGroup("sg-db", inbound=[SgRule("tcp", 5432, "sg-app")]))
    >>> net.add_instance("app", "app-a", "10.0.1.10", groups=["sg-app"])
    >>> net.add_instance("db", "db-a", "10.0.2.20", groups=["sg-db"])
    >>> analyze_path(net, "app", "db", port=5432).reachable
    True
    >>> print(analyze_path(net, "app", "db", port=3306).blocked.detail)
    no inbound rule of sg-db allows tcp/3306 from 10.0.1.10 (groups sg-app)
    """
    check_int("port", port, low=0, high=65535)
    check_int("ephemeral_port", ephemeral_port, low=1024, high=65535)
    src, dst = _endpoint(net, source, "source"), _endpoint(net, destination, "destination")
    if src == dst:
        raise ValueError("source and destination are the same endpoint")
    hops: list[Hop] = []
    done = lambda req=(), rep=(): PathAnalysis(source, destination, protocol, port,  # noqa: E731
                                               all(h.allowed for h in hops), tuple(hops), tuple(req), tuple(rep))
    from_internet = isinstance(src, ExternalHost)
    if isinstance(dst, ExternalHost):
        dst_ip = dst.ip
    elif from_internet:
        if dst.public_ip is None:
            hops.append(Hop("request", "address", dst.name, False, "no public address",
                            f"{dst.name} has no public IPv4 address, so nothing on the internet can address it "
                            f"(a NAT gateway lets connections out only)"))
            return done()
        dst_ip = dst.public_ip
    else:
        dst_ip = dst.private_ip
    src_ip = src.ip if from_internet else src.private_ip
    if isinstance(src, Instance):
        peer = dst.groups if isinstance(dst, Instance) and dst_ip == dst.private_ip else ()
        v = check_security_groups(net.groups_of(src), Packet(protocol, src_ip, dst_ip, ephemeral_port, port),
                                  "outbound", peer_groups=peer)
        hops.append(Hop("request", "security-group", v.component, v.allowed, v.rule, v.reason))
    start = "internet" if from_internet else f"subnet:{src.subnet}"
    request = _walk(net, start, dst_ip, f"host:{dst.name}", "request", hops)
    if request is None:
        return done()
    # the source address as seen after each node: NAT and internet gateways translate it
    seen, after = src_ip, []
    for node in request:
        if node.startswith("nat:"):
            seen = net.nat_gateways[node[4:]].public_ip
        elif node.startswith("igw:") and seen == src_ip and isinstance(src, Instance):
            if src.public_ip is None:
                hops.append(Hop("request", "address", src.name, False, "no public address",
                                f"{src.name} has no public IPv4 address, so {node[4:]} cannot carry its traffic; "
                                f"route through a NAT gateway instead"))
                return done(request)
            seen = src.public_ip
        after.append(seen)
    _acls(net, request, "request", lambda i, d: Packet(protocol, after[i - 1], dst_ip, ephemeral_port, port), hops)
    if isinstance(dst, Instance):
        peer = src.groups if isinstance(src, Instance) and seen == src.private_ip else ()
        v = check_security_groups(net.groups_of(dst), Packet(protocol, seen, dst.private_ip, ephemeral_port, port),
                                  "inbound", peer_groups=peer)
        hops.append(Hop("request", "security-group", v.component, v.allowed, v.rule, v.reason))
    # the reply: routed back to the address the destination saw, then translated back by a NAT gateway
    back_start = "internet" if isinstance(dst, ExternalHost) else f"subnet:{dst.subnet}"
    nat = next((n[4:] for n in request if n.startswith("nat:")), None)
    if nat is None:
        reply = _walk(net, back_start, seen, f"host:{src.name}", "reply", hops)
    else:
        reply = _walk(net, back_start, seen, f"nat:{nat}", "reply", hops)
        if reply is not None:
            rest = _walk(net, f"subnet:{net.nat_gateways[nat].subnet}", src_ip, f"host:{src.name}", "reply", hops)
            reply = None if rest is None else reply + rest[1:]
    if reply is None:
        return done(request)
    gateways = lambda path: sorted(n for n in path if n.split(":")[0] in ("igw", "nat", "pcx"))  # noqa: E731
    if gateways(reply) != gateways(request):
        hops.append(Hop("reply", "route", net.route_table_of(dst.subnet).name if isinstance(dst, Instance) else "internet",
                        False, "asymmetric route",
                        f"the reply would leave through {', '.join(gateways(reply)) or 'no gateway'}, not back through "
                        f"{', '.join(gateways(request)) or 'no gateway'}: the connection cannot complete"))
        return done(request, reply)
    dest_of = [src_ip if nat and i >= reply.index(f"nat:{nat}") else seen for i in range(len(reply))]
    _acls(net, reply, "reply", lambda i, d: Packet(protocol, dst_ip, dest_of[i - 1] if d == "outbound" else dest_of[i],
                                                   port, ephemeral_port), hops)
    return done(request, reply)

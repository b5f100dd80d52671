"""The book's example network: a three-tier web service in two Availability Zones, plus a peered VPC.

Like a teaching hospital's model ward, it is small enough to understand in
one look yet has every kind of door: public web servers behind an internet
gateway, application servers that reach out only through a NAT gateway,
databases with no route out at all, and a shared-tools VPC joined by a
peering connection. Three switches break it in the classic ways.
"""

from __future__ import annotations

from labsupport.security.vpc.cidr import plan_subnets
from labsupport.security.vpc.firewall import AclRule, SecurityGroup, SgRule
from labsupport.security.vpc.network import Network

__all__ = ["EXAMPLE_AZS", "EXAMPLE_TIERS", "example_network"]

EXAMPLE_AZS = ("us-east-1a", "us-east-1b")
EXAMPLE_TIERS = {"public": 24, "app": 22, "db": 24}
APP_RANGE = "10.0.0.0/21"  # both app subnets (10.0.0.0/22 and 10.0.4.0/22)


def example_network(*, db_reply_rule: bool = True, shared_return_route: bool = True,
                    blocklist: bool = True) -> Network:
    """Build the example; each switch set to False reproduces a common mistake.

    Parameters
    ----------
    db_reply_rule : the database subnets' network ACL allows replies to ephemeral ports
        (False: its outbound rule mirrors the inbound one, port 5432 only).
    shared_return_route : the peered VPC routes the production range back over the peering.
    blocklist : the public subnets' network ACL denies 198.51.100.0/24 before allowing HTTPS.

    Examples
    --------
    >>> net = example_network()
    >>> sorted(net.instances)
    ['app-1', 'db-1', 'tools-1', 'web-1']
    >>> [str(s.cidr) for s in net.vpcs["prod"].subnets.values()][:3]
    ['10.0.0.0/22', '10.0.4.0/22', '10.0.8.0/24']
    """
    net = Network()
    net.add_vpc("prod", "10.0.0.0/16", internet_gateway="igw-prod")
    net.add_subnets("prod", plan_subnets("10.0.0.0/16", EXAMPLE_AZS, EXAMPLE_TIERS))
    net.add_vpc("shared", "10.1.0.0/16")
    net.add_subnet("shared", "tools-a", "10.1.0.0/24", az="us-east-1a", tier="tools")
    net.add_peering("pcx-prod-shared", "prod", "shared")
    net.add_nat_gateway("nat-a", "public-a", "10.0.8.5", public_ip="203.0.113.20")
    net.add_route_table("rtb-public", "prod", {"0.0.0.0/0": "igw-prod"}, subnets=["public-a", "public-b"])
    net.add_route_table("rtb-app", "prod", {"0.0.0.0/0": "nat-a", "10.1.0.0/16": "pcx-prod-shared"},
                        subnets=["app-a", "app-b"])
    net.add_route_table("rtb-db", "prod", {}, subnets=["db-a", "db-b"])
    net.add_route_table("rtb-shared", "shared", {"10.0.0.0/16": "pcx-prod-shared"} if shared_return_route else {},
                        subnets=["tools-a"])
    everywhere = "0.0.0.0/0"
    inbound = [AclRule(100, "allow", "tcp", ports=443, cidr=everywhere),
               AclRule(110, "allow", "tcp", ports=(1024, 65535), cidr=everywhere)]
    if blocklist:
        inbound.insert(0, AclRule(90, "deny", "all", ports=None, cidr="198.51.100.0/24"))
    net.add_network_acl("acl-public", "prod", inbound=inbound, outbound=[
        AclRule(100, "allow", "tcp", ports=(1024, 65535), cidr=everywhere),
        AclRule(110, "allow", "tcp", ports=8080, cidr=APP_RANGE),
        AclRule(120, "allow", "tcp", ports=443, cidr=everywhere)], subnets=["public-a", "public-b"])
    reply = (AclRule(100, "allow", "tcp", ports=(1024, 65535), cidr=APP_RANGE) if db_reply_rule
             else AclRule(100, "allow", "tcp", ports=5432, cidr=APP_RANGE))
    net.add_network_acl("acl-db", "prod", inbound=[AclRule(100, "allow", "tcp", ports=5432, cidr=APP_RANGE)],
                        outbound=[reply], subnets=["db-a", "db-b"])
    net.add_security_group("prod", SecurityGroup("sg-web", inbound=[SgRule("tcp", 443, everywhere)]))
    net.add_security_group("prod", SecurityGroup("sg-app", inbound=[SgRule("tcp", 8080, "sg-web")]))
    net.add_security_group("prod", SecurityGroup("sg-db", inbound=[SgRule("tcp", 5432, "sg-app")]))
    net.add_security_group("shared", SecurityGroup("sg-tools", inbound=[SgRule("tcp", 22, "10.0.0.0/16")]))
    net.add_instance("web-1", "public-a", "10.0.8.10", groups=["sg-web"], public_ip="203.0.113.10")
    net.add_instance("app-1", "app-a", "10.0.0.10", groups=["sg-app"])
    net.add_instance("db-1", "db-a", "10.0.10.10", groups=["sg-db"])
    net.add_instance("tools-1", "tools-a", "10.1.0.10", groups=["sg-tools"])
    net.add_external("client", "192.0.2.10")
    net.add_external("attacker", "198.51.100.7")
    net.add_external("repo", "192.0.2.80")
    return net

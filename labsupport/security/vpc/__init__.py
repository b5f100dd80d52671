"""The VPC network model: address plans, routes, filters, and reachability.

* :mod:`~labsupport.security.vpc.cidr` -- subnets across Availability Zones, reserved addresses.
* :mod:`~labsupport.security.vpc.routing` -- route tables with longest-prefix match.
* :mod:`~labsupport.security.vpc.firewall` -- security groups (stateful) and network ACLs (stateless).
* :mod:`~labsupport.security.vpc.network` -- a whole network, validated as it is built.
* :mod:`~labsupport.security.vpc.reachability` -- can A reach B on port P, and if not, which rule stops it.
"""

from labsupport.security.vpc.cidr import PREFIX_RANGE, RESERVED_PER_SUBNET, Subnet, check_subnets, plan_subnets, reserved_addresses
from labsupport.security.vpc.firewall import EPHEMERAL_PORTS, AclRule, NetworkAcl, Packet, SecurityGroup, SgRule, Verdict
from labsupport.security.vpc.network import Network
from labsupport.security.vpc.example import example_network
from labsupport.security.vpc.reachability import Hop, PathAnalysis, analyze_path
from labsupport.security.vpc.routing import Route, RouteTable

__all__ = ["PREFIX_RANGE", "RESERVED_PER_SUBNET", "Subnet", "check_subnets", "plan_subnets", "reserved_addresses",
           "EPHEMERAL_PORTS", "AclRule", "NetworkAcl", "Packet", "SecurityGroup", "SgRule", "Verdict",
           "Network", "example_network", "Hop", "PathAnalysis", "analyze_path", "Route", "RouteTable"]

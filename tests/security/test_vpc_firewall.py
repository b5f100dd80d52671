"""Route tables, security groups and network ACLs, rule by rule."""

import ipaddress
import random

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.security.vpc import AclRule, NetworkAcl, Packet, RouteTable, SecurityGroup, SgRule
from labsupport.security.vpc.firewall import check_security_groups


# --- route tables: longest prefix match -----------------------------------------------------------
def test_route_priority_example_from_the_vpc_guide():
    # VPC User Guide, "Route priority": local 10.0.0.0/16, pcx for 172.31.0.0/16, igw for everything else
    rt = RouteTable("rtb", "10.0.0.0/16", {"172.31.0.0/16": "pcx-11223344556677889", "0.0.0.0/0": "igw-12345678901234567"})
    assert rt.lookup("172.31.5.5").target.startswith("pcx-")
    assert rt.lookup("10.0.200.1").target == "local"
    assert rt.lookup("54.1.2.3").target.startswith("igw-")


def test_more_specific_route_wins_over_a_shorter_one():
    rt = RouteTable("rtb", "10.0.0.0/16", {"10.2.0.0/16": "pcx-a", "10.2.3.0/24": "pcx-b", "0.0.0.0/0": "nat-a"})
    assert rt.lookup("10.2.3.4").target == "pcx-b" and rt.lookup("10.2.4.4").target == "pcx-a"


@pytest.mark.parametrize("routes, message", [({"0.0.0.0/0": "eni-1"}, "not 'local'"), ({"10.0.0.1/8": "igw-a"}, "host bits"),
                                             ({"10.0.0.0/16": "local"}, "added automatically"),
                                             ({"10.0.0.0/16": "pcx-a"}, "already exists")])
def test_bad_routes_name_the_route(routes, message):
    with pytest.raises(ValueError, match="route table rtb") as e:
        RouteTable("rtb", "10.0.0.0/16", routes)
    assert message in str(e.value)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2**32 - 1), st.integers(1, 32)), max_size=8), st.integers(0, 2**32 - 1))
def test_lookup_is_the_longest_matching_prefix(prefixes, address):
    routes = {}
    for value, length in prefixes:
        net = ipaddress.IPv4Network((value, length), strict=False)
        if net != ipaddress.IPv4Network("10.0.0.0/16"):
            routes[str(net)] = f"pcx-{len(routes)}"
    rt = RouteTable("rtb", "10.0.0.0/16", routes)
    ip = ipaddress.IPv4Address(address)
    found = rt.lookup(ip)
    containing = [r for r in rt.routes if ip in r.destination]
    if not containing:
        assert found is None
    else:
        assert found.destination.prefixlen == max(r.destination.prefixlen for r in containing)


# --- security groups ---------------------------------------------------------------------------
def test_security_group_is_allow_only_and_defaults_to_all_outbound():
    sg = SecurityGroup("sg-web", inbound=[SgRule("tcp", 443, "0.0.0.0/0")])
    p = Packet("tcp", "198.51.100.7", "10.0.0.10", 50000, 443)
    assert sg.check(p, "inbound").allowed
    assert not sg.check(Packet("tcp", "198.51.100.7", "10.0.0.10", 50000, 22), "inbound").allowed
    assert sg.check(Packet("udp", "10.0.0.10", "8.8.8.8", 50000, 53), "outbound").allowed
    assert not SecurityGroup("sg-x", outbound=[]).check(p.reply(), "outbound").allowed
    with pytest.raises(TypeError):
        SecurityGroup("sg-x", inbound=[("tcp", 22, "0.0.0.0/0")])
    with pytest.raises(ValueError, match="does not start with 'sg-'"):
        SecurityGroup("web")


def test_security_group_reference_matches_members_only():
    sg = SecurityGroup("sg-db", inbound=[SgRule("tcp", (5432, 5433), "sg-app")])
    p = Packet("tcp", "10.0.1.5", "10.0.2.9", 50000, 5433)
    assert sg.check(p, "inbound", peer_groups=["sg-other", "sg-app"]).allowed
    assert not sg.check(p, "inbound", peer_groups=["sg-web"]).allowed


def test_rules_of_several_groups_are_aggregated():
    a = SecurityGroup("sg-a", inbound=[SgRule("tcp", 22, "10.0.0.0/8")])
    b = SecurityGroup("sg-b", inbound=[SgRule("tcp", 443, "0.0.0.0/0")])
    p = Packet("tcp", "192.0.2.1", "10.0.0.10", 50000, 443)
    assert check_security_groups([a, b], p, "inbound").allowed
    v = check_security_groups([a], p, "inbound")
    assert not v.allowed and "sg-a" in v.reason


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["tcp", "udp", "all"]), st.integers(0, 1000), st.integers(0, 32)), max_size=6),
       st.integers(0, 1000), st.randoms(use_true_random=False))
def test_security_group_verdict_ignores_rule_order_and_only_grows(rules, port, rnd):
    rules = [SgRule(proto, (lo, lo + 100), f"10.0.0.0/{max(8, mask)}" if mask else "0.0.0.0/0")
             for proto, lo, mask in rules]
    p = Packet("tcp", "10.0.0.1", "10.9.9.9", 50000, port)
    base = SecurityGroup("sg-x", inbound=rules).check(p, "inbound").allowed
    shuffled = rules[:]
    rnd.shuffle(shuffled)
    assert SecurityGroup("sg-x", inbound=shuffled).check(p, "inbound").allowed == base
    more = SecurityGroup("sg-x", inbound=[*rules, SgRule("udp", 53, "0.0.0.0/0")]).check(p, "inbound").allowed
    assert more >= base                              # adding an allow rule never denies


# --- network ACLs -------------------------------------------------------------------------------
CUSTOM = NetworkAcl("acl-web", inbound=[AclRule(100, "allow", "tcp", ports=80, cidr="0.0.0.0/0"),
                                        AclRule(110, "allow", "tcp", ports=443, cidr="0.0.0.0/0"),
                                        AclRule(120, "allow", "tcp", ports=22, cidr="192.0.2.0/24")],
                    outbound=[AclRule(100, "allow", "tcp", ports=(32768, 65535), cidr="0.0.0.0/0")])


def test_custom_acl_example_first_match_and_star_rule():
    # "Custom network ACLs": HTTPS matches rule 110; NetBIOS (139) matches no numbered rule -> * denies
    assert CUSTOM.check(Packet("tcp", "203.0.113.9", "10.0.0.10", 40000, 443), "inbound").rule.startswith("110")
    v = CUSTOM.check(Packet("tcp", "203.0.113.9", "10.0.0.10", 40000, 139), "inbound")
    assert not v.allowed and v.rule.startswith("*")


def test_acl_is_stateless_replies_need_their_own_rule():
    request = Packet("tcp", "203.0.113.9", "10.0.0.10", 50000, 443)
    assert CUSTOM.check(request, "inbound").allowed
    assert CUSTOM.check(request.reply(), "outbound").allowed            # 50000 is in 32768-65535
    windows_xp = Packet("tcp", "203.0.113.9", "10.0.0.10", 1030, 443)    # an old client's ephemeral port
    assert not CUSTOM.check(windows_xp.reply(), "outbound").allowed


def test_lower_numbered_deny_wins_whatever_the_order_given():
    acl = NetworkAcl("acl", inbound=[AclRule(200, "allow", "all", ports=None, cidr="0.0.0.0/0"),
                                     AclRule(90, "deny", "tcp", ports=443, cidr="198.51.100.0/24")])
    assert not acl.check(Packet("tcp", "198.51.100.7", "10.0.0.10", 50000, 443), "inbound").allowed
    assert acl.check(Packet("tcp", "198.51.100.7", "10.0.0.10", 50000, 80), "inbound").allowed


@pytest.mark.parametrize("args, message", [((0, "allow", "tcp", 22, "0.0.0.0/0"), "number <= 32766"),
                                           ((32767, "allow", "tcp", 22, "0.0.0.0/0"), "number <= 32766"),
                                           ((100, "permit", "tcp", 22, "0.0.0.0/0"), "'allow' or 'deny'"),
                                           ((100, "allow", "sctp", 22, "0.0.0.0/0"), "protocol"),
                                           ((100, "allow", "tcp", (80, 22), "0.0.0.0/0"), "port range"),
                                           ((100, "allow", "tcp", 22, "10.0.0.1/8"), "CIDR")])
def test_bad_acl_rules_name_the_rule(args, message):
    with pytest.raises(ValueError, match="network ACL rule") as e:
        number, action, protocol, ports, cidr = args
        AclRule(number, action, protocol, ports=ports, cidr=cidr)
    assert message in str(e.value)
    with pytest.raises(ValueError, match="used twice"):
        NetworkAcl("acl", inbound=[AclRule(100, "allow", "tcp", ports=22, cidr="0.0.0.0/0"), AclRule(100, "deny", "tcp", ports=23, cidr="0.0.0.0/0")])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 500), st.booleans(), st.integers(0, 65000), st.integers(0, 16)),
                max_size=8, unique_by=lambda r: r[0]), st.integers(0, 65535), st.integers(0, 2**32 - 1))
def test_acl_verdict_is_the_lowest_numbered_match(rules, port, address):
    rules = [AclRule(n, "allow" if ok else "deny", "tcp", ports=(lo, min(65535, lo + 500)),
                     cidr=str(ipaddress.IPv4Network((address & ~(2 ** (32 - m) - 1) if m else 0, m)))) for n, ok, lo, m in rules]
    random.Random(port).shuffle(rules)
    src = str(ipaddress.IPv4Address(address))
    p = Packet("tcp", src, "10.0.0.1", 50000, port)
    v = NetworkAcl("acl", inbound=rules).check(p, "inbound")
    matching = sorted((r for r in rules if r.ports[0] <= port <= r.ports[1] and ipaddress.IPv4Address(src) in r.cidr),
                      key=lambda r: r.number)
    assert v.allowed == (bool(matching) and matching[0].action == "allow")

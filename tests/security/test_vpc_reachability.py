"""Reachability on the book's example network: every "no" names the component and the rule."""

import pytest

from labsupport.security.vpc import AclRule, Network, SecurityGroup, SgRule, analyze_path, example_network

NET = example_network()


@pytest.mark.parametrize("source, destination, port", [
    ("client", "web-1", 443), ("web-1", "app-1", 8080), ("app-1", "db-1", 5432),
    ("app-1", "repo", 443), ("app-1", "tools-1", 22)])
def test_intended_paths_are_reachable(source, destination, port):
    r = analyze_path(NET, source, destination, port=port)
    assert r.reachable and r.blocked is None and not r.blocking
    assert r.request_path[-1] == f"host:{destination}" and r.reply_path[-1] == f"host:{source}"


@pytest.mark.parametrize("source, destination, port, kind, component, rule, words", [
    ("attacker", "web-1", 443, "network-acl", "acl-public", "90 deny", "first match"),
    ("client", "app-1", 8080, "address", "app-1", "no public address", "NAT gateway lets connections out only"),
    ("db-1", "repo", 443, "route", "rtb-db", "no route", "no route that contains 192.0.2.80"),
    ("web-1", "db-1", 5432, "network-acl", "acl-db", "* deny", "* rule denies"),
    ("app-1", "db-1", 3306, "network-acl", "acl-db", "* deny", "* rule denies"),
    ("client", "web-1", 22, "network-acl", "acl-public", "* deny", "* rule denies"),
])
def test_blocked_paths_name_component_and_rule(source, destination, port, kind, component, rule, words):
    r = analyze_path(NET, source, destination, port=port)
    assert not r.reachable
    assert (r.blocked.kind, r.blocked.component) == (kind, component)
    assert r.blocked.rule.startswith(rule) and words in r.blocked.detail
    assert r.explain().splitlines()[0].endswith(r.blocked.detail)


def test_security_group_blocks_when_the_acl_allows():
    # acl-db allows 5432 from the app range, but sg-db admits only members of sg-app
    net = example_network()
    net.add_security_group("prod", SecurityGroup("sg-batch"))
    net.add_instance("batch-1", "app-b", "10.0.4.10", groups=["sg-batch"])
    r = analyze_path(net, "batch-1", "db-1", port=5432)
    assert [(h.kind, h.component) for h in r.blocking] == [("security-group", "sg-db")]
    assert "no inbound rule of sg-db allows tcp/5432 from 10.0.4.10 (groups sg-batch)" in r.blocked.detail


def test_mirrored_acl_blocks_the_reply_not_the_request():
    r = analyze_path(example_network(db_reply_rule=False), "app-1", "db-1", port=5432)
    assert [h.stage for h in r.blocking] == ["reply"]
    assert r.blocked.component == "acl-db" and "10.0.10.10:5432 -> 10.0.0.10:50000" in r.blocked.detail


def test_peering_needs_a_route_back():
    r = analyze_path(example_network(shared_return_route=False), "app-1", "tools-1", port=22)
    assert (r.blocked.stage, r.blocked.kind, r.blocked.component) == ("reply", "route", "rtb-shared")


def test_blocklist_is_what_stops_the_attacker():
    assert analyze_path(example_network(blocklist=False), "attacker", "web-1", port=443).reachable


def test_peering_is_not_transitive():
    net = Network()
    for name, cidr in (("a", "10.1.0.0/16"), ("b", "10.2.0.0/16"), ("c", "10.3.0.0/16")):
        net.add_vpc(name, cidr)
        net.add_subnet(name, f"s{name}", cidr.replace("/16", "/24"), az="us-east-1a")
        net.add_security_group(name, SecurityGroup(f"sg-{name}", inbound=[SgRule("all", None, "10.0.0.0/8")]))
        net.add_instance(f"h{name}", f"s{name}", cidr.replace("0/16", "10"), groups=[f"sg-{name}"])
    net.add_peering("pcx-ab", "a", "b")
    net.add_peering("pcx-bc", "b", "c")
    net.add_route_table("rtb-a", "a", {"10.0.0.0/8": "pcx-ab"}, subnets=["sa"])
    net.add_route_table("rtb-b", "b", {"10.1.0.0/16": "pcx-ab", "10.3.0.0/16": "pcx-bc"}, subnets=["sb"])
    net.add_route_table("rtb-c", "c", {"10.2.0.0/16": "pcx-bc"}, subnets=["sc"])
    assert analyze_path(net, "ha", "hb", port=22).reachable
    r = analyze_path(net, "ha", "hc", port=22)
    assert (r.blocked.kind, r.blocked.component) == ("peering", "pcx-ab") and "not transitive" in r.blocked.detail


def test_public_instance_without_public_ip_cannot_use_the_internet_gateway():
    net = example_network()
    net.add_instance("web-2", "public-b", "10.0.9.10", groups=["sg-web"])            # forgot the public address
    r = analyze_path(net, "web-2", "repo", port=443)
    assert (r.blocked.kind, r.blocked.component, r.blocked.rule) == ("address", "web-2", "no public address")


def test_asymmetric_return_through_a_nat_gateway_fails():
    net = example_network()
    net.add_instance("app-2", "app-b", "10.0.4.20", groups=["sg-web"], public_ip="203.0.113.30")  # public IP, private route table
    r = analyze_path(net, "client", "app-2", port=443)
    assert r.blocked.rule == "asymmetric route" and "nat:nat-a" in r.blocked.detail


def test_acls_do_not_filter_inside_one_subnet():
    net = example_network(db_reply_rule=False)
    net.add_security_group("prod", SecurityGroup("sg-db2", inbound=[SgRule("tcp", 5432, "sg-db")]))
    net.add_instance("db-2", "db-a", "10.0.10.11", groups=["sg-db2"])
    r = analyze_path(net, "db-1", "db-2", port=5432)        # acl-db would deny both ways, but no boundary is crossed
    assert r.reachable and not any(h.kind == "network-acl" for h in r.hops)


def test_network_builder_rejects_bad_elements_by_name():
    net = example_network()
    with pytest.raises(ValueError, match="instance x: 10.0.10.3 is one of the five addresses AWS reserves"):
        net.add_instance("x", "db-a", "10.0.10.3", groups=["sg-db"])
    with pytest.raises(ValueError, match="instance y: 10.0.8.10 is already in use"):
        net.add_instance("y", "public-a", "10.0.8.10", groups=["sg-web"])
    with pytest.raises(ValueError, match="security group 'sg-tools' does not exist in VPC prod"):
        net.add_instance("z", "db-a", "10.0.10.20", groups=["sg-tools"])
    with pytest.raises(ValueError, match="peering pcx-x: VPCs prod .* overlap"):
        net.add_vpc("copy", "10.0.0.0/16")
        net.add_peering("pcx-x", "prod", "copy")
    with pytest.raises(ValueError, match="route table rtb-y, route 0.0.0.0/0 -> igw-other: igw-other is not the internet gateway"):
        net.add_route_table("rtb-y", "prod", {"0.0.0.0/0": "igw-other"})
    with pytest.raises(ValueError, match="subnet public-a: the name is already used"):
        net.add_subnet("prod", "public-a", "10.0.200.0/24", az="us-east-1a")
    with pytest.raises(ValueError, match="subnet extra .* overlaps subnet db-a"):
        net.add_subnet("prod", "extra", "10.0.10.128/25", az="us-east-1a")
    with pytest.raises(ValueError, match="port=70000"):
        analyze_path(net, "app-1", "db-1", port=70000)
    with pytest.raises(ValueError, match="destination='nobody'"):
        analyze_path(net, "app-1", "nobody", port=22)


def test_analysis_is_deterministic():
    a = analyze_path(example_network(), "app-1", "repo", port=443)
    b = analyze_path(example_network(), "app-1", "repo", port=443)
    assert a == b and a.request_path == ("subnet:app-a", "nat:nat-a", "igw:igw-prod", "internet", "host:repo")

"""Address plans: sizes, reserved addresses, overlaps, and the errors that name the culprit."""

import ipaddress

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.security.vpc import RESERVED_PER_SUBNET, Subnet, check_subnets, plan_subnets, reserved_addresses
from labsupport.security.vpc.cidr import parse_cidr


def test_aws_reserves_first_four_and_last_address():
    # CreateSubnet: "AWS reserves both the first four and the last IPv4 address in each subnet's CIDR block"
    reserved = [a for a, _ in reserved_addresses("10.0.0.0/24")]
    assert reserved == ["10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.255"]
    assert Subnet("s", parse_cidr("10.0.0.0/28", "s"), "a").usable == 16 - 5 == 11
    assert Subnet("s", parse_cidr("10.0.0.0/16", "s"), "a").usable == 65_531


@pytest.mark.parametrize("cidr, message", [
    ("10.0.0.0/15", "AWS allows /16"), ("10.0.0.0/29", "AWS allows /16"), ("10.0.0.1/16", "did you mean 10.0.0.0/16"),
    ("10.0.0.0", "not an IPv4 CIDR"), ("banana/16", "not an IPv4 CIDR"), ("2001:db8::/56", "not an IPv4 CIDR"),
    ("10.0.0.0/99", "invalid prefix length")])
def test_invalid_cidrs_name_the_element(cidr, message):
    with pytest.raises(ValueError, match="vpc_cidr") as e:
        parse_cidr(cidr, "vpc_cidr")
    assert message in str(e.value)


def test_check_subnets_names_outside_and_overlapping_subnets():
    a = Subnet("public-a", parse_cidr("10.0.0.0/24", "a"), "us-east-1a")
    outside = Subnet("db-x", parse_cidr("10.9.0.0/24", "x"), "us-east-1a")
    with pytest.raises(ValueError, match=r"subnet db-x \(10.9.0.0/24\) is outside"):
        check_subnets("10.0.0.0/16", [a, outside])
    overlap = Subnet("app-a", parse_cidr("10.0.0.0/22", "y"), "us-east-1b")
    with pytest.raises(ValueError, match="subnet app-a .* overlaps subnet public-a"):
        check_subnets("10.0.0.0/16", [a, overlap])
    check_subnets("10.0.0.0/16", [a])


def test_plan_reports_when_the_vpc_is_too_small():
    with pytest.raises(ValueError, match="no room left"):
        plan_subnets("10.0.0.0/24", ["a", "b", "c"], {"app": 25})
    with pytest.raises(ValueError, match=r"tiers\['app'\]=15 is out of range; choose 16 <= "):
        plan_subnets("10.0.0.0/16", ["a"], {"app": 15})
    with pytest.raises(ValueError, match="distinct"):
        plan_subnets("10.0.0.0/16", ["a", "a"], {"app": 24})


@settings(max_examples=60, deadline=None)
@given(vpc_prefix=st.integers(16, 22), azs=st.integers(1, 3),
       tiers=st.lists(st.integers(0, 6), min_size=1, max_size=3))
def test_plans_fit_do_not_overlap_and_keep_five_reserved(vpc_prefix, azs, tiers):
    vpc = ipaddress.IPv4Network(f"10.0.0.0/{vpc_prefix}")
    sizes = {f"t{i}": min(28, vpc_prefix + 2 + extra) for i, extra in enumerate(tiers)}
    zones = [f"us-east-1{c}" for c in "abc"[:azs]]
    need = sum(2 ** (32 - p) for p in sizes.values()) * azs
    if need > vpc.num_addresses:
        with pytest.raises(ValueError):
            plan_subnets(vpc, zones, sizes)
        return
    plan = plan_subnets(vpc, zones, sizes)
    check_subnets(vpc, plan)                       # inside, sized, disjoint
    assert len(plan) == len(sizes) * azs
    assert {s.az for s in plan} == set(zones)
    for s in plan:
        assert s.cidr.prefixlen == sizes[s.tier]
        assert s.usable == s.cidr.num_addresses - RESERVED_PER_SUBNET

"""The example price table: labelled, self-consistent, and honest about what is quoted."""

import re

import pytest

from labsupport.cost.prices import (
    CHECKED_ON,
    PAYMENT_OPTIONS,
    PRICES,
    REGION,
    SPOT_NOTICE_S,
    TERM_HOURS,
    ReservedOffer,
    instance_prices,
)


def test_table_is_labelled_with_region_and_date():
    assert REGION == "us-east-1"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", CHECKED_ON)
    assert {"m5.large", "m7g.large", "c7g.xlarge"} <= set(PRICES)
    for prices in PRICES.values():
        assert prices.region == REGION and prices.source and prices.data_as_of


def test_term_hours_follow_the_ec2_definition():
    # EC2 User Guide: one year = 31,536,000 s, three years = 94,608,000 s.
    assert TERM_HOURS == {1: 31_536_000 // 3600, 3: 94_608_000 // 3600}
    assert SPOT_NOTICE_S == 2 * 60


def test_m5_large_matches_the_aws_price_list_fixture():
    m5 = instance_prices("m5.large")
    assert m5.on_demand_per_hour == 0.096
    rows = {(o.term_years, o.payment): (o.upfront_usd, o.hourly_usd) for o in m5.reserved}
    assert rows == {
        (1, "No Upfront"): (0, 0.060), (1, "Partial Upfront"): (252, 0.029), (1, "All Upfront"): (494, 0.0),
        (3, "No Upfront"): (0, 0.041), (3, "Partial Upfront"): (505, 0.019), (3, "All Upfront"): (949, 0.0),
    }
    assert 0.0378 <= m5.spot_per_hour <= 0.0437  # the Feb 2021 us-east-1 range in the Spot fixture


def test_quoted_and_illustrative_are_marked():
    assert instance_prices("m5.large").is_quoted("reserved")
    assert not instance_prices("m5.large").is_quoted("compute_sp_per_hour")
    assert not instance_prices("m7g.large").is_quoted("reserved")
    assert instance_prices("c7g.xlarge").quoted == frozenset()
    for prices in PRICES.values():
        if not prices.is_quoted("compute_sp_per_hour"):
            assert "illustrative" in prices.source.lower()


@pytest.mark.parametrize("name", sorted(PRICES))
def test_every_discount_is_a_discount(name):
    prices = PRICES[name]
    od = prices.on_demand_per_hour
    for term in (1, 3):
        effective = [prices.reserved_offer(term, p).effective_per_hour for p in PAYMENT_OPTIONS]
        # "Reserved Instances with a higher upfront payment provide greater discounts."
        assert effective[2] <= effective[1] <= effective[0] < od
        assert prices.ec2_instance_sp_per_hour[term] <= prices.compute_sp_per_hour[term] < od
    for payment in PAYMENT_OPTIONS:
        assert prices.reserved_offer(3, payment).effective_per_hour < prices.reserved_offer(1, payment).effective_per_hour
    assert prices.spot_per_hour < od


def test_offer_arithmetic():
    offer = ReservedOffer(3, "All Upfront", 949, 0.0)
    assert offer.total_usd == 949 and offer.effective_per_hour == pytest.approx(949 / 26280)


@pytest.mark.parametrize(
    "call, word",
    [
        (lambda: instance_prices("t2.micro"), "instance_type"),
        (lambda: ReservedOffer(2, "No Upfront", 0, 0.1), "term_years"),
        (lambda: ReservedOffer(1, "Some Upfront", 0, 0.1), "payment"),
        (lambda: ReservedOffer(1, "No Upfront", 0, -0.1), "hourly_usd"),
        (lambda: instance_prices("m5.large").reserved_offer(2, "No Upfront"), "term_years"),
        (lambda: instance_prices("m5.large").is_quoted("colour"), "field_name"),
    ],
)
def test_bad_input_names_the_parameter(call, word):
    with pytest.raises(ValueError, match=word):
        call()


@pytest.mark.parametrize("field, value, error", [
    ("upfront_usd", float("nan"), ValueError), ("hourly_usd", float("inf"), ValueError),
    ("hourly_usd", "0.06", TypeError), ("upfront_usd", -1, ValueError), ("term_years", 2, ValueError),
    ("term_years", "1", TypeError), ("payment", None, TypeError),
])
def test_reserved_offer_rejects_what_would_price_as_nan(field, value, error):
    # Issue 15: ReservedOffer accepted NaN and inf and returned NaN prices.
    kwargs = {"term_years": 1, "payment": "No Upfront", "upfront_usd": 0, "hourly_usd": 0.06, field: value}
    with pytest.raises(error, match=field):
        ReservedOffer(**kwargs)

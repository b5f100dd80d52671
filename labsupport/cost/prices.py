"""A small table of EXAMPLE EC2 prices, and the billing rules they plug into.

A price list is like a railway timetable: exact for the day it was printed,
out of date soon after. The figures here are for teaching arithmetic, not for
budgeting; look up today's prices before spending money. Every figure says
whether it is a **quote** (copied from a named source) or **illustrative**
(made up so the examples have something to compute with).

Billing mechanics used by :mod:`labsupport.cost` (facts from AWS documentation)
-------------------------------------------------------------------------------
Reserved Instances (RIs)
    A billing discount on matching usage, not a machine. Terms are one year
    (31,536,000 s = 365 days = 8,760 h) or three years (94,608,000 s =
    26,280 h). Payment options: *No Upfront* (a discounted hourly rate for
    every hour of the term, used or not), *Partial Upfront* (a payment at the
    start plus a lower hourly rate for every hour of the term), *All Upfront*
    (one payment at the start, no hourly charge). Refs: EC2 User Guide,
    "Reserved Instances"; whitepaper "Amazon EC2 Reserved Instances and Other
    AWS Reservation Models", section "Reserved Instances payment options".
Savings Plans (SPs)
    A commitment to a consistent amount of usage measured in $/hour (the
    Savings Plans rate is what is spent) for a 1- or 3-year term. Each hour
    the commitment is applied after RIs, EC2 Instance SPs before Compute SPs,
    to the usage with the highest savings percentage first (ties: lowest SP
    rate first), until usage or commitment runs out; remaining usage is billed
    On-Demand. The commitment is paid every hour even when usage falls short
    of it. Refs: Savings Plans User Guide, "Understanding how Savings Plans
    apply to your AWS usage" (sp-applying.html); AWS re:Post, "AWS Saving
    Plans Calculation Example by Amazon" (unused commitment still billed).
Spot Instances
    Spare capacity at a lower, varying price that EC2 may take back. An
    interruption notice is issued two minutes before EC2 stops or terminates
    the instance (best effort; none in advance for hibernation). Ref: EC2 User
    Guide, "Spot Instance interruption notices".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from labsupport.checks import check_choice, check_int, check_number, check_type

__all__ = [
    "REGION", "CHECKED_ON", "TERM_HOURS", "HOURS_PER_MONTH", "SPOT_NOTICE_S", "PAYMENT_OPTIONS",
    "ReservedOffer", "InstancePrices", "PRICES", "instance_prices",
]

REGION = "us-east-1"  # every price below is for US East (N. Virginia), Linux, shared tenancy
CHECKED_ON = "2026-11-27"  # the day these figures were looked up for this table
TERM_HOURS = {1: 8760, 3: 26280}  # hours in a 1-year and a 3-year term (365-day years)
HOURS_PER_MONTH = 730  # 8,760 / 12, the month the AWS Pricing Calculator uses
SPOT_NOTICE_S = 120  # seconds between a Spot interruption notice and the interruption
PAYMENT_OPTIONS = ("No Upfront", "Partial Upfront", "All Upfront")


@dataclass(frozen=True)
class ReservedOffer:
    """One Standard Reserved Instance offer: a term, a payment option and its two prices.

    Examples
    --------
    >>> offer = ReservedOffer(term_years=1, payment="Partial Upfront", upfront_usd=252, hourly_usd=0.029)
    >>> offer.term_hours, round(offer.effective_per_hour, 4), round(offer.total_usd, 2)
    (8760, 0.0578, 506.04)
    """

    term_years: int
    payment: str
    upfront_usd: float
    hourly_usd: float

    def __post_init__(self) -> None:
        check_choice("term_years", check_int("term_years", self.term_years), tuple(TERM_HOURS))
        check_choice("payment", self.payment, PAYMENT_OPTIONS)
        for name in ("upfront_usd", "hourly_usd"):
            check_number(name, getattr(self, name), low=0)  # NaN and inf too: they would price as NaN

    @property
    def term_hours(self) -> int:
        """Hours in the term (8,760 or 26,280)."""
        return TERM_HOURS[self.term_years]

    @property
    def effective_per_hour(self) -> float:
        """Upfront spread evenly over the term, plus the hourly rate."""
        return self.upfront_usd / self.term_hours + self.hourly_usd

    @property
    def total_usd(self) -> float:
        """Everything paid over the whole term, used or not."""
        return self.upfront_usd + self.hourly_usd * self.term_hours


@dataclass(frozen=True)
class InstancePrices:
    """Example prices for one instance type, with which of them are real quotes.

    ``compute_sp_per_hour`` and ``ec2_instance_sp_per_hour`` map a term in
    years to the No Upfront Savings Plans rate for this instance type.
    ``quoted`` names the fields copied from ``source``; every other field is
    illustrative.

    Examples
    --------
    >>> m5 = instance_prices("m5.large")
    >>> m5.on_demand_per_hour, m5.is_quoted("on_demand_per_hour"), m5.is_quoted("compute_sp_per_hour")
    (0.096, True, False)
    >>> round(m5.reserved_offer(3, "All Upfront").effective_per_hour, 4)
    0.0361
    >>> InstancePrices(**{**vars(m5), "spot_per_hour": 0.04}).spot_per_hour  # a what-if Spot price
    0.04
    """

    instance_type: str
    on_demand_per_hour: float
    reserved: tuple[ReservedOffer, ...]
    compute_sp_per_hour: dict[int, float]
    ec2_instance_sp_per_hour: dict[int, float]
    spot_per_hour: float
    quoted: frozenset[str]
    source: str
    data_as_of: str
    region: str = REGION
    notes: str = field(default="")

    def __post_init__(self) -> None:
        check_type("instance_type", self.instance_type, str)
        check_number("on_demand_per_hour", self.on_demand_per_hour, low=0)
        check_number("spot_per_hour", self.spot_per_hour, low=0)
        for i, offer in enumerate(check_type("reserved", self.reserved, tuple)):
            check_type(f"reserved[{i}]", offer, ReservedOffer)
        for name in ("compute_sp_per_hour", "ec2_instance_sp_per_hour"):
            for term, rate in check_type(name, getattr(self, name), dict).items():
                check_choice(f"{name} term", term, tuple(TERM_HOURS))
                check_number(f"{name}[{term}]", rate, low=0)

    def is_quoted(self, field_name: str) -> bool:
        """True if ``field_name`` was copied from ``source``, False if illustrative."""
        known = {"on_demand_per_hour", "reserved", "compute_sp_per_hour", "ec2_instance_sp_per_hour", "spot_per_hour"}
        check_choice("field_name", field_name, sorted(known))
        return field_name in self.quoted

    def reserved_offer(self, term_years: int, payment: str) -> ReservedOffer:
        """The Standard RI offer for ``term_years`` (1 or 3) and ``payment``."""
        check_choice("term_years", check_int("term_years", term_years), tuple(TERM_HOURS))
        check_choice("payment", payment, PAYMENT_OPTIONS)
        for offer in self.reserved:
            if offer.term_years == term_years and offer.payment == payment:
                return offer
        raise ValueError(
            f"no offer for term_years={term_years}, payment={payment!r}; "
            f"choose term_years in (1, 3) and payment in {PAYMENT_OPTIONS}"
        )


def _offers(rows: tuple[tuple[int, str, float, float], ...]) -> tuple[ReservedOffer, ...]:
    return tuple(ReservedOffer(term, payment, upfront, hourly) for term, payment, upfront, hourly in rows)


_M5_SOURCE = (
    "On-Demand and Standard RI: AWS Price List API GetProducts response for SKU 6C86BEPQVG73ZGGR "
    "(m5.large, Linux, shared, US East (N. Virginia)), publicationDate 2021-02-05, kept as a test fixture in "
    "github.com/aws/amazon-ec2-instance-selector test/static/GetProducts/m5_large.json. "
    "Spot: DescribeSpotPriceHistory fixture in the same repository "
    "(test/static/DescribeSpotPriceHistoryPages/m5_large.json), 2021-02-01..09, us-east-1a..f between "
    "$0.0378 and $0.0437/h; 0.042 is a round middle value. Savings Plans rates were NOT found: illustrative."
)

PRICES: dict[str, InstancePrices] = {
    "m5.large": InstancePrices(
        instance_type="m5.large",
        on_demand_per_hour=0.096,
        reserved=_offers((
            (1, "No Upfront", 0, 0.060), (1, "Partial Upfront", 252, 0.029), (1, "All Upfront", 494, 0.0),
            (3, "No Upfront", 0, 0.041), (3, "Partial Upfront", 505, 0.019), (3, "All Upfront", 949, 0.0),
        )),
        compute_sp_per_hour={1: 0.069, 3: 0.048},  # ILLUSTRATIVE
        ec2_instance_sp_per_hour={1: 0.060, 3: 0.041},  # ILLUSTRATIVE: set equal to the Standard RI No Upfront rates
        spot_per_hour=0.042,
        quoted=frozenset({"on_demand_per_hour", "reserved", "spot_per_hour"}),
        source=_M5_SOURCE,
        data_as_of="2021-02-05",
    ),
    "m7g.large": InstancePrices(
        instance_type="m7g.large",
        on_demand_per_hour=0.0816,
        # ILLUSTRATIVE: m5.large's quoted RI, SP and Spot figures scaled by 0.0816 / 0.096 = 0.85.
        reserved=_offers((
            (1, "No Upfront", 0, 0.051), (1, "Partial Upfront", 214, 0.0247), (1, "All Upfront", 420, 0.0),
            (3, "No Upfront", 0, 0.0349), (3, "Partial Upfront", 429, 0.0162), (3, "All Upfront", 807, 0.0),
        )),
        compute_sp_per_hour={1: 0.0587, 3: 0.0408},
        ec2_instance_sp_per_hour={1: 0.051, 3: 0.0349},
        spot_per_hour=0.0357,
        quoted=frozenset({"on_demand_per_hour"}),
        source=(
            "On-Demand: third-party quote, factualminds.com 'Amazon EC2 On-Demand Pricing ... (2026)', "
            "us-east-1 Linux m7g.large $0.0816/h as of 2026-06-17; the same figure appears in an independent "
            "public price table. Not checked against an AWS page. Everything else illustrative."
        ),
        data_as_of="2026-06-17",
    ),
    "c7g.xlarge": InstancePrices(
        instance_type="c7g.xlarge",
        on_demand_per_hour=0.145,
        # ILLUSTRATIVE: m5.large's quoted RI, SP and Spot figures scaled by 0.145 / 0.096 = 1.5104.
        reserved=_offers((
            (1, "No Upfront", 0, 0.0906), (1, "Partial Upfront", 381, 0.0438), (1, "All Upfront", 746, 0.0),
            (3, "No Upfront", 0, 0.0619), (3, "Partial Upfront", 763, 0.0287), (3, "All Upfront", 1433, 0.0),
        )),
        compute_sp_per_hour={1: 0.1042, 3: 0.0725},
        ec2_instance_sp_per_hour={1: 0.0906, 3: 0.0619},
        spot_per_hour=0.0634,
        quoted=frozenset(),
        source=(
            "On-Demand DERIVED, not quoted: twice the c7g.large figure ($0.0725/h) in a third-party public "
            "price table (sizes within a Graviton family scale linearly). No c7g.xlarge quote was found. "
            "Everything else illustrative."
        ),
        data_as_of="2026",
    ),
}


def instance_prices(instance_type: str) -> InstancePrices:
    """Return the example prices for ``instance_type``.

    Examples
    --------
    >>> sorted(PRICES)
    ['c7g.xlarge', 'm5.large', 'm7g.large']
    >>> instance_prices("m7g.large").region
    'us-east-1'
    """
    return PRICES[check_choice("instance_type", instance_type, sorted(PRICES))]

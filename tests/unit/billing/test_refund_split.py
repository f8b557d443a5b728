"""A refund's net and VAT: net + VAT == the money refunded and VAT == round-half-up(net * rate)
exactly (BR-CO-17 without the schematron's tolerance); literal amounts worked out by hand."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest

from invoices.billing.rules.refund_split import (
    RefundSplit,
    UnsplittableRefund,
    exact_split,
    nearest_splittable,
    split_refund,
)


def half_up(net: int, rate_bp: int) -> int:
    """The rule written independently of the code under test: Decimal rounding, half up."""
    return int((Decimal(net) * rate_bp / 10000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize(("gross", "rate_bp", "split"), [
    (42000, 2000, (35000, 7000)),
    (6000, 2000, (5000, 1000)),
    (1000, 2000, (833, 167)),  # 166.6 -> 167
    (1004, 2000, (837, 167)),  # 167.4 -> 167
    (1005, 2000, None),  # net 837 gives 1004, net 838 gives 1006
    (1006, 2000, (838, 168)),  # 167.6 -> 168
    (1, 2000, (1, 0)), (2, 2000, (2, 0)), (3, 2000, None), (4, 2000, (3, 1)),
    (3, 2500, (2, 1)),  # 0.5000 rounds up
    (2, 2500, None),
    (60, 1900, (50, 10)),  # 9.5000 -> 10
    (59, 1900, None),
    (58, 1900, (49, 9)),  # 9.31 -> 9
    (4999, 1, (4999, 0)),  # 0.4999 -> 0
    (5000, 1, None),
    (5001, 1, (5000, 1)),  # 0.5000 -> 1
    (14999, 1, (14998, 1)),  # 1.4998 -> 1
    (24723, 2300, (20100, 4623)),
    (123, 0, (123, 0)), (0, 2000, (0, 0)),
])
def test_exact_split(gross: int, rate_bp: int, split: tuple[int, int] | None) -> None:
    assert exact_split(gross, rate_bp) == (RefundSplit(*split) if split else None)


@pytest.mark.parametrize(("gross", "rate_bp"), [(-1, 2000), (1, -1), (-1, -1)])
def test_exact_split_refuses_a_negative_amount_or_rate(gross: int, rate_bp: int) -> None:
    with pytest.raises(ValueError, match="^amounts and rates are not negative$"):
        exact_split(gross, rate_bp)


INVOICE = {"remaining_net": 35000, "remaining_vat": 7000}  # £420.00 at 20%


@pytest.mark.parametrize(("gross", "remaining", "split"), [
    (42000, INVOICE, (35000, 7000)),  # a full refund is the invoice itself
    (6000, INVOICE, (5000, 1000)),
    (21000, INVOICE, (17500, 3500)),
    (500, INVOICE, (417, 83)),  # leaves 34583 + 6917, and 34583 * 20% = 6916.6 -> 6917
    (1, INVOICE, (1, 0)),  # leaves 34999 + 7000: 6999.8 -> 7000
    (12000, {"remaining_net": 30000, "remaining_vat": 6000}, (10000, 2000)),  # a second refund
    (24000, {"remaining_net": 20000, "remaining_vat": 4000}, (20000, 4000)),  # the last one clears it
    (500, {"remaining_net": 416, "remaining_vat": 84}, (416, 84)),  # the remainder, as it is
    (24724, {"remaining_net": 20100, "remaining_vat": 4624}, (20100, 4624)),  # a legacy invoice's VAT, in full
    (123, {"remaining_net": 500, "remaining_vat": 0}, (123, 0)),  # reverse charge / outside scope
])
def test_split_refund(gross: int, remaining: dict, split: tuple[int, int]) -> None:
    rate = 0 if remaining["remaining_vat"] == 0 else 2000
    result = split_refund(gross, rate, **remaining)
    assert result == RefundSplit(*split)
    assert (type(result.net), type(result.vat), type(result.gross)) == (int, int, int)


@pytest.mark.parametrize(("gross", "remaining", "lower", "higher"), [
    (3, INVOICE, 2, 4),  # no exact split of 3 at 20%
    (500, {"remaining_net": 833, "remaining_vat": 167}, 498, 502),  # 417 + 83 would leave 416 + 84: 83.2 != 84
    (1005, {"remaining_net": 8333, "remaining_vat": 1667}, 1002, 1006),  # 1004, 1003 leave 1499 VAT on 7496, 7497
])
def test_unsplittable_refunds_are_refused_with_the_nearest_amounts(gross: int, remaining: dict, lower: int,
                                                                   higher: int) -> None:
    message = (f"{gross} (minor units) cannot be split into net and VAT at this rate to the last minor unit; "
               f"{lower} or {higher} can.")
    with pytest.raises(UnsplittableRefund, match=f"^{re.escape(message)}$") as refused:
        split_refund(gross, 2000, **remaining)
    assert (refused.value.lower, refused.value.higher) == (lower, higher)


def test_without_keeping_the_remainder_exact_more_amounts_split() -> None:
    assert split_refund(500, 2000, remaining_net=833, remaining_vat=167, keep_remainder_exact=False) \
        == RefundSplit(417, 83)
    # 3 has no exact split at 20%; 2 (2 + 0) would leave 831 + 167, and 831 * 20% = 166.2: refused by default
    with pytest.raises(UnsplittableRefund, match=r"; 2 or 4 can\.$") as refused:
        split_refund(3, 2000, remaining_net=833, remaining_vat=167, keep_remainder_exact=False)
    assert (refused.value.lower, refused.value.higher) == (2, 4)
    assert nearest_splittable(3, 2000, remaining_net=833, remaining_vat=167) == (None, 4)
    assert nearest_splittable(3, 2000, remaining_net=833, remaining_vat=167, keep_remainder_exact=False) == (2, 4)


@pytest.mark.parametrize(("gross", "message"), [
    (0, "a refund is a positive whole number of minor units"),
    (-1, "a refund is a positive whole number of minor units"),
    (True, "a refund is a positive whole number of minor units"),
    (1.5, "a refund is a positive whole number of minor units"),
    (42001, r"at most 42000 \(minor units\) is left to refund"),
])
def test_amounts_out_of_range_are_refused(gross: object, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message}$") as refused:
        split_refund(gross, 2000, **INVOICE)
    assert not isinstance(refused.value, UnsplittableRefund)


@pytest.mark.parametrize("remaining", [{"remaining_net": -1, "remaining_vat": 7000},
                                       {"remaining_net": 35000, "remaining_vat": -1}])
def test_a_negative_remainder_is_refused(remaining: dict) -> None:
    with pytest.raises(ValueError, match="^the remaining net and VAT are not negative$"):
        split_refund(1, 2000, **remaining)


def test_a_remainder_of_vat_only_is_refunded_as_it_is() -> None:
    assert split_refund(10, 2500, remaining_net=0, remaining_vat=10) == RefundSplit(0, 10)


def test_a_split_may_take_all_the_remaining_net_but_not_more() -> None:
    # 500 at 20% is 417 + 83: all of the 417 net left (the VAT left, 100, is not exact: no remainder rule)
    assert split_refund(500, 2000, remaining_net=417, remaining_vat=100) == RefundSplit(417, 83)
    # 200 at 20% is 167 + 33, more net than the 100 left: 120 (100 + 20) is the most below, 1100 (all) above
    with pytest.raises(UnsplittableRefund, match=r"; 120 or 1100 can\.$") as refused:
        split_refund(200, 2000, remaining_net=100, remaining_vat=1000)
    assert (refused.value.lower, refused.value.higher) == (120, 1100)
    # 2 at 25% has no exact split; 1 (1 + 0) would take net that is not left: only all of it, 10, is offered
    with pytest.raises(UnsplittableRefund, match=r"^2 \(minor units\) cannot be split into net and VAT at this "
                                                 r"rate to the last minor unit; 10 can\.$") as refused:
        split_refund(2, 2500, remaining_net=0, remaining_vat=10)
    assert (refused.value.lower, refused.value.higher) == (None, 10)


@pytest.mark.parametrize(("rate_bp", "net", "vat"), [(2000, 833, 167), (2300, 4348, 1000), (1900, 8403, 1597),
                                                     (2500, 999, 250), (550, 7777, 428)])
def test_every_accepted_partial_refund_is_exact_and_so_is_the_remainder(rate_bp: int, net: int, vat: int) -> None:
    """Every amount of a small invoice: an accepted split is exact and leaves an exact remainder,
    so the last refund is exact too; the nearest amounts offered for a refused one are accepted."""
    assert vat == half_up(net, rate_bp)  # the invoice itself is exact
    for gross in range(1, net + vat + 1):
        try:
            split = split_refund(gross, rate_bp, remaining_net=net, remaining_vat=vat)
        except UnsplittableRefund as refused:
            for offered in (refused.lower, refused.higher):
                if offered is not None:
                    assert split_refund(offered, rate_bp, remaining_net=net, remaining_vat=vat).gross == offered
            continue
        assert split.net + split.vat == gross
        assert split.vat == half_up(split.net, rate_bp)
        assert net - split.net >= 0 and vat - split.vat >= 0
        assert vat - split.vat == half_up(net - split.net, rate_bp)


def test_a_run_of_partial_refunds_adds_up_to_the_invoice() -> None:
    remaining = dict(INVOICE)
    credited = []
    for gross in (6000, 500, 12000, 6, 23494):
        split = split_refund(gross, 2000, **remaining)
        credited.append((split.net, split.vat))
        remaining = {"remaining_net": remaining["remaining_net"] - split.net,
                     "remaining_vat": remaining["remaining_vat"] - split.vat}
    assert credited == [(5000, 1000), (417, 83), (10000, 2000), (5, 1), (19578, 3916)]
    assert remaining == {"remaining_net": 0, "remaining_vat": 0}


def test_nearest_splittable_reaches_the_remaining_amount() -> None:
    assert nearest_splittable(41999, 2000, **INVOICE) == (41998, 42000)


def test_the_nearest_amounts_are_looked_for_10000_minor_units_either_way() -> None:
    # no VAT left to credit at 20%: only amounts up to 2 (VAT 0) split, and all of what is left;
    # 10006 left is 10001 above 5, one further than the search goes
    with pytest.raises(UnsplittableRefund, match=r"^5 \(minor units\) cannot be split into net and VAT at this "
                                                 r"rate to the last minor unit; 2 can\.$") as refused:
        split_refund(5, 2000, remaining_net=10006, remaining_vat=0)
    assert (refused.value.lower, refused.value.higher) == (2, None)
    assert nearest_splittable(5, 2000, remaining_net=10005, remaining_vat=0) == (2, 10005)  # 10000 above: found


def test_nearest_splittable_reaches_one_minor_unit() -> None:
    # at 25%: 1 is 1 + 0 (0.25 -> 0, leaving 799 + 200: exact); 2 and 3 fail; 4 is 3 + 1 (leaving 797 + 199)
    assert nearest_splittable(2, 2500, remaining_net=800, remaining_vat=200) == (1, 4)

"""Splitting a refund (a gross amount) into the net and VAT of its credit note, exactly (pure).

EN 16931's BR-CO-17 says a VAT breakdown's tax is its basis times its rate, rounded; the
schematron allows one minor unit either way, we allow none: the credit note's VAT is
round-half-up(net * rate) exactly, and net + VAT is the money refunded.

Two facts follow, and shape this module:
- Not every gross amount has such a split. As the net grows by one minor unit, net + VAT grows
  by one or two, so some totals are skipped (at 20%, 1005 pence: net 837 gives 1004, net 838 gives
  1006). Such a refund is refused with the nearest amounts that do split.
- Partial refunds must leave a remainder that still splits exactly, or the last refund (the one
  that clears the invoice) could not. So each partial refund keeps the remaining net and VAT of
  the invoice consistent, and the last refund takes the remainder as it is: a full refund
  credits exactly the invoice's own net and VAT.
"""
from __future__ import annotations

from dataclasses import dataclass

from .vat_category import vat_on

SEARCH_LIMIT = 10_000  # minor units either side when looking for the nearest amounts that split


@dataclass(frozen=True)
class RefundSplit:
    net: int
    vat: int

    @property
    def gross(self) -> int:
        return self.net + self.vat


class UnsplittableRefund(ValueError):
    """A refund amount with no exact split; `lower` and `higher` are the nearest amounts that
    have one (None where there is none within reach)."""

    def __init__(self, message: str, lower: int | None, higher: int | None):
        super().__init__(message)
        self.lower, self.higher = lower, higher


def exact_split(gross: int, rate_bp: int) -> RefundSplit | None:
    """The one (net, VAT) with net + VAT == gross and VAT == round-half-up(net * rate), or None.
    net + vat_on(net) rises strictly with net, so there is at most one."""
    if gross < 0 or rate_bp < 0:
        raise ValueError("amounts and rates are not negative")
    net = gross * 10000 // (10000 + rate_bp)  # at or just below the answer
    for candidate in (net, net + 1, net - 1):
        if 0 <= candidate <= gross and candidate + vat_on(candidate, rate_bp) == gross:
            return RefundSplit(candidate, gross - candidate)
    return None


def is_exact(net: int, vat: int, rate_bp: int) -> bool:
    return vat == vat_on(net, rate_bp)


def split_refund(gross: int, rate_bp: int, *, remaining_net: int, remaining_vat: int,
                 keep_remainder_exact: bool = True) -> RefundSplit:
    """The credit note's (net, VAT) for a refund of `gross` on an invoice of one VAT rate, of
    which `remaining_net` and `remaining_vat` are not yet credited (the invoice's own net and VAT
    before any refund). Raises ValueError for an amount out of range, UnsplittableRefund for one
    without an exact split that keeps the remainder exact. With keep_remainder_exact=False about
    twice as many amounts are accepted, but the last refund of the invoice may then not split
    exactly (at 20%: 83% of amounts have an exact split, 50% also leave an exact remainder)."""
    if isinstance(gross, bool) or not isinstance(gross, int) or gross <= 0:
        raise ValueError("a refund is a positive whole number of minor units")
    if remaining_net < 0 or remaining_vat < 0:
        raise ValueError("the remaining net and VAT are not negative")
    remaining = remaining_net + remaining_vat
    if gross > remaining:
        raise ValueError(f"at most {remaining} (minor units) is left to refund")
    if gross == remaining:
        return RefundSplit(remaining_net, remaining_vat)
    split = _acceptable(gross, rate_bp, remaining_net, remaining_vat, keep_remainder_exact)
    if split is not None:
        return split
    lower, higher = nearest_splittable(gross, rate_bp, remaining_net=remaining_net, remaining_vat=remaining_vat,
                                       keep_remainder_exact=keep_remainder_exact)
    raise UnsplittableRefund(
        f"{gross} (minor units) cannot be split into net and VAT at this rate to the last minor unit; "
        + " or ".join(str(amount) for amount in (lower, higher) if amount is not None)
        + " can.", lower, higher)


def nearest_splittable(gross: int, rate_bp: int, *, remaining_net: int, remaining_vat: int,
                       keep_remainder_exact: bool = True) -> tuple[int | None, int | None]:
    """The nearest refund amounts below and above `gross` that split_refund accepts."""
    remaining = remaining_net + remaining_vat

    def accepted(amount: int) -> bool:
        return amount == remaining or _acceptable(amount, rate_bp, remaining_net, remaining_vat,
                                                  keep_remainder_exact) is not None

    lower = next((amount for amount in range(gross - 1, max(0, gross - SEARCH_LIMIT), -1) if accepted(amount)), None)
    higher = next((amount for amount in range(gross + 1, min(remaining, gross + SEARCH_LIMIT) + 1)
                   if accepted(amount)), None)
    return lower, higher


def _acceptable(gross: int, rate_bp: int, remaining_net: int, remaining_vat: int,
                keep_remainder_exact: bool) -> RefundSplit | None:
    split = exact_split(gross, rate_bp)
    if split is None or split.net > remaining_net or split.vat > remaining_vat:
        return None
    if keep_remainder_exact and is_exact(remaining_net, remaining_vat, rate_bp) and not is_exact(
            remaining_net - split.net, remaining_vat - split.vat, rate_bp):
        return None  # the invoice's remainder would no longer split exactly
    return split

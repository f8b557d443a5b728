"""The breakdown of a quote as a person reads it: the base fee, then each factor as the multiplier
it is ("× 1.5 — two countries") and each add-on as a sum, with where the price stands after each
step, in the order the pricing computed them. Built from the stored breakdown, so requests priced
long ago read the same way."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from licensing.core.money import format_money

BP = 10_000  # basis points in x1.00
BASE, FACTOR, FEE, MINIMUM = "base", "factor", "fee", "minimum"  # what a line of a quote is


def factor_label(factor_bp: int) -> str:
    whole, frac = divmod(factor_bp, BP)
    return f"x{whole}.{frac:04d}".rstrip("0") if frac else f"x{whole}"  # frac > 0: a digit stays after the point


@dataclass(frozen=True)
class PriceStep:
    """A line of the breakdown as shown: "× 1.5 — two countries", and where the price stands after it."""

    text: str
    kind: str
    factor_bp: int | None
    change: int
    subtotal: int

    def to_dict(self) -> dict:
        return {"text": self.text, "kind": self.kind, "factor_bp": self.factor_bp, "change": self.change,
                "subtotal": self.subtotal}


def multiplier(factor_bp: int) -> str:
    """15000 -> "× 1.5" (basis points as the multiplier they are)."""
    return "× " + factor_label(factor_bp)[1:]


def price_steps(lines: Sequence[Mapping], currency: str) -> tuple[PriceStep, ...]:
    """A stored or fresh breakdown ({label, amount[, kind, factor_bp, reason]} per line) in the order
    the pricing computed it, as steps a person follows to the total: the base fee, then each factor
    as a multiplier and each add-on as a sum, with the running price after each. A step that
    changes nothing (× 1, + £0) is left out; the first line, where the price starts, never is.
    Each subtotal is the running sum of the lines' amounts, so the last is the quote, exactly."""
    steps: list[PriceStep] = []
    subtotal = 0
    for position, line in enumerate(lines):
        amount = int(line["amount"])
        subtotal += amount
        if amount == 0 and position:
            continue
        kind, factor_bp, reason = line.get("kind") or "", line.get("factor_bp"), line.get("reason") or ""
        if kind == FACTOR and factor_bp is not None and reason:
            text = f"{multiplier(int(factor_bp))} — {reason}"
        elif kind in (FEE, MINIMUM) and reason:
            text = f"+ {format_money(amount, currency)} — {reason}"
        else:  # the base fee, and lines stored before kinds and reasons were
            text = str(line["label"])
        steps.append(PriceStep(text, kind, factor_bp, amount, subtotal))
    return tuple(steps)

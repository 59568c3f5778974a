"""Showing money: rounded half-up to cents, only at the edge."""

from __future__ import annotations

from decimal import Decimal

from advisor.money import cents


def number(amount: Decimal) -> float:
    """A JSON number for an amount, rounded to cents (exact for any realistic amount)."""
    return float(cents(amount))


def fmt_months(months: Decimal | None) -> str:
    """Months are already rounded half-up to one decimal by the plan."""
    return "-" if months is None else f"{months:.1f}"

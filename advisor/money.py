"""Money: exact arithmetic, one rounding rule and one way to write an amount.

Amounts are ``Decimal`` end to end and rounded only when shown: half up to the cent (``cents``),
written with thousands separators (``money_text``); parts shown beside their total are rounded so
that they add up to it (``apportion``). Payback is computed here once.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
# Enough digits that sums and conversions of DECIMAL(38, 18) ledger amounts are never rounded.
EXACT = decimal.Context(prec=120, rounding=ROUND_HALF_UP)


def cents(amount: Decimal) -> Decimal:
    """Round for display: half up to the cent (the only place money is rounded)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP, context=EXACT)


def money_text(amount: Decimal) -> str:
    """An amount for people: 1234.5 -> '1,234.50', 0.125 -> '0.13' (half up to the cent)."""
    return f"{cents(amount):,.2f}"


def payback_months(one_off: Decimal, monthly_saving: Decimal) -> Decimal | None:
    """Months until ``one_off`` is earned back by ``monthly_saving``, half up to a tenth: 0 for a
    free change that saves; None when nothing is saved (it never pays back)."""
    if monthly_saving <= 0:
        return None
    if one_off == 0:
        return Decimal(0)
    return (one_off / monthly_saving).quantize(TENTH, rounding=ROUND_HALF_UP, context=EXACT)


def apportion(parts: Sequence[Decimal], total: Decimal | None = None) -> list[Decimal]:
    """The parts rounded to cents so that they add up exactly to ``total`` (default: their sum,
    rounded half up): each part is rounded half up, then the cents still missing (or too many)
    go one at a time to the parts whose rounding lost (or gained) the most, the earliest first
    on a tie. A table of parts and its total then add up as shown, and each part is within a
    cent of its exact value (when ``total`` is within half a cent of the exact sum)."""
    shown = [cents(p) for p in parts]
    target = cents(sum(parts, Decimal(0))) if total is None else total
    missing = int((target - sum(shown, Decimal(0))) / CENT)
    if not missing or not shown:
        return shown
    step = CENT if missing > 0 else -CENT
    lost = [(p - s) * (1 if missing > 0 else -1) for p, s in zip(parts, shown, strict=True)]
    order = sorted(range(len(shown)), key=lambda i: (-lost[i], i))
    for k in range(abs(missing)):
        shown[order[k % len(order)]] += step
    return shown

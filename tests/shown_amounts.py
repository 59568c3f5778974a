"""Amounts as the outputs show them, read back exactly: '1,234.56', '-€101.71', '€ 1.234,56'."""

from __future__ import annotations

import re
from decimal import Decimal


def amount(text: str) -> Decimal:
    """An amount shown in English or Dutch (with or without the euro sign) as a Decimal."""
    t = text.strip().replace("€", "").replace("*", "").replace("\u00a0", "").replace(" ", "")
    if re.search(r",\d{2}$", t):  # Dutch: thousands '.', decimals ','
        t = t.replace(".", "").replace(",", ".")
    return Decimal(t.replace(",", ""))

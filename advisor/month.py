"""One calendar month: the unit of billing periods, reports, history and on-premise cost rows."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from advisor.errors import InputError

_PATTERN = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month; ``start`` inclusive, ``end`` exclusive (both dates, UTC)."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str, what: str = "month") -> Month:
        """'2026-10' -> Month(2026, 10); anything else is an InputError saying how to write it."""
        found = _PATTERN.fullmatch(text.strip()) if isinstance(text, str) else None
        if found is None or not int(found.group(1)) >= 1:
            raise InputError(f"invalid {what} '{text}'",
                             hint="write the month as YYYY-MM, e.g. 2026-10")
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __str__(self) -> str:
        return self.label

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def end(self) -> dt.date:
        """The first day of the next month."""
        return self.add(1).start

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def hours(self) -> Decimal:
        return Decimal((self.end - self.start).days * 24)

    def add(self, months: int) -> Month:
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    def previous(self) -> Month:
        return self.add(-1)

    def closed(self, today: dt.date) -> bool:
        """A month whose bill can no longer change (its last day is over)."""
        return self.end <= today


def month_add(label: str, months: int) -> str:
    """'2026-10', -1 -> '2026-09' (for month labels kept as text: history rows, report keys)."""
    return Month.parse(label).add(months).label

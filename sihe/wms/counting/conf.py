"""Counting settings with laptop-safe defaults (override in Django settings or the environment).

- `SIHE_COUNT_RECOUNT_QTY` (default 5): a first count differing from the record by more than this many
  base units is counted again.
- `SIHE_COUNT_RECOUNT_PCT` (default 10): ... or by more than this % of the quantity on record.
- `SIHE_COUNT_TOLERANCE_PCT` (default 0): a counted line "matches" the record (inventory record
  accuracy) when the difference is within this % of the record; 0 = exactly.
- ABC cycle counts: A monthly (30 days), B quarterly (91 days), C yearly (365 days).
"""

import os
from decimal import Decimal

from django.conf import settings


def _setting(name: str, default: str) -> Decimal:
    return Decimal(str(getattr(settings, name, os.environ.get(name, default))))


def recount_qty() -> Decimal:
    return _setting("SIHE_COUNT_RECOUNT_QTY", "5")


def recount_pct() -> Decimal:
    return _setting("SIHE_COUNT_RECOUNT_PCT", "10")


def tolerance_pct() -> Decimal:
    return _setting("SIHE_COUNT_TOLERANCE_PCT", "0")


# ABC classes by share of the year's consumption value, and how often each is counted.
ABC_SHARES = {"A": Decimal("0.80"), "B": Decimal("0.95")}  # cumulative share up to which a product is A, B
ABC_INTERVAL_DAYS = {"A": 30, "B": 91, "C": 365}

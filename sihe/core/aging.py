"""Aging (账龄) in one shape for what customers owe (AR) and what is owed to suppliers (AP):

    rows = Aging("customer")                       # or Aging("supplier")
    rows.add(code, name, days=45, amount=Decimal("120.00"))
    report = rows.report(as_of=day)   # {as_of, buckets, rows: [{customer, name, 0-30 … 90+, total, items}], totals}

Buckets are days 0–30, 31–60, 61–90 and over 90; a negative age (not yet due) counts in 0–30.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

BUCKETS = ("0-30", "31-60", "61-90", "90+")
ZERO = Decimal(0)


def bucket_of(days: int) -> str:
    if days <= 30:
        return "0-30"
    if days <= 60:
        return "31-60"
    if days <= 90:
        return "61-90"
    return "90+"


@dataclass
class Aging:
    party: str  # the rows' key name: "customer" or "supplier"
    rows: dict = field(default_factory=dict)

    def add(self, code: str, name: str, *, days: int, amount: Decimal) -> str:
        row = self.rows.setdefault(code, {self.party: code, "name": name, **dict.fromkeys(BUCKETS, ZERO),
                                          "total": ZERO, "items": 0})
        bucket = bucket_of(days)
        row[bucket] += amount
        row["total"] += amount
        row["items"] += 1
        return bucket

    def report(self, *, as_of: datetime.date, order_by_total: bool = False, **extra) -> dict:
        lines = list(self.rows.values())
        if order_by_total:
            lines.sort(key=lambda r: (-r["total"], r[self.party]))
        totals = {key: sum((r[key] for r in lines), ZERO) for key in (*BUCKETS, "total")}
        return {"as_of": as_of, **extra, "buckets": list(BUCKETS), "rows": lines, "totals": totals}

"""Month arithmetic on period codes (YYYY-MM)."""

import datetime


def of(date: datetime.date) -> str:
    return f"{date.year:04d}-{date.month:02d}"


def add(period: str, months: int) -> str:
    index = int(period[:4]) * 12 + int(period[5:7]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def between(first: str, last: str) -> list[str]:
    """Every period from `first` to `last`, both included (empty when last < first)."""
    out, current = [], first
    while current <= last:
        out.append(current)
        current = add(current, 1)
    return out

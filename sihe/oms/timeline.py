"""The order's timeline: every step in words people read, in Chinese and English."""

from sihe.core import batch, sqlrows
from sihe.core.actor import Actor
from sihe.oms.models import Order, TimelineEntry


def entry(order: Order, kind: str, message: str, actor: Actor, *, message_en: str = "",
          data: dict | None = None) -> TimelineEntry:
    return TimelineEntry(order=order, at=actor.at, kind=kind, message=message[:500], message_en=message_en[:500],
                         actor=actor.username, data=data or {})


def add(order: Order, kind: str, message: str, actor: Actor, *, message_en: str = "",
        data: dict | None = None) -> TimelineEntry:
    row = entry(order, kind, message, actor, message_en=message_en, data=data)
    if not batch.add("timeline", row):  # an act that collects inserts its timeline rows together at its end
        sqlrows.insert_rows([row])
    return row


def insert(rows: list[TimelineEntry]) -> None:
    """Timeline rows made with `entry`, written together: at the end of an act that collects, with its other log
    rows (sihe.core.batch), else now."""
    if batch.active() is None:
        sqlrows.insert_rows(rows)
        return
    for row in rows:
        batch.add("timeline", row)

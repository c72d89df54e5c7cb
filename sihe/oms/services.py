"""The order engine's verbs, in one place for api, web, commands and the hub (see the modules for each)."""

from sihe.core.actor import Actor
from sihe.oms import timeline
from sihe.oms.allocation import allocate, reallocate_backorders  # noqa: F401
from sihe.oms.books import ar_aging, record_settlement  # noqa: F401
from sihe.oms.fulfilment import (  # noqa: F401
    cancel_order,
    complete_order,
    correct_address,
    hold_order,
    release_order,
    review_order,
    ship_order,
    start_picking,
)
from sihe.oms.intake import dismiss_error, map_sku, receive_order, replay_error, unmap_sku  # noqa: F401
from sihe.oms.models import Order, TimelineEntry


def add_timeline(order: Order, kind: str, message: str, actor: Actor, *, message_en: str = "",
                 data: dict | None = None) -> TimelineEntry:
    """A step on the order's timeline (used by invoicing: "已开具数电发票 …")."""
    return timeline.add(order, kind, message, actor, message_en=message_en, data=data)

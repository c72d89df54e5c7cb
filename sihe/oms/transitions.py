"""The order's state table: the only allowed transitions, and the one helper that refuses others."""

from django.utils.translation import gettext as _

from sihe.core.errors import InvalidTransition
from sihe.oms.models import Order

S = Order.Status
TRANSITIONS: dict[str, set[str]] = {
    S.RECEIVED: {S.REVIEWED, S.HELD, S.CANCELLED},
    S.HELD: {S.REVIEWED, S.CANCELLED, S.HELD},
    S.REVIEWED: {S.ALLOCATED, S.HELD, S.CANCELLED},
    # an order partly allocated (backorder) stays allocated until its last shipment leaves
    S.ALLOCATED: {S.PICKING, S.SHIPPED, S.HELD, S.CANCELLED, S.ALLOCATED},
    S.PICKING: {S.SHIPPED, S.ALLOCATED, S.CANCELLED},
    S.SHIPPED: {S.COMPLETED},
    S.COMPLETED: set(),
    S.CANCELLED: set(),
}


def check(order: Order, target: str) -> None:
    if target not in TRANSITIONS.get(order.status, set()):
        raise InvalidTransition(
            _("order %(number)s is %(status)s and cannot become %(target)s")
            % {"number": order.number, "status": order.get_status_display(), "target": S(target).label},
            field="status",
        )

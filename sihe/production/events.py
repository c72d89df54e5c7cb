"""Events of production (payload version 1; quantities and money as decimal strings).

- production.order.created / released / started / finished / closed / cancelled:
  `{order, number, sku, qty, warehouse, status}`
- production.material.issued / returned: `{order, number, lines: [{sku, qty, lot, value}]}`
- production.output.reported: `{order, number, work_centre, good, scrap, minutes, operator, labour, overhead}`
- production.output.received: `{order, number, sku, qty, lot, unit_cost, value}`
"""

from sihe.core.actor import Actor
from sihe.core.money import text
from sihe.core.outbox import emit

VERSION = 1
AGGREGATE = "production_order"


def order_event(event_type: str, order, *, actor: Actor, **extra):
    return emit(event_type, aggregate_type=AGGREGATE, aggregate_id=order.number, actor=actor, version=VERSION,
                payload={"order": order.pk, "number": order.number, "sku": order.product.sku, "qty": text(order.qty),
                         "warehouse": order.warehouse.code, "status": order.status, **extra})

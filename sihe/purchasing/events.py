"""Events of purchasing (payload version 1; quantities and money as decimal strings).

- purchasing.po.confirmed: `{po, number, supplier, warehouse, expected_date, asn_id, lines: [{line, sku, qty, unit_cost}]}`
- purchasing.po.received: `{po, number, status, lines: [{line, sku, ordered, received}]}` after each receipt the warehouse reports
- purchasing.po.approved / purchasing.po.cancelled / purchasing.po.closed: `{po, number, status}`
- purchasing.invoice.posted: `{invoice, po, supplier, number, net, tax, total, price_variance, due_date, vat_type, deductible}`
- purchasing.invoice.certified: `{invoice, number, tax, date}` (勾选/认证 of a 专票)
- purchasing.payment.posted: `{payment, supplier, amount, allocations: [{invoice, amount}]}`
- purchasing.returned: `{po, number, lines: [{line, sku, qty, value}]}`
"""

from decimal import Decimal

from sihe.core.actor import Actor
from sihe.core.outbox import emit

VERSION = 1
AGGREGATE = "purchase_order"


def d(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return format(value.normalize() + 0, "f")


def m(value: Decimal) -> str:
    return format(value, "f")


def order_event(event_type: str, po, *, actor: Actor, **extra):
    return emit(event_type, aggregate_type=AGGREGATE, aggregate_id=po.pk, actor=actor, version=VERSION,
                payload={"po": po.pk, "number": po.number, "status": po.status, **extra})

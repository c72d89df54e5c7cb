"""Sihe's own order format, for manual entry, POS, dealers and API integrators.

    {"order_id": "D-1001", "customer": "C-DEALER-01"?, "status": "paid" | "pending_payment" | "cancelled",
     "created_at": "2026-11-25T10:00:00+08:00", "paid_at": "...", "updated_at": "..."?,
     "buyer": {"id": "...", "nick": "..."}, "receiver": {"name", "phone", "province", "city", "district", "address"},
     "lines": [{"sku": "SKU-1", "qty": "2", "price": "99.00", "discount": "10.00"?}],
     "discount": "0.00"?, "shipping_fee": "0.00"?, "amount_paid": "188.00"?, "message": "..."}

Prices include tax; money in yuan as strings or numbers; an order-level `discount` is spread over the
lines in proportion. `amount_paid`, when given, must equal goods − discounts + shipping.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sihe.core.money import round_money
from sihe.oms.channels.base import (
    SHANGHAI,
    Adapter,
    Buyer,
    Node,
    NormalizedLine,
    NormalizedOrder,
    Receiver,
    check_sum,
    spread,
    status_of,
)

ZERO = Decimal("0.00")
STATUS = {"pending_payment": "pending_payment", "paid": "paid", "cancelled": "cancelled", "completed": "completed",
          "shipped": "shipped"}


class NativeAdapter(Adapter):
    def __init__(self, channel_type: str):
        self.channel_type = channel_type

    def normalize_order(self, order: Node, *, shop: str | None = None) -> NormalizedOrder:
        order.as_dict()
        status = status_of(order["status"], STATUS) if order.has("status") else "paid"
        drafts = []
        for node in order["lines"].items():
            qty = node["qty"].qty(strings=True)
            price = node["price"].yuan()
            total = round_money(qty * price)
            discount = node["discount"].yuan(default=ZERO)
            if discount > total:
                node["discount"].fail(_("is more than the line total"))
            drafts.append((node, qty, price, total, discount))
        order_discount = order["discount"].yuan(default=ZERO)
        goods_total = sum((d[3] for d in drafts), ZERO)
        extra_shares = spread(order_discount, [d[3] - d[4] for d in drafts]) if order_discount else [ZERO] * len(drafts)
        shipping = order["shipping_fee"].yuan(default=ZERO)
        discount_total = sum((d[4] for d in drafts), ZERO) + order_discount
        computed = goods_total - discount_total + shipping
        if computed < 0:
            order["discount"].fail(_("is more than the goods total"))
        amount_paid = order["amount_paid"].yuan() if order.has("amount_paid") else computed
        check_sum(order["amount_paid"], amount_paid, computed, gettext_noop("goods − discounts + shipping"))
        lines = []
        for (node, qty, price, total, discount), share in zip(drafts, extra_shares, strict=True):
            line_discount = discount + share
            lines.append(NormalizedLine(
                external_line_id=node["id"].id() if node.has("id") else str(len(lines) + 1),
                channel_sku="", outer_sku=node["sku"].text(), name=node["name"].text(), spec={},
                qty=qty, unit_price=price, line_total=total, discount=line_discount, tax=ZERO,
                amount_paid=total - line_discount, status=status, channel_status=status,
            ))
        buyer, receiver = order["buyer"], order["receiver"]
        created = order["created_at"].iso_time(naive_tz=SHANGHAI)
        return NormalizedOrder(
            channel_type=self.channel_type, external_id=order["order_id"].id(), shop=shop or "",
            status=status, channel_status=status,
            buyer=Buyer(id=buyer["id"].text(), nick=buyer["nick"].text()) if not buyer.missing else Buyer(),
            receiver=Receiver(
                name=receiver["name"].text(), phone=receiver["phone"].text(), province=receiver["province"].text(),
                city=receiver["city"].text(), district=receiver["district"].text(), detail=receiver["address"].text(),
            ) if not receiver.missing else Receiver(),
            lines=tuple(lines), goods_total=goods_total, discount_total=discount_total, shipping_fee=shipping,
            amount_paid=amount_paid, currency="CNY", created_at=created,
            paid_at=order["paid_at"].iso_time(optional=True, naive_tz=SHANGHAI) if status != "pending_payment" else None,
            updated_at=order["updated_at"].iso_time(naive_tz=SHANGHAI) if order.has("updated_at") else created,
            buyer_message=order["message"].text(),
            extra={"customer": order["customer"].text()},
        )

"""Taobao/Tmall (TOP `taobao.trade.fullinfo.get` / `trades.sold.get`), china-formats.md §5(a).

Envelopes: `trade_fullinfo_get_response.trade` (one order), `trades_sold_get_response` and
`trades_sold_increment_get_response` (a page: `trades.trade[]`, `total_results`, `has_next`; TOP leaves
`trades` out of an empty page), `{"trade": …}` or a bare trade; an `error_response` is refused with its
code and message.

Quirks handled: `simplify=false` wraps
arrays (`"orders": {"order": [...]}`), the plain form is a list; `tid` beyond 2^53 (we prefer
`tid_str`); yuan strings; `order.total_fee = price×num + adjust − discount`; the shop-level discount
allocated per line in `part_mjz_discount` (used when it adds up, else spread); lines in
TRADE_CLOSED_BY_TAOBAO are never shippable; for 省直辖县级 places (济源, 仙桃 …) `receiver_city` is
empty and the place is in `receiver_district`: it becomes the city; times are China wall-clock.
The trade's `platform_subsidy_fee` (TOP's name; absent = 0) is the platform's part of the discounts
(平台补贴): the order's `platform_subsidy`, refused when it is more than the discounts. TOP documents the
field by name only: that it is inside `discount_fee` + the lines' `discount_fee` is our reading.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sihe.core.money import round_money
from sihe.oms.channels.base import (
    Adapter,
    Buyer,
    Node,
    NormalizedLine,
    NormalizedOrder,
    Page,
    Receiver,
    check_sum,
    page_of,
    parse_spec,
    refuse_platform_error,
    root,
    spread,
    status_of,
)

STATUSES = {
    "TRADE_NO_CREATE_PAY": "pending_payment",
    "WAIT_BUYER_PAY": "pending_payment",
    "PAY_PENDING": "pending_payment",
    "WAIT_PRE_AUTH_CONFIRM": "pending_payment",
    "WAIT_SELLER_SEND_GOODS": "paid",
    "PAID_FORBID_CONSIGN": "paid",
    "SELLER_CONSIGNED_PART": "partially_shipped",
    "WAIT_BUYER_CONFIRM_GOODS": "shipped",
    "TRADE_BUYER_SIGNED": "shipped",
    "TRADE_FINISHED": "completed",
    "TRADE_CLOSED": "closed",
    "TRADE_CLOSED_BY_TAOBAO": "cancelled",
}
REFUND_ACTIVE = {"WAIT_SELLER_AGREE", "WAIT_BUYER_RETURN_GOODS", "WAIT_SELLER_CONFIRM_GOODS", "SUCCESS"}


PAGES = ("trades_sold_get_response", "trades_sold_increment_get_response")


def _trades(payload) -> Page:
    node = root(payload)
    refuse_platform_error(node)
    for key in PAGES:
        if node.has(key):
            return _page(node[key])
    if node.has("trade_fullinfo_get_response"):
        return Page((node["trade_fullinfo_get_response"]["trade"],))
    if node.has("trade"):
        return Page((node["trade"],))
    return Page((node,))


def _page(response: Node) -> Page:
    """`trades: {trade: [...]}` (simplify=false) or `trades: [...]` (simplify=true)."""
    trades = response["trades"]
    listed = trades if isinstance(trades.value, list) else trades["trade"]
    return page_of(listed, total=response["total_results"], has_next=response["has_next"])


def _orders(trade: Node) -> list[Node]:
    orders = trade["orders"]
    if isinstance(orders.value, dict):
        return orders["order"].items()
    return orders.items()


class TaobaoAdapter(Adapter):
    channel_type = "taobao"

    def orders(self, payload) -> Page:
        return _trades(payload)

    def normalize_order(self, trade: Node, *, shop: str | None = None) -> NormalizedOrder:
        trade.as_dict()
        external_id = trade["tid_str"].id() if trade.has("tid_str") else trade["tid"].id()
        status = status_of(trade["status"], STATUSES)
        raw_status = trade["status"].text()

        drafts = []
        for node in _orders(trade):
            qty = node["num"].qty()
            price = node["price"].yuan()
            own_discount = node["discount_fee"].yuan(default=Decimal("0.00"))
            adjust = node["adjust_fee"].yuan(default=Decimal("0.00"), allow_negative=True)
            line_total = round_money(qty * price)
            if node.has("total_fee"):
                check_sum(node["total_fee"], node["total_fee"].yuan(), line_total + adjust - own_discount,
                          gettext_noop("price × num + adjust_fee − discount_fee"))
            allocated = node["part_mjz_discount"].yuan() if node.has("part_mjz_discount") else None
            drafts.append((node, qty, price, line_total, own_discount - adjust, allocated))

        goods_total = sum((d[3] for d in drafts), Decimal("0.00"))
        check_sum(trade["total_fee"], trade["total_fee"].yuan(), goods_total, gettext_noop("the lines' price × num"))
        order_discount = trade["discount_fee"].yuan(default=Decimal("0.00")) - trade["adjust_fee"].yuan(
            default=Decimal("0.00"), allow_negative=True)
        allocations = [d[5] for d in drafts]
        if None in allocations or sum(allocations, Decimal(0)) != order_discount:
            allocations = spread(order_discount, [d[3] - d[4] for d in drafts])

        hold = ""
        lines = []
        for (node, qty, price, line_total, own, _allocated), share in zip(drafts, allocations, strict=True):
            line_raw = node["status"].text() or raw_status
            line_status = status_of(node["status"], STATUSES) if node.has("status") else status
            refund = node["refund_status"].text()
            if refund in REFUND_ACTIVE - {"SUCCESS"}:
                hold = _("a refund is in progress on line %(line)s") % {"line": node["oid"].text()}
            lines.append(NormalizedLine(
                external_line_id=node["oid"].id(),
                channel_sku=node["sku_id"].text() or node["num_iid"].text(),
                outer_sku=node["outer_sku_id"].text() or node["outer_iid"].text(),
                name=node["title"].text(),
                spec=parse_spec(node["sku_properties_name"].text()),
                qty=qty,
                unit_price=price,
                line_total=line_total,
                discount=own + share,
                tax=Decimal("0.00"),
                amount_paid=line_total - own - share,
                status=line_status,
                channel_status=line_raw,
                refund_status=refund,
                shippable=(line_status == "paid" and line_raw != "TRADE_CLOSED_BY_TAOBAO"
                           and raw_status != "PAID_FORBID_CONSIGN" and refund not in REFUND_ACTIVE),
                refunded=refund == "SUCCESS",
                refund_id=node["refund_id"].id() if node.has("refund_id") else "",
            ))
        if raw_status == "PAID_FORBID_CONSIGN":
            hold = _("group buy not complete: the platform forbids shipping")

        discount_total = sum((line.discount for line in lines), Decimal("0.00"))
        shipping = trade["post_fee"].yuan(default=Decimal("0.00"))
        amount_paid = trade["payment"].yuan()
        check_sum(trade["payment"], amount_paid, goods_total - discount_total + shipping,
                  gettext_noop("goods − discounts + post_fee"))

        subsidy = trade["platform_subsidy_fee"].yuan(default=Decimal("0.00"))
        if subsidy > discount_total:
            trade["platform_subsidy_fee"].fail(
                _("is more than the discounts (%(discounts)s)") % {"discounts": discount_total})

        city, district = trade["receiver_city"].text(), trade["receiver_district"].text()
        if not city and district:  # 省直辖县级: the place is in district, there is no 地级 city
            city, district = district, ""
        return NormalizedOrder(
            channel_type=self.channel_type,
            external_id=external_id,
            shop=shop if shop is not None else trade["seller_nick"].text(),
            status=status,
            channel_status=raw_status,
            buyer=Buyer(id=trade["buyer_open_uid"].text(), nick=trade["buyer_nick"].text()),
            receiver=Receiver(
                name=trade["receiver_name"].text(),
                phone=trade["receiver_mobile"].text() or trade["receiver_phone"].text(),
                province=trade["receiver_state"].text(),
                city=city,
                district=district,
                street=trade["receiver_town"].text(),
                detail=trade["receiver_address"].text(),
                zip=trade["receiver_zip"].text(),
                country=trade["receiver_country"].text() or "CN",
            ),
            lines=tuple(lines),
            goods_total=goods_total,
            discount_total=discount_total,
            shipping_fee=shipping,
            amount_paid=amount_paid,
            currency="CNY",
            created_at=trade["created"].local_time(),
            paid_at=trade["pay_time"].local_time(optional=True),
            updated_at=trade["modified"].local_time(),
            prices_include_tax=True,
            platform_subsidy=subsidy,
            hold_reason=hold,
            buyer_message=trade["buyer_message"].text(),
            extra={"step_trade_status": trade["step_trade_status"].text(), "type": trade["type"].text()},
        )

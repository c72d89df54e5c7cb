"""Douyin 抖店 (`order.searchList` / `order.orderDetail`), china-formats.md §5(c).

Envelopes: `data.shop_order_detail` (orderDetail: one order), `data.shop_order_list[]` (searchList: a
page, with `data.total`, `data.page` from 0 and `data.size`) or a bare shop order; an answer whose `code`
is not 10000 is refused with its `msg`/`sub_msg`.

Quirks handled: shop order → `sku_order_list[]`; every amount is
integer 分, converted once here (14800 → 148.00); unix-second times (0 = not set); numeric
`order_status`; `post_addr.town` is the district; the buyer is `doudian_open_id`; platform and 达人
promotions are kept apart from the shop's (`platform_subsidy`); after-sale states block shipping.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

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
    platform_error,
    root,
    spread,
    status_of,
)

STATUSES = {
    "1": "pending_payment",
    "105": "paid",
    "2": "paid",
    "101": "partially_shipped",
    "3": "shipped",
    "4": "cancelled",
    "5": "completed",
}
# after_sale_status values under which the line may still ship: 0 none, 27 refused, 28 failed, 51 cancelled
AFTER_SALE_NONE = {0, 27, 28, 51}
ZERO = Decimal("0.00")


OK = 10000  # 抖店's success code; anything else is an error answer (expired token, rate limit, …)
ENVELOPE = ("data", "log_id", "sub_code")  # keys of the response envelope, never of a shop order


def _shop_orders(payload) -> Page:
    node = root(payload)
    if not any(key in node.value for key in ENVELOPE):
        return Page((node,))
    if node.has("code") and node["code"].value not in (OK, str(OK)):
        platform_error(node, ("code", "msg", "sub_code", "sub_msg"), at=node["code"])
    data = node["data"]
    if data.has("shop_order_detail"):
        return Page((data["shop_order_detail"],))
    return page_of(data["shop_order_list"], total=data["total"], has_next=_has_next(data))


def _has_next(data: Node) -> bool | None:
    """searchList sends no has_next: there is a next page when (page + 1) × size < total (page counts from 0)."""
    page, size, total = (data[key].value for key in ("page", "size", "total"))
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (page, size, total)):
        return None
    return (page + 1) * size < total


def _status(node: Node) -> tuple[str, str]:
    value = node.value
    if isinstance(value, bool) or not isinstance(value, int | str):
        node.fail(_("must be a status number"))
    return status_of(Node(str(value), node.path), STATUSES), str(value)


class DouyinAdapter(Adapter):
    channel_type = "douyin"

    def orders(self, payload) -> Page:
        return _shop_orders(payload)

    def normalize_order(self, order: Node, *, shop: str | None = None) -> NormalizedOrder:
        order.as_dict()
        status, raw_status = _status(order["order_status"])

        drafts = []
        for node in order["sku_order_list"].items():
            qty = node["item_num"].qty()
            unit = node["origin_amount"].fen()
            line_total = qty * unit
            if node.has("sum_amount"):
                check_sum(node["sum_amount"], node["sum_amount"].fen(), line_total, gettext_noop("origin_amount × item_num"))
            promotion = node["promotion_amount"].fen(default=None) if node.has("promotion_amount") else None
            drafts.append((node, qty, unit, line_total, promotion))

        goods_total = sum((d[3] for d in drafts), ZERO)
        check_sum(order["order_amount"], order["order_amount"].fen(), goods_total, gettext_noop("the sku orders' sum_amount"))
        discount_total = order["promotion_amount"].fen(default=ZERO)
        shares = [d[4] for d in drafts]
        if None in shares or sum(shares, ZERO) != discount_total:
            shares = spread(discount_total, [d[3] for d in drafts])
        shipping = order["post_amount"].fen(default=ZERO)
        amount_paid = order["pay_amount"].fen()
        check_sum(order["pay_amount"], amount_paid, goods_total - discount_total + shipping,
                  gettext_noop("order_amount − promotion_amount + post_amount"))

        lines = []
        for (node, qty, unit, line_total, _promotion), share in zip(drafts, shares, strict=True):
            line_status, line_raw = _status(node["order_status"]) if node.has("order_status") else (
                status, raw_status)
            after_sale = node["after_sale_info"]
            after_status = after_sale["after_sale_status"].integer(default=0)
            refund = after_sale["refund_status"].integer(default=0)
            lines.append(NormalizedLine(
                external_line_id=node["order_id"].id(),
                channel_sku=node["sku_id"].id(),
                outer_sku=node["out_sku_id"].text() or node["code"].text(),
                name=node["product_name"].text(),
                spec={s["name"].text(): s["value"].text() for s in node["spec"].items(nonempty=False)}
                if node.has("spec") else {},
                qty=qty,
                unit_price=unit,
                line_total=line_total,
                discount=share,
                tax=ZERO,
                amount_paid=line_total - share,
                status=line_status,
                channel_status=line_raw,
                refund_status=f"{after_status}/{refund}" if after_status or refund else "",
                shippable=line_status == "paid" and after_status in AFTER_SALE_NONE and refund != 3,
                # the order payload carries no after-sale id: one refund per line and after-sale type
                refunded=refund == 3,
                refund_id=f"{node['order_id'].id()}/{after_sale['after_sale_type'].integer(default=0)}"
                if refund == 3 else "",
            ))

        platform = order["promotion_platform_amount"].fen(default=ZERO) + order["promotion_talent_amount"].fen(
            default=ZERO)
        if platform > discount_total:
            order["promotion_platform_amount"].fail(_("platform and 达人 promotions exceed promotion_amount"))
        address = order["post_addr"]
        address.as_dict()
        held = [line.external_line_id for line in lines if line.status == "paid" and not line.shippable]
        return NormalizedOrder(
            channel_type=self.channel_type,
            external_id=order["order_id"].id(),
            shop=shop if shop is not None else order["shop_id"].id(),
            status=status,
            channel_status=raw_status,
            buyer=Buyer(id=order["doudian_open_id"].text()),
            receiver=Receiver(
                name=order["post_receiver"].text() or order["mask_post_receiver"].text(),
                phone=order["post_tel"].text() or order["mask_post_tel"].text(),
                province=address["province"]["name"].text(),
                city=address["city"]["name"].text(),
                district=address["town"]["name"].text(),
                street=address["street"]["name"].text(),
                detail=address["detail"].text(),
                country="CN",
            ),
            lines=tuple(lines),
            goods_total=goods_total,
            discount_total=discount_total,
            shipping_fee=shipping,
            amount_paid=amount_paid,
            currency="CNY",
            created_at=order["create_time"].unix_time(),
            paid_at=order["pay_time"].unix_time(optional=True),
            updated_at=order["update_time"].unix_time(),
            prices_include_tax=True,
            platform_subsidy=platform,
            hold_reason=(_("an after-sale request is open on %(lines)s") % {"lines": ", ".join(held)}
                         if held else ""),
            buyer_message=order["buyer_words"].text(),
            extra={
                "shop_name": order["shop_name"].text(),
                "shop_promotion": order["promotion_shop_amount"].fen(default=ZERO),
                "area_ids": {k: address[k]["id"].text() for k in ("province", "city", "town", "street")},
            },
        )

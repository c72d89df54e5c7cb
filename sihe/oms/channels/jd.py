"""JD POP (`jingdong.pop.order.get` / `order.search`), china-formats.md §5(b).

Envelopes (JD spells them "responce"): `jingdong_pop_order_get_responce.orderDetailInfo.orderInfo` (one
order), `jingdong_pop_order_search_responce.searchorderinfo_result.orderInfoList[]` (a page, with
`orderTotal`: what a pull gets), `{"orderInfo": …}` or a bare order; `error_response` and an
`apiResult` with `success: false` are refused with JD's error.

Quirks handled: yuan strings, `itemTotal` (quantity) as a string too; `orderEndTime` "0001-01-01 00:00:00" or
"1970-…" means not finished; `orderPayment` excludes the buyer's JD balance (`balanceUsed`), which is
still money the buyer paid; `sellerDiscount` is the seller's, any other gap between goods + freight
and what the buyer paid is a platform subsidy (JD coupons); JD sends no per-line allocation, so all
discounts are spread over the lines in proportion. JD's area ids are its own, not GB/T 2260: kept in
`extra`, the names are used.
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
    platform_error,
    refuse_platform_error,
    root,
    spread,
    status_of,
)

STATUSES = {
    "WAIT_SELLER_STOCK_OUT": "paid",
    "WAIT_SELLER_DELIVERY": "paid",
    "WAIT_SEND_CODE": "paid",
    "LOCKED": "paid",
    "POP_ORDER_PAUSE": "paid",
    "PAUSE": "paid",
    "SEND_TO_DISTRIBUTION_CENER": "shipped",
    "WAIT_GOODS_RECEIVE_CONFIRM": "shipped",
    "FINISHED_L": "completed",
    "TRADE_CANCELED": "cancelled",
}
HELD = {"LOCKED", "POP_ORDER_PAUSE", "PAUSE"}
MUNICIPALITIES = {"北京", "上海", "天津", "重庆"}


def _place(consignee: Node) -> dict:
    """JD's four levels to ours. In the 直辖市 JD's "city" is the district and its "county" a zone
    (e.g. 北京 / 朝阳区 / 三环到四环之间): the city becomes 北京市, the zone is dropped (it stays in
    fullAddress)."""
    province = consignee["province"].text()
    city, county, town = consignee["city"].text(), consignee["county"].text(), consignee["town"].text()
    if province.removesuffix("市") in MUNICIPALITIES and city != province.removesuffix("市") + "市":
        municipality = province.removesuffix("市") + "市"
        return {"province": municipality, "city": municipality, "district": city, "street": town}
    return {"province": province, "city": city, "district": county, "street": town}


def _orders(payload) -> Page:
    node = root(payload)
    refuse_platform_error(node)
    if node.has("jingdong_pop_order_search_responce"):
        result = node["jingdong_pop_order_search_responce"]["searchorderinfo_result"]
        _refuse_failed(result)
        return page_of(result["orderInfoList"], total=result["orderTotal"])
    if node.has("jingdong_pop_order_get_responce"):
        detail = node["jingdong_pop_order_get_responce"]["orderDetailInfo"]
        _refuse_failed(detail)
        return Page((detail["orderInfo"],))
    if node.has("orderInfo"):
        return Page((node["orderInfo"],))
    return Page((node,))


def _refuse_failed(result: Node) -> None:
    """JOS answers some failures inside the envelope: `apiResult.success` false with JD's error codes."""
    outcome = result["apiResult"]
    if outcome.has("success") and outcome["success"].value in (False, "false"):
        platform_error(outcome, ("numberCode", "chineseErrCode", "englishErrCode"))


class JdAdapter(Adapter):
    channel_type = "jd"

    def orders(self, payload) -> Page:
        return _orders(payload)

    def normalize_order(self, order: Node, *, shop: str | None = None) -> NormalizedOrder:
        order.as_dict()
        status = status_of(order["orderState"], STATUSES)
        raw_status = order["orderState"].text()

        items = order["itemInfoList"].items()
        drafts = []
        for node in items:
            qty = node["itemTotal"].qty(strings=True)
            price = node["jdPrice"].yuan()
            drafts.append((node, qty, price, round_money(qty * price)))
        goods_total = sum((d[3] for d in drafts), Decimal("0.00"))
        check_sum(order["orderTotalPrice"], order["orderTotalPrice"].yuan(), goods_total,
                  gettext_noop("the items' jdPrice × itemTotal"))
        seller_discount = order["sellerDiscount"].yuan(default=Decimal("0.00"))
        if order.has("orderSellerPrice"):
            check_sum(order["orderSellerPrice"], order["orderSellerPrice"].yuan(), goods_total - seller_discount,
                      gettext_noop("orderTotalPrice − sellerDiscount"))
        shipping = order["freightPrice"].yuan(default=Decimal("0.00"))
        amount_paid = order["orderPayment"].yuan() + order["balanceUsed"].yuan(default=Decimal("0.00"))
        discount_total = goods_total + shipping - amount_paid
        if discount_total < seller_discount:
            order["orderPayment"].fail(
                _("is more than goods − sellerDiscount + freight (%(limit)s)")
                % {"limit": goods_total - seller_discount + shipping})
        if discount_total > goods_total:
            order["orderPayment"].fail(_("the discounts would exceed the goods total"))

        shares = spread(discount_total, [d[3] for d in drafts])
        lines = tuple(
            NormalizedLine(
                external_line_id=node["skuId"].id(),
                channel_sku=node["skuId"].id(),
                outer_sku=node["outerSkuId"].text(),
                name=node["skuName"].text(),
                spec={},
                qty=qty,
                unit_price=price,
                line_total=line_total,
                discount=share,
                tax=Decimal("0.00"),
                amount_paid=line_total - share,
                status=status,
                channel_status=raw_status,
                shippable=status == "paid" and raw_status not in HELD,
            )
            for (node, qty, price, line_total), share in zip(drafts, shares, strict=True)
        )
        consignee = order["consigneeInfo"]
        consignee.as_dict()
        return NormalizedOrder(
            channel_type=self.channel_type,
            external_id=order["orderId"].id(),
            shop=shop if shop is not None else order["venderId"].text(),
            status=status,
            channel_status=raw_status,
            buyer=Buyer(id=order["pin"].text(), nick=order["pin"].text()),
            receiver=Receiver(
                name=consignee["fullname"].text(),
                phone=consignee["mobile"].text() or consignee["telephone"].text(),
                **_place(consignee),
                detail=consignee["fullAddress"].text(),
                country="CN",
            ),
            lines=lines,
            goods_total=goods_total,
            discount_total=discount_total,
            shipping_fee=shipping,
            amount_paid=amount_paid,
            currency="CNY",
            created_at=order["orderStartTime"].local_time(),
            paid_at=order["paymentConfirmTime"].local_time(optional=True),
            updated_at=order["modified"].local_time(),
            prices_include_tax=True,
            platform_subsidy=discount_total - seller_discount,
            hold_reason=(_("JD has locked or paused the order (%(state)s)") % {"state": raw_status}
                         if raw_status in HELD else ""),
            buyer_message=order["orderRemark"].text(),
            extra={
                "finished_at": order["orderEndTime"].local_time(optional=True),
                "area_ids": {k: consignee[k].text() for k in ("provinceId", "cityId", "countyId", "townId")},
                "seller_discount": seller_discount,
            },
        )

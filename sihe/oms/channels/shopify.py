"""Shopify Admin REST Order and the `orders/create|updated` webhook body, china-formats.md §5(d).

Envelopes: `{"order": …}` (GET orders/{id}.json), `{"orders": [...]}` (GET orders.json: a page; Shopify
pages by the Link header, so no total here) or a bare order (the orders/create|updated webhook body).

Quirks handled: int64 ids become strings (floats refused); decimal-string money; status from
`cancelled_at` + `financial_status` + `fulfillment_status`; discounts from `discount_allocations` (else `total_discount`, else spread); taxes added on top unless
`taxes_included`; refunds summed from `refunds[].transactions`; the shop comes from the
X-Shopify-Shop-Domain header (pass `shop=`); a Chinese address's `province_code` (SH, YZ …) is stored as
the province's name. Webhooks are verified with X-Shopify-Hmac-Sha256.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sihe.core.money import round_money
from sihe.oms.channels import regions
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
    root,
    spread,
    verify_hmac_base64,
)

FINANCIAL = {"pending", "authorized", "partially_paid", "paid", "partially_refunded", "refunded", "voided"}
FULFILMENT = {None: "paid", "partial": "partially_shipped", "fulfilled": "shipped", "restocked": "closed"}
ZERO = Decimal("0.00")


def _sum(nodes: list[Node], key: str) -> Decimal:
    return sum((node[key].yuan() for node in nodes), ZERO)


def _status(order: Node) -> tuple[str, str]:
    financial = order["financial_status"].text()
    if financial not in FINANCIAL:
        order["financial_status"].fail(_("unknown status %(status)s") % {"status": financial or "—"})
    fulfilment = order["fulfillment_status"].text() or None
    if fulfilment not in FULFILMENT:
        order["fulfillment_status"].fail(_("unknown status %(status)s") % {"status": fulfilment})
    raw = f"{financial}/{fulfilment or 'unfulfilled'}"
    if order["cancelled_at"].iso_time(optional=True) is not None:
        return "cancelled", raw + "/cancelled"
    if financial == "voided":
        return "cancelled", raw
    if financial == "refunded":
        return "closed", raw
    if financial in ("pending", "partially_paid"):
        return "pending_payment", raw
    status = FULFILMENT[fulfilment]
    if status == "shipped" and order["closed_at"].iso_time(optional=True) is not None:
        status = "completed"
    return status, raw


def _province(address: Node) -> str:
    """A Chinese address's province from Shopify's zone code (`province_code` SH, YZ for Xizang), else its
    pinyin name, stored as the official name (上海市); other countries' provinces are kept as sent."""
    province = address["province"].text()
    if address["country_code"].text().upper() != "CN":
        return province
    return (regions.province_name(address["province_code"].text(), regions.SHOPIFY) or regions.province_name(province)
            or province)


class ShopifyAdapter(Adapter):
    channel_type = "shopify"

    @staticmethod
    def verify_webhook(headers: dict, raw_body: bytes, secret: str | bytes) -> bool:
        return verify_hmac_base64(headers, "X-Shopify-Hmac-Sha256", raw_body, secret)

    def orders(self, payload) -> Page:
        node = root(payload)
        if node.has("orders"):
            return page_of(node["orders"])
        return Page((node["order"] if node.has("order") else node,))

    def normalize_order(self, order: Node, *, shop: str | None = None) -> NormalizedOrder:
        order.as_dict()
        status, raw_status = _status(order)
        taxes_included = bool(order["taxes_included"].value) if not order["taxes_included"].missing else False

        drafts = []
        for node in order["line_items"].items():
            qty = node["quantity"].qty()
            price = node["price"].yuan()
            allocations = node["discount_allocations"].items(nonempty=False) if node.has(
                "discount_allocations") else []
            drafts.append((
                node, qty, price, round_money(qty * price), _sum(allocations, "amount"),
                node["total_discount"].yuan(default=ZERO),
                _sum(node["tax_lines"].items(nonempty=False), "price") if node.has("tax_lines") else ZERO,
            ))
        goods_total = sum((d[3] for d in drafts), ZERO)
        if order.has("total_line_items_price"):
            check_sum(order["total_line_items_price"], order["total_line_items_price"].yuan(), goods_total,
                      gettext_noop("the line items' price × quantity"))
        discount_total = order["total_discounts"].yuan(default=ZERO)
        shares = [d[4] for d in drafts]
        if sum(shares, ZERO) != discount_total:
            shares = [d[5] for d in drafts]
        if sum(shares, ZERO) != discount_total:
            shares = spread(discount_total, [d[3] for d in drafts])

        shipping_lines = order["shipping_lines"].items(nonempty=False) if order.has("shipping_lines") else []
        # a shipping discount (free-shipping code) is on the shipping line, not in total_discounts
        shipping = sum((s["discounted_price"].yuan() if s.has("discounted_price") else s["price"].yuan()
                        for s in shipping_lines), ZERO)
        shipping_tax = sum((_sum(s["tax_lines"].items(nonempty=False), "price") for s in shipping_lines
                            if s.has("tax_lines")), ZERO)
        tax_total = order["total_tax"].yuan(default=ZERO)
        check_sum(order["total_tax"], tax_total, sum((d[6] for d in drafts), ZERO) + shipping_tax,
                  gettext_noop("the line and shipping tax lines"))
        added_tax = ZERO if taxes_included else tax_total
        amount_paid = order["total_price"].yuan()
        check_sum(order["total_price"], amount_paid, goods_total - discount_total + shipping + added_tax,
                  gettext_noop("line items − discounts + shipping + tax"))

        lines = []
        for (node, qty, price, line_total, _a, _t, tax), share in zip(drafts, shares, strict=True):
            fulfilment = node["fulfillment_status"].text()
            line_status = {"fulfilled": "shipped", "partial": "partially_shipped"}.get(fulfilment, status)
            variant = node["variant_title"].text()
            lines.append(NormalizedLine(
                external_line_id=node["id"].id(),
                channel_sku=node["variant_id"].id() if not node["variant_id"].missing else "",
                outer_sku=node["sku"].text(),
                name=node["title"].text(),
                spec={"variant": variant} if variant else {},
                qty=qty,
                unit_price=price,
                line_total=line_total,
                discount=share,
                tax=tax,
                amount_paid=line_total - share + (ZERO if taxes_included else tax),
                status=line_status,
                channel_status=fulfilment or "unfulfilled",
                shippable=line_status == "paid" and bool(node["requires_shipping"].value is not False),
            ))

        refunded = ZERO
        for refund in order["refunds"].items(nonempty=False) if order.has("refunds") else []:
            for transaction in refund["transactions"].items(nonempty=False) if refund.has("transactions") else []:
                if transaction["kind"].text() == "refund" and transaction["status"].text("success") == "success":
                    refunded += transaction["amount"].yuan()

        customer = order["customer"]
        address = order["shipping_address"]
        name = " ".join(p for p in (customer["first_name"].text(), customer["last_name"].text()) if p)
        return NormalizedOrder(
            channel_type=self.channel_type,
            external_id=order["id"].id(),
            shop=shop or "",
            status=status,
            channel_status=raw_status,
            buyer=Buyer(id=customer["id"].id() if not customer["id"].missing else "",
                        nick=name, email=order["email"].text() or customer["email"].text()),
            receiver=Receiver(
                name=address["name"].text(),
                phone=address["phone"].text() or order["phone"].text(),
                province=_province(address),
                city=address["city"].text(),
                detail=" ".join(p for p in (address["address1"].text(), address["address2"].text()) if p),
                zip=address["zip"].text(),
                country=address["country_code"].text(),
            ) if not address.missing else Receiver(),
            lines=tuple(lines),
            goods_total=goods_total,
            discount_total=discount_total,
            shipping_fee=shipping,
            amount_paid=amount_paid,
            currency=order["currency"].text() or "USD",
            created_at=order["created_at"].iso_time(),
            paid_at=(order["processed_at"].iso_time(optional=True)
                     if status not in ("pending_payment", "cancelled") else None),
            updated_at=order["updated_at"].iso_time(),
            tax_total=tax_total,
            prices_include_tax=taxes_included,
            refunded_total=refunded,
            buyer_message=order["note"].text(),
            extra={"name": order["name"].text(), "cancel_reason": order["cancel_reason"].text(),
                   "province_code": address["province_code"].text() if not address.missing else ""},
        )

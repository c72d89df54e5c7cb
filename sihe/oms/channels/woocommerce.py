"""WooCommerce REST v3 orders and webhooks, china-formats.md §5(e).

Envelopes: one order (GET orders/<id>, the webhook body) or a bare JSON array of orders (GET orders: a
page; WooCommerce sends its totals in the X-WP-Total headers, not the body).

Quirks handled: ids as integers → strings; money as strings except `line_items[].price`, a number
(total ÷ qty, checked against the line within a fen); statuses with or without the `wc-` prefix;
times from the `*_gmt` fields (UTC, no offset); line totals are stored without tax even when the shop
enters prices with tax (`prices_include_tax` is kept in `extra`, the tax is added from `total_tax`);
refunds are negative strings; `fee_lines` (e.g. a COD fee, or a negative fee used as a discount) go to
`fee_total`; a Chinese address's `state` is WooCommerce's own code (CN10 = Shanghai), stored as the
province's name; the shop comes from the X-WC-Webhook-Source header (pass `shop=`).
Webhooks are verified with X-WC-Webhook-Signature.
"""

from datetime import UTC
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

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
    full_name,
    page_of,
    root,
    status_of,
    unit_price_of,
    verify_hmac_base64,
)

STATUSES = {
    "pending": "pending_payment",
    "on-hold": "pending_payment",
    "failed": "pending_payment",
    "checkout-draft": "pending_payment",
    "processing": "paid",
    "completed": "completed",
    "cancelled": "cancelled",
    "trash": "cancelled",
    "refunded": "closed",
}
ZERO = Decimal("0.00")
TOLERANCE = Decimal("0.01")


def _province(state: str, country: str) -> str:
    """WooCommerce sends a Chinese address's province as its own code (CN10 = Shanghai): stored as the
    official name (上海市) so review and sourcing know the place; an unknown code is kept as sent, for review
    to hold with the code in its reason."""
    if country.upper() != "CN":
        return state
    return regions.province_name(state, regions.WOOCOMMERCE) or state


class WooCommerceAdapter(Adapter):
    channel_type = "woocommerce"

    @staticmethod
    def verify_webhook(headers: dict, raw_body: bytes, secret: str | bytes) -> bool:
        return verify_hmac_base64(headers, "X-WC-Webhook-Signature", raw_body, secret)

    def orders(self, payload) -> Page:
        if isinstance(payload, list):
            return page_of(Node(payload, ""))
        return Page((root(payload),))

    def normalize_order(self, order: Node, *, shop: str | None = None) -> NormalizedOrder:
        order.as_dict()
        raw_status = order["status"].text().removeprefix("wc-")
        status = status_of(Node(raw_status, order["status"].path), STATUSES)

        lines = []
        for node in order["line_items"].items():
            qty = node["quantity"].qty()
            subtotal = node["subtotal"].yuan()
            total = node["total"].yuan()
            tax = node["total_tax"].yuan(default=ZERO)
            price = node["price"].number()
            if abs(price * qty - total) > TOLERANCE:
                node["price"].fail(_("× quantity does not match the line total %(total)s") % {"total": total})
            if total > subtotal:
                node["total"].fail(_("is more than the subtotal before discounts"))
            spec = {}
            for meta in node["meta_data"].items(nonempty=False) if node.has("meta_data") else []:
                key = meta["key"].text()
                if key and not key.startswith("_"):
                    spec[meta["display_key"].text() or key] = meta["display_value"].text() or meta["value"].text()
            variation = node["variation_id"].integer(default=0)
            lines.append(NormalizedLine(
                external_line_id=node["id"].id(),
                channel_sku=str(variation or node["product_id"].id()),
                outer_sku=node["sku"].text(),
                name=node["name"].text(),
                spec=spec,
                qty=qty,
                unit_price=unit_price_of(subtotal, qty),
                line_total=subtotal,
                discount=subtotal - total,
                tax=tax,
                amount_paid=total + tax,
                status=status,
                channel_status=raw_status,
                shippable=status == "paid",
            ))

        goods_total = sum((line.line_total for line in lines), ZERO)
        discount_total = order["discount_total"].yuan(default=ZERO)
        check_sum(order["discount_total"], discount_total, sum((line.discount for line in lines), ZERO),
                  gettext_noop("the lines' subtotal − total"))
        shipping = order["shipping_total"].yuan(default=ZERO)
        fee_lines = order["fee_lines"].items(nonempty=False) if order.has("fee_lines") else []
        fees = sum((fee["total"].yuan(allow_negative=True) for fee in fee_lines), ZERO)
        fee_tax = sum((fee["total_tax"].yuan(default=ZERO, allow_negative=True) for fee in fee_lines), ZERO)
        tax_total = order["total_tax"].yuan(default=ZERO)
        check_sum(order["total_tax"], tax_total,
                  sum((line.tax for line in lines), ZERO) + order["shipping_tax"].yuan(default=ZERO) + fee_tax,
                  gettext_noop("the lines' total_tax + shipping_tax + fee tax"))
        amount_paid = order["total"].yuan()
        check_sum(order["total"], amount_paid, goods_total - discount_total + shipping + fees + tax_total,
                  gettext_noop("subtotals − discount_total + shipping_total + fees + total_tax"))

        refunded = ZERO
        for refund in order["refunds"].items(nonempty=False) if order.has("refunds") else []:
            amount = refund["total"].yuan(allow_negative=True)
            if amount > 0:
                refund["total"].fail(_("a refund total is a negative amount"))
            refunded -= amount

        billing, shipping_to = order["billing"], order["shipping"]
        address = shipping_to if shipping_to.has("address_1") and shipping_to["address_1"].text() else billing

        def person(node):
            return full_name(node["first_name"].text(), node["last_name"].text())

        customer = order["customer_id"].integer(default=0)
        return NormalizedOrder(
            channel_type=self.channel_type,
            external_id=order["id"].id(),
            shop=shop or "",
            status=status,
            channel_status=raw_status,
            buyer=Buyer(id=str(customer) if customer else "", nick=person(billing), email=billing["email"].text()),
            receiver=Receiver(
                name=person(address),
                phone=address["phone"].text() or billing["phone"].text(),
                province=_province(address["state"].text(), address["country"].text()),
                city=address["city"].text(),
                detail=" ".join(p for p in (address["address_1"].text(), address["address_2"].text()) if p),
                zip=address["postcode"].text(),
                country=address["country"].text(),
            ),
            lines=tuple(lines),
            goods_total=goods_total,
            discount_total=discount_total,
            shipping_fee=shipping,
            amount_paid=amount_paid,
            currency=order["currency"].text() or "CNY",
            created_at=order["date_created_gmt"].iso_time(naive_tz=UTC),
            paid_at=order["date_paid_gmt"].iso_time(optional=True, naive_tz=UTC),
            updated_at=(order["date_modified_gmt"].iso_time(naive_tz=UTC) if order.has("date_modified_gmt")
                        else order["date_created_gmt"].iso_time(naive_tz=UTC)),
            tax_total=tax_total,
            fee_total=fees,
            prices_include_tax=False,
            refunded_total=refunded,
            buyer_message=order["customer_note"].text(),
            extra={"prices_include_tax": order["prices_include_tax"].value is True,
                   "payment_method": order["payment_method"].text()},
        )

"""What a counter's scan names: a SKU typed by hand, a GTIN, or a GS1 element string (AI 01 GTIN with
AI 10 lot), parsed with biip."""

from dataclasses import dataclass

import biip
from biip.gs1_messages import GS1Message
from django.utils.translation import gettext as _

from sihe.catalog.models import Product
from sihe.core.errors import ValidationFailed


@dataclass
class Scanned:
    product: Product
    lot: str | None = None


def _gs1(text: str) -> GS1Message | None:
    looks_gs1 = text.startswith("(") or text.startswith("]") or "\x1d" in text or (
        text[:2] == "01" and len(text) > 16 and text[2:16].isdigit())
    if not looks_gs1:
        return None
    try:
        return GS1Message.parse_hri(text) if text.startswith("(") else biip.parse(text).gs1_message
    except Exception:  # noqa: BLE001 — not a GS1 string: try it as a SKU or GTIN
        return None


def _by_gtin(value: str) -> Product | None:
    digits = value.strip()
    variants = {digits, digits.lstrip("0")}
    if len(digits) == 14:
        variants |= {digits[1:], digits[2:], digits[6:]}
    elif len(digits) == 13:
        variants.add("0" + digits)
    return Product.objects.select_related("uom").filter(gtin__in=[v for v in variants if v]).order_by("pk").first()


def resolve(*, sku: str | None, barcode: str | None, field: str = "barcode") -> Scanned:
    if sku:
        product = Product.objects.select_related("uom").filter(sku=sku.strip()).first()
        if product is None:
            raise ValidationFailed(_("unknown SKU %(sku)s") % {"sku": sku}, field="sku", code="unknown_sku")
        return Scanned(product)
    text = (barcode or "").strip()
    if not text:
        raise ValidationFailed(_("scan the item or enter its SKU"), field="sku", code="empty_scan")
    message = _gs1(text)
    if message is not None:
        values = {e.ai.ai: e.value for e in message.element_strings}
        product = _by_gtin(values.get("01") or values.get("02") or "")
        if product is None:
            raise ValidationFailed(_("no product has the GTIN of %(code)s") % {"code": text}, field=field,
                                   code="unknown_barcode")
        return Scanned(product, values.get("10") or values.get("21"))
    product = (Product.objects.select_related("uom").filter(sku=text).first()
               or (_by_gtin(text) if text.isdigit() else None))
    if product is None:
        raise ValidationFailed(_("no product has barcode or SKU %(code)s") % {"code": text}, field=field,
                               code="unknown_barcode")
    return Scanned(product)

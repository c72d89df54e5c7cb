"""What a handheld scan names: a GS1 element string (AI 01 GTIN, 10 lot, 17 expiry, 30/37 count),
a plain GTIN (EAN-13 and friends) or a SKU typed by hand. Parsed with biip, never by hand.

Scanners send GS1-128 / DataMatrix either raw (FNC1 as the GS character, often with the `]C1` /
`]d2` symbology prefix) or in the human-readable form with parentheses: both are accepted.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import biip
from biip.gs1_messages import GS1Message
from django.utils.translation import gettext as _

from sihe.catalog.models import Product
from sihe.core.errors import ValidationFailed


@dataclass
class ItemScan:
    product: Product
    lot: str | None = None
    expiry: datetime.date | None = None
    qty: Decimal | None = None
    gs1: bool = False


def _gs1(code: str) -> GS1Message | None:
    """The GS1 message of a scan, or None when the scan is not a GS1 element string."""
    text = code.strip()
    looks_gs1 = (text.startswith("(") or text.startswith("]") or "\x1d" in text
                 or (text[:2] in ("01", "02") and len(text) >= 16 and text[2:16].isdigit()))
    if not looks_gs1:
        return None
    try:
        if text.startswith("("):
            return GS1Message.parse_hri(text)
        return biip.parse(text).gs1_message
    except Exception:  # noqa: BLE001 — any parse failure means "not GS1"; the SKU lookup follows
        return None


def gtin_variants(value: str) -> list[str]:
    """A GTIN-14 from AI 01 as stored: GTIN-13 (the Chinese retail code), GTIN-12, GTIN-8, or as is."""
    digits = value.strip()
    variants = [digits]
    if len(digits) == 14:
        variants += [digits[1:], digits[2:], digits[6:]]
    elif len(digits) == 13:
        variants += ["0" + digits]
    return [v for v in variants if v]


def product_by_gtin(value: str) -> Product | None:
    variants = [v for v in gtin_variants(value) if len(v) <= 14]
    return Product.objects.select_related("uom").filter(gtin__in=variants).order_by("pk").first()


def parse_item(code: str, *, field: str = "barcode") -> ItemScan:
    """The product (and lot, expiry, count) a barcode names; ValidationFailed naming the field if none."""
    text = (code or "").strip()
    if not text:
        raise ValidationFailed(_("scan a barcode"), field=field, code="empty_scan")
    if len(text) > 200:
        raise ValidationFailed(_("a barcode has at most 200 characters"), field=field)
    message = _gs1(text)
    if message is not None:
        values = {e.ai.ai: e for e in message.element_strings}
        if "01" not in values and "02" not in values:
            raise ValidationFailed(_("the GS1 code carries no GTIN (AI 01): %(code)s") % {"code": text}, field=field,
                                   code="unknown_barcode")
        gtin = (values.get("01") or values.get("02")).value
        product = product_by_gtin(gtin)
        if product is None:
            raise ValidationFailed(_("no product has GTIN %(gtin)s") % {"gtin": gtin}, field=field,
                                   code="unknown_barcode")
        count = values.get("30") or values.get("37")
        qty = Decimal(count.value) if count is not None and count.value.isdigit() else None
        expiry = values["17"].date if "17" in values else None
        lot = values["10"].value if "10" in values else (values["21"].value if "21" in values else None)
        return ItemScan(product=product, lot=lot, expiry=expiry, qty=qty if qty else None, gs1=True)
    product = None
    if text.isdigit() and len(text) in (8, 12, 13, 14):
        product = product_by_gtin(text)
    if product is None:
        product = Product.objects.select_related("uom").filter(sku=text).first()
    if product is None:
        raise ValidationFailed(_("%(code)s is neither a bin, a product barcode nor a SKU") % {"code": text},
                               field=field, code="unknown_barcode")
    return ItemScan(product=product)

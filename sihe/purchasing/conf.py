"""Purchasing settings, each with a laptop-safe default (set them in Django settings or the environment).

| setting | env | default | meaning |
|---|---|---|---|
| `SIHE_AP_PRICE_TOLERANCE` | same | `0.02` | invoice unit price may differ from the PO price by this fraction (2 %) |
| `SIHE_AP_QTY_TOLERANCE` | same | `0` | invoiced qty may exceed the received qty (not yet invoiced) by this fraction |
| `SIHE_AP_PAYMENT_DAYS` | same | `30` | due date = invoice date + these days when the invoice gives none |
"""

import os
from decimal import Decimal

from django.conf import settings


def _get(name: str, default: str) -> str:
    return str(getattr(settings, name, None) or os.environ.get(name) or default)


def price_tolerance() -> Decimal:
    return Decimal(_get("SIHE_AP_PRICE_TOLERANCE", "0.02"))


def qty_tolerance() -> Decimal:
    return Decimal(_get("SIHE_AP_QTY_TOLERANCE", "0"))


def payment_days() -> int:
    return int(_get("SIHE_AP_PAYMENT_DAYS", "30"))

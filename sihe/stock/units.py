"""Units and lots at the edge: convert once into the base unit at its precision; GS1 expiry dates."""

import calendar
import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from sihe.catalog.models import Product
from sihe.core.errors import ValidationFailed
from sihe.core.money import round_qty, to_decimal
from sihe.stock.models import ProductUnit

QTY_LIMIT = Decimal(10) ** 13


def threshold_to_base(product: Product, value, *, field: str) -> Decimal:
    """A threshold (a rule's minimum or maximum) in base units: like `to_base`, but 0 is allowed."""
    number = to_decimal(value, field=field)
    if number < 0:
        raise ValidationFailed(_("%(field)s must be 0 or more") % {"field": field}, field=field)
    return number if number == 0 else to_base(product, number, field=field)


def to_base(product: Product, qty, unit: str | None = None, *, field: str = "qty") -> Decimal:
    """`qty` in `unit` (the base unit when None) → base units at the product's precision, exactly once.

    A quantity that does not fit the precision is refused rather than silently rounded, so reserved
    and on-hand can never drift apart by rounding twice.
    """
    number = to_decimal(qty, field=field)
    if number <= 0:
        raise ValidationFailed(_("%(field)s must be greater than 0") % {"field": field}, field=field)
    if number >= QTY_LIMIT:  # beyond any stock; keeps rounding inside Decimal's precision (1e30 was a 500)
        raise ValidationFailed(_("%(field)s is too large") % {"field": field}, field=field, code="qty_too_large")
    if unit and unit.strip().upper() != product.uom.code.upper():  # unit codes match case-insensitively
        alt = ProductUnit.objects.filter(product=product, uom__code__iexact=unit.strip()).first()
        if alt is None:
            raise ValidationFailed(
                _("%(sku)s has no unit %(unit)s") % {"sku": product.sku, "unit": unit}, field=field[: -len("qty")] + "unit" if field.endswith("qty") else "unit",
            )
        number = number * alt.factor
    precision = product.uom.precision
    rounded = round_qty(number, precision)
    if rounded != number:
        raise ValidationFailed(
            _("%(field)s %(qty)s has more than %(n)s decimal places for unit %(unit)s")
            % {"field": field, "qty": format(number.normalize(), "f"), "n": precision, "unit": product.uom.code},
            field=field,
        )
    return rounded


def gs1_expiry(yymmdd: str) -> datetime.date:
    """GS1 AI (17) YYMMDD; day 00 means the last day of that month. Years 51–99 are 19xx (GS1 rule
    simplified to the product's horizon: 00–50 → 20xx)."""
    text = (yymmdd or "").strip()
    if len(text) != 6 or not text.isdigit():
        raise ValidationFailed(_("expiry must be YYMMDD (GS1 AI 17)"), field="expiry")
    yy, mm, dd = int(text[:2]), int(text[2:4]), int(text[4:])
    year = 2000 + yy if yy <= 50 else 1900 + yy
    if not 1 <= mm <= 12:
        raise ValidationFailed(_("expiry month must be 01–12"), field="expiry")
    if dd == 0:
        dd = calendar.monthrange(year, mm)[1]
    try:
        return datetime.date(year, mm, dd)
    except ValueError as exc:
        raise ValidationFailed(_("expiry is not a date: %(v)s") % {"v": text}, field="expiry") from exc


def parse_date(value, *, field: str) -> datetime.date | None:
    """A date from ISO `YYYY-MM-DD`, or GS1 `YYMMDD` (day 00 = month end)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if len(text) == 6 and text.isdigit():
        try:
            return gs1_expiry(text)
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, field=field) from exc
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationFailed(_("%(field)s is not a date (YYYY-MM-DD): %(v)s") % {"field": field, "v": text},
                               field=field) from exc

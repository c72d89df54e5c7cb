"""Forecasts: a planner's expected demand of a product on a day. Setting a day again replaces its figure
(a forecast is revised, not added to); 0 clears it."""

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from sihe.catalog.models import Product
from sihe.core import audit, tx
from sihe.core.actor import Actor
from sihe.core.dates import check_planning_date
from sihe.core.errors import ValidationFailed
from sihe.core.money import round_qty, to_decimal
from sihe.planning.models import Forecast

LIMIT = Decimal(10) ** 12


def set_forecast(*, product: Product, date: datetime.date, qty, actor: Actor) -> Forecast:
    check_planning_date(date, field="date")
    qty = to_decimal(qty, field="qty")
    if qty < 0:
        raise ValidationFailed(_("quantity must be 0 or more"), field="qty")
    if qty >= LIMIT:
        raise ValidationFailed(_("quantity is too large"), field="qty")
    if qty != round_qty(qty, product.uom.precision):
        raise ValidationFailed(_("%(sku)s is counted in %(unit)s with %(n)s decimals") % {
            "sku": product.sku, "unit": product.uom.code, "n": product.uom.precision}, field="qty")
    with tx.act():
        forecast = Forecast.objects.select_for_update().filter(product=product, date=date).first()
        if forecast is None:
            forecast = Forecast.objects.create(product=product, date=date, qty=qty, updated_at=actor.at,
                                               updated_by=actor.username)
            audit.record_created(forecast, actor=actor, fields=["product", "date", "qty"])
        else:
            before = audit.snapshot(forecast, ["qty"])
            forecast.qty, forecast.updated_at, forecast.updated_by = qty, actor.at, actor.username
            forecast.save(update_fields=["qty", "updated_at", "updated_by"])
            audit.record_changes(forecast, actor=actor, before=before)
    return forecast

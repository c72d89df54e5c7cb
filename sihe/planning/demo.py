"""Demo planning: eight weeks of forecasts for the yoghurt cups and one MRP run from next Monday, whose
proposals (milk, cups, lids, a production order) wait on /production/mrp/ for a planner to confirm.

A step of `sihe demo`: idempotent (nothing is added once a run exists)."""

import datetime
from collections.abc import Callable
from decimal import Decimal

from sihe.catalog.models import Product
from sihe.core.actor import Actor
from sihe.planning import forecasts, runs
from sihe.planning.models import MrpRun

FINISHED = "YOG-CUP-100G"
WEEKLY = [3000, 2500, 4000, 3500, 3000, 4500, 4000, 3000]  # cups a week, from next Monday


def load_plan(*, actor: Actor, advance: Callable[[int], None]) -> int:
    product = Product.objects.filter(sku=FINISHED).select_related("uom").first()
    if product is None or MrpRun.objects.exists():
        advance(2)
        return 0
    today = actor.at.astimezone(datetime.timezone(datetime.timedelta(hours=8))).date()
    monday = today + datetime.timedelta(days=7 - today.weekday())
    for week, qty in enumerate(WEEKLY):
        forecasts.set_forecast(product=product, date=monday + datetime.timedelta(days=7 * week + 2),
                               qty=Decimal(qty), actor=actor)
    advance(1)
    run = runs.run_now(start=monday, buckets=len(WEEKLY), bucket_days=7, actor=actor)
    advance(1)
    return len(WEEKLY) + 1 + run.item_count + run.proposal_count

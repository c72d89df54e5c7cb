"""Demo stock on hand: the opening stock (期初库存) of each warehouse, valued like a receipt and booked
as opening balances of the month the demo's books open (1405 against the opening equity account).

A step of `sihe demo` (see docs/design/demo.md): idempotent by the receipt's reference.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone

from sihe.catalog.models import Location, Product, Warehouse
from sihe.core.actor import Actor
from sihe.costing import services
from sihe.stock.models import StockMove
from sihe.stock.services import InLine

# warehouse code → every n-th product it holds (so the three warehouses stock different ranges)
STOCKED = {"SH": 2, "HZ": 3, "GZ": 5}
REFERENCE = "DEMO-OPENING-{code}"


def _lines(warehouse: Warehouse, step: int, today: datetime.date) -> list[InLine]:
    bins = list(Location.objects.filter(warehouse=warehouse, kind=Location.Kind.BIN).order_by("code")[:200])
    products = list(Product.objects.filter(active=True).select_related("uom").order_by("sku"))[::step]
    lines: list[InLine] = []
    for n, product in enumerate(products):
        price = product.list_price or Decimal("10")
        unit_cost = (price * Decimal("0.62")).quantize(Decimal("0.0001"))
        location = bins[n % len(bins)] if bins else None
        base = {"product": product, "unit_cost": unit_cost, "location": location}
        if product.tracking == Product.Tracking.SERIAL:
            lines += [InLine(**base, qty=Decimal(1), lot=f"SN{warehouse.code}{n:03d}{k}") for k in range(3)]
            continue
        qty = Decimal(24 + (n * 37) % 180)
        if product.tracking == Product.Tracking.NONE:
            lines.append(InLine(**base, qty=qty))
            continue
        life = product.shelf_life_days or 365
        # Two lots: an older one that FEFO takes first (some close to expiry) and a fresh one.
        older = today + datetime.timedelta(days=max(5, life * (n % 4 + 1) // 10))
        fresh = today + datetime.timedelta(days=life)
        expiry = product.tracking == Product.Tracking.LOT_EXPIRY
        lines.append(InLine(**base, qty=qty // 3, lot=f"L{warehouse.code}{n:03d}A", expiry=older if expiry else None))
        lines.append(InLine(**base, qty=qty - qty // 3, lot=f"L{warehouse.code}{n:03d}B", expiry=fresh if expiry else None))
    return lines


def _opening_period(today: datetime.date) -> str:
    from sihe.ledger.services import opening_period, period_of

    return opening_period() or period_of(today)


def load_opening_stock(*, actor: Actor, advance: Callable[[int], None]) -> int:
    today = timezone.localdate(actor.at)
    created = 0
    for code, step in STOCKED.items():
        warehouse = Warehouse.objects.filter(code=code).first()
        reference = REFERENCE.format(code=code)
        if warehouse is not None and not StockMove.objects.filter(reference=reference).exists():
            lines = _lines(warehouse, step, today)
            for i, line in enumerate(lines):
                line.field = f"lines[{i}]"
            created += len(services.receive_opening(warehouse=warehouse, lines=lines, actor=actor, reference=reference,
                                                    period=_opening_period(today)))
        advance(1)
    return created

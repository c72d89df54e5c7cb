"""Demo factory line: 原味酸奶 100g cups filled in the Shanghai warehouse's workshop from 生牛乳, 白砂糖,
发酵菌种, 酸奶杯 and 铝箔封盖 on 灌装线1 — raw materials on hand (opening stock), the BOM, one order
made, received and finished, and one released and waiting for the floor.

A step of `sihe demo`: idempotent by SKU, work-centre code and the orders' source tag; services only.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal

from sihe.catalog import demo as catalog_demo
from sihe.catalog import services as catalog
from sihe.catalog.models import Partner, Product, Warehouse
from sihe.core.actor import Actor
from sihe.costing import services as costing
from sihe.production import boms, orders
from sihe.production.models import Bom, ProductionOrder, WorkCentre
from sihe.stock.models import StockMove
from sihe.stock.services import InLine

D = Decimal
WAREHOUSE = "SH"
SOURCE = "demo:factory"
OPENING = "DEMO-OPENING-PLANT"
FINISHED = "YOG-CUP-100G"
# sku, name, name_en, unit, tracking, shelf life, make/buy, lead days, lot sizing, lot size, safety, supplier, tax
PRODUCTS = [
    (FINISHED, "原味酸奶 100g 杯装", "Plain Yogurt Cup 100 g", "PCS", "lot_expiry", 21, "make", 2, "lot_for_lot", 0, 0, "",
     "dairy"),
    ("RM-RAW-MILK", "生牛乳", "Raw Milk", "KG", "lot_expiry", 3, "buy", 1, "lot_for_lot", 0, 0, "S-001", "dairy"),
    ("RM-SUGAR", "白砂糖", "White Sugar", "KG", "none", None, "buy", 5, "fixed", 50, 20, "S-003", "condiment"),
    ("RM-CULTURE", "发酵菌种", "Yogurt Culture", "G", "lot", None, "buy", 10, "lot_for_lot", 0, 200, "S-001", "dairy"),
    ("PK-CUP-100", "酸奶杯 100ml", "Yogurt Cup 100 ml", "PCS", "none", None, "buy", 14, "fixed", 5000, 1000, "S-015",
     "plastic"),
    ("PK-LID-100", "铝箔封盖", "Foil Lid", "PCS", "none", None, "buy", 14, "fixed", 5000, 1000, "S-015", "sundries"),
]
# what is on the shelf when the books open: sku, qty, unit cost
MATERIALS = [("RM-RAW-MILK", 600, "4.20"), ("RM-SUGAR", 80, "6.50"), ("RM-CULTURE", 1500, "0.50"),
             ("PK-CUP-100", 6000, "0.12"), ("PK-LID-100", 6000, "0.05")]
BOM = {"product": FINISHED, "quantity": "100", "valid_from": "2026-01-01",
       "lines": [{"sku": "RM-RAW-MILK", "qty": "15", "scrap_pct": "2"}, {"sku": "RM-SUGAR", "qty": "1"},
                 {"sku": "RM-CULTURE", "qty": "10"}, {"sku": "PK-CUP-100", "qty": "100", "scrap_pct": "1"},
                 {"sku": "PK-LID-100", "qty": "100"}],
       "operations": [{"seq": 10, "work_centre": "FILL-1", "setup_minutes": "30", "minutes_per_unit": "0.2"}]}


def _products(actor: Actor) -> int:
    created = 0
    for sku, name, name_en, unit, tracking, shelf, make, lead, sizing, lot, safety, supplier, tax in PRODUCTS:
        if Product.objects.filter(sku=sku).exists():
            continue
        data = {"sku": sku, "name": name, "name_en": name_en, "uom": unit, "tracking": tracking,
                "category": "食品饮料", "make_or_buy": make, "lead_time_days": lead, "lot_sizing": sizing,
                "lot_size": str(lot), "safety_stock": str(safety), "tax_rate": "0.13",
                "tax_code": catalog_demo.TAX[tax][0], "tax_short_name": catalog_demo.TAX[tax][1]}
        if shelf:
            data["shelf_life_days"] = shelf
        if supplier and Partner.objects.filter(code=supplier).exists():
            data["main_supplier"] = supplier
        catalog.create_product(data=data, actor=actor)
        created += 1
    return created


def _opening(warehouse: Warehouse, actor: Actor, today: datetime.date) -> int:
    from sihe.costing.demo import _opening_period

    if StockMove.objects.filter(reference=OPENING).exists():
        return 0
    lines = []
    for i, (sku, qty, cost) in enumerate(MATERIALS):
        product = Product.objects.get(sku=sku)
        lot = {"lot_expiry": f"RM{today:%m%d}", "lot": "CUL-2611"}.get(product.tracking)
        expiry = today + datetime.timedelta(days=product.shelf_life_days) if product.shelf_life_days else None
        lines.append(InLine(product=product, qty=D(qty), unit_cost=D(cost), lot=lot, expiry=expiry, field=f"lines[{i}]"))
    return len(costing.receive_opening(warehouse=warehouse, lines=lines, actor=actor, reference=OPENING,
                                       period=_opening_period(today)))


def load_factory(*, actor: Actor, advance: Callable[[int], None]) -> int:
    warehouse = Warehouse.objects.filter(code=WAREHOUSE).first()
    if warehouse is None:
        advance(4)
        return 0
    today = actor.at.astimezone(datetime.timezone(datetime.timedelta(hours=8))).date()
    created = _products(actor)
    advance(1)
    created += _opening(warehouse, actor, today)
    advance(1)
    if not WorkCentre.objects.filter(code="FILL-1").exists():
        boms.create_work_centre(actor=actor, data={
            "code": "FILL-1", "name": "灌装线1", "warehouse": WAREHOUSE, "labour_rate_per_hour": "60",
            "overhead_rate_per_hour": "30", "minutes_per_day": 960})
        created += 1
    if not Bom.objects.filter(product__sku=FINISHED).exists():
        boms.create_bom(actor=actor, data=BOM)
        created += 1
    advance(1)
    if not ProductionOrder.objects.filter(source=SOURCE).exists():
        product, centre = Product.objects.get(sku=FINISHED), WorkCentre.objects.get(code="FILL-1")
        done = orders.create_order(product=product, qty=D(1000), warehouse=warehouse, actor=actor, source=SOURCE,
                                   due_date=today)
        orders.release(order=done, actor=actor)
        orders.issue(order=done, actor=actor)
        orders.report(order=done, actor=actor, good=D(980), scrap=D(20), minutes=D(240), work_centre=centre,
                      operator="李师傅")
        orders.receive(order=done, actor=actor, qty=D(980))
        orders.finish(order=done, actor=actor)
        waiting = orders.create_order(product=product, qty=D(2000), warehouse=warehouse, actor=actor, source=SOURCE,
                                      due_date=today + datetime.timedelta(days=2))
        orders.release(order=waiting, actor=actor)
        created += 2
    advance(1)
    return created

"""A small yoghurt plant: raw milk, sugar, culture, cups and lids in stock at known costs, a filling line
costing 60/h labour and 30/h overhead, and the BOM of 100 cups of yoghurt."""

import datetime
from decimal import Decimal

import pytest

from sihe.catalog.models import Location, Product, Uom, Warehouse, Zone
from sihe.core.actor import Actor
from sihe.costing import services as costing
from sihe.production import boms
from sihe.stock.services import InLine

D = Decimal
DAY = datetime.date(2026, 11, 20)


def make_plant():
    wh = Warehouse.objects.create(code="FAC", name="嘉兴工厂", province="浙江省", city="嘉兴市")
    zone = Zone.objects.create(warehouse=wh, code="A", name="A")
    for code in ("A-01-01-01", "A-01-02-01", "A-01-03-01"):
        Location.objects.create(warehouse=wh, zone=zone, code=code, kind="bin", aisle=1)
    uom = {u.code: u for u in Uom.objects.all()}
    g = uom.get("G") or Uom.objects.create(code="G", name="克", precision=1)

    def product(sku, name, unit, **kw):
        return Product.objects.create(sku=sku, name=name, uom=unit, **kw)

    items = {
        "YOG": product("YOG-100G", "原味酸奶 100g", uom["PCS"], tracking="lot_expiry", shelf_life_days=21),
        "MILK": product("RAW-MILK", "生牛乳", uom["KG"], tracking="lot_expiry", shelf_life_days=3),
        "SUGAR": product("SUGAR", "白砂糖", uom["KG"]),
        "CULT": product("CULTURE", "发酵菌种", g),
        "CUP": product("CUP-100", "酸奶杯 100ml", uom["PCS"]),
        "LID": product("LID-100", "铝箔封盖", uom["PCS"]),
        "WHEY": product("WHEY", "乳清", uom["KG"]),
    }
    actor = Actor.system("plant")
    costing.receive(warehouse=wh, actor=actor, date=DAY, reference="PO-RAW", lines=[
        InLine(product=items["MILK"], qty=D(200), unit_cost=D("4.00"), lot="M1", expiry=DAY + datetime.timedelta(days=3)),
        InLine(product=items["SUGAR"], qty=D(50), unit_cost=D("6.50")),
        InLine(product=items["CULT"], qty=D(500), unit_cost=D("0.50")),
        InLine(product=items["CUP"], qty=D(2000), unit_cost=D("0.12")),
        InLine(product=items["LID"], qty=D(2000), unit_cost=D("0.05")),
        InLine(product=items["WHEY"], qty=D(1), unit_cost=D("0.80")),
    ])
    centre = boms.create_work_centre(actor=actor, data={
        "code": "FILL-1", "name": "灌装线1", "warehouse": "FAC", "labour_rate_per_hour": "60",
        "overhead_rate_per_hour": "30", "minutes_per_day": 960})
    bom = boms.create_bom(actor=actor, data={
        "product": "YOG-100G", "quantity": "100", "valid_from": "2026-01-01",
        "lines": [{"sku": "RAW-MILK", "qty": "15", "scrap_pct": "2"}, {"sku": "SUGAR", "qty": "1"},
                  {"sku": "CULTURE", "qty": "10"}, {"sku": "CUP-100", "qty": "100", "scrap_pct": "1"},
                  {"sku": "LID-100", "qty": "100"}],
        "operations": [{"seq": 10, "work_centre": "FILL-1", "setup_minutes": "30", "minutes_per_unit": "0.2"}]})
    return {"wh": wh, "items": items, "centre": centre, "bom": bom, "actor": actor}


@pytest.fixture
def plant(db, clock):
    clock.at(2026, 11, 20)
    return make_plant()

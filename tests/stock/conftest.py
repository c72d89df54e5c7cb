"""Fixtures of the stock tests: a warehouse with a dock and bins, products of each tracking kind."""

import datetime
from decimal import Decimal

import pytest

from sihe.catalog.models import Location, Product, Uom, Warehouse, Zone
from sihe.core.actor import Actor
from sihe.stock.services import InLine, OutLine

D = Decimal
TODAY = datetime.date(2026, 11, 25)


def make_warehouse(code: str = "WH1", *, allow_negative: bool = False) -> Warehouse:
    wh = Warehouse.objects.create(code=code, name=f"仓库 {code}", allow_negative_stock=allow_negative)
    zone = Zone.objects.create(warehouse=wh, code="A", name="A")
    Location.objects.create(warehouse=wh, zone=zone, code="DOCK", kind="dock")
    for code_ in ("A-01-01-01", "A-01-02-01"):
        Location.objects.create(warehouse=wh, zone=zone, code=code_, kind="bin", aisle=1)
    return wh


def make_product(sku: str, *, tracking: str = "none", method: str = "moving_average", uom: str = "PCS",
                 shelf_life: int | None = None) -> Product:
    return Product.objects.create(sku=sku, name=f"商品 {sku}", uom=Uom.objects.get(code=uom), tracking=tracking,
                                  costing_method=method, shelf_life_days=shelf_life)


@pytest.fixture
def wh(db):
    return make_warehouse("WH1")


@pytest.fixture
def actor(db):
    return Actor.system("test")


def loc(warehouse: Warehouse, code: str) -> Location:
    return Location.objects.get(warehouse=warehouse, code=code)


def inl(product, qty, cost=None, **kw) -> InLine:
    return InLine(product=product, qty=D(str(qty)), unit_cost=None if cost is None else D(str(cost)), **kw)


def outl(product, qty, **kw) -> OutLine:
    return OutLine(product=product, qty=D(str(qty)), **kw)

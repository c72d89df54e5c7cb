"""Fixtures of the inbound tests: a warehouse with dock, quality location and bins in two zones, a
supplier, GTIN-labelled products of each tracking kind, and an actor at a fixed moment."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from sihe.catalog.models import Location, Partner, Product, Uom, Warehouse, Zone
from sihe.core.actor import Actor
from sihe.wms.inbound.services import ExpectedLine, expect_receipt

D = Decimal
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()

# Valid GS1 check digits (biip): 690123456789 2 / 690123456790 8 / 690123456791 5 / 690123456792 2
GTIN_MILK = "6901234567892"
GTIN_BOLT = "6901234567908"
GTIN_PHONE = "6901234567915"
GTIN_ELSE = "6901234567922"


def make_warehouse(code: str = "SH") -> Warehouse:
    wh = Warehouse.objects.create(code=code, name=f"仓库 {code}")
    a = Zone.objects.create(warehouse=wh, code="A", name="常温区")
    b = Zone.objects.create(warehouse=wh, code="B", name="冷藏区")
    Location.objects.create(warehouse=wh, zone=a, code="DOCK-1", kind="dock")
    Location.objects.create(warehouse=wh, zone=a, code="QC-1", kind="quality")
    for i, zone in ((1, a), (2, a), (3, a)):
        Location.objects.create(warehouse=wh, zone=zone, code=f"A-01-0{i}-01", kind="bin", aisle=1, position=i,
                                capacity_volume=D("1.000"))
    for i in (1, 2):
        Location.objects.create(warehouse=wh, zone=b, code=f"B-01-0{i}-01", kind="bin", aisle=5, position=i,
                                capacity_volume=D("0.500"))
    return wh


def make_product(sku: str, gtin: str | None, *, tracking: str = "none", volume: str = "0.001",
                 shelf_life: int | None = None) -> Product:
    return Product.objects.create(sku=sku, name=f"商品 {sku}", gtin=gtin, uom=Uom.objects.get(code="PCS"),
                                  tracking=tracking, volume=D(volume), shelf_life_days=shelf_life)


@pytest.fixture
def actor(db):
    return Actor(user_id=None, username="tester", role="admin", via="system", at=NOW)


@pytest.fixture
def wh(db):
    return make_warehouse("SH")


@pytest.fixture
def supplier(db):
    return Partner.objects.create(code="S001", name="光明乳业供应商", kind="supplier")


@pytest.fixture
def milk(db):
    return make_product("MILK-1L", GTIN_MILK, tracking="lot_expiry", shelf_life=30)


@pytest.fixture
def bolt(db):
    return make_product("BOLT-M8", GTIN_BOLT, tracking="none", volume="0.0001")


@pytest.fixture
def phone(db):
    return make_product("PHONE-X", GTIN_PHONE, tracking="serial", volume="0.002")


@pytest.fixture
def make_asn(wh, supplier, actor):
    counter = {"n": 0}

    def _make(*lines, source_id: str | None = None):
        counter["n"] += 1
        with transaction.atomic():
            return expect_receipt(
                warehouse=wh, supplier=supplier, source_type="test.po", source_id=source_id or f"PO{counter['n']}",
                source_number=f"PO-2026-{counter['n']:04d}", expected_date=TODAY,
                lines=[ExpectedLine(product=p, qty=D(str(q)), unit_cost=D(str(c)), source_line_id=f"L{i}")
                       for i, (p, q, c) in enumerate(lines)], actor=actor)

    return _make


def loc(wh, code: str) -> Location:
    return Location.objects.get(warehouse=wh, code=code)

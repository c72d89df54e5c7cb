"""Fixtures of the outbound tests: a two-zone warehouse laid out in aisles, milk with lots and
expiry (FEFO), a plain widget, stock received at cost, and shipments made by the shipping service."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from sihe.catalog.models import Location, Product, Uom, Warehouse, Zone
from sihe.core.actor import Actor
from sihe.costing import services as costing
from sihe.stock.services import InLine
from sihe.wms import shipping

D = Decimal
MILK_GTIN = "6901234567892"
RECEIVER = {"name": "张三", "phone": "13812345678", "province": "上海市", "city": "上海市", "district": "浦东新区",
            "address": "世纪大道100号"}


def gs1(gtin: str, lot: str, expiry: datetime.date | None = None) -> str:
    """The raw GS1 element string a scanner sends: (01) GTIN-14, (17) expiry, (10) lot."""
    exp = f"17{expiry:%y%m%d}" if expiry else ""
    return f"01{gtin.zfill(14)}{exp}10{lot}"


def make_layout(code: str = "OUT") -> Warehouse:
    """Zone A: aisles 1–2, zone B: aisle 4; positions 0–9 on both sides; staging at aisle 0."""
    wh = Warehouse.objects.create(code=code, name=f"出库仓 {code}", province="上海市", city="上海市",
                                  district="嘉定区", address="嘉定工业区 8 号")
    zone_a = Zone.objects.create(warehouse=wh, code="A", name="A 区")
    zone_b = Zone.objects.create(warehouse=wh, code="B", name="B 区")
    Location.objects.create(warehouse=wh, zone=zone_a, code="STAGE", kind="staging", aisle=0, position=0)
    Location.objects.create(warehouse=wh, zone=zone_a, code="DOCK", kind="dock", aisle=0, position=0)
    for aisle, zone in ((1, zone_a), (2, zone_a), (4, zone_b)):
        for position in (0, 3, 6, 9):
            for side in ("L", "R"):
                Location.objects.create(warehouse=wh, zone=zone, code=f"{zone.code}-{aisle:02d}-{position:02d}-{side}",
                                        kind="bin", aisle=aisle, position=position, side=side)
    return wh


def loc(wh: Warehouse, code: str) -> Location:
    return Location.objects.get(warehouse=wh, code=code)


@pytest.fixture
def actor(db):
    return Actor.system("picker-test")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def wh(db):
    return make_layout()


@pytest.fixture
def milk(db):
    return Product.objects.create(sku="MILK-1L", name="全脂牛奶 1L", uom=Uom.objects.get(code="PCS"), gtin=MILK_GTIN,
                                  tracking="lot_expiry", shelf_life_days=60, weight=D("1.05"), volume=D("0.0012"))


@pytest.fixture
def widget(db):
    return Product.objects.create(sku="WID-1", name="收纳盒", uom=Uom.objects.get(code="PCS"), gtin="6901234567885",
                                  weight=D("6"), volume=D("0.02"))


@pytest.fixture
def stocked(wh, milk, widget, actor, today):
    """Milk: L2 (expires in 40 days) in A-01-03-L, L3 (expires in 90 days) in A-02-06-R and a little
    in A-01-03-L too, L1 (expires in 10 days) in A-01-00-L; widgets in B-04-09-L. Costs 8 and 30."""
    costing.receive(warehouse=wh, actor=actor, date=today, lines=[
        InLine(product=milk, qty=D(10), unit_cost=D(8), lot="L1", expiry=today + datetime.timedelta(days=10),
               location=loc(wh, "A-01-00-L")),
        InLine(product=milk, qty=D(20), unit_cost=D(8), lot="L2", expiry=today + datetime.timedelta(days=40),
               location=loc(wh, "A-01-03-L")),
        InLine(product=milk, qty=D(30), unit_cost=D(8), lot="L3", expiry=today + datetime.timedelta(days=90),
               location=loc(wh, "A-02-06-R")),
        InLine(product=milk, qty=D(5), unit_cost=D(8), lot="L3", location=loc(wh, "A-01-03-L")),
        InLine(product=widget, qty=D(12), unit_cost=D(30), location=loc(wh, "B-04-09-L")),
    ])
    return {"wh": wh, "milk": milk, "widget": widget}


def ship_order(wh, lines, *, number: str, actor, mrsl: int | None = None, cutoff=None):
    return shipping.create_shipment(
        warehouse=wh, lines=[shipping.ShipLineIn(product=p, qty=D(str(n))) for p, n in lines],
        source_type="test.order", source_id=number, source_number=number, customer="上海便利店", receiver=RECEIVER,
        min_shelf_life_days=mrsl, cutoff_at=cutoff, actor=actor)


@pytest.fixture
def client_as(make_user):
    """client_as("warehouse") -> a Django test client logged in as a user of that role (zh-Hans by default)."""
    from django.test import Client

    def _client(role: str, language: str | None = None) -> Client:
        user = make_user(role, username=f"{role}_out")
        client = Client(HTTP_ACCEPT_LANGUAGE=language) if language else Client()
        client.force_login(user)
        return client

    return _client

"""Fixtures of the counting tests: a warehouse with zone A (two bins) and zone B (one bin), stock at
moving-average cost, a reservation in one bin, and users to count and recount."""

import datetime
from decimal import Decimal

import pytest

from sihe.catalog.models import Location, Product, Uom, Warehouse, Zone
from sihe.core.actor import Actor
from sihe.costing import services as costing
from sihe.stock import reservations
from sihe.stock.services import InLine

D = Decimal
DAY = datetime.date(2026, 11, 20)


def make_product(sku: str, *, tracking: str = "none", gtin: str | None = None) -> Product:
    return Product.objects.create(sku=sku, name=f"商品 {sku}", uom=Uom.objects.get(code="PCS"), tracking=tracking,
                                  costing_method="moving_average", gtin=gtin)


@pytest.fixture
def store(db):
    """CW: zone A with A-01 and A-02, zone B with B-01. MILK 3 @ 10.00 in A-01 and 10 @ 12.00 in A-02
    (average 150 / 13), 8 of A-02's reserved for SO-1; SOAP 5 @ 4.00 in A-01; LOT-tracked JAM in B-01."""
    wh = Warehouse.objects.create(code="CW", name="盘点仓")
    zone_a = Zone.objects.create(warehouse=wh, code="A", name="A 区")
    zone_b = Zone.objects.create(warehouse=wh, code="B", name="B 区")
    a1 = Location.objects.create(warehouse=wh, zone=zone_a, code="A-01", kind="bin", aisle=1)
    a2 = Location.objects.create(warehouse=wh, zone=zone_a, code="A-02", kind="bin", aisle=1, position=1)
    b1 = Location.objects.create(warehouse=wh, zone=zone_b, code="B-01", kind="bin", aisle=2)
    milk = make_product("MILK", gtin="6901234567892")
    soap = make_product("SOAP")
    jam = make_product("JAM", tracking="lot")
    system = Actor.system("setup")
    costing.receive(warehouse=wh, actor=system, date=DAY, reference="PO-1", lines=[
        InLine(product=milk, qty=D(3), unit_cost=D("10.00"), location=a1),
        InLine(product=milk, qty=D(10), unit_cost=D("12.00"), location=a2),
        InLine(product=soap, qty=D(5), unit_cost=D("4.00"), location=a1),
        InLine(product=jam, qty=D(6), unit_cost=D("7.50"), location=b1, lot="J-1")])
    reservation = reservations.reserve(product=milk, warehouse=wh, qty=D(8), reference="SO-1", actor=system,
                                       location=a2)
    return {"wh": wh, "zone_a": zone_a, "zone_b": zone_b, "a1": a1, "a2": a2, "b1": b1, "milk": milk, "soap": soap,
            "jam": jam, "reservation": reservation}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Test users' passwords hashed fast (the default PBKDF2 costs ~0.5 s per user on a busy machine)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

"""Fixtures of the counting tests: a warehouse with zone A (two bins) and zone B (one bin), stock at
moving-average cost, a reservation in one bin, and users to count and recount."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps

from sihe.catalog.models import Location, Partner, Product, Uom, Warehouse, Zone
from sihe.core.actor import Actor
from sihe.costing import services as costing
from sihe.stock import reservations
from sihe.stock.models import Lot
from sihe.stock.services import InLine, OutLine
from sihe.wms.models import Shipment, ShipmentLine, ShipmentPick

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


@pytest.fixture
def story(store):
    """Lot J-7 of JAM arrives on ASN-77 (PO-2026-0077 from 甜蜜果酱厂) in B-01, moves to A-01, and is
    shipped to two customers on orders SO-1001 and SO-1002; lot J-7 of another product exists too."""
    wh, jam, system = store["wh"], store["jam"], Actor.system("setup")
    supplier = Partner.objects.create(code="SUP-JAM", name="甜蜜果酱厂", kind="supplier")
    asn_model = apps.get_model("wms_inbound", "Asn")
    asn_model.objects.create(number="ASN-77", warehouse=wh, supplier=supplier, source_number="PO-2026-0077")
    costing.receive(warehouse=wh, actor=system, date=DAY, reference="ASN-77",
                    lines=[InLine(product=jam, qty=Decimal(20), unit_cost=Decimal("7.50"), lot="J-7", location=store["b1"])])
    lot = Lot.objects.get(product=jam, number="J-7")
    costing.transfer(warehouse=wh, to_warehouse=wh, to_location=store["a1"], actor=system, date=DAY,
                     reference="MV-1", lines=[OutLine(product=jam, qty=Decimal(12), lot=lot, location=store["b1"])])
    for number, order, customer, qty in (("SH-1", "SO-1001", "华东超市", 5), ("SH-2", "SO-1002", "西湖便利店", 4)):
        shipment = Shipment.objects.create(number=number, warehouse=wh, source_number=order, customer=customer,
                                           city="杭州市", state="shipped", carrier="SF", tracking_no=f"SF{number}")
        line = ShipmentLine.objects.create(shipment=shipment, product=jam, qty=Decimal(qty), picked_qty=Decimal(qty))
        ShipmentPick.objects.create(line=line, location=store["a1"], lot=lot, qty=Decimal(qty))
        costing.issue(warehouse=wh, actor=system, date=DAY + datetime.timedelta(days=1), reference=number,
                      lines=[OutLine(product=jam, qty=Decimal(qty), lot=lot, location=store["a1"])])
    other = make_product("HONEY", tracking="lot")
    costing.receive(warehouse=wh, actor=system, date=DAY, reference="PO-9",
                    lines=[InLine(product=other, qty=Decimal(1), unit_cost=Decimal("1"), lot="J-7", location=store["b1"])])
    return store

"""换货 with a price difference: the replacement is dearer (the buyer pays the difference: revenue, output
VAT and the receivable grow) or cheaper (the difference is given back: revenue reversed, paid back when
the order was settled), booked when the exchange is done."""

import datetime
from decimal import Decimal

import pytest

from sihe.catalog.models import Product, Uom
from sihe.core.actor import Actor
from sihe.costing import services as costing
from sihe.oms.aftersales.models import Case
from sihe.oms.models import Order
from sihe.stock.services import InLine
from sihe.wms.inbound.models import Asn
from tests.aftersales.test_exchanges import GTIN, net, ship_reshipment
from tests.oms.world import build, dealer_order

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(api_as):
    world = build(stock={"SH": 4})
    Product.objects.filter(pk=world["tee"].pk).update(gtin=GTIN)
    polo = Product.objects.create(sku="POLO-BLK-M", name="珠地棉Polo衫 黑色 M", uom=Uom.objects.get(code="PCS"),
                                  tax_rate=D("0.13"))
    costing.receive(warehouse=world["wh"]["SH"], lines=[InLine(product=polo, qty=D(2), unit_cost=D("30.00"))],
                    actor=Actor.system("test"), reference="PO-P", date=datetime.date(2026, 11, 1))
    order = api_as("service").post("/api/v1/channels/dealer/orders", dealer_order("D-6701", 2)).json_body["order"]
    assert api_as("warehouse").post(f"/api/v1/orders/{order['id']}/ship",
                                    {"carrier": "SF", "tracking_no": "SF67"}).status_code == 200
    return {**world, "order": order}


def exchange(api_as, order: dict, difference: str, via: str = "platform") -> dict:
    r = api_as("service").post(f"/api/v1/orders/{order['id']}/aftersales", {"refund_via": via,
        "kind": "exchange", "lines": [{"line": "TEE-BLK-M", "qty": 1, "replacement": "POLO-BLK-M",
                                       "price_difference": difference}], "reason": "换成Polo衫"})
    assert r.status_code == 201, r.json_body
    assert r.json_body["price_difference"] == difference
    return r.json_body


def finish(api_as, case: dict) -> dict:
    ship_reshipment(Case.objects.get(pk=case["id"]))
    asn = Asn.objects.get(source_type="oms.aftersales")
    assert api_as("warehouse").post(f"/api/v1/wms/receipts/{asn.pk}/scan",
                                    {"barcode": GTIN, "qty": "1"}).status_code == 201
    return api_as("service").get(f"/api/v1/aftersales/{case['id']}").json_body


def test_a_dearer_replacement_sells_the_difference(shipped, api_as):
    case = exchange(api_as, shipped["order"], "15.00")
    assert net("5001") == D("-88.50")  # nothing booked before the exchange is done
    done = finish(api_as, case)
    assert done["status"] == "done" and done["difference_booked_at"]
    # 100.00 + 15.00 sold: 88.50 + 13.27 revenue, 11.50 + 1.73 VAT; the dealer owes 115.00
    assert net("5001") == D("-101.77") and net("2221.01.06") == D("-13.23") and net("1122") == D("115.00")
    assert Order.objects.get(pk=shipped["order"]["id"]).revenue_total == D("115.00")
    r = api_as("accountant").post(f"/api/v1/orders/{shipped['order']['id']}/settlements",
                                  {"kind": "bank", "amount": "115.00"})
    assert r.status_code == 201 and r.json_body["status"] == "completed", r.json_body


def test_a_cheaper_replacement_pays_the_difference_back_when_settled(shipped, api_as):
    accountant = api_as("accountant")
    assert accountant.post(f"/api/v1/orders/{shipped['order']['id']}/settlements",
                           {"kind": "bank", "amount": "100.00"}).status_code == 201
    case = exchange(api_as, shipped["order"], "-8.00", via="bank")
    done = finish(api_as, case)
    assert (done["status"], done["paid_back"]) == ("done", "8.00")
    # 100.00 − 8.00: revenue 88.50 − 7.08, VAT 11.50 − 0.92; 8.00 back to the dealer's bank account
    assert net("5001") == D("-81.42") and net("2221.01.06") == D("-10.58")
    assert net("1122") == D("0.00") and net("1002") == D("92.00")
    o = Order.objects.get(pk=shipped["order"]["id"])
    assert (o.revenue_total, o.settled_total) == (D("92.00"), D("92.00"))


def test_a_price_difference_belongs_to_an_exchange_only(shipped, api_as):
    r = api_as("service").post(f"/api/v1/orders/{shipped['order']['id']}/aftersales", {
        "kind": "reissue", "lines": [{"line": "TEE-BLK-M", "qty": 1, "price_difference": "5.00"}]})
    assert (r.status_code, r.json_body["field"]) == (422, "lines[0].price_difference")
    assert Case.objects.count() == 0

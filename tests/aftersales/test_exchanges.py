"""换货 and 补发: an exchange expects the goods back and sends the replacement (another size) at no price;
it is done when both happened, in either order; a reissue sends a missing unit again. No money moves;
cost of sales follows the goods (the return back at its issue cost, the reshipment out at today's)."""

import datetime
from decimal import Decimal

import pytest

from sihe.catalog.models import Product, Uom
from sihe.core.actor import Actor
from sihe.costing import services as costing
from sihe.ledger.models import VoucherLine
from sihe.oms.aftersales.models import Case
from sihe.oms.models import Order
from sihe.stock.models import StockLevel
from sihe.stock.services import InLine
from sihe.wms import shipping
from sihe.wms.inbound.models import Asn
from sihe.wms.models import Shipment
from tests.oms.world import build, dealer_order

D = Decimal
GTIN = "6901234567908"
pytestmark = pytest.mark.django_db


def net(code: str) -> Decimal:
    return sum((r.debit - r.credit for r in VoucherLine.objects.filter(account__code=code, voucher__status="posted")),
               D(0))


@pytest.fixture
def shipped(api_as):
    world = build(stock={"SH": 4})
    Product.objects.filter(pk=world["tee"].pk).update(gtin=GTIN)
    large = Product.objects.create(sku="TEE-BLK-L", name="纯棉短袖T恤 黑色 L", uom=Uom.objects.get(code="PCS"),
                                   tax_rate=D("0.13"))
    costing.receive(warehouse=world["wh"]["SH"], lines=[InLine(product=large, qty=D(2), unit_cost=D("22.00"))],
                    actor=Actor.system("test"), reference="PO-L", date=datetime.date(2026, 11, 1))
    order = api_as("service").post("/api/v1/channels/dealer/orders", dealer_order("D-6601", 2)).json_body["order"]
    assert api_as("warehouse").post(f"/api/v1/orders/{order['id']}/ship",
                                    {"carrier": "SF", "tracking_no": "SF66"}).status_code == 200
    return {**world, "order": order, "large": large}


def ship_reshipment(case: Case) -> None:
    shipment = Shipment.objects.get(number=case.reship_number)
    shipping.ship(shipment=shipment, carrier="SF", tracking_no="SF-RE", actor=Actor.system("warehouse"))


def test_an_exchange_for_another_size_is_done_when_the_return_is_in_and_the_replacement_left(shipped, api_as):
    service = api_as("service")
    order = shipped["order"]
    r = service.post(f"/api/v1/orders/{order['id']}/aftersales", {
        "kind": "exchange", "lines": [{"line": "TEE-BLK-M", "qty": 1, "replacement": "TEE-BLK-L"}],
        "reason": "尺码偏小，换大一号"})
    assert r.status_code == 201, r.json_body
    case = r.json_body
    assert (case["status"], case["refund_amount"], case["lines"][0]["replacement"]) == ("awaiting_return", "0.00",
                                                                                        "TEE-BLK-L")
    assert "refund" not in case["allowed_actions"]
    reship = Shipment.objects.get(number=case["reship_number"])
    assert [(ln.product.sku, ln.qty) for ln in reship.lines.all()] == [("TEE-BLK-L", D(1))]
    large = StockLevel.objects.get(product=shipped["large"], warehouse=shipped["wh"]["SH"])
    assert (large.on_hand, large.reserved) == (D(2), D(1))
    assert service.post(f"/api/v1/aftersales/{case['id']}/refund").status_code == 409

    # the replacement leaves first: the case still waits for the return
    ship_reshipment(Case.objects.get())
    assert service.get(f"/api/v1/aftersales/{case['id']}").json_body["status"] == "awaiting_return"
    asn = Asn.objects.get(source_type="oms.aftersales")
    r = api_as("warehouse").post(f"/api/v1/wms/receipts/{asn.pk}/scan", {"barcode": GTIN, "qty": "1"})
    assert r.status_code == 201, r.json_body
    body = service.get(f"/api/v1/aftersales/{case['id']}").json_body
    assert body["status"] == "done" and body["reshipped_at"]
    # no money moved; cost of sales: 40.00 shipped − 20.00 back + 22.00 for the L = 42.00
    assert net("5001") == D("-88.50") and net("1122") == D("100.00")
    assert net("5401") == D("42.00")
    assert Order.objects.get(pk=order["id"]).revenue_total == D("100.00")


def test_a_reissue_sends_the_missing_unit_again(shipped, api_as):
    service = api_as("service")
    order = shipped["order"]
    case = service.post(f"/api/v1/orders/{order['id']}/aftersales", {
        "kind": "reissue", "lines": [{"line": "TEE-BLK-M", "qty": 1}], "reason": "快递丢件"}).json_body
    assert case["status"] == "open" and case["return_number"] == "" and case["allowed_actions"] == ["reject", "cancel"]
    ship_reshipment(Case.objects.get())
    body = service.get(f"/api/v1/aftersales/{case['id']}").json_body
    assert body["status"] == "done"
    assert net("5401") == D("60.00")  # three units out at 20.00


def test_a_cancelled_reissue_frees_its_stock_and_bad_replacements_are_refused(shipped, api_as):
    service = api_as("service")
    order = shipped["order"]
    r = service.post(f"/api/v1/orders/{order['id']}/aftersales", {
        "kind": "reissue", "lines": [{"line": "TEE-BLK-M", "qty": 1, "replacement": "TEE-BLK-L"}]})
    assert r.status_code == 422 and r.json_body["field"] == "lines[0].replacement"
    r = service.post(f"/api/v1/orders/{order['id']}/aftersales", {
        "kind": "exchange", "lines": [{"line": "TEE-BLK-M", "qty": 1, "replacement": "NOPE"}]})
    assert r.status_code == 422 and r.json_body["code"] == "unknown_sku"
    case = service.post(f"/api/v1/orders/{order['id']}/aftersales", {
        "kind": "reissue", "lines": [{"line": "TEE-BLK-M", "qty": 1}]}).json_body
    assert service.post(f"/api/v1/aftersales/{case['id']}/cancel", {"note": "买家找到了"}).json_body["status"] == "cancelled"
    assert Shipment.objects.get(number=case["reship_number"]).state == "cancelled"
    level = StockLevel.objects.get(product__sku="TEE-BLK-M", warehouse=shipped["wh"]["SH"])
    assert level.reserved == D(0)

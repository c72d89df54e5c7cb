"""退货退款 end to end: a dealer order shipped at 20.00 a unit is returned after the average cost moved to
23.33; the warehouse scans the two units against the expected return, QC passes one (back to a bin) and
grades one defective (the defective location); the refund then takes the sale back — stock, cost of sales,
revenue, output VAT and the receivable all back to the fen, trial balance balanced."""

import datetime
from decimal import Decimal

import pytest

from sihe.catalog.models import Product
from sihe.core.actor import Actor
from sihe.costing import services as costing
from sihe.ledger.models import VoucherLine
from sihe.ledger.reports import trial_balance
from sihe.oms.aftersales.models import Case
from sihe.stock.models import Quant, StockLevel
from sihe.stock.services import InLine
from sihe.wms.inbound.models import Asn, Inspection
from tests.oms.world import build, dealer_order

D = Decimal
GTIN = "6901234567908"
pytestmark = pytest.mark.django_db


def net(code: str) -> Decimal:
    return sum((r.debit - r.credit for r in VoucherLine.objects.filter(account__code=code, voucher__status="posted")),
               D(0))


def test_a_return_comes_back_at_its_issue_cost_through_qc_and_is_refunded(api_as):
    world = build(stock={"SH": 4})
    Product.objects.filter(pk=world["tee"].pk).update(gtin=GTIN)
    service, warehouse = api_as("service"), api_as("warehouse")
    order = service.post("/api/v1/channels/dealer/orders", dealer_order("D-8801", 2)).json_body["order"]
    assert warehouse.post(f"/api/v1/orders/{order['id']}/ship", {"carrier": "SF", "tracking_no": "SF8"}).status_code == 200
    assert (net("5401"), net("1405")) == (D("40.00"), D("40.00"))
    # the average moves: 4 more at 25.00 → (2 × 20 + 4 × 25) / 6 = 23.33
    costing.receive(warehouse=world["wh"]["SH"], lines=[InLine(product=world["tee"], qty=D(4), unit_cost=D("25.00"))],
                    actor=Actor.system("test"), reference="PO-MORE", date=datetime.date(2026, 12, 2))

    r = service.post(f"/api/v1/orders/{order['id']}/aftersales", {
        "kind": "return_refund", "lines": [{"line": "TEE-BLK-M", "qty": 2}], "reason": "七天无理由退货"})
    assert r.status_code == 201, r.json_body
    case = r.json_body
    assert case["status"] == "awaiting_return" and case["return_number"].startswith("ASN")
    assert "refund" not in case["allowed_actions"]
    asn = Asn.objects.get(source_type="oms.aftersales")
    assert (asn.number, asn.warehouse.code, asn.lines.get().unit_cost) == (case["return_number"], "SH", D("20"))

    for _ in range(2):
        r = warehouse.post(f"/api/v1/wms/receipts/{asn.pk}/scan", {"barcode": GTIN, "qty": "1"})
        assert r.status_code == 201, r.json_body
    body = service.get(f"/api/v1/aftersales/{case['id']}").json_body
    assert body["status"] == "received" and body["lines"][0]["returned"] == "2"
    # back at 20.00 each, not at the average: cost of sales is undone to the fen
    assert net("5401") == D("0.00") and net("1405") == D("180.00")

    first, second = Inspection.objects.filter(scan__asn=asn).order_by("id")
    assert warehouse.post(f"/api/v1/wms/inspections/{first.pk}/release",
                          {"to_location": "A-01-01-01"}).status_code == 200
    assert warehouse.post(f"/api/v1/wms/inspections/{second.pk}/reject", {"note": "领口开线"}).status_code == 200
    body = service.get(f"/api/v1/aftersales/{case['id']}").json_body
    assert body["lines"][0]["defective"] == "1"
    level = StockLevel.objects.get(product=world["tee"], warehouse=world["wh"]["SH"])
    assert level.on_hand == D(8)
    defective = Quant.objects.filter(product=world["tee"], location__code="DEF").values_list("qty", flat=True)
    assert list(defective) == [D(1)]

    r = service.post(f"/api/v1/aftersales/{case['id']}/refund")
    assert r.status_code == 200, r.json_body
    assert (r.json_body["status"], r.json_body["refunded_amount"]) == ("refunded", "100.00")
    assert (net("1122"), net("5001"), net("2221.01.06"), net("5401")) == (D("0.00"), D("0.00"), D("0.00"), D("0.00"))
    report = trial_balance("2026-12")
    assert report["totals"]["debit"] == report["totals"]["credit"]
    assert Case.objects.get().lines.get().received_qty == D(2)

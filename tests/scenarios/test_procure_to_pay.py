"""Procure to pay, as issue 7 tells it: a purchase order with two lines → a partial receipt by scans
(lots, expiry) → putaway → the rest received → the supplier's invoice with a small price variance
within tolerance → payment → AP aging and the trial balance, every number a user would check.

The buyer (manager) orders; the PO is above ¥50,000 so another manager approves; the warehouse
scans GS1 labels on the handheld (the same API the page uses); the accountant posts the invoice and
the payment. Everything through the Open API, as an integrator would.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from sihe.catalog.models import Partner
from sihe.costing.checks import inventory_matches_ledger
from sihe.ledger import reports
from sihe.ledger.services import period_of
from sihe.purchasing.models import PurchaseOrder
from sihe.stock.models import Quant
from tests.purchasing.conftest import gtin13, make_product, quick_user
from tests.purchasing.test_orders_api import Api
from tests.stock.conftest import make_warehouse

pytestmark = pytest.mark.django_db
D = Decimal
GS = "\x1d"


@pytest.fixture
def company(db):
    make_warehouse("WH1")
    Partner.objects.create(code="S01", name="上海乳业有限公司", kind="supplier")
    milk = make_product("MILK", gtin13("690123456789"), tracking="lot_expiry")
    yog = make_product("YOG", gtin13("690123456791"), tracking="lot_expiry")
    return {"buyer": Api(quick_user("manager", "buyer")), "boss": Api(quick_user("manager", "boss")),
            "clerk": Api(quick_user("warehouse", "clerk")), "accountant": Api(quick_user("accountant", "acc")),
            "milk": f"0{milk.gtin}", "yog": f"0{yog.gtin}"}


def progress(api, po_id):
    body = api.get(f"/api/v1/purchase-orders/{po_id}").body
    return body["status"], [(ln["sku"], ln["received"], ln["ordered"]) for ln in body["lines"]]


def on_hand(sku):
    return sorted((q.location.code, q.lot.number, q.qty.normalize()) for q in
                  Quant.objects.filter(product__sku=sku, qty__gt=0).select_related("location", "lot"))


def test_procure_to_pay(company):
    buyer, boss, clerk, acc = company["buyer"], company["boss"], company["clerk"], company["accountant"]
    today = timezone.localdate()

    # 1. the buyer orders 1,000 MILK at 45.00 and 2,000 YOG at 2.80 (13 % VAT): 57,178.00 with tax
    r = buyer.post("/api/v1/purchase-orders", {"supplier": "S01", "warehouse": "WH1", "lines": [
        {"sku": "MILK", "qty": "1000", "price": "45.00", "tax_rate": "0.13"},
        {"sku": "YOG", "qty": "2000", "price": "2.80", "tax_rate": "0.13"}]})
    assert r.status_code == 201, r.body
    po = r.body
    assert (po["net"], po["tax"], po["total"]) == ("50600.00", "6578.00", "57178.00")

    # 2. above ¥50,000: confirming needs a manager's approval, not the buyer's own
    r = buyer.post(f"/api/v1/purchase-orders/{po['id']}/confirm")
    assert (r.status_code, r.body["code"]) == (409, "approval_required")
    assert buyer.post(f"/api/v1/purchase-orders/{po['id']}/approve").status_code == 403
    assert boss.post(f"/api/v1/purchase-orders/{po['id']}/approve").body["status"] == "approved"
    r = buyer.post(f"/api/v1/purchase-orders/{po['id']}/confirm")
    assert r.status_code == 200, r.body
    asn_id = r.body["asn_id"]
    assert progress(buyer, po["id"]) == ("confirmed", [("MILK", "0", "1000"), ("YOG", "0", "2000")])

    # 3. partial receipt by scans: 600 MILK lot M2611A (bracketed form, count in AI 30),
    #    1,200 YOG lot Y1 (FNC1/GS form), each with its expiry (AI 17)
    r = clerk.post(f"/api/v1/wms/receipts/{asn_id}/scan",
                   {"barcode": f"(01){company['milk']}(17)270630(10)M2611A(30)600"})
    assert r.status_code == 201, r.body
    assert (r.body["lot"], r.body["expiry"], r.body["qty"], r.body["location"]) == ("M2611A", "2027-06-30", "600",
                                                                                    "DOCK")
    r = clerk.post(f"/api/v1/wms/receipts/{asn_id}/scan",
                   {"barcode": f"01{company['yog']}17270331" + f"10Y1{GS}", "qty": "1200"})
    assert r.status_code == 201, r.body
    assert (r.body["lot"], r.body["expiry"], r.body["qty"]) == ("Y1", "2027-03-31", "1200")
    # the PO shows it at once
    assert progress(buyer, po["id"]) == ("partially_received", [("MILK", "600", "1000"), ("YOG", "1200", "2000")])

    # 4. putaway: dock → bins, confirmed by the bin label
    r = clerk.post("/api/v1/wms/putaway", {"warehouse": "WH1", "sku": "MILK", "lot": "M2611A", "qty": "600",
                                           "bin": "A-01-01-01"})
    assert r.status_code == 201, r.body
    r = clerk.post("/api/v1/wms/putaway", {"warehouse": "WH1", "sku": "YOG", "lot": "Y1", "qty": "1200",
                                           "bin": "A-01-02-01"})
    assert r.status_code == 201, r.body

    # 5. the rest arrives: 400 MILK of a second lot, 800 YOG of lot Y1
    assert clerk.post(f"/api/v1/wms/receipts/{asn_id}/scan",
                      {"barcode": f"(01){company['milk']}(10)M2611B(17)270715", "qty": "400"}).status_code == 201
    assert clerk.post(f"/api/v1/wms/receipts/{asn_id}/scan",
                      {"barcode": f"(01){company['yog']}(10)Y1(17)270331", "qty": "800"}).status_code == 201
    assert progress(buyer, po["id"]) == ("received", [("MILK", "1000", "1000"), ("YOG", "2000", "2000")])
    assert on_hand("MILK") == [("A-01-01-01", "M2611A", D(600)), ("DOCK", "M2611B", D(400))]
    assert on_hand("YOG") == [("A-01-02-01", "Y1", D(1200)), ("DOCK", "Y1", D(800))]

    # 6. the supplier's invoice: MILK at 45.50 is outside the 2 % tolerance → refused naming the line
    invoice = {"supplier": "S01", "number": "04400001", "purchase_order": po["id"], "lines": [
        {"sku": "MILK", "qty": "1000", "price": "46.00"}, {"sku": "YOG", "qty": "2000", "price": "2.80"}]}
    r = acc.post("/api/v1/supplier-invoices", invoice)
    assert (r.status_code, r.body["code"], r.body["field"], r.body["reason"]) == (
        422, "out_of_tolerance", "lines[0].price", "price")
    #    at 45.30 (+0.67 %) it is accepted: net 45,300 + 5,600 = 50,900, tax 5,889 + 728 = 6,617
    invoice["lines"][0]["price"] = "45.30"
    r = acc.post("/api/v1/supplier-invoices", invoice)
    assert r.status_code == 201, r.body
    inv = r.body
    assert (inv["net"], inv["tax"], inv["total"], inv["estimate"], inv["price_variance"], inv["status"]) == (
        "50900.00", "6617.00", "57517.00", "50600.00", "300.00", "open")
    assert inv["due_date"] == (today + datetime.timedelta(days=30)).isoformat()
    #    a 专票: its tax waits in 待认证进项税额 until 勾选/认证, which moves 6,617 to 进项税额
    assert (inv["vat_type"], inv["deductible"], inv["certified_on"]) == ("special", True, None)
    r = acc.post(f"/api/v1/supplier-invoices/{inv['id']}/certify", {})
    assert r.status_code == 200, r.body
    assert r.body["certified_on"] == today.isoformat() and r.body["certify_voucher_id"]

    # 7. payment of 40,000 by bank
    r = acc.post("/api/v1/supplier-payments", {"supplier": "S01", "amount": "40000", "reference": "B-7781"})
    assert r.status_code == 201, r.body
    assert r.body["allocations"] == [{"invoice": inv["id"], "number": "04400001", "amount": "40000.00"}]
    assert acc.get(f"/api/v1/supplier-invoices/{inv['id']}").body["open"] == "17517.00"

    # 8. AP aging: 17,517.00 is 0–30 days old today and 31–60 days old in 45 days
    r = acc.get("/api/v1/ap/aging")
    assert r.body["rows"] == [{"supplier": "S01", "name": "上海乳业有限公司", "0-30": "17517.00", "31-60": "0.00",
                               "61-90": "0.00", "90+": "0.00", "total": "17517.00"}]
    later = (today + datetime.timedelta(days=45)).isoformat()
    assert acc.get(f"/api/v1/ap/aging?as_of={later}").body["totals"] == {
        "0-30": "0.00", "31-60": "17517.00", "61-90": "0.00", "90+": "0.00", "total": "17517.00"}

    # 9. the trial balance: inventory at its invoiced cost — the 1,000 MILK are all still in stock, so the price
    #    variance 300.00 went into them (入库成本调整 Dr 1405 / Cr 5401) — the estimate cleared, payable, input
    #    VAT, bank
    tb = reports.trial_balance(period_of(today))
    closing = {r["code"]: (r["closing_debit"], r["closing_credit"]) for r in tb["rows"] if r["is_leaf"]}
    assert closing == {
        "1405": (D("50900.00"), D(0)),
        "2202.02": (D(0), D(0)),
        "2202.01": (D(0), D("17517.00")),
        "2221.01.01": (D("6617.00"), D(0)),
        "2221.09": (D(0), D(0)),  # 待认证进项税额: in at the invoice, out at its certification
        "5401": (D(0), D(0)),
        "1002": (D(0), D("40000.00")),
    }
    assert tb["totals"]["balanced"] and tb["totals"]["closing_debit"] == D("57517.00")
    milk = acc.get("/api/v1/costing/MILK").body
    assert (milk["qty"], milk["value"], milk["unit_cost"]) == ("1000", "45300.00", "45.3")
    assert inventory_matches_ledger(period_of(today))[0]
    assert PurchaseOrder.objects.get(pk=po["id"]).status == "received"

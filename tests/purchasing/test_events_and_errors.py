"""Each purchasing event with its payload; cancel / close end the warehouse's ASN; the invoice,
payment and aging endpoints refuse bad input with the field and change nothing."""

from decimal import Decimal

import pytest

from sihe.core.actor import Actor
from sihe.core.models import Event
from sihe.purchasing import services
from sihe.purchasing.models import SupplierInvoice, SupplierPayment
from sihe.purchasing.services import InvoiceLine, OrderLine, ReturnLine
from sihe.wms.inbound import services as inbound
from sihe.wms.inbound.models import Asn

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def confirmed(wh, supplier, products, people):
    po = services.create_order(supplier=supplier, warehouse=wh, actor=people["buyer"][1], lines=[
        OrderLine(product=products["TEA"], qty="10", price="8")])
    return services.confirm(order=po, actor=people["buyer"][1])


def receive_tea(po, products, qty):
    inbound.receive_scan(asn=Asn.objects.get(pk=po.asn_id), barcode=f"(01)0{products['TEA'].gtin}", qty=qty,
                         actor=Actor.system("clerk"))


def payload(event_type):
    return Event.objects.filter(type=event_type).last().payload


def test_every_event_with_its_payload(confirmed, products, people, wh, supplier):
    po = confirmed
    assert payload("purchasing.po.created") == {"po": po.pk, "number": po.number, "status": "draft", "total": "90.40"}
    receive_tea(po, products, "10")
    services.return_goods(order=po, lines=[ReturnLine(order_line=po.lines.get(), qty="2")], actor=people["buyer"][1],
                          reason="破损")
    assert payload("purchasing.returned") == {"po": po.pk, "number": po.number, "status": "partially_received",
                                              "lines": [{"line": 1, "sku": "TEA", "qty": "2", "value": "16.00"}],
                                              "reason": "破损"}
    inv = services.post_invoice(order=po, number="E-1", actor=people["accountant"][1],
                                lines=[InvoiceLine(product=products["TEA"], qty="8", price="8")])
    pay = services.pay(supplier=supplier, amount="50", actor=people["accountant"][1])
    assert payload("purchasing.payment.posted") == {
        "payment": pay.pk, "number": pay.number, "supplier": "S01", "amount": "50.00", "date": pay.date.isoformat(),
        "allocations": [{"invoice": inv.pk, "number": "E-1", "amount": "50.00"}]}
    services.close(order=po, actor=people["buyer"][1])
    assert payload("purchasing.po.closed") == {"po": po.pk, "number": po.number, "status": "closed"}
    assert Asn.objects.get(pk=po.asn_id).status == "received"  # received in full: nothing left to close
    big = services.create_order(supplier=supplier, warehouse=wh, actor=people["buyer"][1], lines=[
        OrderLine(product=products["TEA"], qty="10000", price="8")])
    services.approve(order=big, actor=people["boss"][1])
    assert payload("purchasing.po.approved") == {"po": big.pk, "number": big.number, "status": "approved", "level": 1}
    assert {e.aggregate_id for e in Event.objects.filter(type__startswith="purchasing.po.")} == {str(po.pk), str(big.pk)}


def test_cancel_a_confirmed_order_cancels_its_asn_but_not_after_a_receipt(confirmed, products, people):
    po = confirmed
    cancelled = services.cancel(order=po, actor=people["buyer"][1])
    assert cancelled.status == "cancelled" and Asn.objects.get(pk=po.asn_id).status == "cancelled"
    assert payload("purchasing.po.cancelled")["status"] == "cancelled"


def test_cancel_after_receipt_is_refused(confirmed, products, people):
    receive_tea(confirmed, products, "3")
    with pytest.raises(Exception) as caught:
        services.cancel(order=confirmed, actor=people["buyer"][1])
    assert caught.value.code == "invalid_transition"
    assert Asn.objects.get(pk=confirmed.asn_id).status in ("receiving", "expected")


def test_invoice_payment_and_aging_endpoints_refuse_bad_input(confirmed, products, api_as, make_user):
    from sihe.catalog.models import Partner

    receive_tea(confirmed, products, "10")
    Partner.objects.create(code="S02", name="别的供应商", kind="supplier")
    api = api_as("accountant")
    good = {"supplier": "S01", "number": "F-1", "purchase_order": confirmed.pk,
            "lines": [{"sku": "TEA", "qty": "10", "price": "8"}]}
    cases = [
        ({**good, "supplier": "NOPE"}, 422, "supplier"),
        ({**good, "supplier": "S02"}, 422, "purchase_order"),
        ({**good, "purchase_order": 99999}, 404, "id"),
        ({**good, "invoice_date": "2026-02-30"}, 422, "invoice_date"),
        ({**good, "invoice_date": "2026-11-10", "due_date": "2026-11-01"}, 422, "due_date"),
        ({**good, "lines": [{"sku": "MILK", "qty": "1", "price": "8"}]}, 422, "lines[0].sku"),
        ({**good, "lines": [{"sku": "TEA", "qty": "x", "price": "8"}]}, 422, "lines[0].qty"),
        ({**good, "lines": [{"sku": "TEA", "qty": "1", "price": "-8"}]}, 422, "lines[0].price"),
        ({**good, "lines": [{"sku": "TEA", "qty": "1", "price": "8", "line": 5}]}, 422, "lines[0].line"),
    ]
    for body, status, field in cases:
        r = api.post("/api/v1/supplier-invoices", body)
        assert (r.status_code, r.json_body.get("field")) == (status, field), (body, r.json_body)
    assert SupplierInvoice.objects.count() == 0
    assert api.post("/api/v1/supplier-invoices", good).status_code == 201
    r = api.post("/api/v1/supplier-invoices", good)
    assert (r.status_code, r.json_body["code"]) == (409, "duplicate_invoice")
    inv = SupplierInvoice.objects.get()
    pay_cases = [
        ({"supplier": "S01", "amount": "0"}, "amount"),
        ({"supplier": "S01", "amount": "abc"}, "amount"),
        ({"supplier": "S01", "amount": "90.41"}, "amount"),
        ({"supplier": "S01", "amount": "10", "allocations": [{"invoice": inv.pk, "amount": "9"}]}, "allocations"),
        ({"supplier": "S01", "amount": "10", "allocations": [{"invoice": 424242, "amount": "10"}]},
         "allocations[0].invoice"),
        ({"supplier": "S02", "amount": "10", "allocations": [{"invoice": inv.pk, "amount": "10"}]},
         "allocations[0].invoice"),
        ({"supplier": "S01", "amount": "1e20"}, "amount"),
    ]
    for body, field in pay_cases:
        r = api.post("/api/v1/supplier-payments", body)
        assert (r.status_code, r.json_body.get("field")) == (422, field), (body, r.json_body)
    assert SupplierPayment.objects.count() == 0
    r = api.post("/api/v1/supplier-payments", {"supplier": "S01", "amount": "90.40", "date": "2026-12-01",
                                               "allocations": [{"invoice": inv.pk, "amount": "90.40"}]})
    assert r.status_code == 201 and r.json_body["allocations"][0]["amount"] == "90.40"
    r = api.post("/api/v1/supplier-payments", {"supplier": "S01", "amount": "1",
                                               "allocations": [{"invoice": inv.pk, "amount": "1"}]})
    assert (r.status_code, r.json_body["code"]) == (409, "already_paid")
    assert api.get("/api/v1/ap/aging?basis=weekly").json_body["field"] == "basis"
    assert api.get("/api/v1/ap/aging?as_of=yesterday").json_body["field"] == "as_of"
    assert api.get("/api/v1/ap/aging").json_body["totals"]["total"] == "0.00"
    listed = api.get("/api/v1/supplier-invoices?status=paid").json_body
    assert listed["count"] == 1 and listed["items"][0]["paid"] == "90.40"
    assert api.get("/api/v1/supplier-payments").json_body["items"][0]["amount"] == "90.40"
    # the warehouse may read but not pay
    r = api_as("warehouse").post("/api/v1/supplier-payments", {"supplier": "S01", "amount": "1"})
    assert r.status_code == 403


def test_goods_rejected_by_quality_count_as_returned_on_the_order(confirmed, products, people, wh):
    from sihe.catalog.models import Location
    from sihe.ledger import reports
    from sihe.ledger.services import period_of
    from sihe.wms.inbound.models import Inspection, InspectionRule

    Location.objects.create(warehouse=wh, zone=wh.zones.first(), code="QC", kind="quality")
    InspectionRule.objects.create(product=products["TEA"])
    receive_tea(confirmed, products, "10")
    line = confirmed.lines.get()
    assert (line.received_qty, line.returned_qty) == (D(10), D(0))
    clerk = Actor.system("qc")
    inbound.reject_inspection(inspection=Inspection.objects.get(), actor=clerk, note="霉变")
    line.refresh_from_db()
    confirmed.refresh_from_db()
    assert (line.received_qty, line.returned_qty, line.returned_value, confirmed.status) == (
        D(10), D(10), D("80.00"), "confirmed")
    tb = {r["code"]: r["closing"] for r in reports.trial_balance(period_of(clerk.at.date()))["rows"]}
    assert (tb.get("2202.02", D(0)), tb.get("1405", D(0))) == (D(0), D(0))

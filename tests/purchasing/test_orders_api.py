"""Purchase orders by API: create, approval by amount (not the maker, one level per person), confirm →
the warehouse's expected receipt, progress per line; bad input is 422 naming the field."""

import json
from decimal import Decimal

import pytest
from django.test import Client

from sihe.core.actor import Actor
from sihe.core.models import Event
from sihe.hub.tokens import create_token
from sihe.purchasing.models import PurchaseOrder, PurchaseOrderLine
from sihe.wms.inbound.models import Asn

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user):
        _, token = create_token(user=user, name="t", actor=Actor.system("test"))
        self.client, self.headers = Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT_LANGUAGE": "en"}

    def post(self, path, data=None):
        r = self.client.post(path, data=json.dumps(data or {}), content_type="application/json", **self.headers)
        r.body = r.json()
        return r

    def get(self, path):
        r = self.client.get(path, **self.headers)
        r.body = r.json()
        return r


@pytest.fixture
def api(people):
    return {name: Api(user) for name, (user, _actor) in people.items()}


SMALL = {"supplier": "S01", "warehouse": "WH1", "expected_date": "2026-12-10",
         "lines": [{"sku": "MILK", "qty": "100", "price": "4.50", "tax_rate": "0.13"},
                   {"sku": "TEA", "qty": "20", "price": "12.345", "tax_rate": "0.09"}]}


def test_small_order_is_confirmed_without_approval_and_becomes_an_asn(api, wh, supplier, products):
    # when a buyer orders 100 MILK at 4.50 (13 %) and 20 TEA at 12.345 (9 %)
    r = api["buyer"].post("/api/v1/purchase-orders", SMALL)
    assert r.status_code == 201, r.body
    po = r.body
    # then 450.00 + 246.90 = 696.90 net; tax 58.50 + 22.22 = 80.72; total 777.62
    assert (po["status"], po["net"], po["tax"], po["total"]) == ("draft", "696.90", "80.72", "777.62")
    assert [(ln["line"], ln["sku"], ln["ordered"], ln["received"], ln["net"], ln["tax"]) for ln in po["lines"]] == [
        (1, "MILK", "100", "0", "450.00", "58.50"), (2, "TEA", "20", "0", "246.90", "22.22")]
    assert po["approvals"] == []
    # when it is confirmed: the ASN exists with the same lines at the cost per base unit
    r = api["buyer"].post(f"/api/v1/purchase-orders/{po['id']}/confirm")
    assert r.status_code == 200, r.body
    asn = Asn.objects.get(pk=r.body["asn_id"])
    assert (asn.source_number, asn.supplier.code, asn.warehouse.code, asn.expected_date.isoformat()) == (
        po["number"], "S01", "WH1", "2026-12-10")
    assert [(ln.product.sku, ln.qty, ln.unit_cost) for ln in asn.lines.order_by("id")] == [
        ("MILK", Decimal("100"), Decimal("4.5")), ("TEA", Decimal("20"), Decimal("12.345"))]
    assert api["buyer"].get(f"/api/v1/purchase-orders/{po['id']}").body["status"] == "confirmed"
    event = Event.objects.get(type="purchasing.po.confirmed")
    assert event.payload["asn_id"] == asn.pk and event.payload["lines"][1] == {
        "line": 2, "sku": "TEA", "qty": "20", "unit_cost": "12.345"}
    # and a second confirm is refused, nothing new
    r = api["buyer"].post(f"/api/v1/purchase-orders/{po['id']}/confirm")
    assert (r.status_code, r.body["code"]) == (409, "invalid_transition")
    assert Asn.objects.count() == 1


def test_large_order_needs_approval_by_someone_else(api, wh, supplier, products):
    big = {"supplier": "S01", "warehouse": "WH1", "lines": [{"sku": "MILK", "qty": "10000", "price": "5"}]}
    po = api["buyer"].post("/api/v1/purchase-orders", big).body
    assert po["total"] == "56500.00"
    assert po["approvals"] == [{"level": 1, "role": "manager", "approved_by": None}]
    # confirm without approval → 409 approval_required naming the missing level
    r = api["buyer"].post(f"/api/v1/purchase-orders/{po['id']}/confirm")
    assert r.status_code == 409
    assert (r.body["code"], r.body["missing"]) == ("approval_required", [{"level": 1, "role": "manager"}])
    # the maker cannot approve his own order; an accountant has no approve permission
    r = api["buyer"].post(f"/api/v1/purchase-orders/{po['id']}/approve")
    assert (r.status_code, r.body["code"]) == (403, "own_order")
    r = api["accountant"].post(f"/api/v1/purchase-orders/{po['id']}/approve")
    assert (r.status_code, r.body["code"]) == (403, "forbidden")
    assert Asn.objects.count() == 0 and PurchaseOrder.objects.get().status == "draft"
    # another manager approves; then the buyer confirms
    r = api["boss"].post(f"/api/v1/purchase-orders/{po['id']}/approve")
    assert r.status_code == 200 and r.body["status"] == "approved"
    assert r.body["approvals"] == [{"level": 1, "role": "manager", "approved_by": "boss"}]
    r = api["buyer"].post(f"/api/v1/purchase-orders/{po['id']}/confirm")
    assert r.status_code == 200 and r.body["status"] == "confirmed"


def test_two_levels_need_two_different_people(api, wh, supplier, products):
    huge = {"supplier": "S01", "warehouse": "WH1", "lines": [{"sku": "TEA", "qty": "20000", "price": "10"}]}
    po = api["buyer"].post("/api/v1/purchase-orders", huge).body
    assert po["total"] == "226000.00"
    assert [a["level"] for a in po["approvals"]] == [1, 2]
    assert api["boss"].post(f"/api/v1/purchase-orders/{po['id']}/approve").body["status"] == "pending_approval"
    # level 2 needs an admin
    r = api["boss"].post(f"/api/v1/purchase-orders/{po['id']}/approve")
    assert (r.status_code, r.body["code"]) == (403, "wrong_role")
    r = api["buyer"].post(f"/api/v1/purchase-orders/{po['id']}/confirm")
    assert r.status_code == 409 and r.body["missing"] == [{"level": 2, "role": "admin"}]
    r = api["admin"].post(f"/api/v1/purchase-orders/{po['id']}/approve")
    assert r.status_code == 200 and r.body["status"] == "approved"
    assert [a["approved_by"] for a in r.body["approvals"]] == ["boss", "root"]
    assert api["buyer"].post(f"/api/v1/purchase-orders/{po['id']}/confirm").status_code == 200


def test_bad_input_names_the_field_and_changes_nothing(api, wh, supplier, products, make_user):
    from sihe.catalog.models import Partner

    Partner.objects.create(code="C01", name="客户", kind="customer")
    cases = [
        ({**SMALL, "supplier": "NOPE"}, "supplier"),
        ({**SMALL, "supplier": "C01"}, "supplier"),
        ({**SMALL, "warehouse": "NOWH"}, "warehouse"),
        ({**SMALL, "expected_date": "2026-13-01"}, "expected_date"),
        ({**SMALL, "lines": [{"sku": "NOPE", "qty": "1", "price": "1"}]}, "lines[0].sku"),
        ({**SMALL, "lines": [{"sku": "MILK", "qty": "0", "price": "1"}]}, "lines[0].qty"),
        ({**SMALL, "lines": [{"sku": "MILK", "qty": "1.5", "price": "1"}]}, "lines[0].qty"),
        ({**SMALL, "lines": [{"sku": "MILK", "qty": "abc", "price": "1"}]}, "lines[0].qty"),
        ({**SMALL, "lines": [{"sku": "MILK", "qty": "1", "price": "-1"}]}, "lines[0].price"),
        ({**SMALL, "lines": [{"sku": "MILK", "qty": "1", "price": "1", "tax_rate": "0.5"}]}, "lines[0].tax_rate"),
        ({**SMALL, "lines": [{"sku": "MILK", "qty": "1", "price": "1", "unit": "BOX"}]}, "lines[0].unit"),
        ({**SMALL, "lines": [{"sku": "MILK", "qty": "1e30", "price": "1"}]}, "lines[0].qty"),
    ]
    for body, field in cases:
        r = api["buyer"].post("/api/v1/purchase-orders", body)
        assert r.status_code == 422, (body, r.body)
        assert r.body["field"] == field, (body, r.body)
    r = api["buyer"].post("/api/v1/purchase-orders", {**SMALL, "lines": []})
    assert r.status_code == 422
    assert api["buyer"].get("/api/v1/purchase-orders/999999999").status_code == 404
    assert api["buyer"].get("/api/v1/purchase-orders/99999999999999999999").status_code in (404, 422)
    assert PurchaseOrder.objects.count() == 0 and PurchaseOrderLine.objects.count() == 0
    # a warehouse user may look but not order
    r = Api(make_user("warehouse", "wh")).post("/api/v1/purchase-orders", SMALL)
    assert (r.status_code, r.body["code"]) == (403, "forbidden")


def test_purchase_unit_converts_to_base_units(api, wh, supplier, products):
    from sihe.catalog.models import Uom
    from sihe.stock.models import ProductUnit

    box = Uom.objects.get_or_create(code="BOX", defaults={"name": "箱"})[0]
    ProductUnit.objects.create(product=products["TEA"], uom=box, factor=12)
    body = {**SMALL, "lines": [{"sku": "TEA", "qty": "5", "price": "120", "unit": "BOX"}]}
    po = api["buyer"].post("/api/v1/purchase-orders", body).body
    # 5 箱 × 120 = 600.00 net; 60 PCS at 10 per piece
    assert [(ln["unit"], ln["ordered"], ln["price"], ln["unit_cost"], ln["net"]) for ln in po["lines"]] == [
        ("BOX", "60", "120", "10", "600.00")]


def test_list_and_cancel(api, wh, supplier, products):
    a = api["buyer"].post("/api/v1/purchase-orders", SMALL).body
    b = api["buyer"].post("/api/v1/purchase-orders", SMALL).body
    r = api["buyer"].post(f"/api/v1/purchase-orders/{a['id']}/cancel")
    assert r.body["status"] == "cancelled"
    r = api["buyer"].post(f"/api/v1/purchase-orders/{a['id']}/confirm")
    assert (r.status_code, r.body["code"]) == (409, "invalid_transition")
    listed = api["accountant"].get("/api/v1/purchase-orders?limit=10").body
    assert listed["count"] == 2 and [o["number"] for o in listed["items"]] == [b["number"], a["number"]]
    assert api["accountant"].get("/api/v1/purchase-orders?status=cancelled").body["count"] == 1


def test_list_endpoints_do_not_grow_queries_with_rows(api, wh, supplier, products):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(path):
        with CaptureQueriesContext(connection) as ctx:
            assert api["accountant"].get(path).status_code == 200
        return len(ctx.captured_queries)

    api["buyer"].post("/api/v1/purchase-orders", SMALL)
    count("/api/v1/purchase-orders")  # warm: the token's first use is recorded once
    one = [count("/api/v1/purchase-orders"), count("/api/v1/supplier-invoices"), count("/api/v1/supplier-payments")]
    for _ in range(4):
        api["buyer"].post("/api/v1/purchase-orders", SMALL)
    assert [count("/api/v1/purchase-orders"), count("/api/v1/supplier-invoices"),
            count("/api/v1/supplier-payments")] == one

"""The invoice API: issue from shipped orders, JSON/XML/PDF, list, red invoice, refusals, permissions."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sihe.invoicing.models import Invoice
from sihe.invoicing.xml import parse_xml
from sihe.oms import billing

from .conftest import confirmation

pytestmark = pytest.mark.django_db
BUYER_ID = "91350100M000100Y43"


@pytest.fixture
def api(api_as, company):
    return api_as("accountant")


def test_issue_fetch_in_three_formats_list_and_reverse(api, make_order):
    # given two shipped orders
    first = make_order([("CUP-1", "1", "99.90"), ("TEE-1", "3", "1134.66")])
    second = make_order([("CUP-1", "2", "199.80")])
    # when they are invoiced by id and by number
    r = api.post("/api/v1/invoices", {"orders": [first.pk, second.number], "buyer_name": "上海示例食品加工有限公司",
                                      "buyer_tax_id": BUYER_ID})
    assert r.status_code == 201, r.json_body
    body = r.json_body
    assert len(body["number"]) == 20 and body["number"][2:5] == "312"
    assert (body["amount"], body["tax"], body["total"]) == ("1269.34", "165.02", "1434.36")
    assert body["total_in_words"] == "壹仟肆佰叁拾肆圆叁角陆分"
    assert [(ln["name"], ln["qty"], ln["amount"], ln["tax"], ln["tax_rate"]) for ln in body["lines"]] == [
        ("*日用杂品*陶瓷马克杯", "1", "88.41", "11.49", "0.13"), ("*服装*纯棉T恤", "3", "1004.12", "130.54", "0.13"),
        ("*日用杂品*陶瓷马克杯", "2", "176.81", "22.99", "0.13")]
    assert [s["source_number"] for s in body["sources"]] == [first.number, second.number]
    # then it reads back as JSON, XML and PDF
    pk = body["id"]
    assert api.get(f"/api/v1/invoices/{pk}").json_body == body
    xml = api.get(f"/api/v1/invoices/{pk}?format=xml")
    assert xml.status_code == 200 and xml["Content-Type"] == "application/xml"
    parsed = parse_xml(xml.content)
    assert parsed.problems() == [] and parsed.stated.total == D("1434.36") and parsed.invoice.number == body["number"]
    pdf = api.get(f"/api/v1/invoices/{pk}?format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
    # and the list shows it; a red invoice for one returned T-shirt: 1 × 334.70666667 → 334.71 + 43.51
    r = api.post(f"/api/v1/invoices/{pk}/red", {"lines": [{"line": 2, "qty": "1"}], "reason": "退货 RMA-1",
                                                "confirmation_number": "44030026120600000001"})
    assert r.status_code == 201, r.json_body
    red = r.json_body
    assert (red["kind"], red["amount"], red["tax"], red["total"]) == ("red", "-334.71", "-43.51", "-378.22")
    assert red["total_in_words"] == "（负数）叁佰柒拾捌圆贰角贰分"
    assert red["red_of"] == {"id": pk, "number": body["number"]} and red["red_reason"] == "退货 RMA-1"
    listing = api.get("/api/v1/invoices?limit=10").json_body
    assert listing["count"] == 2
    assert [(row["kind"], row["status"], row["total"]) for row in listing["items"]] == [
        ("red", "issued", "-378.22"), ("blue", "partly_reversed", "1434.36")]
    assert api.get(f"/api/v1/invoices?order={first.pk}").json_body["count"] == 2
    assert api.get(f"/api/v1/invoices?q={second.number}&kind=blue").json_body["count"] == 1
    # when the rest is reversed, the blue one is reversed and the remaining total nets to zero
    r = api.post(f"/api/v1/invoices/{pk}/red", {"reason": "整单退货", "confirmation_number": confirmation()})
    assert r.status_code == 201 and r.json_body["total"] == "-1056.14"
    assert api.get(f"/api/v1/invoices/{pk}").json_body["status"] == "reversed"
    r = api.post(f"/api/v1/invoices/{pk}/red", {"reason": "again", "confirmation_number": confirmation()})
    assert r.status_code == 409 and r.json_body["code"] == "already_reversed"


REFUSALS = [
    ({"orders": [], "buyer_name": "甲"}, 422, "orders"),
    ({"orders": ["TB-0001"], "buyer_name": ""}, 422, "buyer_name"),
    ({"orders": ["TB-0001"], "buyer_name": "甲", "buyer_tax_id": "91350100M000100Y4X"}, 422, "buyer_tax_id"),
    ({"orders": ["NOPE"], "buyer_name": "甲"}, 404, "orders[0]"),
    ({"orders": [2**70], "buyer_name": "甲"}, 404, "orders[0]"),
    ({"orders": ["TB-0001", "JD-1"], "buyer_name": "甲"}, 409, "orders[1]"),
    ({"orders": ["TB-0001"], "buyer_name": "甲", "extra": 1}, 422, "extra"),
    ({"orders": ["TB-0001"], "buyer_name": "甲\u0000"}, 422, "buyer_name"),
]


def test_refusals_name_the_field_and_change_nothing(api, make_order):
    make_order([("CUP-1", "1", "99.90")], number="TB-0001")
    make_order([("CUP-1", "1", "99.90")], number="JD-1", status="allocated")
    for body, status, field in REFUSALS:
        r = api.post("/api/v1/invoices", body)
        assert (r.status_code, r.json_body["field"]) == (status, field), (body, r.json_body)
    assert Invoice.objects.count() == 0


def test_twice_invoiced_is_409_naming_the_order(api, make_order):
    order = make_order([("CUP-1", "1", "99.90")], number="TB-7")
    first = api.post("/api/v1/invoices", {"orders": ["TB-7"], "buyer_name": "甲"})
    r = api.post("/api/v1/invoices", {"orders": [order.pk], "buyer_name": "甲"})
    assert r.status_code == 409 and r.json_body["code"] == "already_invoiced"
    assert "TB-7" in r.json_body["message"] and first.json_body["number"] in r.json_body["message"]


def test_red_refusals(api, make_order):
    make_order([("CUP-1", "2", "199.80")], number="TB-8")
    pk = api.post("/api/v1/invoices", {"orders": ["TB-8"], "buyer_name": "甲"}).json_body["id"]
    cases = [({"lines": [{"line": 1, "qty": "3"}], "reason": "x"}, 422, "lines[0].qty"),
             ({"lines": [{"line": 5}], "reason": "x"}, 422, "lines[0].line"),
             ({"lines": [{"line": 1, "qty": "-1"}], "reason": "x"}, 422, "lines[0].qty"),
             ({"lines": [], "reason": "x"}, 422, "lines"),
             ({"lines": [{"line": 1, "qty": "0.0000001"}], "reason": "x"}, 422, "lines[0].qty"),
             ({"lines": [{"line": 1, "qty": "0.00001"}], "reason": "x"}, 422, "lines[0].qty"),
             ({"lines": [{"line": 1, "qty": "1e99999"}], "reason": "x"}, 422, "lines[0].qty"),
             ({"lines": [{"line": 1}], "reason": "x\u0000"}, 422, "reason"),
             ({"reason": ""}, 422, "reason")]
    for body, status, field in cases:
        r = api.post(f"/api/v1/invoices/{pk}/red", {"confirmation_number": confirmation(), **body})
        assert (r.status_code, r.json_body["field"]) == (status, field), (body, r.json_body)
    assert api.post("/api/v1/invoices/999999/red", {"reason": "x", "confirmation_number": confirmation()}
                    ).status_code == 404
    assert api.get("/api/v1/invoices/999999").status_code == 404
    assert api.get(f"/api/v1/invoices/{pk}?format=doc").status_code == 422
    assert Invoice.objects.count() == 1


def test_permissions(api_as, company, make_order):
    make_order([("CUP-1", "1", "99.90")], number="TB-9")
    r = api_as("warehouse").post("/api/v1/invoices", {"orders": ["TB-9"], "buyer_name": "甲"})
    assert r.status_code == 403 and r.json_body["permission"] == "invoices.issue"
    assert api_as("warehouse").get("/api/v1/invoices").status_code == 403
    assert api_as("service").post("/api/v1/invoices", {"orders": ["TB-9"], "buyer_name": "甲"}).status_code == 201
    assert api_as("manager").get("/api/v1/invoices").json_body["count"] == 1


def test_list_is_a_fixed_number_of_queries(api, make_order):
    for n in range(6):
        make_order([("CUP-1", "1", "99.90")], number=f"TB-Q{n}")
        api.post("/api/v1/invoices", {"orders": [f"TB-Q{n}"], "buyer_name": "甲"})
    with CaptureQueriesContext(connection) as queries:
        r = api.get("/api/v1/invoices?limit=100")
    assert r.json_body["count"] == 6
    assert len(queries) <= 6


def test_errors_speak_chinese_to_a_chinese_client(api_as, company, make_order):
    make_order([("CUP-1", "1", "99.90")], number="TB-ZH")
    api = api_as("accountant")
    r = api.post("/api/v1/invoices", {"orders": ["TB-ZH"], "buyer_name": "甲", "buyer_tax_id": "91350100M000100Y4X"},
                 headers={"HTTP_ACCEPT_LANGUAGE": "zh-hans"})
    assert r.json_body["message"] == "91350100M000100Y4X 不是有效的统一社会信用代码（18 位，含校验码）"
    r = api.post("/api/v1/invoices", {"orders": ["NOPE"], "buyer_name": "甲"}, headers={"HTTP_ACCEPT_LANGUAGE": "zh-hans"})
    assert r.json_body["message"] == "订单 NOPE 不存在"


def test_the_same_request_twice_with_an_idempotency_key_is_one_invoice(api, make_order):
    make_order([("CUP-1", "1", "99.90")], number="TB-IK")
    body = {"orders": ["TB-IK"], "buyer_name": "甲"}
    first = api.post("/api/v1/invoices", body, headers={"HTTP_IDEMPOTENCY_KEY": "inv-1"})
    again = api.post("/api/v1/invoices", body, headers={"HTTP_IDEMPOTENCY_KEY": "inv-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json_body["number"] == first.json_body["number"] and Invoice.objects.count() == 1


json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.text(max_size=12),
                        st.floats(allow_nan=False, allow_infinity=False))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(body=st.fixed_dictionaries({}, optional={
    "lines": st.one_of(json_scalar, st.lists(st.fixed_dictionaries({}, optional={"line": json_scalar, "qty": json_scalar}),
                                             max_size=3)),
    "reason": json_scalar,
    "confirmation_number": st.one_of(json_scalar, st.from_regex(r"\A[0-9]{18,21}\Z"))}))
def test_red_route_on_a_real_invoice_never_answers_5xx(api, make_order, actor, body):
    # a fresh invoice each time (a discounted line among them), then any body at its red route
    order = make_order([("CUP-1", "3", "299.70"), ("TEE-1", "2", "207.00", "29.00")])
    invoice = billing.invoice_orders(orders=[order.pk], buyer_name="甲", actor=actor)
    r = api.post(f"/api/v1/invoices/{invoice.pk}/red", body)
    assert r.status_code < 500, (body, r.content[:300])


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(body=st.fixed_dictionaries({}, optional={
    "orders": st.one_of(json_scalar, st.lists(st.one_of(json_scalar, st.just("REAL"), st.just("REAL-ID")), max_size=3)),
    "buyer_name": json_scalar, "buyer_tax_id": json_scalar}))
def test_issue_route_with_real_orders_never_answers_5xx(api, make_order, body):
    order = make_order([("CUP-1", "1", "99.90")])
    if isinstance(body.get("orders"), list):
        body["orders"] = [order.number if o == "REAL" else order.pk if o == "REAL-ID" else o for o in body["orders"]]
    r = api.post("/api/v1/invoices", body)
    assert r.status_code < 500, (body, r.content[:300])

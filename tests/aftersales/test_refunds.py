"""Refund-only after-sales cases: the sale reversed to the fen (revenue, output VAT, receivable), the money
paid back when the order was settled, approval over the limit by a second person, a platform's refund id
taken once, and two refunds of one line at once: one wins."""

from decimal import Decimal

import pytest
from django.conf import settings

from sihe.ledger.models import VoucherLine
from sihe.ledger.reports import trial_balance
from sihe.oms.aftersales.models import Case
from sihe.oms.models import Order
from tests.conftest import run_parallel
from tests.oms.world import build, dealer_order

D = Decimal
POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def net(code: str) -> Decimal:
    rows = VoucherLine.objects.filter(account__code=code, voucher__status="posted")
    return sum((r.debit - r.credit for r in rows), D(0))


def shipped_dealer_order(api_as, number="D-9001", qty=2, price="50.00") -> dict:
    service = api_as("service")
    r = service.post("/api/v1/channels/dealer/orders", dealer_order(number, qty, price))
    assert r.status_code == 201, r.json_body
    order = r.json_body["order"]
    r = api_as("warehouse").post(f"/api/v1/orders/{order['id']}/ship", {"carrier": "SF", "tracking_no": "SF1"})
    assert r.status_code == 200, r.json_body
    return order


@pytest.mark.django_db
def test_a_refund_before_settlement_takes_the_sale_back_to_the_fen(api_as):
    build(stock={"SH": 4})
    order = shipped_dealer_order(api_as)
    service = api_as("service")
    assert net("1122") == D("100.00") and net("5001") == D("-88.50") and net("2221.01.06") == D("-11.50")
    r = service.post(f"/api/v1/orders/{order['id']}/aftersales", {
        "kind": "refund_only", "lines": [{"line": "TEE-BLK-M", "qty": 1}], "reason": "少发配件，协商退款"})
    assert r.status_code == 201, r.json_body
    case = r.json_body
    assert (case["status"], case["refund_amount"], case["allowed_actions"]) == ("open", "50.00",
                                                                               ["reject", "refund", "cancel"])
    r = service.post(f"/api/v1/aftersales/{case['number']}/refund")
    assert r.status_code == 200, r.json_body
    assert (r.json_body["status"], r.json_body["refunded_amount"], r.json_body["paid_back"]) == ("refunded", "50.00",
                                                                                               "0.00")
    # 50.00 = 44.25 + 5.75 taken back: the receivable, revenue and output VAT are half of the sale
    assert (net("1122"), net("5001"), net("2221.01.06")) == (D("50.00"), D("-44.25"), D("-5.75"))
    o = Order.objects.get(pk=order["id"])
    assert o.revenue_total == D("50.00") and Case.objects.get().refunded_amount == D("50.00")
    report = trial_balance("2026-12")
    assert report["totals"]["debit"] == report["totals"]["credit"]
    # the dealer pays the rest: settled exactly
    r = api_as("accountant").post(f"/api/v1/orders/{order['id']}/settlements", {"kind": "bank", "amount": "50.00"})
    assert r.status_code == 201, r.json_body
    assert net("1122") == D("0.00")


@pytest.mark.django_db
def test_a_refund_after_settlement_pays_the_money_back(api_as):
    build(stock={"SH": 4})
    order = shipped_dealer_order(api_as)
    api_as("accountant").post(f"/api/v1/orders/{order['id']}/settlements", {"kind": "bank", "amount": "100.00"})
    bank_before = net("1002")
    service = api_as("service")
    case = service.post(f"/api/v1/orders/{order['id']}/aftersales", {
        "kind": "refund_only", "lines": [{"line": "TEE-BLK-M", "qty": 2, "amount": "30.00"}],
        "refund_via": "bank"}).json_body
    body = service.post(f"/api/v1/aftersales/{case['id']}/refund").json_body
    assert (body["refunded_amount"], body["paid_back"]) == ("30.00", "30.00")
    assert net("1002") - bank_before == D("-30.00") and net("1122") == D("0.00")
    assert net("5001") == D("-61.95") and net("2221.01.06") == D("-8.05")  # 70.00 of sale left
    o = Order.objects.get(pk=order["id"])
    assert (o.revenue_total, o.settled_total) == (D("70.00"), D("70.00"))


@pytest.mark.django_db
def test_over_the_limit_a_second_person_approves(api_as, settings):
    settings.SIHE_REFUND_APPROVAL_LIMIT = "40.00"
    build(stock={"SH": 4})
    order = shipped_dealer_order(api_as)
    service, manager = api_as("service"), api_as("manager")
    case = service.post(f"/api/v1/orders/{order['id']}/aftersales", {
        "kind": "refund_only", "lines": [{"line": "TEE-BLK-M", "qty": 1}]}).json_body
    assert case["status"] == "pending_approval" and case["allowed_actions"] == ["approve", "reject", "cancel"]
    refused = service.post(f"/api/v1/aftersales/{case['id']}/refund")
    assert refused.status_code == 409
    assert service.post(f"/api/v1/aftersales/{case['id']}/approve").status_code == 403
    body = manager.post(f"/api/v1/aftersales/{case['id']}/approve", {"note": "老客户"}).json_body
    assert body["status"] == "open" and body["approved_by"] and body["approved_by"] == Case.objects.get().approved_by
    assert service.post(f"/api/v1/aftersales/{case['id']}/refund").json_body["status"] == "refunded"


@pytest.mark.django_db
def test_the_same_platform_refund_twice_is_one_case_and_bad_input_names_the_field(api_as):
    build(stock={"SH": 4})
    order = shipped_dealer_order(api_as)
    service = api_as("service")
    body = {"kind": "refund_only", "lines": [{"line": "TEE-BLK-M", "qty": 1}], "channel_ref": "RF-778899"}
    first = service.post(f"/api/v1/orders/{order['id']}/aftersales", body).json_body
    again = service.post(f"/api/v1/orders/{order['id']}/aftersales", body).json_body
    assert first["id"] == again["id"] and Case.objects.count() == 1
    for lines, field in (([{"line": "NOPE", "qty": 1}], "lines[0].line"), ([{"line": "TEE-BLK-M", "qty": 5}],
                         "lines[0].qty"), ([{"line": "TEE-BLK-M", "qty": 1, "amount": "80.00"}], "lines[0].amount"),
                         ([{"line": "TEE-BLK-M", "qty": -1}], "lines[0].qty")):
        r = service.post(f"/api/v1/orders/{order['id']}/aftersales", {"kind": "refund_only", "lines": lines})
        assert r.status_code == 422 and r.json_body["field"] == field, (lines, r.json_body)
    assert Case.objects.count() == 1
    # the first case claims one unit: a second case may take the other one, not two
    r = service.post(f"/api/v1/orders/{order['id']}/aftersales", {"kind": "refund_only",
                                                                  "lines": [{"line": "TEE-BLK-M", "qty": 2}]})
    assert r.status_code == 422 and r.json_body["code"] == "more_than_shipped"


@pytest.mark.django_db
def test_nothing_shipped_nothing_to_refund(api_as):
    build(stock={"SH": 4})
    service = api_as("service")
    order = service.post("/api/v1/channels/dealer/orders", dealer_order("D-9002", 1)).json_body["order"]
    r = service.post(f"/api/v1/orders/{order['id']}/aftersales", {"kind": "refund_only",
                                                                  "lines": [{"line": "TEE-BLK-M", "qty": 1}]})
    assert r.status_code == 409 and r.json_body["code"] == "not_shipped"


@pytest.mark.postgres_only
@pytest.mark.skipif(not POSTGRES, reason="needs real parallel PostgreSQL connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_refunds_of_one_line_one_wins(api_as):
    build(stock={"SH": 4})
    order = shipped_dealer_order(api_as)
    service = api_as("service")
    body = {"kind": "refund_only", "lines": [{"line": "TEE-BLK-M", "qty": 2}]}
    opened = run_parallel(lambda i: service.post(f"/api/v1/orders/{order['id']}/aftersales", body).status_code, 6)
    assert sorted(opened) == [201, 422, 422, 422, 422, 422]
    case = Case.objects.get()
    refunded = run_parallel(lambda i: service.post(f"/api/v1/aftersales/{case.pk}/refund").status_code, 6)
    assert sorted(refunded) == [200, 409, 409, 409, 409, 409]
    assert net("1122") == D("0.00") and Case.objects.get().refunded_amount == D("100.00")

"""B2B over the API: a quotation's acts as its table allows, expired quotations refused, the credit limit
holding a converted order, one receipt spread oldest first with the rest kept as 预收, the statement as
JSON, Excel and PDF; refusals name their field and change nothing."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.conf import settings
from openpyxl import load_workbook

from sihe.ledger.models import VoucherLine
from sihe.oms.b2b.models import Advance, Quotation, Receipt
from sihe.oms.models import Order
from tests.oms.world import dealer_order

from .world import dealer_world

D = Decimal
pytestmark = pytest.mark.django_db
RECEIVER = {"name": "王经理", "phone": "13800000000"}


def net(code: str, partner: str = "") -> Decimal:
    rows = VoucherLine.objects.filter(account__code=code, voucher__status="posted")
    if partner:
        rows = rows.filter(partner=partner)
    return sum((r.debit - r.credit for r in rows), D(0))


def quote(service, qty="12", **extra):
    r = service.post("/api/v1/quotations", {"partner": "C-DEALER-01", "receiver": RECEIVER,
                                            "lines": [{"sku": "TEE-BLK-M", "qty": qty}], **extra})
    assert r.status_code == 201, r.json_body
    return r.json_body


def shipped(api_as, number, qty, price="50.00"):
    r = api_as("service").post("/api/v1/channels/dealer/orders", dealer_order(number, qty, price))
    assert r.status_code == 201, r.json_body
    order = r.json_body["order"]
    r = api_as("warehouse").post(f"/api/v1/orders/{order['id']}/ship", {"carrier": "SF", "tracking_no": number})
    assert r.status_code == 200, r.json_body
    return order


def test_a_quotation_goes_as_its_table_allows_and_expires(api_as, clock):
    dealer_world(promotions=False)
    service = api_as("service")
    q = quote(service, valid_until="2026-12-05")
    assert (q["status"], q["total"], q["lines"][0]["unit_price"], q["allowed_actions"]) == (
        "draft", "540.00", "45.00", ["send", "accept", "cancel"])
    r = service.post(f"/api/v1/quotations/{q['number']}/convert")
    assert r.status_code == 409 and r.json_body["field"] == "status", r.json_body
    assert service.post(f"/api/v1/quotations/{q['id']}/send").json_body["allowed_actions"] == ["accept", "cancel"]
    # after its validity date it can be neither accepted nor converted
    clock.at(2026, 12, 6)
    r = service.post(f"/api/v1/quotations/{q['id']}/accept")
    assert (r.status_code, r.json_body["code"], r.json_body["field"]) == (409, "quotation_expired", "valid_until")
    assert Quotation.objects.get().status == "sent"
    r = service.post(f"/api/v1/quotations/{q['id']}/cancel", {"note": "客户未确认"})
    assert r.json_body["status"] == "cancelled" and r.json_body["allowed_actions"] == []
    # a warehouse user may read but not quote
    assert api_as("warehouse").post("/api/v1/quotations", {"partner": "C-DEALER-01", "lines": [
        {"sku": "TEE-BLK-M", "qty": 1}]}).status_code == 403
    # refusals name the field
    r = service.post("/api/v1/quotations", {"partner": "C-DEALER-01", "lines": [{"sku": "TEE-BLK-M", "qty": "-1"}]})
    assert (r.status_code, r.json_body["field"]) == (422, "lines[0].qty")
    r = service.post("/api/v1/quotations", {"partner": "C-NOBODY", "lines": [{"sku": "TEE-BLK-M", "qty": 1}]})
    assert (r.status_code, r.json_body["field"]) == (404, "partner")
    assert Quotation.objects.count() == 1


def test_a_converted_quotation_over_the_credit_limit_waits_for_a_manager(api_as):
    world = dealer_world(promotions=False)
    world["dealer"].credit_limit = D("500.00")
    world["dealer"].save(update_fields=["credit_limit"])
    service = api_as("service")
    q = quote(service)  # 540.00
    service.post(f"/api/v1/quotations/{q['id']}/accept")
    r = service.post(f"/api/v1/quotations/{q['id']}/convert")
    assert r.status_code == 201, r.json_body
    assert (r.json_body["status"], r.json_body["order"]["status"], r.json_body["order"]["hold_reason"]) == (
        "converted", "held", "credit")
    # the quotation is one order: a second convert is refused
    r = service.post(f"/api/v1/quotations/{q['id']}/convert")
    assert r.status_code == 409 and Order.objects.count() == 1


def test_one_receipt_oldest_first_and_the_rest_kept_as_an_advance(api_as, clock):
    dealer_world(promotions=False)
    first = shipped(api_as, "D-1", 2)  # 100.00
    clock.advance(days=1)
    second = shipped(api_as, "D-2", 3)  # 150.00
    accountant = api_as("accountant")
    assert api_as("manager").get("/api/v1/ar/aging?dealers_only=true").json_body["totals"]["total"] == "250.00"
    r = accountant.post("/api/v1/receipts", {"partner": "C-DEALER-01", "amount": "300.00", "reference": "网银 77"})
    assert r.status_code == 201, r.json_body
    receipt = r.json_body
    assert [(a["order"], a["amount"]) for a in receipt["allocations"]] == [
        (first["number"], "100.00"), (second["number"], "150.00")]
    assert (receipt["applied"], receipt["unapplied"], receipt["advance"]) == ("250.00", "50.00", "YS202612-00001")
    # 1002 +300.00; 1122 cleared; 50.00 owed back as 预收账款
    assert (net("1002"), net("1122", "C-DEALER-01"), net("2203", "C-DEALER-01")) == (
        D("300.00"), D("0.00"), D("-50.00"))
    # the AR aging owes nothing more for the dealer (it said 250.00 before the receipt)
    aging = api_as("manager").get("/api/v1/ar/aging?dealers_only=true").json_body
    assert (aging["totals"]["total"], aging["rows"]) == ("0", [])
    # a new order of 50.00 ships: the advance is applied at once
    third = shipped(api_as, "D-3", 1)
    assert Order.objects.get(pk=third["id"]).status == "completed"
    assert (net("1122", "C-DEALER-01"), net("2203", "C-DEALER-01")) == (D("0.00"), D("0.00"))
    assert Advance.objects.get().applied == D("50.00")
    # the statement as JSON, Excel and PDF
    r = accountant.get("/api/v1/partners/C-DEALER-01/statement?from=2026-12-01&to=2026-12-31")
    assert r.status_code == 200, r.json_body
    st = r.json_body
    assert [(x["kind"], x["debit"], x["credit"], x["balance"]) for x in st["lines"]] == [
        ("sale", "100.00", "0.00", "100.00"), ("sale", "150.00", "0.00", "250.00"),
        ("receipt", "0.00", "100.00", "150.00"), ("receipt", "0.00", "150.00", "0.00"),
        ("advance", "0.00", "50.00", "-50.00"), ("sale", "50.00", "0.00", "0.00")]
    assert (st["opening"], st["closing"]) == ("0.00", "0.00")
    r = accountant.get("/api/v1/partners/C-DEALER-01/statement?from=2026-12-01&to=2026-12-31&format=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(BytesIO(r.content)).active
    assert ws["A1"].value == "客户对账单 杭州好运商贸有限公司（C-DEALER-01）"
    assert [ws.cell(row=ws.max_row, column=c).value for c in (4, 5, 6, 7)] == ["本期合计 / 期末余额", 300, 300, 0]
    r = accountant.get("/api/v1/partners/C-DEALER-01/statement?from=2026-12-01&to=2026-12-31&format=pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_receipts_refuse_more_than_is_owed_and_change_nothing(api_as):
    dealer_world(promotions=False)
    order = shipped(api_as, "D-1", 2)
    accountant = api_as("accountant")
    r = accountant.post("/api/v1/receipts", {"partner": "C-DEALER-01", "amount": "300.00",
                                             "allocations": [{"order": order["number"], "amount": "120.00"}]})
    assert (r.status_code, r.json_body["field"], r.json_body["code"]) == (
        422, "allocations[0].amount", "over_settlement"), r.json_body
    r = accountant.post("/api/v1/receipts", {"partner": "C-DEALER-01", "amount": "50.00",
                                             "allocations": [{"order": order["number"]}]})
    assert (r.status_code, r.json_body["field"], r.json_body["code"]) == (422, "allocations", "over_receipt")
    r = accountant.post("/api/v1/receipts", {"partner": "C-DEALER-01", "amount": "50.00", "account": "1001"})
    assert (r.status_code, r.json_body["field"]) == (422, "account")
    assert not Receipt.objects.exists() and net("1002") == D("0.00")
    assert api_as("service").post("/api/v1/receipts", {"partner": "C-DEALER-01", "amount": "1"}).status_code == 403


POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.mark.postgres_only
@pytest.mark.skipif(not POSTGRES, reason="needs real parallel PostgreSQL connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_receipts_for_one_order_one_settles_it(api_as):
    from tests.conftest import run_parallel

    dealer_world(promotions=False)
    order = shipped(api_as, "D-1", 2)  # 100.00 owed
    accountant = api_as("accountant")
    body = {"partner": "C-DEALER-01", "amount": "100.00", "allocations": [{"order": order["number"], "amount": "100.00"}]}
    codes = run_parallel(lambda i: accountant.post("/api/v1/receipts", body).status_code, 4)
    assert sorted(codes) == [201, 422, 422, 422]
    assert Receipt.objects.count() == 1 and net("1122", "C-DEALER-01") == D("0.00") and net("1002") == D("100.00")

"""Issue 12.1: any date was accepted for postings — a receipt dated 0001-01-01 opened period 0001-01 and
blocked month-end for good. Dates are bounded for every document that carries one."""

from sihe.ledger import services
from sihe.ledger.models import Period, Voucher
from sihe.stock.models import StockMove
from tests.stock.conftest import make_product, make_warehouse

RECEIPT = {"warehouse": "DT", "lines": [{"sku": "DT-1", "qty": "2", "unit_cost": "3"}]}


def test_12_1_a_receipt_dated_0001_01_01_is_refused_and_month_end_still_closes(api_as, clock):
    clock.at(2026, 12, 2)
    make_warehouse("DT")
    make_product("DT-1")
    warehouse = api_as("warehouse")
    for date, code in (("0001-01-01", "date_too_far_back"), ("2099-01-01", "date_too_far_ahead")):
        response = warehouse.post("/api/v1/stock/receipts", {**RECEIPT, "date": date})
        assert (response.status_code, response.json_body["code"], response.json_body["field"]) == (422, code, "date")
    assert StockMove.objects.count() == 0 and Voucher.objects.count() == 0
    assert not Period.objects.filter(code="0001-01").exists()
    # a receipt today posts, and November still closes (nothing stands in the way)
    assert warehouse.post("/api/v1/stock/receipts", {**RECEIPT, "date": "2026-11-20"}).status_code == 201
    clock.at(2026, 12, 3)
    closed = api_as("accountant").post("/api/v1/ledger/periods/2026-11/close")
    assert closed.status_code == 200, closed.json_body


def test_12_1_a_date_before_a_closed_period_is_refused(api_as, clock, actor):
    clock.at(2026, 12, 2)
    make_warehouse("DT")
    make_product("DT-1")
    warehouse = api_as("warehouse")
    assert warehouse.post("/api/v1/stock/receipts", {**RECEIPT, "date": "2026-11-20"}).status_code == 201
    services.close_period(period="2026-11", actor=actor)
    # October never had a voucher, so it has no period row: it is closed all the same
    response = warehouse.post("/api/v1/stock/receipts", {**RECEIPT, "date": "2026-10-15"})
    assert (response.status_code, response.json_body["code"]) == (409, "period_closed")
    assert StockMove.objects.count() == 1


def test_12_1_vouchers_before_the_books_start_are_refused(api_as, clock, actor):
    clock.at(2026, 12, 2)
    services.import_opening_balances(period="2026-07", actor=actor, rows=[
        {"account": "1002", "debit": "10.00"}, {"account": "3001", "credit": "10.00"}])
    body = {"date": "2026-06-30", "lines": [{"account": "1001", "debit": "1", "summary": "备用金", "cash_flow_item": "1"},
                                            {"account": "1002", "credit": "1", "summary": "备用金"}]}
    response = api_as("accountant").post("/api/v1/ledger/vouchers", body)
    assert (response.status_code, response.json_body["code"], response.json_body["field"]) == (
        422, "date_before_books", "date")
    assert api_as("accountant").post("/api/v1/ledger/vouchers", {**body, "date": "2026-07-01"}).status_code == 201

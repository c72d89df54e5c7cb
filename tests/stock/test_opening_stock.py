"""Issue 11.9: opening stock is an opening balance (期初库存 against the opening equity account), not a
receipt on credit booked to 2202.02 暂估."""

import datetime
from decimal import Decimal as D

from sihe.costing.checks import inventory_matches_ledger
from sihe.ledger import reports
from sihe.ledger.models import OpeningBalance, Voucher
from sihe.ledger.services import import_opening_balances
from sihe.stock.models import StockLevel, StockMove
from tests.stock.conftest import make_product, make_warehouse


def test_11_9_opening_stock_is_an_opening_balance_not_a_payable(api_as, clock, actor):
    clock.at(2026, 11, 20)
    # given books opening in 2026-11 with cash and capital
    import_opening_balances(period="2026-11", actor=actor, rows=[
        {"account": "1002", "debit": "1000.00"}, {"account": "3001", "credit": "1000.00"}])
    make_warehouse("OPN")
    make_product("OPN-1")
    api = api_as("accountant")
    # when the stock on hand is loaded: 10 at 5.25 and 4 at 2.00 → 60.50
    response = api.post("/api/v1/stock/opening", {"warehouse": "OPN", "period": "2026-11", "lines": [
        {"sku": "OPN-1", "qty": "10", "unit_cost": "5.25"}, {"sku": "OPN-1", "qty": "4", "unit_cost": "2"}]})
    assert response.status_code == 201, response.json_body
    # then stock is on hand, dated the day before the books open, and no voucher was made
    assert StockLevel.objects.get(product__sku="OPN-1").on_hand == D(14)
    assert set(StockMove.objects.values_list("date", "counterpart")) == {(datetime.date(2026, 10, 31), "opening")}
    assert Voucher.objects.count() == 0
    # the opening balances hold 1405 for the warehouse against 利润分配—未分配利润, and still balance
    rows = {(o.account.code, o.warehouse): (o.debit, o.credit) for o in OpeningBalance.objects.select_related("account")}
    assert rows[("1405", "OPN")] == (D("60.50"), D("0"))
    assert rows[("3104.01", "")] == (D("0"), D("60.50"))
    assert sum(d for d, _c in rows.values()) == sum(c for _d, c in rows.values()) == D("1060.50")
    # nothing is owed to a supplier, and stock = ledger at month end
    net = reports.net_at_end("2026-11")
    grni = reports.account_by_code("2202.02")
    assert net.get((grni.pk,), D(0)) == D(0)
    ok, detail = inventory_matches_ledger("2026-11")
    assert ok, detail
    # re-importing the accountant's balances keeps the opening stock
    import_opening_balances(period="2026-11", actor=actor, rows=[
        {"account": "1002", "debit": "2000.00"}, {"account": "3001", "credit": "2000.00"}])
    assert OpeningBalance.objects.filter(source="stock").count() == 2
    assert inventory_matches_ledger("2026-11")[0]
    # a period other than the books' first is refused, naming the field
    other = api.post("/api/v1/stock/opening", {"warehouse": "OPN", "period": "2026-12", "lines": [
        {"sku": "OPN-1", "qty": "1", "unit_cost": "1"}]})
    assert (other.status_code, other.json_body["code"], other.json_body["field"]) == (409, "other_opening_period",
                                                                                       "period")

"""Stock acts post their vouchers through the ledger's posting rules; valuation matches 1405/1403."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import translation

from sihe.costing import services as costing
from sihe.costing.checks import inventory_matches_ledger
from sihe.ledger.close import run_checks
from sihe.ledger.models import Voucher
from sihe.stock.models import Counterpart, StockMove
from tests.stock.conftest import TODAY, inl, make_product, make_warehouse, outl

pytestmark = pytest.mark.django_db


def vouchers(rule):
    return [(v.rule, sorted((ln.account.code, ln.debit or D(0), ln.credit or D(0), ln.warehouse) for ln in v.lines.all()))
            for v in Voucher.objects.filter(rule=rule).order_by("id")]


def test_each_act_books_its_rule_and_the_month_end_check_passes(wh, actor):
    other = make_warehouse("WH2")
    p = make_product("GL-1")
    [(receipt, _)] = costing.receive(warehouse=wh, lines=[inl(p, 10, "10")], actor=actor, date=TODAY)
    costing.issue(warehouse=wh, lines=[outl(p, 3)], actor=actor, date=TODAY)
    costing.adjust(warehouse=wh, gains=[], losses=[outl(p, 1)], actor=actor, date=TODAY)
    costing.take_out(kind=StockMove.Kind.SCRAP, counterpart=Counterpart.SCRAP, warehouse=wh, lines=[outl(p, 1)],
                     actor=actor, date=TODAY)
    costing.transfer(warehouse=wh, lines=[outl(p, 2)], to_warehouse=other, to_location=None, actor=actor, date=TODAY)
    assert vouchers("stock.receipt") == [("stock.receipt", [("1405", D("100.00"), 0, "WH1"), ("2202.02", 0, D("100.00"), "")])]
    assert vouchers("stock.issue") == [("stock.issue", [("1405", 0, D("30.00"), "WH1"), ("5401", D("30.00"), 0, "")])]
    assert vouchers("stock.adjustment.loss")[0][1] == [("1405", 0, D("10.00"), "WH1"), ("1901", D("10.00"), 0, "WH1")]
    assert vouchers("stock.scrap")[0][1] == [("1405", 0, D("10.00"), "WH1"), ("1901", D("10.00"), 0, "WH1")]
    assert vouchers("stock.transfer")[0][1] == [("1405", 0, D("20.00"), "WH1"), ("1405", D("20.00"), 0, "WH2")]
    # every voucher links back to its stock move
    assert Voucher.objects.filter(rule="stock.receipt").get().source_id == str(receipt.pk)
    with translation.override("en"):
        ok, detail = inventory_matches_ledger("2026-11")
    assert ok, detail
    assert "stock valuation ¥50.00" in detail  # 100 − 30 − 10 − 10; the transfer moves 20 to WH2
    assert {r["code"]: r["ok"] for r in run_checks("2026-11")}["inventory_matches_ledger"] is True


def test_reversal_and_recosting_book_the_opposite_rule(wh, actor):
    p = make_product("GL-2")
    day = lambda n: datetime.date(2026, 11, n)  # noqa: E731
    costing.receive(warehouse=wh, lines=[inl(p, 10, "10")], actor=actor, date=day(1))
    costing.issue(warehouse=wh, lines=[outl(p, 5)], actor=actor, date=day(5))
    # a backdated cheaper receipt lowers the day-5 cost: (100 + 10 × 4) / 20 × 5 = 35 → 15.00 back
    [(cheap, _)] = costing.receive(warehouse=wh, lines=[inl(p, 10, "4")], actor=actor, date=day(3))
    assert vouchers("stock.issue.reverse") == [
        ("stock.issue.reverse", [("1405", D("15.00"), 0, "WH1"), ("5401", 0, D("15.00"), "")])]
    costing.reverse(move=cheap, actor=actor, date=day(20))
    assert [amount for _r, lines in vouchers("stock.receipt.reverse") for _a, amount, _c, _w in lines if amount] == [
        D("40.00")]
    ok, detail = inventory_matches_ledger("2026-11")
    assert ok, detail


def test_goods_returned_to_the_supplier_reverse_the_receipt_estimate(wh, actor):
    # given 10 received at 10.00 (库存商品 / 应付账款—暂估 100.00)
    p = make_product("RET-1")
    costing.receive(warehouse=wh, lines=[inl(p, 10, "10")], actor=actor, date=TODAY)
    # when 4 go back to the supplier
    costing.take_out(kind=StockMove.Kind.ISSUE, counterpart=Counterpart.SUPPLIER, warehouse=wh, lines=[outl(p, 4)],
                     actor=actor, date=TODAY)
    # then the estimate is reversed for 40.00: 应付账款—暂估 debit, 库存商品 credit
    assert vouchers("stock.receipt.reverse") == [
        ("stock.receipt.reverse", [("1405", 0, D("40.00"), "WH1"), ("2202.02", D("40.00"), 0, "")])]
    with translation.override("en"):
        ok, detail = inventory_matches_ledger("2026-11")
    assert ok and "stock valuation ¥60.00" in detail

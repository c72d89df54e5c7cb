"""A customer return (退货: goods brought in from the customer, not a reversal) books the sale's cost
back — stock.issue reversed, 库存商品 debit / 主营业务成本 credit — at the value it is brought in at,
not at today's average; reversing the return books stock.issue again."""

import datetime
from decimal import Decimal as D

import pytest

from sihe.costing import services as costing
from sihe.costing.checks import inventory_matches_ledger
from sihe.costing.models import ValuationLayer
from sihe.costing.postings import against_rule, signed
from sihe.ledger.models import Voucher, VoucherLine
from sihe.stock.models import Counterpart, StockMove
from tests.stock.conftest import inl, make_product, outl

pytestmark = pytest.mark.django_db


def day(n: int) -> datetime.date:
    return datetime.date(2026, 11, n)


def balance(code: str) -> D:
    return sum((vl.debit - vl.credit for vl in VoucherLine.objects.filter(account__code=code)), D(0))


def lines_of(voucher: Voucher) -> list:
    return sorted((ln.account.code, ln.debit or D(0), ln.credit or D(0)) for ln in voucher.lines.all())


def test_a_return_comes_back_at_its_issue_cost_not_at_todays_average(wh, actor):
    # given 1 unit issued at 20.00 and the average since risen to 24.00
    p = make_product("RTN-1")
    costing.receive(warehouse=wh, lines=[inl(p, 2, "20")], actor=actor, date=day(1))
    [(_issue, out)] = costing.issue(warehouse=wh, lines=[outl(p, 1)], actor=actor, date=day(2))
    assert out.value == D("-20.00")
    costing.receive(warehouse=wh, lines=[inl(p, 1, "28")], actor=actor, date=day(3))
    assert costing.valuation(product=p, warehouse=wh)["unit_cost"] == D("24.000000")
    inventory, cogs = balance("1405"), balance("5401")
    # when the customer sends it back, brought in at the unit cost it left at
    [(move, layer)] = costing.bring_in(kind=StockMove.Kind.RECEIPT, counterpart=Counterpart.CUSTOMER, warehouse=wh,
                                       lines=[inl(p, 1, "20")], actor=actor, reference="RMA-1", date=day(4))
    # then the layer is worth 20.00 (fixed, like a receipt), the average moves to 68 / 3
    assert (layer.kind, layer.qty, layer.value, layer.unit_cost, layer.fixed_value) == (
        "in", D("1"), D("20.00"), D("20.000000"), True)
    assert (layer.running_qty, layer.running_value, layer.running_unit_cost) == (D("3"), D("68.00"), D("22.666667"))
    # and the sale's cost is booked back: stock.issue reversed, 1405 +20.00 / 5401 −20.00
    [voucher] = Voucher.objects.filter(source_type="stock_move", source_id=str(move.pk))
    assert voucher.rule == "stock.issue.reverse"
    assert lines_of(voucher) == [("1405", D("20.00"), D(0)), ("5401", D(0), D("20.00"))]
    assert "销售退回" in voucher.memo
    assert (balance("1405") - inventory, balance("5401") - cogs) == (D("20.00"), D("-20.00"))
    assert balance("5401") == D("0.00")
    ok, detail = inventory_matches_ledger("2026-11")
    assert ok, detail

    # when the return is reversed (红字), the same 20.00 goes out and stock.issue is booked again
    reversal, out_layer = costing.reverse(move=move, actor=actor, date=day(5))
    assert out_layer.value == D("-20.00")
    [again] = Voucher.objects.filter(source_type="stock_move", source_id=str(reversal.pk))
    assert again.rule == "stock.issue"
    assert lines_of(again) == [("1405", D(0), D("20.00")), ("5401", D("20.00"), D(0))]
    assert balance("5401") == D("20.00")
    ok, detail = inventory_matches_ledger("2026-11")
    assert ok, detail


def test_a_backdated_return_recosts_later_issues_and_the_books_follow(wh, actor):
    # given 10 at 10.00, an issue of 5 on day 5 (50.00)
    p = make_product("RTN-2")
    costing.receive(warehouse=wh, lines=[inl(p, 10, "10")], actor=actor, date=day(1))
    costing.issue(warehouse=wh, lines=[outl(p, 5)], actor=actor, date=day(5))
    # when a return of 5 at 4.00 is recorded on day 3: the day-5 average is (100 + 20) / 15 → 5 × 8 = 40.00
    costing.bring_in(kind=StockMove.Kind.RECEIPT, counterpart=Counterpart.CUSTOMER, warehouse=wh,
                     lines=[inl(p, 5, "4")], actor=actor, reference="RMA-2", date=day(3))
    issue_layer = ValuationLayer.objects.get(product=p, kind="out")
    assert issue_layer.value == D("-40.00")
    # then 5401: +50 issued, −20 returned, −10 re-costed; 1405 equals the layers
    assert balance("5401") == D("20.00")
    assert balance("1405") == D("80.00")
    ok, detail = inventory_matches_ledger("2026-11")
    assert ok, detail


@pytest.mark.parametrize(("kind", "rule", "reversal", "expected"), [
    ("out", "stock.issue", False, D("5")),    # a sale
    ("in", "stock.issue", False, D("-5")),    # a customer return → stock.issue.reverse
    ("out", "stock.issue", True, D("5")),     # the reversal of a customer return → stock.issue
    ("in", "stock.issue", True, D("-5")),     # the reversal of a sale → stock.issue.reverse
    ("in", "stock.receipt", False, D("5")),   # a purchase receipt
    ("out", "stock.receipt", False, D("-5")),  # a return to the supplier → stock.receipt.reverse
    ("in", "stock.receipt", True, D("5")),    # the reversal of a return to the supplier → stock.receipt
    ("out", "stock.receipt", True, D("-5")),  # the reversal of a receipt → stock.receipt.reverse
])
def test_signs_of_acts_with_and_against_their_rule(kind, rule, reversal, expected):
    assert signed(D("5"), kind=kind, rule=rule, reversal=reversal) == expected
    assert against_rule(kind, rule, reversal=reversal) == (rule == "stock.issue") ^ ((kind == "out") ^ reversal)

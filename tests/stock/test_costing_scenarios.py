"""Worked costing examples (algorithms.md): moving average and FIFO over receipts, issues, a stock-out."""

import datetime
from decimal import Decimal as D

import pytest

from sihe.costing import services as costing
from sihe.costing.models import ValuationLayer
from sihe.stock.errors import InsufficientStock
from sihe.stock.models import StockLevel, StockMove
from tests.stock.conftest import TODAY, inl, make_product, make_warehouse, outl

pytestmark = pytest.mark.django_db


def value_of(product):
    return costing.valuation(product=product)


def test_moving_average_worked_example(wh, actor):
    # given 10 @ 10.00 and 5 @ 13.00 → average (100 + 65) / 15 = 11.00
    p = make_product("MA-1")
    costing.receive(warehouse=wh, lines=[inl(p, 10, "10")], actor=actor, date=TODAY)
    costing.receive(warehouse=wh, lines=[inl(p, 5, "13")], actor=actor, date=TODAY)
    # when 3 are issued
    [(move, layer)] = costing.issue(warehouse=wh, lines=[outl(p, 3)], actor=actor, date=TODAY)
    # then they cost 33.00 and 12 remain worth 132.00
    assert layer.value == D("-33.00") and layer.unit_cost == D("11")
    assert value_of(p) == {"method": "moving_average", "qty": D(12), "value": D("132.00"), "unit_cost": D("11")}
    # when 7 more arrive at 12.50 → (132 + 87.50) / 19 = 11.552631…; 4 issued cost round(46.2105…) = 46.21
    costing.receive(warehouse=wh, lines=[inl(p, 7, "12.50")], actor=actor, date=TODAY)
    [(_, layer)] = costing.issue(warehouse=wh, lines=[outl(p, 4)], actor=actor, date=TODAY)
    assert layer.value == D("-46.21")
    assert value_of(p)["value"] == D("173.29")  # 219.50 − 46.21: value on hand drops by exactly the rounded cost
    # when everything left is issued, the value goes to exactly 0
    [(_, layer)] = costing.issue(warehouse=wh, lines=[outl(p, 15)], actor=actor, date=TODAY)
    assert layer.value == D("-173.29")
    assert value_of(p)["qty"] == 0 and value_of(p)["value"] == 0


def test_moving_average_rounds_each_issue_and_keeps_the_sum(wh, actor):
    # given 3 @ 10/3 total 10.00
    p = make_product("MA-3")
    costing.receive(warehouse=wh, lines=[inl(p, 3, "3.333333")], actor=actor, date=TODAY)  # 9.999999 → 10.00
    costs = [costing.issue(warehouse=wh, lines=[outl(p, 1)], actor=actor, date=TODAY)[0][1].value for _ in range(3)]
    # then 3.33 + 3.34 + 3.33: each issue rounds, the value on hand stays the sum of what was booked
    assert costs == [D("-3.33"), D("-3.34"), D("-3.33")]
    assert value_of(p)["value"] == 0


def test_fifo_worked_example(wh, actor):
    # given FIFO layers 10 @ 10 and 10 @ 12
    p = make_product("FIFO-1", method="fifo")
    costing.receive(warehouse=wh, lines=[inl(p, 10, "10")], actor=actor, date=TODAY)
    costing.receive(warehouse=wh, lines=[inl(p, 10, "12")], actor=actor, date=TODAY)
    # when 15 are issued: 10 × 10 + 5 × 12 = 160
    [(_, layer)] = costing.issue(warehouse=wh, lines=[outl(p, 15)], actor=actor, date=TODAY)
    assert layer.value == D("-160.00")
    assert value_of(p)["value"] == D("60.00") and value_of(p)["qty"] == 5
    layers = ValuationLayer.objects.filter(product=p, kind="in").order_by("id")
    assert [(la.remaining_qty, la.remaining_value) for la in layers] == [(0, 0), (5, D("60.00"))]
    # when 5 @ 15 arrive and 7 are issued: 5 × 12 + 2 × 15 = 90
    costing.receive(warehouse=wh, lines=[inl(p, 5, "15")], actor=actor, date=TODAY)
    [(_, layer)] = costing.issue(warehouse=wh, lines=[outl(p, 7)], actor=actor, date=TODAY)
    assert layer.value == D("-90.00")
    assert value_of(p) == {"method": "fifo", "qty": D(3), "value": D("45.00"), "unit_cost": D("15")}


def test_stock_out_is_refused_and_changes_nothing(wh, actor):
    # given 5 on hand
    p = make_product("OUT-1")
    costing.receive(warehouse=wh, lines=[inl(p, 5, "8")], actor=actor, date=TODAY)
    moves_before = StockMove.objects.count()
    # when 6 are issued
    with pytest.raises(InsufficientStock) as refused:
        costing.issue(warehouse=wh, lines=[outl(p, 6)], actor=actor, date=TODAY)
    # then the error names the SKU, the warehouse and what is available, and nothing changed
    assert refused.value.extra["available"] == "5"
    assert "OUT-1" in refused.value.message and "WH1" in refused.value.message
    assert StockMove.objects.count() == moves_before
    assert StockLevel.objects.get(product=p).on_hand == 5
    assert value_of(p)["value"] == D("40.00")


def test_negative_stock_where_allowed_moving_average_rule(actor, db):
    # given a warehouse that allows negative stock, 2 @ 10 on hand
    wh = make_warehouse("NEG", allow_negative=True)
    p = make_product("NEG-1")
    costing.receive(warehouse=wh, lines=[inl(p, 2, "10")], actor=actor, date=TODAY)
    # when 5 are issued: costed at the average 10 → 50; on hand −3 worth −30
    [(_, layer)] = costing.issue(warehouse=wh, lines=[outl(p, 5)], actor=actor, date=TODAY)
    assert layer.value == D("-50.00")
    assert value_of(p)["qty"] == -3 and value_of(p)["value"] == D("-30.00")
    # when 10 arrive at 12: the 7 left are worth 7 × 12 = 84; the 6.00 difference is a cost adjustment
    [(_, layer)] = costing.receive(warehouse=wh, lines=[inl(p, 10, "12")], actor=actor, date=TODAY)
    assert (layer.base_value, layer.adjust_value, layer.value) == (D("120.00"), D("6.00"), D("114.00"))
    assert value_of(p) == {"method": "moving_average", "qty": D(7), "value": D("84.00"), "unit_cost": D("12")}


def test_negative_stock_where_allowed_fifo_rule(actor, db):
    wh = make_warehouse("NEGF", allow_negative=True)
    p = make_product("NEG-F", method="fifo")
    costing.receive(warehouse=wh, lines=[inl(p, 2, "10")], actor=actor, date=TODAY)
    # 5 issued: 2 × 10 from the layer + 3 × 10 estimated at the last unit cost
    [(_, layer)] = costing.issue(warehouse=wh, lines=[outl(p, 5)], actor=actor, date=TODAY)
    assert layer.value == D("-50.00") and layer.uncovered_qty == 3
    # 10 @ 12 arrive: 3 cover the debt at 36 (estimate 30 → adjust 6); 7 @ 12 remain
    [(_, layer)] = costing.receive(warehouse=wh, lines=[inl(p, 10, "12")], actor=actor, date=TODAY)
    assert (layer.adjust_value, layer.value, layer.remaining_qty) == (D("6.00"), D("114.00"), D(7))
    assert value_of(p)["value"] == D("84.00")


def test_backdated_receipt_recosts_only_later_layers(wh, actor):
    # given 10 @ 10 on day 1, issues of 4 on days 3 and 5
    p = make_product("BACK-1")
    day = lambda n: datetime.date(2026, 11, n)  # noqa: E731
    costing.receive(warehouse=wh, lines=[inl(p, 10, "10")], actor=actor, date=day(1))
    costing.issue(warehouse=wh, lines=[outl(p, 4)], actor=actor, date=day(3))
    costing.issue(warehouse=wh, lines=[outl(p, 4)], actor=actor, date=day(5))
    first_out = ValuationLayer.objects.get(product=p, date=day(3))
    # when a receipt of 10 @ 16 is entered dated day 4 (between the issues)
    costing.receive(warehouse=wh, lines=[inl(p, 10, "16")], actor=actor, date=day(4))
    # then the day-3 issue keeps 40.00; the day-5 issue is re-costed at (60 + 160) / 16 = 13.75 → 55.00
    first_out.refresh_from_db()
    assert first_out.value == D("-40.00")
    last_out = ValuationLayer.objects.get(product=p, date=day(5))
    assert last_out.value == D("-55.00")
    assert (last_out.running_qty, last_out.running_value) == (D(12), D("165.00"))
    assert value_of(p)["value"] == D("165.00")


def test_backdated_receipt_fifo(wh, actor):
    p = make_product("BACK-F", method="fifo")
    day = lambda n: datetime.date(2026, 11, n)  # noqa: E731
    costing.receive(warehouse=wh, lines=[inl(p, 5, "10")], actor=actor, date=day(1))
    costing.receive(warehouse=wh, lines=[inl(p, 5, "20")], actor=actor, date=day(6))
    [(_, out)] = costing.issue(warehouse=wh, lines=[outl(p, 8)], actor=actor, date=day(7))
    assert out.value == D("-110.00")  # 5 × 10 + 3 × 20
    # a receipt of 5 @ 12 dated day 2 sits before the day-6 layer: the issue takes 5 × 10 + 3 × 12 = 86
    costing.receive(warehouse=wh, lines=[inl(p, 5, "12")], actor=actor, date=day(2))
    out.refresh_from_db()
    assert out.value == D("-86.00")
    assert value_of(p) == {"method": "fifo", "qty": D(7), "value": D("124.00"), "unit_cost": D("17.714286")}


def test_transfer_between_warehouses_carries_the_cost(wh, actor):
    other = make_warehouse("WH2")
    p = make_product("TR-1")
    costing.receive(warehouse=wh, lines=[inl(p, 10, "10")], actor=actor, date=TODAY)
    moves = costing.transfer(warehouse=wh, lines=[outl(p, 4)], to_warehouse=other, to_location=None, actor=actor,
                             date=TODAY)
    # two legs through in-transit; value leaves WH1 and arrives in WH2 at 40.00
    assert [m.counterpart for m, _ in moves] == ["transit", "transit"]
    assert costing.valuation(product=p, warehouse=wh)["value"] == D("60.00")
    assert costing.valuation(product=p, warehouse=other)["value"] == D("40.00")
    assert StockLevel.objects.get(product=p, warehouse=other).on_hand == 4


def test_reversal_of_a_receipt_takes_back_its_value(wh, actor):
    p = make_product("REV-1")
    costing.receive(warehouse=wh, lines=[inl(p, 10, "10")], actor=actor, date=TODAY)
    [(receipt, _)] = costing.receive(warehouse=wh, lines=[inl(p, 10, "14")], actor=actor, date=TODAY)
    reversal, layer = costing.reverse(move=receipt, actor=actor)
    assert reversal.reversal_of_id == receipt.pk and layer.value == D("-140.00")
    assert value_of(p) == {"method": "moving_average", "qty": D(10), "value": D("100.00"), "unit_cost": D("10")}

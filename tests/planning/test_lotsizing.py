"""Lot sizing against the worked cases of /work/shared/reference/algorithms.md, exactly.

"Fixed 200" in the 10-period case is read as: order 200 (in whole multiples of 200, though no
single period ever needs more) each time the stock carried in cannot meet the period's demand, the
leftover covering later periods, starting from no stock, with holding charged on every period's
closing stock including the 79 left at the end: 5 orders × 100 + 1051 unit-periods × 1 = 1551.
"""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sihe.planning.lotsizing import (
    FixedMultiple,
    LotForLot,
    PeriodOrder,
    SilverMeal,
    WagnerWhitin,
    fixed,
    lot_for_lot,
    make_rule,
    periodic,
    plan_cost,
    silver_meal,
    wagner_whitin,
)

D = Decimal
WW_DEMAND = [69, 29, 36, 61, 61, 26, 34, 67, 45, 67, 79, 56]
WW_SETUP = [85, 102, 102, 101, 98, 114, 105, 86, 119, 110, 98, 114]
TEN = [10, 62, 12, 130, 154, 129, 88, 52, 124, 160]


def test_wagner_whitin_reproduces_their_12_month_example_with_monthly_setup_costs():
    # given Wagner & Whitin's demand, set-up cost per month and holding 1 per unit-month
    # when
    cost, orders = wagner_whitin(WW_DEMAND, WW_SETUP, 1)
    # then
    assert cost == D(864)
    assert orders == [98, 0, 97, 0, 121, 0, 0, 112, 0, 67, 135, 0]


def test_wagner_whitin_10_periods():
    # given the 10-period case, K = 100, h = 1
    # when
    cost, orders = wagner_whitin(TEN, 100, 1)
    # then
    assert cost == D(838)
    assert orders == [84, 0, 0, 130, 154, 129, 140, 0, 124, 160]


def test_silver_meal_10_periods():
    # given the 10-period case
    # when
    cost, orders = silver_meal(TEN, 100, 1)
    # then
    assert cost == D(874)
    assert orders == [84, 0, 0, 130, 154, 217, 0, 52, 124, 160]


def test_lot_for_lot_10_periods_costs_one_setup_per_period():
    # given the 10-period case
    # when
    orders = lot_for_lot(TEN)
    # then
    assert orders == TEN
    assert plan_cost(TEN, orders, 100, 1) == D(1000)


def test_fixed_200_10_periods_costs_1551_with_the_leftover_held():
    # given the 10-period case and a fixed lot of 200
    # when
    orders = fixed(TEN, 200)
    # then five lots, the surplus of each covering the next periods, 79 left at the end
    assert orders == [200, 0, 0, 200, 0, 200, 0, 200, 0, 200]
    assert plan_cost(TEN, orders, 100, 1) == D(1551)


def test_fixed_orders_whole_multiples_and_carries_the_leftover():
    # given C's rule of the MRP case (multiples of 50) and 20 on hand
    # when
    orders = fixed([15, 0, 75, 20, 30, 10], 50, on_hand=20)
    # then 75 − 5 left ⇒ 100 (two lots); 25 left covers 20; 30 − 5 ⇒ 50; 15 covers 10
    assert orders == [0, 0, 100, 0, 50, 0]


def test_periodic_order_covers_three_periods_each():
    # given the 10-period case and POQ of 3 periods
    # when
    orders = periodic(TEN, 3)
    # then 84 = 10+62+12, 413 = 130+154+129, 264 = 88+52+124, 160
    assert orders == [84, 0, 0, 413, 0, 0, 264, 0, 0, 160]
    assert plan_cost(TEN, orders, 100, 1) == D(400 + (74 + 12) + (283 + 129) + (176 + 124))


def test_periodic_counts_empty_periods_and_starts_at_the_first_need():
    # given needs with gaps
    # when
    orders = periodic([0, 5, 0, 0, 7, 3], 2)
    # then the first order arrives in period 2 and covers 2..3; the next covers 5..6
    assert orders == [0, 5, 0, 0, 10, 0]


def test_min_order_qty_raises_every_order_and_the_surplus_covers_later_periods():
    # given minimum order quantities
    # when
    l4l = lot_for_lot([5, 10, 0, 30], min_order_qty=20)
    lots = fixed([10, 0, 200], 50, min_order_qty=120)
    poq = periodic([3, 4, 5, 6], 2, min_order_qty=10)
    # then
    assert l4l == [20, 0, 0, 25]
    assert lots == [150, 0, 150]  # 10 ⇒ 120 ⇒ a multiple: 150 (140 left); 200 − 140 = 60 ⇒ 120 ⇒ 150
    assert poq == [10, 0, 10, 0]  # 3+4 = 7 ⇒ 10 (3 left); (5−3) + 6 = 8 ⇒ 10


def test_wagner_whitin_rule_asked_bucket_by_bucket_gives_the_whole_array_optimum():
    # given the rule as netting asks it: net now and the lot-for-lot requirements ahead
    rule = WagnerWhitin(100, 1)
    ahead = [D(v) for v in TEN]
    # when
    first = rule.receipt(0, ahead[0], lambda: ahead)
    later = rule.receipt(6, ahead[6], lambda: ahead[6:])
    # then
    assert first == 84
    assert later == 140


def test_time_varying_setup_cost_is_taken_at_the_bucket_the_order_is_placed():
    # given a set-up that is cheap in period 2 only
    demand = [10, 10, 10]
    # when
    cost, orders = wagner_whitin(demand, [500, 5, 500], 1)
    # then period 1 must order alone (its own demand); period 2 covers 2..3
    assert orders == [10, 20, 0]
    assert cost == D(500 + 5 + 10)


def test_with_time_varying_setups_an_empty_period_may_order_for_the_next():
    # given no demand in period 1, where a set-up is cheap
    demand, setups = [0, 5, 5], [1, 100, 100]
    # when
    cost, orders = wagner_whitin(demand, setups, 1)
    rule_first = WagnerWhitin(setups, 1).receipt(1, D(5), lambda: [D(5), D(5)])
    # then the optimum orders in period 1 (1 + 5 + 10 held); netting, which receives only where a
    # requirement is, orders both periods at once in period 2 (100 + 5)
    assert orders == [10, 0, 0]
    assert cost == D(16)
    assert rule_first == 10


def test_wagner_whitin_starts_from_stock_on_hand():
    # given 70 on hand against the 10-period case
    # when
    cost, orders = wagner_whitin(TEN, 100, 1, on_hand=70)
    # then 70 covers 10 + 60 of 62; the rest is planned as from nothing
    assert orders == [0, 14, 0, 130, 154, 129, 140, 0, 124, 160]
    assert cost == D(7 * 100 + 60 + 12 + 52)  # 60 and 12 held after periods 1–2, 52 after 7


def test_silver_meal_rule_stops_before_the_average_rises():
    # given
    rule = SilverMeal(100, 1)
    # when
    qty = rule.receipt(5, D(129), lambda: [D(129), D(88), D(52), D(124), D(160)])
    # then (100)/1, (100+88)/2 = 94, (188+104)/3 = 97.3 ⇒ stop after two periods
    assert qty == 217


def test_rules_from_their_stored_names():
    # given / when
    rules = [make_rule("lot_for_lot"), make_rule("fixed", lot_size=50), make_rule("periodic", periods=4),
             make_rule("wagner_whitin", order_cost=100, holding="0.5"),
             make_rule("silver_meal", order_cost=[1, 2], holding=1, min_order_qty=3)]
    # then
    assert rules == [LotForLot(), FixedMultiple(D(50)), PeriodOrder(4), WagnerWhitin(D(100), D("0.5")),
                     SilverMeal((D(1), D(2)), D(1), D(3))]
    with pytest.raises(ValueError, match="unknown lot sizing rule 'eoq'"):
        make_rule("eoq")


def test_refused_parameters_name_the_field():
    # given / when / then
    with pytest.raises(ValueError, match="lot_size must be positive, got 0"):
        FixedMultiple(0)
    with pytest.raises(ValueError, match="periods must be a whole number ≥ 1, got 0"):
        PeriodOrder(0)
    with pytest.raises(TypeError, match="min_order_qty must be a Decimal, int or str, not float"):
        LotForLot(0.5)


def test_plan_cost_refuses_a_plan_that_runs_short():
    # given / when / then
    with pytest.raises(ValueError, match="the plan runs short by 5 in period 2"):
        plan_cost([10, 10], [15, 0], 100, 1)


@settings(max_examples=200, deadline=None)
@given(demand=st.lists(st.integers(0, 60), min_size=1, max_size=7),
       setups=st.lists(st.integers(0, 150), min_size=7, max_size=7), holding=st.integers(0, 3))
def test_wagner_whitin_equals_the_cheapest_of_every_order_pattern(demand, setups, holding):
    # given every feasible plan: order in any subset of periods, each order covering up to the next
    setup = setups[: len(demand)]
    cheapest = None
    for mask in range(1 << len(demand)):
        periods = [t for t in range(len(demand)) if mask >> t & 1]
        if sum(demand) and (not periods or sum(demand[: periods[0]]) > 0):
            continue  # the first demand must be covered
        orders = [0] * len(demand)
        for i, t in enumerate(periods):
            end = periods[i + 1] if i + 1 < len(periods) else len(demand)
            orders[t] = sum(demand[t:end])
        cost = plan_cost(demand, orders, setup, holding) if sum(demand) else D(0)
        cheapest = cost if cheapest is None or cost < cheapest else cheapest
    # when
    cost, orders = wagner_whitin(demand, setup, holding)
    # then
    assert cost == cheapest
    assert sum(orders) == sum(demand)


def test_negative_costs_are_refused():
    # given / when / then
    with pytest.raises(ValueError, match="holding must not be negative, got -1"):
        WagnerWhitin(100, -1)
    with pytest.raises(ValueError, match="order_cost must not be negative, got -5"):
        SilverMeal([1, -5], 1)

"""The MRP run against the 3-level worked case of /work/shared/reference/algorithms.md, exactly,
and the rules around it: BOM cycles, past-due releases, safety stock, scrap, pegging."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sihe.planning.lotsizing import FixedMultiple, LotForLot, PeriodOrder, SilverMeal, WagnerWhitin
from sihe.planning.netting import (
    BomCycleError,
    Edge,
    Item,
    MrpException,
    MrpInputError,
    Peg,
    low_level_codes,
    run_mrp,
)

D = Decimal


def at(buckets: int, quantities: dict[int, int]) -> list[int]:
    """A per-bucket list from {bucket number (1-based): qty}."""
    return [quantities.get(b, 0) for b in range(1, buckets + 1)]


CASE_ITEMS = [
    Item("A", lead_time=1, on_hand=D(5), demand=at(8, {5: 20, 7: 30, 8: 10})),
    Item("B", lead_time=2, on_hand=D(10), scheduled=at(8, {2: 5})),
    Item("C", lead_time=1, on_hand=D(20), lot=FixedMultiple(50), demand=at(8, {4: 5})),
    Item("D", lead_time=2, on_hand=D(50), safety_stock=D(10), scheduled=at(8, {1: 40})),
]
CASE_BOM = [Edge("A", "B", D(2)), Edge("A", "C", D(1)), Edge("B", "C", D(1)), Edge("B", "D", D(2)),
            Edge("C", "D", D(3))]


def test_three_level_case_plans_the_table_exactly():
    # given the case: A = 2 B + 1 C; B = 1 C + 2 D; C = 3 D, 8 weekly buckets
    # when
    result = run_mrp(CASE_ITEMS, CASE_BOM, 8)
    # then
    table = {code: (plan.llc, plan.planned_receipts, plan.planned_releases) for code, plan in result.plans.items()}
    assert table == {
        "A": (0, [0, 0, 0, 0, 15, 0, 30, 10], [0, 0, 0, 15, 0, 30, 10, 0]),
        "B": (1, [0, 0, 0, 15, 0, 60, 20, 0], [0, 15, 0, 60, 20, 0, 0, 0]),
        "C": (2, [0, 0, 0, 100, 0, 50, 0, 0], [0, 0, 100, 0, 50, 0, 0, 0]),
        "D": (3, [0, 0, 250, 120, 190, 0, 0, 0], [250, 120, 190, 0, 0, 0, 0, 0]),
    }
    assert result.exceptions == []


def test_three_level_case_records_gross_net_and_projected_balance():
    # given / when
    result = run_mrp(CASE_ITEMS, CASE_BOM, 8)
    # then C's gross = A's releases + B's releases + its own 5 in bucket 4; D keeps its safety stock 10
    c, d = result["C"], result["D"]
    assert c.gross == [0, 15, 0, 80, 20, 30, 10, 0]
    assert c.net == [0, 0, 0, 75, 0, 25, 0, 0]
    assert c.projected == [20, 5, 5, 25, 5, 25, 15, 15]  # the surplus of each multiple of 50 carries
    assert d.gross == [0, 30, 300, 120, 190, 0, 0, 0]
    assert d.scheduled == [40, 0, 0, 0, 0, 0, 0, 0]
    assert d.net == [0, 0, 250, 120, 190, 0, 0, 0]
    assert d.projected == [90, 60, 10, 10, 10, 10, 10, 10]


def test_three_level_case_pegs_each_planned_order_to_the_demands_it_covers():
    # given / when
    result = run_mrp(CASE_ITEMS, CASE_BOM, 8)
    # then quantities in the pegged item's units; a parent's order is named by its due bucket;
    # C's on hand 20 took B's 15 (bucket 2) and C's own 5 (bucket 4), so C's first lot starts at A's
    pegs = {(o.item, o.due): list(o.pegs) for plan in result.plans.values() for o in plan.orders}
    assert pegs == {
        ("A", 5): [Peg("independent", "A", 5, D(15))],
        ("A", 7): [Peg("independent", "A", 7, D(30))],
        ("A", 8): [Peg("independent", "A", 8, D(10))],
        ("B", 4): [Peg("planned_order", "A", 5, D(15))],  # on hand 10 + scheduled 5 took the other 15
        ("B", 6): [Peg("planned_order", "A", 7, D(60))],
        ("B", 7): [Peg("planned_order", "A", 8, D(20))],
        ("C", 4): [Peg("planned_order", "A", 5, D(15)), Peg("planned_order", "B", 6, D(60)),
                   Peg("planned_order", "B", 7, D(20)), Peg("planned_order", "A", 7, D(5))],
        ("C", 6): [Peg("planned_order", "A", 7, D(25)), Peg("planned_order", "A", 8, D(10))],
        ("D", 3): [Peg("planned_order", "C", 4, D(250))],
        ("D", 4): [Peg("planned_order", "B", 6, D(120))],
        ("D", 5): [Peg("planned_order", "B", 7, D(40)), Peg("planned_order", "C", 6, D(150))],
    }
    assert [(o.due, o.release, o.qty) for o in result["D"].orders] == [(3, 1, 250), (4, 2, 120), (5, 3, 190)]


def test_low_level_codes_take_the_deepest_appearance():
    # given C under A directly and under B; D under B and under C
    # when
    levels = low_level_codes(["A", "B", "C", "D", "E"], CASE_BOM)
    # then E is in no BOM at all
    assert levels == {"A": 0, "B": 1, "C": 2, "D": 3, "E": 0}


def test_a_bom_cycle_is_refused_naming_the_path():
    # given A contains B and B contains A
    items = [Item("A", demand=[1]), Item("B")]
    # when / then
    with pytest.raises(BomCycleError, match="^BOM cycle: A → B → A$") as refused:
        run_mrp(items, [Edge("A", "B", D(1)), Edge("B", "A", D(1))], 1)
    assert refused.value.path == ["A", "B", "A"]


def test_a_longer_cycle_below_a_clean_parent_is_named_from_its_smallest_code():
    # given X → C → D → B → C (X itself is not on the cycle), and a self-contained item S
    codes = ["X", "B", "C", "D"]
    bom = [Edge("X", "C", D(1)), Edge("C", "D", D(1)), Edge("D", "B", D(1)), Edge("B", "C", D(1))]
    # when / then
    with pytest.raises(BomCycleError, match="^BOM cycle: B → C → D → B$"):
        low_level_codes(codes, bom)
    with pytest.raises(BomCycleError, match="^BOM cycle: S → S$"):
        low_level_codes(["S"], [Edge("S", "S", D(1))])


def test_a_release_before_bucket_1_is_kept_as_a_past_due_exception_released_in_bucket_1():
    # given F needs 10 in bucket 2 with a lead time of 3, nothing on hand; F = 2 P
    items = [Item("F", lead_time=3, demand=at(4, {2: 10})), Item("P", lead_time=1, on_hand=D(50))]
    # when
    result = run_mrp(items, [Edge("F", "P", D(2))], 4)
    # then the order stays due in bucket 2, is shown released in bucket 1, and is reported
    f = result["F"]
    assert f.planned_receipts == [0, 10, 0, 0]
    assert f.planned_releases == [10, 0, 0, 0]
    [order] = f.orders
    assert (order.due, order.release, order.past_due) == (2, -1, True)
    assert result.exceptions == [MrpException("F", "past_due_release", -1)]
    assert result["P"].gross == [20, 0, 0, 0]  # its components are needed now
    assert result["P"].planned_receipts == [0, 0, 0, 0]


def test_safety_stock_is_restored_and_kept():
    # given 8 on hand, safety stock 10, demand 5 in bucket 2, 3 scheduled in bucket 3
    items = [Item("S", on_hand=D(8), safety_stock=D(10), scheduled=[0, 0, 3], demand=[0, 5, 0, 4])]
    # when
    result = run_mrp(items, [], 4)
    # then bucket 1 tops up to 10; bucket 3's receipt is 3 above it, so bucket 4 needs only 1
    s = result["S"]
    assert s.net == [2, 5, 0, 1]
    assert s.planned_receipts == [2, 5, 0, 1]
    assert s.projected == [10, 10, 13, 10]
    assert [list(o.pegs) for o in s.orders] == [
        [Peg("safety_stock", "S", 1, D(2))],
        [Peg("independent", "S", 2, D(5))],
        [Peg("independent", "S", 4, D(1))],
    ]


def test_scrap_grosses_up_the_childs_requirement_and_rounds_up_to_its_unit():
    # given 10 of K released in bucket 1; K = 2 M with 5 % scrap; K = 3 N with 3 % scrap, N in whole units
    items = [Item("K", lead_time=1, demand=[0, 10]), Item("M"), Item("N", decimals=0)]
    bom = [Edge("K", "M", D(2), scrap_pct=D(5)), Edge("K", "N", D(3), scrap_pct=D("3"))]
    # when
    result = run_mrp(items, bom, 2)
    # then 10 × 2 × 1.05 = 21 exactly; 10 × 3 × 1.03 = 30.9 ⇒ 31
    assert result["M"].gross == [D(21), 0]
    assert result["N"].gross == [D(31), 0]
    assert result["N"].order(1).pegs == (Peg("planned_order", "K", 2, D(31)),)


def test_lot_rules_that_look_ahead_plan_inside_netting_as_on_the_whole_array():
    # given the 10-period case of algorithms.md as one item's demand, with 4 on hand and 4 of safety stock
    demand = [10, 62, 12, 130, 154, 129, 88, 52, 124, 160]
    items = [Item("W", on_hand=D(4), safety_stock=D(4), lot=WagnerWhitin(100, 1), demand=demand)]
    # when
    result = run_mrp(items, [], 10)
    # then the Wagner–Whitin optimum 84 0 0 130 154 129 140 0 124 160, balance never below 4
    assert result["W"].planned_receipts == [84, 0, 0, 130, 154, 129, 140, 0, 124, 160]
    assert min(result["W"].projected) == 4


def test_min_order_qty_inside_netting_leaves_its_surplus_in_the_balance():
    # given 10 a bucket and a minimum order of 25
    items = [Item("Q", lot=LotForLot(min_order_qty=D(25)), demand=[10, 10, 10, 10])]
    # when
    result = run_mrp(items, [], 4)
    # then 25 covers buckets 1–2 and half of 3; the next order is raised from 5 to 25 again
    assert result["Q"].net == [10, 0, 5, 0]
    assert result["Q"].planned_receipts == [25, 0, 25, 0]
    assert result["Q"].projected == [15, 5, 20, 10]


def test_pegging_can_be_skipped_for_quantity_only_runs():
    # given / when
    result = run_mrp(CASE_ITEMS, CASE_BOM, 8, pegging=False)
    # then the same orders, no pegs
    assert [(o.due, o.release, o.qty, o.pegs) for o in result["C"].orders] == [(4, 3, 100, ()), (6, 5, 50, ())]
    assert result["D"].planned_receipts == [0, 0, 250, 120, 190, 0, 0, 0]


def test_bad_input_is_refused_naming_the_item_and_field():
    # given / when / then
    with pytest.raises(MrpInputError, match="^BOM line A → Z: unknown item Z$"):
        run_mrp([Item("A")], [Edge("A", "Z", D(1))], 2)
    with pytest.raises(MrpInputError, match="^A: demand has 3 buckets, the run has 2$"):
        run_mrp([Item("A", demand=[1, 2, 3])], [], 2)
    with pytest.raises(MrpInputError, match="^A: demand must not be negative$"):
        run_mrp([Item("A", demand=[1, -2])], [], 2)
    with pytest.raises(MrpInputError, match="^item A is given twice$"):
        run_mrp([Item("A"), Item("A")], [], 2)
    with pytest.raises(MrpInputError, match="^BOM line A → B: qty must be positive"):
        run_mrp([Item("A"), Item("B")], [Edge("A", "B", D(0))], 2)
    with pytest.raises(MrpInputError, match="^A: scheduled must be a Decimal, int or str, not float: 0.5$"):
        run_mrp([Item("A", scheduled=[0.5])], [], 2)


def test_a_negative_on_hand_is_made_good_first_and_pegged():
    # given 3 issued that were not there (on hand −3), demand 4 in bucket 2
    items = [Item("N", on_hand=D(-3), demand=[0, 4])]
    # when
    result = run_mrp(items, [], 2)
    # then bucket 1 restores 0, bucket 2 covers the demand
    assert result["N"].planned_receipts == [3, 4]
    assert [list(o.pegs) for o in result["N"].orders] == [[Peg("negative_on_hand", "N", 1, D(3))],
                                                         [Peg("independent", "N", 2, D(4))]]


RULES = [LotForLot(), FixedMultiple(7), PeriodOrder(3), WagnerWhitin(20, 1), SilverMeal(20, 1),
         LotForLot(min_order_qty=12)]


@settings(max_examples=150, deadline=None)
@given(data=st.data(), count=st.integers(2, 6), buckets=st.integers(1, 8))
def test_every_plan_keeps_safety_stock_and_pegs_each_order_within_its_quantity(data, count, buckets):
    # given a random BOM on items 0..count−1 (parents before children, so no cycle) and random items
    codes = [f"I{i}" for i in range(count)]
    bom = [Edge(codes[p], codes[c], D(data.draw(st.integers(1, 3))), D(data.draw(st.sampled_from([0, 0, 5]))))
           for p in range(count) for c in range(p + 1, count) if data.draw(st.booleans())]
    quantities = st.lists(st.integers(0, 20), max_size=buckets)
    items = [Item(code, lead_time=data.draw(st.integers(0, 2)), on_hand=D(data.draw(st.integers(-5, 30))),
                  safety_stock=D(data.draw(st.integers(0, 5))), lot=data.draw(st.sampled_from(RULES)),
                  scheduled=data.draw(quantities), demand=data.draw(quantities),
                  decimals=data.draw(st.sampled_from([None, 0])))
             for code in codes]
    # when
    result = run_mrp(items, bom, buckets)
    # then
    for item in items:
        plan = result[item.code]
        assert all(pab >= item.safety_stock for pab in plan.projected)
        assert sum(plan.planned_receipts) == sum(o.qty for o in plan.orders)
        for order in plan.orders:
            assert D(0) < sum(peg.qty for peg in order.pegs) <= order.qty
    for edge in bom:  # every parent order's need of the child is pegged at most once in full
        for order in result[edge.parent].orders:
            pegged = sum(peg.qty for o in result[edge.child].orders for peg in o.pegs
                         if peg.kind == "planned_order" and (peg.item, peg.bucket) == (edge.parent, order.due))
            need = order.qty * edge.qty * (100 + edge.scrap_pct) / 100
            assert pegged <= need + 1  # + rounding up to whole units

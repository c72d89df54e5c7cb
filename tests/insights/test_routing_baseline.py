"""The naive walk routing is measured against (walking distance saved): the picks taken in the order the lines
came, each leg the shortest way along the aisles' and cross aisles' centre lines."""

from decimal import Decimal

from sihe.wms.routing import Layout, Pick, in_order_length, plan_route

# 3 aisles 3 m apart, 10 slots of 1 m, cross aisles 2 m wide front (y = 0) and back (y = 12); slot s at y = s + 1.5
LAYOUT = Layout(aisles=3, slots_per_aisle=10)
A, B, C = Pick(aisle=2, slot=9, ref="A"), Pick(aisle=0, slot=0, ref="B"), Pick(aisle=2, slot=0, ref="C")


def test_the_order_of_the_lines_decides_the_walk():
    # A, B, C: depot → A 6 + 10.5 = 16.5; A → B 6 + 12 = 18 (front or back, the same); B → C 6 + 3 = 9;
    # C → depot 6 + 1.5 = 7.5: 51 m
    assert in_order_length(LAYOUT, [A, B, C]) == Decimal("51.0")
    # B, C, A: 1.5 + 9 + 9 (up aisle 2) + 16.5 = 36 m
    assert in_order_length(LAYOUT, [B, C, A]) == Decimal("36.0")
    # the planned route is never longer than the naive walk
    assert plan_route(LAYOUT, [A, B, C]).length <= in_order_length(LAYOUT, [A, B, C])

"""Pick routing on several blocks (middle cross aisles): geometry, Roodbergen & de Koster's multi-block
heuristics, their validity against the warehouse graph, and the brute-force bound (Held–Karp)."""

import random
from decimal import Decimal
from itertools import combinations

import pytest

from sihe.wms.routing import (
    METHODS,
    MULTI_BLOCK_METHODS,
    Layout,
    Pick,
    RoutingError,
    _multi_combined,
    _multi_largest_gap,
    _multi_s_shape,
    combined_route,
    largest_gap_route,
    midpoint_route,
    path_length,
    plan_route,
    return_route,
    s_shape_route,
)

D = Decimal


def graph_distance(layout: Layout, a, b) -> Decimal:
    """Shortest walk between two points on aisle centre lines: along the aisle if it is the same one, else
    to one of the cross aisles, across, and into the other aisle."""
    (x1, y1), (x2, y2) = a, b
    if x1 == x2:
        return abs(y1 - y2)
    return abs(x1 - x2) + min(abs(y1 - c) + abs(y2 - c) for c in layout.cross_ys)


def held_karp(layout: Layout, picks: list[Pick]) -> Decimal:
    """Exact shortest closed tour from the depot through every pick point over the graph's distances."""
    points = sorted({(layout.x(p.aisle), layout.y(p.slot)) for p in picks})
    depot, n = layout.depot, len(points)
    if n == 0:
        return D(0)
    best = {(1 << i, i): graph_distance(layout, depot, points[i]) for i in range(n)}
    for size in range(2, n + 1):
        for subset in combinations(range(n), size):
            mask = sum(1 << i for i in subset)
            for last in subset:
                best[(mask, last)] = min(best[(mask & ~(1 << last), k)] + graph_distance(layout, points[k], points[last])
                                         for k in subset if k != last)
    return min(best[((1 << n) - 1, i)] + graph_distance(layout, points[i], depot) for i in range(n))


def assert_valid_tour(layout: Layout, picks: list[Pick], route) -> None:
    """A closed tour from the depot, along aisle and cross-aisle centre lines only, through every pick."""
    assert route.path[0] == route.path[-1] == layout.depot
    assert path_length(route.path) == route.length
    assert sorted(route.stops, key=repr) == sorted(picks, key=repr)
    aisle_xs = {layout.x(a) for a in range(layout.aisles)}
    cross_ys = set(layout.cross_ys)
    left, right = layout.x(0), layout.x(layout.aisles - 1)
    for (x1, y1), (x2, y2) in zip(route.path, route.path[1:], strict=False):
        if x1 == x2:  # along an aisle, inside the warehouse
            assert x1 in aisle_xs and 0 <= min(y1, y2) and max(y1, y2) <= layout.back_y, ((x1, y1), (x2, y2))
        else:  # along a cross aisle
            assert y1 == y2 and y1 in cross_ys and left <= min(x1, x2) and max(x1, x2) <= right, ((x1, y1), (x2, y2))
    visited = set()
    for (x1, y1), (x2, y2) in zip(route.path, route.path[1:], strict=False):
        if x1 == x2:
            visited |= {p for p in picks if layout.x(p.aisle) == x1 and min(y1, y2) <= layout.y(p.slot) <= max(y1, y2)}
    assert visited == set(picks)


def random_multi_block(rng: random.Random):
    slots = rng.randint(2, 12)
    cross = rng.sample(range(1, slots), rng.randint(1, min(3, slots - 1)))
    aisles = rng.randint(1, 7)
    layout = Layout(aisles=aisles, slots_per_aisle=slots, slot_pitch=D(rng.choice(["1.0", "1.5", "0.8"])),
                    aisle_spacing=D(rng.choice(["3.0", "2.5", "4.0"])), cross_aisle_width=D(rng.choice(["2.0", "0", "3.0"])),
                    depot_aisle=rng.randrange(aisles), cross_aisles=tuple(cross))
    picks = [Pick(rng.randrange(aisles), rng.randrange(slots), rng.choice("LR")) for _ in range(rng.randint(0, 7))]
    return layout, picks


# -- geometry ---------------------------------------------------------------------------------------


def test_cross_aisles_shift_the_slots_above_them_and_the_back_cross_aisle():
    # given 12 slots of 1 m, 2 m cross aisles, middle cross aisles after the 4th and the 8th slot (given unsorted)
    layout = Layout(aisles=4, slots_per_aisle=12, cross_aisles=(8, 4))
    # then there are three blocks; the middle cross aisles run on y = 4 + 2 and 8 + 4, the back one on 12 + 6
    assert layout.cross_aisles == (4, 8) and layout.blocks == 3
    assert layout.cross_ys == (0, 6, 12, 18) == (0, layout.y(3) + D("1.5"), layout.y(7) + D("1.5"), layout.back_y)
    assert [layout.y(s) for s in range(12)] == [D(v) for v in ("1.5", "2.5", "3.5", "4.5", "7.5", "8.5", "9.5", "10.5",
                                                                "13.5", "14.5", "15.5", "16.5")]
    assert [layout.block_of(s) for s in (0, 3, 4, 7, 8, 11)] == [0, 0, 1, 1, 2, 2]
    # and without middle cross aisles nothing moves
    single = Layout(aisles=4, slots_per_aisle=12)
    assert single.back_y == 14 and single.y(11) == D("12.5") and single.cross_ys == (0, 14) and single.blocks == 1


@pytest.mark.parametrize("cross", [(0,), (12,), (-1,), (3, 3), (4, 13), ("4",), (True,), "4"])
def test_bad_cross_aisles_name_the_field(cross):
    with pytest.raises(RoutingError) as error:
        Layout(aisles=3, slots_per_aisle=12, cross_aisles=cross)
    assert error.value.field == "layout.cross_aisles"


@pytest.mark.parametrize("router,method", [(return_route, "return"), (midpoint_route, "midpoint")])
def test_return_and_midpoint_are_single_block_methods(router, method):
    layout = Layout(aisles=3, slots_per_aisle=12, cross_aisles=(6,))
    for call in (lambda: router(layout, [Pick(1, 1)]), lambda: plan_route(layout, [Pick(1, 1)], method)):
        with pytest.raises(RoutingError) as error:
            call()
        assert error.value.field == "method" and method in str(error.value)


# -- hand-made cases --------------------------------------------------------------------------------

TWO_BLOCKS = Layout(aisles=6, slots_per_aisle=10, cross_aisles=(5,))  # x = 3a; cross aisles y = 0, 7, 14
THREE_BLOCKS = Layout(aisles=4, slots_per_aisle=12, cross_aisles=(4, 8))  # x = 3a; cross aisles y = 0, 6, 12, 18

HAND_MADE = [
    # Two blocks; picks (1, 9.5) and (2, 9.5) in block 1, (3, 3.5) and (4, 2.5) in block 0.
    # S-shape: depot → aisle 1 (3), up to y = 7 (7); traverse aisle 1 in block 1 (7); along the back to 2 (3), down (7);
    #   block 0: nearer end sub-aisle 3 (3), down (7); the last, aisle 4, from the front (3 + 5); home (12) = 57.
    # Largest gap: to (6, 7) as S-shape (27); block 0: the farther end sub-aisle 4 is the last one; aisle 3's largest
    #   gap is its back one (3.5 both, the one nearer the back wins), so nothing from the back; along y = 7 to 4 (6),
    #   down (7); aisle 3 from the front (3 + 7); home (9) = 59.
    # Combined: up aisle 1 to y = 7 (10); block 1: aisle 1 and aisle 2 each entered and left from the front
    #   (5 + 3 + 5); block 0 from its back: traverse 3 (3 + 7), aisle 4 from the front (3 + 5); home (12) = 53.
    (TWO_BLOCKS, [Pick(4, 1), Pick(2, 6), Pick(3, 2), Pick(1, 6)],
     {"s_shape": 57, "largest_gap": 59, "combined": 53}, "combined"),
    # Three blocks, the middle one without picks; (0, 2.5) is taken on the way up aisle 0 to y = 12 (12).
    # S-shape and largest gap: along y = 12 to 2 (6), traverse (6), along the back to 3 (3), down through blocks 2
    #   and 1 (12), then block 0's only sub-aisle, 3, down (6); home (9) = 54.
    # Combined: block 2 from the front: aisles 2 and 3 each in and out (6 + 5 + 3 + 7); down aisle 3 through
    #   block 1 (6); traverse 3 in block 0 (6); home (9) = 54.
    (THREE_BLOCKS, [Pick(0, 1), Pick(2, 9), Pick(3, 10), Pick(3, 0)],
     {"s_shape": 54, "largest_gap": 54, "combined": 54}, "s_shape"),
    # As above plus (1, 4.5) in block 0: the picker reaches block 0's back at aisle 3 after 39 m.
    # S-shape: traverse 3 (6), aisle 1 from the front (6 + 9), home (3) = 63.
    # Largest gap: aisle 1 is the farther end, so the last one; aisle 3's largest gap (4.5) is above its pick: it is
    #   left for the front; along y = 6 to 1 (6), down (6), along the front to 3 (6), in and out (3), home (9) = 69.
    # Combined: traverse 3 (6), aisle 1 from the front (6 + 9), home (3) = 63 — as S-shape, which optimal names.
    (THREE_BLOCKS, [Pick(0, 1), Pick(2, 9), Pick(3, 10), Pick(1, 3), Pick(3, 0)],
     {"s_shape": 63, "largest_gap": 69, "combined": 63}, "s_shape"),
]


@pytest.mark.parametrize("layout,picks,lengths,best", HAND_MADE)
def test_hand_made_lengths_of_each_multi_block_heuristic(layout, picks, lengths, best):
    for method, length in lengths.items():
        route = plan_route(layout, picks, method)
        assert (route.method, route.length, route.basis) == (method, D(length), None)
        assert_valid_tour(layout, picks, route)
    optimal = plan_route(layout, picks, "optimal")
    assert (optimal.method, optimal.length, optimal.basis) == ("optimal", D(min(lengths.values())), f"best_of:{best}")


def test_combined_path_on_two_blocks():
    route = combined_route(TWO_BLOCKS, [Pick(4, 1), Pick(2, 6), Pick(3, 2), Pick(1, 6)])
    assert route.path == [(0, 0), (3, 0), (3, 7), (3, D("9.5")), (3, 7), (6, 7), (6, D("9.5")), (6, 7), (9, 7), (9, 0),
                          (12, 0), (12, D("2.5")), (12, 0), (0, 0)]
    assert [(p.aisle, p.slot) for p in route.stops] == [(1, 6), (2, 6), (3, 2), (4, 1)]


def test_s_shape_path_through_an_empty_block():
    route = s_shape_route(THREE_BLOCKS, [Pick(0, 1), Pick(2, 9), Pick(3, 10), Pick(3, 0)])
    assert route.path == [(0, 0), (0, 12), (6, 12), (6, 18), (9, 18), (9, 12), (9, 6), (9, 0), (0, 0)]
    assert [(p.aisle, p.slot) for p in route.stops] == [(0, 1), (2, 9), (3, 10), (3, 0)]


def test_no_picks_on_several_blocks():
    for method in ("optimal", *MULTI_BLOCK_METHODS):
        route = plan_route(THREE_BLOCKS, [], method)
        assert (route.length, route.stops, route.path) == (0, [], [THREE_BLOCKS.depot])


# -- random instances -------------------------------------------------------------------------------


def test_400_random_multi_block_instances_valid_tours_between_held_karp_and_optimal():
    rng = random.Random(20261202)
    seen_best = set()
    for _ in range(400):
        # given a random layout of two to four blocks and up to 7 picks
        layout, picks = random_multi_block(rng)
        bound = held_karp(layout, picks)
        # when routed by every multi-block method
        routes = {method: plan_route(layout, picks, method) for method in ("optimal", *MULTI_BLOCK_METHODS)}
        # then each is a valid closed tour no shorter than the brute-force optimum
        for method, route in routes.items():
            assert_valid_tour(layout, picks, route)
            assert route.length >= bound, (method, layout, picks)
        # and "optimal" is the shortest heuristic's route, named in its basis
        optimal = routes.pop("optimal")
        assert optimal.length == min(r.length for r in routes.values())
        assert optimal.basis.startswith("best_of:") and routes[optimal.basis[8:]].length == optimal.length
        assert optimal.path == routes[optimal.basis[8:]].path
        seen_best.add(optimal.basis)
    assert len(seen_best) >= 2  # the instances are not all won by one heuristic


def test_multi_block_heuristics_on_a_single_block_are_the_single_block_ones():
    # the multi-block steps, run on a layout without middle cross aisles, draw the very same routes
    rng = random.Random(11)
    for _ in range(300):
        aisles = rng.randint(1, 7)
        layout = Layout(aisles=aisles, slots_per_aisle=rng.randint(1, 12), depot_aisle=rng.randrange(aisles),
                        cross_aisle_width=D(rng.choice(["2.0", "0"])))
        picks = [Pick(rng.randrange(aisles), rng.randrange(layout.slots_per_aisle)) for _ in range(rng.randint(0, 7))]
        for multi, single in ((_multi_s_shape, s_shape_route), (_multi_largest_gap, largest_gap_route),
                              (_multi_combined, combined_route)):
            assert multi(layout, picks).path == single(layout, picks).path, (multi.__name__, layout, picks)


def test_single_block_results_unchanged():
    # the hand-made single-block figures of test_routing.py, through plan_route, with basis None
    layout = Layout(aisles=10, slots_per_aisle=30, depot_aisle=0)
    picks = [Pick(2, 5, "L"), Pick(5, 20, "R"), Pick(7, 3, "L"), Pick(7, 28, "L")]
    lengths = {m: plan_route(layout, picks, m).length for m in METHODS}
    assert lengths == {"optimal": 119, "s_shape": 165, "return": 157, "midpoint": 127, "largest_gap": 127, "combined": 119}
    assert all(plan_route(layout, picks, m).basis is None for m in METHODS)


def test_pick_list_layouts_keep_their_cross_aisles():
    from sihe.wms.outbound.layout import layout_dict, layout_from_dict

    # a multi-block layout is stored with its cross aisles and read back the same
    assert layout_from_dict(layout_dict(THREE_BLOCKS)) == THREE_BLOCKS
    assert layout_dict(THREE_BLOCKS)["cross_aisles"] == [4, 8]
    # a single block is stored as before (no new key), and old rows without the key read as a single block
    single = Layout(aisles=3, slots_per_aisle=5, depot_aisle=1)
    assert "cross_aisles" not in layout_dict(single)
    assert layout_from_dict(layout_dict(single)) == single

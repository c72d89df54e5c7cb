"""Pick routing: the optimum equals brute force (Held–Karp) and no heuristic beats it."""

import random
from decimal import Decimal
from itertools import combinations

import pytest

from sihe.wms.routing import (
    METHODS,
    Layout,
    Pick,
    RoutingError,
    combined_route,
    largest_gap_route,
    midpoint_route,
    optimal_route,
    path_length,
    plan_route,
    return_route,
    s_shape_route,
)

D = Decimal


def _distance(layout: Layout, a, b) -> Decimal:
    (x1, y1), (x2, y2) = a, b
    if x1 == x2:
        return abs(y1 - y2)
    back = layout.back_y
    return abs(x1 - x2) + min(y1 + y2, 2 * back - y1 - y2)


def held_karp(layout: Layout, picks: list[Pick]) -> Decimal:
    """Exact shortest closed tour from the depot through every pick point, by Held–Karp."""
    points = sorted({(layout.x(p.aisle), layout.y(p.slot)) for p in picks})
    depot = layout.depot
    n = len(points)
    if n == 0:
        return D(0)
    best = {(1 << i, i): _distance(layout, depot, points[i]) for i in range(n)}
    for size in range(2, n + 1):
        for subset in combinations(range(n), size):
            mask = sum(1 << i for i in subset)
            for last in subset:
                prev_mask = mask & ~(1 << last)
                best[(mask, last)] = min(
                    best[(prev_mask, k)] + _distance(layout, points[k], points[last])
                    for k in subset
                    if k != last
                )
    full = (1 << n) - 1
    return min(best[(full, i)] + _distance(layout, points[i], depot) for i in range(n))


def _random_instance(rng: random.Random):
    layout = Layout(
        aisles=rng.randint(1, 7),
        slots_per_aisle=rng.randint(1, 12),
        slot_pitch=D(rng.choice(["1.0", "1.5", "0.8"])),
        aisle_spacing=D(rng.choice(["3.0", "2.5", "4.0"])),
        cross_aisle_width=D(rng.choice(["2.0", "0", "3.0"])),
    )
    layout = Layout(**{**layout.__dict__, "depot_aisle": rng.randrange(layout.aisles)})
    picks = [
        Pick(rng.randrange(layout.aisles), rng.randrange(layout.slots_per_aisle), rng.choice("LR"))
        for _ in range(rng.randint(0, 7))
    ]
    return layout, picks


def test_optimal_equals_held_karp_on_600_random_instances():
    rng = random.Random(20261125)
    for _ in range(600):
        # given a random single-block layout and up to 7 picks
        layout, picks = _random_instance(rng)
        # when routed optimally
        route = optimal_route(layout, picks)
        # then it is exactly as long as the brute-force optimum, and never longer than a heuristic
        assert route.length == held_karp(layout, picks), (layout, picks)
        for method in METHODS:
            assert route.length <= plan_route(layout, picks, method).length, (method, layout, picks)


def test_every_route_visits_every_pick_once_and_its_drawn_path_has_its_length():
    rng = random.Random(7)
    for _ in range(200):
        layout, picks = _random_instance(rng)
        for method in METHODS:
            route = plan_route(layout, picks, method)
            assert sorted(route.stops, key=repr) == sorted(picks, key=repr)
            assert path_length(route.path) == route.length
            assert route.path[0] == route.path[-1] == layout.depot
            for (x1, y1), (x2, y2) in zip(route.path, route.path[1:], strict=False):
                # rectilinear, horizontal only on a cross aisle
                assert x1 == x2 or (y1 == y2 and y1 in (0, layout.back_y))


LAYOUT = Layout(aisles=10, slots_per_aisle=30, slot_pitch=D("1.0"), aisle_spacing=D("3.0"),
                cross_aisle_width=D("2.0"), depot_aisle=0)


def test_hand_made_case_each_heuristic():
    # back cross aisle at y = 32; slots at y = 1.5 + k; aisles at x = 3a
    picks = [Pick(2, 5, "L"), Pick(5, 20, "R"), Pick(7, 3, "L"), Pick(7, 28, "L")]
    # S-shape: 3 pick aisles: up 2, down 5, return in 7 to y=29.5; front from/to depot: 21 each way
    assert s_shape_route(LAYOUT, picks).length == D(6) + 32 + 9 + 32 + 6 + 2 * D("29.5") + 21
    # Return: each aisle from the front to its farthest pick
    assert return_route(LAYOUT, picks).length == 2 * D(21) + 2 * D("6.5") + 2 * D("21.5") + 2 * D("29.5")
    # Midpoint (y = 16): traverse 2 and 7; aisle 5's pick (21.5) is in the back half
    assert midpoint_route(LAYOUT, picks).length == D(6) + 32 + 15 + 2 * D("10.5") + 32 + 21
    # Largest gap: aisle 5's largest gap is front–pick (21.5 > 10.5), so it is taken from the back too
    assert largest_gap_route(LAYOUT, picks).length == D(127)
    # The optimum takes aisle 2 from the front and traverses 5 and 7
    optimal = optimal_route(LAYOUT, picks)
    assert optimal.length == D(6) + 13 + 9 + 32 + 6 + 32 + 21 == D(119)
    assert [(p.aisle, p.slot) for p in optimal.stops] == [(2, 5), (5, 20), (7, 28), (7, 3)]


def test_no_picks_is_an_empty_route():
    assert optimal_route(LAYOUT, []).length == 0


def test_depot_in_the_middle():
    layout = Layout(aisles=9, slots_per_aisle=10, depot_aisle=4)
    picks = [Pick(0, 0, "L"), Pick(8, 0, "R")]
    # along the front to each side and back (2 × 12 twice), into each aisle to slot 0 at y = 1.5 and out
    assert optimal_route(layout, picks).length == 2 * 12 + 2 * 12 + 2 * D("1.5") + 2 * D("1.5") == D(54)


@pytest.mark.parametrize(
    "kwargs,field",
    [({"aisles": 0, "slots_per_aisle": 3}, "layout.aisles"), ({"aisles": 2, "slots_per_aisle": 3, "depot_aisle": 5}, "layout.depot_aisle"),
     ({"aisles": 2, "slots_per_aisle": 3, "slot_pitch": D(0)}, "layout.slot_pitch")],
)
def test_bad_layouts_name_the_field(kwargs, field):
    with pytest.raises(RoutingError) as error:
        Layout(**kwargs)
    assert error.value.field == field


def test_bad_picks_name_the_field():
    with pytest.raises(RoutingError) as error:
        optimal_route(LAYOUT, [Pick(1, 1), Pick(12, 1)])
    assert error.value.field == "picks[1].aisle"
    with pytest.raises(RoutingError) as error:
        plan_route(LAYOUT, [Pick(1, 1)], "fastest")
    assert error.value.field == "method"


# Three hand-made cases on LAYOUT (aisles at x = 3a, back cross aisle at y = 32, slot k at y = 1.5 + k),
# each length worked out by hand below; `combined` is Roodbergen & de Koster's left-to-right programme.
HAND_MADE = [
    # picks at y = 1.5 (aisles 1, 7) and y = 30.5 (aisles 3, 5); cross travel 2 × 21 = 42 for every method
    # but S-shape (its last aisle 7 leaves it at the front): S-shape traverses all four: 3 + 4 × 32 + 3 × 6 + 21;
    # return: 42 + 3 + 61 + 61 + 3; optimal/midpoint/largest gap/combined: 1 from the front (3), 3 up (32),
    # 5 from the back (3), 7 down (32): 42 + 70.
    ([Pick(1, 0), Pick(3, 29), Pick(5, 29), Pick(7, 0)],
     {"optimal": 112, "s_shape": 170, "return": 170, "midpoint": 112, "largest_gap": 112, "combined": 112}),
    # aisle 2 at y = 4.5 and 26.5, aisle 4 at 11.5, aisle 6 at 28.5; cross travel 36.
    # S-shape: up 2, down 4, return in 6 (57): 36 + 32 + 32 + 57; return: 36 + 53 + 23 + 57;
    # midpoint (y = 16) and largest gap (aisle 4's gap 11.5 → 32 is the largest): traverse 2 and 6, aisle 4
    # from the front: 36 + 32 + 32 + 23; combined: up 2, aisle 4 from the back (41), down 6: 36 + 32 + 41 + 32;
    # optimal: up 2, into 6 from the back (7), down 4: 36 + 32 + 7 + 32 — it goes back to the left, which
    # no left-to-right heuristic does.
    ([Pick(2, 3), Pick(2, 25), Pick(4, 10), Pick(6, 27)],
     {"optimal": 107, "s_shape": 157, "return": 169, "midpoint": 123, "largest_gap": 123, "combined": 141}),
]


@pytest.mark.parametrize("picks,lengths", HAND_MADE)
def test_hand_made_lengths_of_every_method(picks, lengths):
    for method, length in lengths.items():
        assert plan_route(LAYOUT, picks, method).length == D(length), method


def test_combined_chooses_per_aisle_between_traversal_and_return():
    # aisle 2 at y = 4.5 and 26.5, aisle 4 at 11.5, aisle 6 at 28.5: traverse 2 (32, now at the back), enter 4
    # from the back to 11.5 and leave it there (2 × 20.5 = 41) — shorter than traversing 4 and then entering 6
    # from the front (32 + 57) — and traverse 6 down (32); cross 2 × 18
    route = combined_route(LAYOUT, [Pick(2, 3), Pick(2, 25), Pick(4, 10), Pick(6, 27)])
    assert route.length == D(141)
    assert route.path == [(0, 0), (6, 0), (6, 32), (12, 32), (12, D("11.5")), (12, 32), (18, 32), (18, 0), (0, 0)]

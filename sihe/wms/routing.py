"""Picker routing: the exact optimum on a single block and the published heuristics, also on a
warehouse with several blocks (middle cross aisles).

Geometry (shared/reference/algorithms.md and issue 8): parallel aisles at x = a × aisle_spacing; a
front cross aisle on y = 0; both sides of an aisle are picked from its centre line; the depot is at
(depot_aisle × aisle_spacing, 0); travel follows aisle and cross-aisle centre lines only.

Single block (`cross_aisles=()`): a back cross aisle on y = B = slots × pitch + cross_aisle_width;
slot k at y = cross_aisle_width / 2 + (k + 0.5) × pitch.

Several blocks: `cross_aisles = (k₁ < k₂ < … < k_m)`, each 0 < k < slots_per_aisle, puts a middle
cross aisle of width w = cross_aisle_width between slot k − 1 and slot k (after the first k slots), so
the aisles are cut into m + 1 blocks and every block holds at least one slot. Each cross aisle below
a slot shifts it up by w: slot s, with j = #{i : k_i ≤ s} middle cross aisles below it, lies at
y = w / 2 + (s + 0.5) × pitch + j × w. The centre line of the j-th middle cross aisle (j = 1…m) is
Y_j = k_j × pitch + j × w; the front one is Y_0 = 0 and the back one Y_{m+1} = B = slots × pitch +
(m + 1) × w (so with m = 0 everything is the single-block geometry above). Block j (0 = nearest the
depot) lies between Y_j and Y_{j+1}; an aisle's stretch inside a block is a sub-aisle. Aisles run
through every block, so pickers change aisles on any of the m + 2 cross aisles.

`optimal_route` is Ratliff & Rosenthal (1983): a dynamic programme over the aisles whose states are
the equivalence classes of partial tour subgraphs — the degree parity of the aisle's front and back
vertices (none / odd / even) and whether they are in one component — and whose moves are the six
ways of covering an aisle's picks and 0, 1 or 2 copies of each cross-aisle edge. Linear in the
number of aisles. The single-block heuristics (S-shape, return, midpoint, largest gap, combined)
follow Roodbergen & de Koster (2001).

On several blocks the exact programme does not apply; the methods are Roodbergen & de Koster's
(2001) multi-block S-shape, largest gap and combined heuristics (see `_multi_*` below for their
steps), and "optimal" is the shortest of those three (ties to the first of s_shape, largest_gap,
combined); its Route says which one in `basis` ("best_of:largest_gap"). Return and midpoint are
single-block methods and are refused on several blocks with a RoutingError naming `method`.
All lengths are exact Decimals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal(0)
TWO = Decimal(2)
METHODS = ("optimal", "s_shape", "return", "midpoint", "largest_gap", "combined")
MULTI_BLOCK_METHODS = ("s_shape", "largest_gap", "combined")


class RoutingError(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Layout:
    aisles: int
    slots_per_aisle: int
    slot_pitch: Decimal = Decimal("1.0")
    aisle_spacing: Decimal = Decimal("3.0")
    cross_aisle_width: Decimal = Decimal("2.0")
    depot_aisle: int = 0
    cross_aisles: tuple[int, ...] = ()

    def __post_init__(self):
        if self.aisles < 1:
            raise RoutingError("a layout needs at least one aisle", "layout.aisles")
        if self.slots_per_aisle < 1:
            raise RoutingError("an aisle needs at least one slot", "layout.slots_per_aisle")
        for name in ("slot_pitch", "aisle_spacing"):
            if Decimal(getattr(self, name)) <= 0:
                raise RoutingError(f"{name} must be positive", f"layout.{name}")
        if Decimal(self.cross_aisle_width) < 0:
            raise RoutingError("cross_aisle_width must not be negative", "layout.cross_aisle_width")
        if not 0 <= self.depot_aisle < self.aisles:
            raise RoutingError(f"depot_aisle must be between 0 and {self.aisles - 1}", "layout.depot_aisle")
        cross = self.cross_aisles
        if isinstance(cross, (str, bytes)) or not isinstance(cross, (tuple, list)):
            raise RoutingError("cross_aisles must be a list of slot indexes", "layout.cross_aisles")
        for k in cross:
            if isinstance(k, bool) or not isinstance(k, int) or not 0 < k < self.slots_per_aisle:
                raise RoutingError(
                    f"each cross aisle must be after a slot index between 1 and {self.slots_per_aisle - 1}",
                    "layout.cross_aisles")
        if len(set(cross)) != len(cross):
            raise RoutingError("cross aisles must be distinct", "layout.cross_aisles")
        object.__setattr__(self, "cross_aisles", tuple(sorted(cross)))

    @property
    def blocks(self) -> int:
        return len(self.cross_aisles) + 1

    @property
    def cross_ys(self) -> tuple[Decimal, ...]:
        """The centre lines of the cross aisles, front (0) to back: Y_0 … Y_{m+1}."""
        pitch, width = Decimal(self.slot_pitch), Decimal(self.cross_aisle_width)
        middle = tuple(k * pitch + j * width for j, k in enumerate(self.cross_aisles, start=1))
        return (ZERO, *middle, self.back_y)

    @property
    def back_y(self) -> Decimal:
        return self.slots_per_aisle * Decimal(self.slot_pitch) + self.blocks * Decimal(self.cross_aisle_width)

    def block_of(self, slot: int) -> int:
        return sum(1 for k in self.cross_aisles if k <= slot)

    def x(self, aisle: int) -> Decimal:
        return aisle * Decimal(self.aisle_spacing)

    def y(self, slot: int) -> Decimal:
        width = Decimal(self.cross_aisle_width)
        y = width / 2 + (slot + Decimal("0.5")) * Decimal(self.slot_pitch)
        return y + self.block_of(slot) * width if self.cross_aisles else y

    @property
    def depot(self) -> tuple[Decimal, Decimal]:
        return (self.x(self.depot_aisle), ZERO)


@dataclass(frozen=True)
class Pick:
    aisle: int
    slot: int
    side: str = "L"
    ref: str | None = None


@dataclass
class Route:
    method: str
    length: Decimal
    stops: list[Pick]
    path: list[tuple[Decimal, Decimal]] = field(default_factory=list)
    # How the route was found when `method` alone does not say: "best_of:<heuristic>" for "optimal"
    # on several blocks; None otherwise.
    basis: str | None = None


def validate_picks(layout: Layout, picks: list[Pick]) -> None:
    for i, pick in enumerate(picks):
        if not 0 <= pick.aisle < layout.aisles:
            raise RoutingError(f"aisle must be between 0 and {layout.aisles - 1}", f"picks[{i}].aisle")
        if not 0 <= pick.slot < layout.slots_per_aisle:
            raise RoutingError(f"slot must be between 0 and {layout.slots_per_aisle - 1}", f"picks[{i}].slot")
        if pick.side not in ("L", "R"):
            raise RoutingError("side must be L or R", f"picks[{i}].side")


def _by_aisle(layout: Layout, picks: list[Pick]) -> dict[int, list[Decimal]]:
    ys: dict[int, set[Decimal]] = defaultdict(set)
    for pick in picks:
        ys[pick.aisle].add(layout.y(pick.slot))
    return {a: sorted(v) for a, v in ys.items()}


def path_length(path: list[tuple[Decimal, Decimal]]) -> Decimal:
    return sum((abs(x2 - x1) + abs(y2 - y1) for (x1, y1), (x2, y2) in zip(path, path[1:], strict=False)), ZERO)


def in_order_length(layout: Layout, picks: list[Pick]) -> Decimal:
    """The walk of a picker who takes the picks in the order given (the order the lines came in), each leg
    the shortest way along aisle and cross-aisle centre lines, from the depot and back: the naive baseline
    the planned route is measured against (walking distance saved)."""
    validate_picks(layout, picks)
    points = [layout.depot, *((layout.x(p.aisle), layout.y(p.slot)) for p in picks), layout.depot]
    total = ZERO
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        if x1 == x2:
            total += abs(y2 - y1)
        else:
            total += abs(x2 - x1) + min(abs(y1 - cy) + abs(y2 - cy) for cy in layout.cross_ys)
    return total


def _stops_in_order(layout: Layout, picks: list[Pick], path: list[tuple[Decimal, Decimal]]) -> list[Pick]:
    """Picks in the order the path first passes them (a pick lies on a vertical segment of its aisle)."""
    remaining = list(picks)
    order: list[Pick] = []
    for (x1, y1), (x2, y2) in zip(path, path[1:], strict=False):
        if x1 != x2:
            continue
        lo, hi = min(y1, y2), max(y1, y2)
        hit = [p for p in remaining if layout.x(p.aisle) == x1 and lo <= layout.y(p.slot) <= hi]
        hit.sort(key=lambda p: (abs(layout.y(p.slot) - y1), p.side))
        order += hit
        remaining = [p for p in remaining if p not in hit]
    return order


# -- exact optimum (Ratliff & Rosenthal) ----------------------------------------------------------

# A frontier vertex's degree class: no edges, odd, or even and positive.
NONE, ODD, EVEN = 0, 1, 2


def _add_degree(cls: int, edges: int) -> int:
    if edges == 0:
        return cls
    total_odd = (cls == ODD) != (edges % 2 == 1)
    return ODD if total_odd else EVEN


def _aisle_configs(ys: list[Decimal], back: Decimal):
    """The ways to cover one aisle: (name, cost, edges at front, edges at back, connects front-back)."""
    configs = [("single", back, 1, 1, True), ("double", TWO * back, 2, 2, True)]
    if not ys:
        return [("none", ZERO, 0, 0, False), *configs]
    configs += [("bottom", TWO * ys[-1], 2, 0, False), ("top", TWO * (back - ys[0]), 0, 2, False)]
    if len(ys) >= 2:
        gap = max(b - a for a, b in zip(ys, ys[1:], strict=False))
        configs.append(("gap", TWO * (back - gap), 2, 2, False))
    return configs


def optimal_route(layout: Layout, picks: list[Pick]) -> Route:
    validate_picks(layout, picks)
    if layout.cross_aisles:
        return _best_of_multi(layout, picks)
    if not picks:
        return Route("optimal", ZERO, [], [layout.depot])
    back = layout.back_y
    spacing = Decimal(layout.aisle_spacing)
    ys = _by_aisle(layout, picks)
    depot = layout.depot_aisle
    last = max(max(ys), depot)
    first = min(min(ys), depot)
    # state: (front class, back class, connected, closed) -> (cost, backpointer)
    # `connected` is meaningful when both frontier vertices have edges; `closed` = a finished tour
    # lies to the left and nothing more may be added.
    start = (NONE, NONE, False, False)
    layers: list[dict] = []
    states = {start: (ZERO, None)}
    for aisle in range(first, last + 1):
        aisle_ys = ys.get(aisle, [])
        after_vertical: dict = {}
        for (fa, fb, conn, closed), (cost, _) in states.items():
            for name, c_cost, da, db, joins in _aisle_configs(aisle_ys, back):
                if closed and (da or db or aisle_ys):
                    continue
                na, nb = _add_degree(fa, da), _add_degree(fb, db)
                # Both ends in one component if the aisle joins them or they already were; a vertex
                # that had no edges and gets some without a join starts a component of its own.
                both = na != NONE and nb != NONE
                nconn = both and (joins or (fa != NONE and fb != NONE and conn))
                key = (na, nb, nconn, closed)
                total = cost + c_cost
                if key not in after_vertical or total < after_vertical[key][0]:
                    after_vertical[key] = (total, ((fa, fb, conn, closed), name))
        layers.append(("v", aisle, after_vertical))
        if aisle == last:
            states = after_vertical
            break
        following: dict = {}
        for (fa, fb, conn, closed), (cost, _) in after_vertical.items():
            for x in (0, 1, 2):
                for y in (0, 1, 2):
                    move = _horizontal(fa, fb, conn, closed, x, y, is_depot=(aisle == depot))
                    if move is None:
                        continue
                    total = cost + (x + y) * spacing
                    if move not in following or total < following[move][0]:
                        following[move] = (total, ((fa, fb, conn, closed), (x, y)))
        layers.append(("h", aisle, following))
        states = following
    best = None
    for (fa, fb, conn, closed), (cost, _) in states.items():
        if fa == ODD or fb == ODD:
            continue
        if fa != NONE and fb != NONE and not conn:
            continue
        if last == depot and fa == NONE:
            continue
        if not closed and fa == NONE and fb == NONE:
            continue
        if best is None or cost < best[0]:
            best = (cost, (fa, fb, conn, closed))
    assert best is not None, "a single-block instance always has a tour"
    edges = _rebuild_edges(layout, layers, best[1], ys)
    path = _euler_path(layout, edges)
    route = Route("optimal", best[0], _stops_in_order(layout, picks, path), path)
    assert path_length(path) == best[0], "the tour drawn must be as long as the optimum computed"
    return route


def _horizontal(fa, fb, conn, closed, x, y, *, is_depot):
    """Leave aisle j with x front and y back cross-aisle edge copies; None if the result is invalid."""
    if closed:
        return (NONE, NONE, False, True) if x == 0 and y == 0 and not is_depot else None
    final_a, final_b = _add_degree(fa, x), _add_degree(fb, y)
    if final_a == ODD or final_b == ODD:
        return None
    if is_depot and final_a == NONE:
        return None  # the depot must be on the tour
    # Label the components touching the frontier; an untouched vertex given edges starts a new one.
    label_a = "A" if fa != NONE else None
    label_b = None if fb == NONE else ("A" if conn and fa != NONE else "B")
    existing = {label for label in (label_a, label_b) if label}
    carried_a = (label_a or "new-front") if x else None
    carried_b = (label_b or "new-back") if y else None
    carried = {label for label in (carried_a, carried_b) if label}
    if existing - carried:
        # A component leaves the frontier for good: only a finished, single tour may do that.
        return (NONE, NONE, False, True) if len(existing) == 1 and not carried else None
    na = NONE if x == 0 else (ODD if x == 1 else EVEN)
    nb = NONE if y == 0 else (ODD if y == 1 else EVEN)
    return (na, nb, carried_a is not None and carried_a == carried_b, False)


def _rebuild_edges(layout: Layout, layers, final_state, ys) -> list[tuple[tuple, tuple]]:
    back = layout.back_y
    edges: list[tuple[tuple, tuple]] = []
    state = final_state
    for kind, aisle, table in reversed(layers):
        _, (previous, choice) = table[state]
        x = layout.x(aisle)
        if kind == "h":
            fx, fy = choice
            nx = layout.x(aisle + 1)
            edges += [((x, ZERO), (nx, ZERO))] * fx + [((x, back), (nx, back))] * fy
        else:
            edges += _vertical_edges(x, ys.get(aisle, []), back, choice)
        state = previous
    return edges


def _vertical_edges(x, aisle_ys, back, name):
    points = [ZERO, *aisle_ys, back]

    def chain(ps, copies):
        return [((x, a), (x, b)) for a, b in zip(ps, ps[1:], strict=False) for _ in range(copies)]

    if name == "none":
        return []
    if name == "single":
        return chain(points, 1)
    if name == "double":
        return chain(points, 2)
    if name == "bottom":
        return chain([ZERO, *aisle_ys], 2)
    if name == "top":
        return chain([*aisle_ys, back], 2)
    gaps = [(b - a, i) for i, (a, b) in enumerate(zip(aisle_ys, aisle_ys[1:], strict=False))]
    _, cut = max(gaps)
    return chain([ZERO, *aisle_ys[: cut + 1]], 2) + chain([*aisle_ys[cut + 1 :], back], 2)


def _euler_path(layout: Layout, edges) -> list[tuple[Decimal, Decimal]]:
    """Hierholzer's algorithm from the depot over the tour multigraph."""
    adjacency: dict = defaultdict(list)
    for i, (a, b) in enumerate(edges):
        adjacency[a].append((b, i))
        adjacency[b].append((a, i))
    used = [False] * len(edges)
    stack, circuit = [layout.depot], []
    while stack:
        node = stack[-1]
        while adjacency[node] and used[adjacency[node][-1][1]]:
            adjacency[node].pop()
        if adjacency[node]:
            nxt, i = adjacency[node].pop()
            used[i] = True
            stack.append(nxt)
        else:
            circuit.append(stack.pop())
    return circuit[::-1]


# -- heuristics (Roodbergen & de Koster 2001) -----------------------------------------------------


class _Walker:
    """Builds a rectilinear path; horizontal moves happen only on the cross aisles."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.path = [layout.depot]
        self.cross_ys = layout.cross_ys

    @property
    def here(self):
        return self.path[-1]

    def to(self, x: Decimal, y: Decimal):
        cx, cy = self.here
        if cx != x:
            assert cy in self.cross_ys, "horizontal moves only on a cross aisle"
            self.path.append((x, cy))
        if self.here != (x, y):
            self.path.append((x, y))

    def cross_to(self, x: Decimal):
        self.to(x, self.here[1])

    def home(self):
        self.to(self.layout.depot[0], ZERO)


def _finish(method: str, layout: Layout, picks: list[Pick], walker: _Walker) -> Route:
    path = walker.path
    return Route(method, path_length(path), _stops_in_order(layout, picks, path), path)


def return_route(layout: Layout, picks: list[Pick]) -> Route:
    _single_block_only("return", layout)
    validate_picks(layout, picks)
    ys = _by_aisle(layout, picks)
    walk = _Walker(layout)
    for aisle in sorted(ys):
        walk.cross_to(layout.x(aisle))
        walk.to(layout.x(aisle), ys[aisle][-1])
        walk.to(layout.x(aisle), ZERO)
    walk.home()
    return _finish("return", layout, picks, walk)


def s_shape_route(layout: Layout, picks: list[Pick]) -> Route:
    """Every aisle with a pick is traversed entirely; with an odd count the last one is a return."""
    validate_picks(layout, picks)
    if layout.cross_aisles:
        return _multi_s_shape(layout, picks)
    ys = _by_aisle(layout, picks)
    aisles = sorted(ys)
    walk = _Walker(layout)
    back = layout.back_y
    for i, aisle in enumerate(aisles):
        x = layout.x(aisle)
        walk.cross_to(x)
        at_front = walk.here[1] == ZERO
        if i == len(aisles) - 1 and at_front:
            walk.to(x, ys[aisle][-1])
            walk.to(x, ZERO)
        else:
            walk.to(x, back if at_front else ZERO)
    walk.home()
    return _finish("s_shape", layout, picks, walk)


def _split_route(method: str, layout: Layout, picks: list[Pick], split) -> Route:
    """Midpoint and largest gap: traverse the first and last pick aisles; in the others take the
    picks before the split from the back and the rest from the front."""
    validate_picks(layout, picks)
    ys = _by_aisle(layout, picks)
    aisles = sorted(ys)
    if len(aisles) <= 1:
        route = return_route(layout, picks)
        route.method = method
        return route
    back = layout.back_y
    walk = _Walker(layout)
    first, last, middle = aisles[0], aisles[-1], aisles[1:-1]
    walk.cross_to(layout.x(first))
    walk.to(layout.x(first), back)
    for aisle in middle:
        x = layout.x(aisle)
        from_back = [y for y in ys[aisle] if not split(aisle, y)]
        if from_back:
            walk.cross_to(x)
            walk.to(x, from_back[0])
            walk.to(x, back)
    walk.cross_to(layout.x(last))
    walk.to(layout.x(last), ZERO)
    for aisle in reversed(middle):
        x = layout.x(aisle)
        from_front = [y for y in ys[aisle] if split(aisle, y)]
        if from_front:
            walk.cross_to(x)
            walk.to(x, from_front[-1])
            walk.to(x, ZERO)
    walk.home()
    return _finish(method, layout, picks, walk)


def midpoint_route(layout: Layout, picks: list[Pick]) -> Route:
    _single_block_only("midpoint", layout)
    half = layout.back_y / 2
    return _split_route("midpoint", layout, picks, lambda aisle, y: y <= half)


def largest_gap_route(layout: Layout, picks: list[Pick]) -> Route:
    if layout.cross_aisles:
        validate_picks(layout, picks)
        return _multi_largest_gap(layout, picks)
    ys = _by_aisle(layout, picks) if picks else {}
    back = layout.back_y
    cut: dict[int, Decimal] = {}
    for aisle, values in ys.items():
        points = [ZERO, *values, back]
        gap, i = max((b - a, i) for i, (a, b) in enumerate(zip(points, points[1:], strict=False)))
        cut[aisle] = points[i]  # picks up to here are taken from the front
    return _split_route("largest_gap", layout, picks, lambda aisle, y: y <= cut[aisle])


def combined_route(layout: Layout, picks: list[Pick]) -> Route:
    """Each pick aisle is either traversed or entered and left from the side the picker is on,
    whichever the dynamic programme over aisles finds shorter (Roodbergen & de Koster's combined)."""
    validate_picks(layout, picks)
    if layout.cross_aisles:
        return _multi_combined(layout, picks)
    ys = _by_aisle(layout, picks)
    aisles = sorted(ys)
    back = layout.back_y
    if not aisles:
        return Route("combined", ZERO, [], [layout.depot])
    # Cross-aisle travel is the same whichever side the picker is on, so the programme only weighs
    # the in-aisle travel. best[side] = (cost, choices) after an aisle; side 0 = front, 1 = back.
    best = {0: (ZERO, []), 1: None}
    for aisle in aisles:
        nxt = {0: None, 1: None}
        for side, entry in best.items():
            if entry is None:
                continue
            cost, choices = entry
            depth = ys[aisle][-1] if side == 0 else back - ys[aisle][0]
            for option, new_side, extra in (("traverse", 1 - side, back), ("return", side, TWO * depth)):
                total = cost + extra
                if nxt[new_side] is None or total < nxt[new_side][0]:
                    nxt[new_side] = (total, [*choices, (aisle, option)])
        best = nxt
    assert best[0] is not None
    _, choices = best[0]
    walk = _Walker(layout)
    for aisle, option in choices:
        x = layout.x(aisle)
        walk.cross_to(x)
        y = walk.here[1]
        if option == "traverse":
            walk.to(x, back if y == ZERO else ZERO)
        else:
            walk.to(x, ys[aisle][-1] if y == ZERO else ys[aisle][0])
            walk.to(x, y)
    walk.home()
    return _finish("combined", layout, picks, walk)


# -- several blocks (Roodbergen & de Koster 2001, "Routing methods for warehouses with multiple cross aisles") --
#
# Steps 1–3, shared by the three heuristics: find the left pick aisle (the leftmost aisle with a pick)
# and the farthest block (the block with a pick farthest from the depot); walk from the depot along the
# front cross aisle to the left pick aisle and up it to the front cross aisle of the farthest block,
# taking on the way the picks of that aisle in the nearer blocks. Blocks are then done one by one from
# the farthest to the nearest; each is left by its front cross aisle, which is the back cross aisle of
# the next block; a block without picks left is crossed by the sub-aisle the picker stands in. Last,
# back along the front cross aisle to the depot. Ties: the nearer end sub-aisle is the left one when
# both are as near; the farther one (largest gap) is the right one when both are as far.


def _single_block_only(method: str, layout: Layout) -> None:
    if layout.cross_aisles:
        raise RoutingError(
            f"{method} is defined for a single block only; with middle cross aisles use one of "
            f"{', '.join(('optimal', *MULTI_BLOCK_METHODS))}", "method")


def _by_block(layout: Layout, picks: list[Pick]) -> dict[int, dict[int, list[Decimal]]]:
    """Sorted pick y positions per block and aisle, only where there are picks."""
    found: dict[int, dict[int, set[Decimal]]] = defaultdict(lambda: defaultdict(set))
    for pick in picks:
        found[layout.block_of(pick.slot)][pick.aisle].add(layout.y(pick.slot))
    return {b: {a: sorted(ys) for a, ys in aisles.items()} for b, aisles in found.items()}


def _nearest(aisles, here: int) -> int:
    return min(aisles, key=lambda a: (abs(a - here), a))


def _start_multi(layout: Layout, picks: list[Pick]):
    """Steps 1–3; returns the walker, the picks still to take, the farthest block (−1 if none) and the
    aisle the picker stands in."""
    todo = _by_block(layout, picks)
    walk = _Walker(layout)
    if not todo:
        return walk, todo, -1, layout.depot_aisle
    left = min(a for aisles in todo.values() for a in aisles)
    far = max(todo)
    x = layout.x(left)
    walk.cross_to(x)
    walk.to(x, layout.cross_ys[far])
    for b in range(far):
        todo.get(b, {}).pop(left, None)
    return walk, todo, far, left


def _first_sub_aisle(layout: Layout, walk: _Walker, todo, far: int) -> tuple[int, int]:
    """Step 4 of S-shape and largest gap: along the front cross aisle of the farthest block to its leftmost
    sub-aisle with picks; the only one is entered and left from the front, else it is traversed to the
    back. Returns the block to go on with (the picker at its back) and the aisle the picker is in."""
    ys_cross = layout.cross_ys
    block = todo[far]
    aisle = min(block)
    x = layout.x(aisle)
    walk.cross_to(x)
    ys = block.pop(aisle)
    if block:
        walk.to(x, ys_cross[far + 1])
        return far, aisle
    walk.to(x, ys[-1])
    walk.to(x, ys_cross[far])
    return far - 1, aisle


def _multi_s_shape(layout: Layout, picks: list[Pick]) -> Route:
    """Multi-block S-shape: after steps 1–4, in each block (picker at its back) go to the nearer of its
    leftmost and rightmost sub-aisles with picks and traverse it; traverse the others one after the other
    in S-shape; the last one is traversed if the picker is at the back, else entered and left from the
    front."""
    walk, todo, far, aisle = _start_multi(layout, picks)
    ys_cross = layout.cross_ys
    block_no = -1
    if far >= 0:
        block_no, aisle = _first_sub_aisle(layout, walk, todo, far)
    while block_no >= 0:
        block = todo.get(block_no, {})
        front, back = ys_cross[block_no], ys_cross[block_no + 1]
        if not block:
            walk.to(layout.x(aisle), front)
            block_no -= 1
            continue
        lo, hi = min(block), max(block)
        aisle = lo if abs(aisle - lo) <= abs(hi - aisle) else hi
        at_back = True
        while block:
            x = layout.x(aisle)
            walk.cross_to(x)
            ys = block.pop(aisle)
            if at_back:
                walk.to(x, front)
                at_back = False
            elif block:
                walk.to(x, back)
                at_back = True
            else:
                walk.to(x, ys[-1])
                walk.to(x, front)
            if block:
                aisle = _nearest(block, aisle)
        block_no -= 1
    walk.home()
    return _finish("s_shape", layout, picks, walk)


def _multi_largest_gap(layout: Layout, picks: list[Pick]) -> Route:
    """Multi-block largest gap: after steps 1–4, in each block (picker at its back) the sub-aisle with picks
    farthest from the picker is the last one; along the back cross aisle to the other end and towards the
    last one, entering each sub-aisle from the back up to its largest gap (between the block's cross
    aisles and its picks); traverse the last one to the front; then along the front cross aisle away from
    it, entering each sub-aisle with picks left up to its largest gap from the front."""
    walk, todo, far, aisle = _start_multi(layout, picks)
    ys_cross = layout.cross_ys
    block_no = -1
    if far >= 0:
        block_no, aisle = _first_sub_aisle(layout, walk, todo, far)
    while block_no >= 0:
        block = todo.get(block_no, {})
        front, back = ys_cross[block_no], ys_cross[block_no + 1]
        if not block:
            walk.to(layout.x(aisle), front)
            block_no -= 1
            continue
        lo, hi = min(block), max(block)
        last = lo if abs(aisle - lo) > abs(hi - aisle) else hi
        from_front: dict[int, list[Decimal]] = {}
        for other in sorted((a for a in block if a != last), reverse=(last == lo)):
            ys = block[other]
            points = [front, *ys, back]
            _, i = max((b - a, i) for i, (a, b) in enumerate(zip(points, points[1:], strict=False)))
            from_back = [y for y in ys if y > points[i]]
            if from_back:
                x = layout.x(other)
                walk.cross_to(x)
                walk.to(x, from_back[0])
                walk.to(x, back)
            if len(from_back) < len(ys):
                from_front[other] = [y for y in ys if y <= points[i]]
        x = layout.x(last)
        walk.cross_to(x)
        walk.to(x, front)
        aisle = last
        for other in sorted(from_front, reverse=(last == hi)):
            x = layout.x(other)
            walk.cross_to(x)
            walk.to(x, from_front[other][-1])
            walk.to(x, front)
            aisle = other
        block_no -= 1
    walk.home()
    return _finish("largest_gap", layout, picks, walk)


def _multi_combined(layout: Layout, picks: list[Pick]) -> Route:
    """Multi-block combined: after steps 1–3, in each block go to the nearer of its leftmost and rightmost
    sub-aisles with picks and visit them in order towards the other end, each either traversed or entered
    and left from the side the picker is on, as the dynamic programme over the block's sub-aisles finds
    shortest, leaving the block by its front cross aisle."""
    walk, todo, far, aisle = _start_multi(layout, picks)
    ys_cross = layout.cross_ys
    start_side = 0  # in the farthest block the picker starts at its front; in the others at their back
    for block_no in range(far, -1, -1):
        block = todo.get(block_no, {})
        front, back = ys_cross[block_no], ys_cross[block_no + 1]
        if not block:
            walk.to(layout.x(aisle), front)
            start_side = 1
            continue
        lo, hi = min(block), max(block)
        first = lo if abs(aisle - lo) <= abs(hi - aisle) else hi
        order = sorted(block, reverse=(first == hi))
        depth_of_block = back - front
        # best[side] = (cost, choices) after a sub-aisle; side 0 = the block's front, 1 = its back
        best: dict[int, tuple | None] = {0: None, 1: None}
        best[start_side] = (ZERO, [])
        for a in order:
            ys = block[a]
            nxt: dict[int, tuple | None] = {0: None, 1: None}
            for side, entry in best.items():
                if entry is None:
                    continue
                cost, choices = entry
                depth = ys[-1] - front if side == 0 else back - ys[0]
                for option, new_side, extra in (("traverse", 1 - side, depth_of_block), ("return", side, TWO * depth)):
                    total = cost + extra
                    if nxt[new_side] is None or total < nxt[new_side][0]:
                        nxt[new_side] = (total, [*choices, (a, option)])
            best = nxt
        assert best[0] is not None
        for a, option in best[0][1]:
            x = layout.x(a)
            walk.cross_to(x)
            y = walk.here[1]
            ys = block[a]
            if option == "traverse":
                walk.to(x, back if y == front else front)
            else:
                walk.to(x, ys[-1] if y == front else ys[0])
                walk.to(x, y)
        aisle = order[-1]
        start_side = 1
    walk.home()
    return _finish("combined", layout, picks, walk)


def _best_of_multi(layout: Layout, picks: list[Pick]) -> Route:
    """"optimal" on several blocks: the shortest of the multi-block heuristics (ties to the first listed)."""
    routes = [ROUTERS[method](layout, picks) for method in MULTI_BLOCK_METHODS]
    best = min(routes, key=lambda route: route.length)
    return Route("optimal", best.length, best.stops, best.path, basis=f"best_of:{best.method}")


ROUTERS = {
    "optimal": optimal_route,
    "s_shape": s_shape_route,
    "return": return_route,
    "midpoint": midpoint_route,
    "largest_gap": largest_gap_route,
    "combined": combined_route,
}


def plan_route(layout: Layout, picks: list[Pick], method: str = "optimal") -> Route:
    if method not in ROUTERS:
        raise RoutingError(f"method must be one of {', '.join(METHODS)}", "method")
    return ROUTERS[method](layout, picks)

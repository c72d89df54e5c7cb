"""The MRP run over items and buckets: low-level codes, netting, lot sizing, explosion, pegging.

Pure Python on plain data (no database, no Django): the database-side run reads items, BOMs,
orders and stock into `Item` and `Edge` values, calls `run_mrp`, and acts on the result.

Conventions (why they are so):
- Quantities are Decimal, kept exact as they come from the product's UoM; ints and strings are
  converted once at the entry, floats refused. Lists per bucket are plain lists of Decimals
  (index 0 = bucket 1) sharing one ZERO object — no object per bucket beyond the numbers. Ints
  in the smallest unit would make the arithmetic about twice as fast, but every result would then
  need a scale per item and a conversion back (3.6 million Decimals for 10,000 items × 52 buckets
  × 7 lists): Decimal's C implementation keeps netting within a few times a bare int loop
  (bench/mrp.py), and what remains is the objects of the result (orders, pegs).
- The cyclic garbage collector is paused during a run (see `_cyclic_gc_paused`).
- Every bucket *number* in orders, pegs and exceptions is 1-based, as planners count them.
- Netting per bucket (algorithms.md, MRP): available = PAB(t−1) + scheduled(t) − gross(t);
  net = max(0, safety stock − available); planned receipt = lot size(net) (the rule is asked bucket
  by bucket, so a lot's surplus stays in PAB and covers later buckets); PAB(t) = available + receipt.
- Planned release = receipt bucket − lead time. A release that falls before bucket 1 is not an error
  and is not silently moved: the order keeps its due bucket, its quantity is shown released in
  bucket 1 (the earliest it can still go out, and where its components are then needed), the order
  records the true release bucket (≤ 0) and the run reports ``(item, "past_due_release", bucket)``
  with that bucket — a planner must expedite or re-date it.
- A parent's planned release × qty-per × (1 + scrap_pct/100) is the child's dependent gross
  requirement in the release bucket (component scrap grosses the requirement up, as SAP's component
  scrap does). With ``Item.decimals`` set, that requirement is rounded UP to the child's UoM
  precision (nobody issues 2.1 screws).
- Items are netted in low-level-code order, so an item's gross requirements are complete first.
- Pegging is FIFO in time: a negative on hand and the safety stock take the first supply, then
  the demands of each bucket (independent demand first, then parents' orders in planning order:
  low-level code, code) take on hand, scheduled receipts and planned orders in the order they
  arrive. Each planned order lists the demands it covers (Peg: kind, item, bucket, qty); what is
  left of it (a fixed lot's tail at the horizon, a minimum order's excess) is surplus, not pegged.
"""

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from functools import partial
from typing import NamedTuple

from sihe.planning.lotsizing import ZERO, LotForLot, LotRule, dec, decs

HUNDRED = Decimal(100)
PAST_DUE_RELEASE = "past_due_release"


class MrpInputError(ValueError):
    """Input the run cannot plan with; the message names the item and the field."""


class BomCycleError(MrpInputError):
    """A BOM in which an item (indirectly) contains itself: no low-level code exists."""

    def __init__(self, path: list[str]):
        self.path = path
        super().__init__(f"BOM cycle: {' → '.join(path)}")


@dataclass(frozen=True, slots=True)
class Item:
    """What the run needs of one item. Per-bucket sequences may be shorter than the horizon."""

    code: str
    lead_time: int = 0  # in buckets
    on_hand: Decimal = ZERO
    safety_stock: Decimal = ZERO
    lot: LotRule = LotForLot()
    scheduled: Sequence = ()  # scheduled receipts (open purchase/work orders) per bucket
    demand: Sequence = ()  # independent gross requirements per bucket
    decimals: int | None = None  # UoM precision that dependent requirements are rounded up to


@dataclass(frozen=True, slots=True)
class Edge:
    """One BOM line: ``qty`` of ``child`` per one ``parent``, grossed up by ``scrap_pct`` percent."""

    parent: str
    child: str
    qty: Decimal
    scrap_pct: Decimal = ZERO


class Peg(NamedTuple):
    """A demand a planned order covers, ``qty`` in the order's item's unit.
    kind "independent": the item's own demand in ``bucket``;
    "planned_order": the planned order of parent ``item`` due in ``bucket`` (its key);
    "safety_stock": the item's safety stock, topped up from bucket 1; "negative_on_hand": stock
    issued before it was there (a backlog), made good from bucket 1."""

    kind: str
    item: str
    bucket: int
    qty: Decimal


class MrpException(NamedTuple):
    item: str
    code: str
    bucket: int


class PlannedOrder(NamedTuple):
    """A planned order: due (received) in ``due``, to be released in ``release`` (≤ 0 ⇒ past due)."""

    item: str
    due: int
    release: int
    qty: Decimal
    pegs: tuple[Peg, ...] = ()

    @property
    def past_due(self) -> bool:
        return self.release < 1


@dataclass(slots=True)
class ItemPlan:
    """The MRP record of one item: lists per bucket (index 0 = bucket 1) and its planned orders."""

    code: str
    llc: int
    gross: list[Decimal]
    scheduled: list[Decimal]
    projected: list[Decimal]
    net: list[Decimal]
    planned_receipts: list[Decimal]
    planned_releases: list[Decimal]
    orders: list[PlannedOrder] = field(default_factory=list)

    def order(self, due: int) -> PlannedOrder:
        """The planned order due in bucket ``due`` (1-based)."""
        for order in self.orders:
            if order.due == due:
                return order
        raise KeyError(f"{self.code} has no planned order due in bucket {due}")


@dataclass(slots=True)
class MrpResult:
    plans: dict[str, ItemPlan]
    exceptions: list[MrpException]

    def __getitem__(self, code: str) -> ItemPlan:
        return self.plans[code]


def low_level_codes(codes: Iterable[str], bom: Iterable[Edge]) -> dict[str, int]:
    """Each item's low-level code: the deepest level it appears at in any BOM (0 = top).

    Longest path from the roots, by Kahn's topological order (parent before child). Items left
    unordered sit on or below a cycle; the cycle is named, because that is what the user must fix."""
    children: dict[str, list[str]] = {code: [] for code in codes}
    waiting = dict.fromkeys(children, 0)
    for edge in bom:
        for code in (edge.parent, edge.child):
            if code not in children:
                raise MrpInputError(f"BOM line {edge.parent} → {edge.child}: unknown item {code}")
        children[edge.parent].append(edge.child)
        waiting[edge.child] += 1
    level = dict.fromkeys(children, 0)
    ready = [code for code, count in waiting.items() if count == 0]
    while ready:
        parent = ready.pop()
        below = level[parent] + 1
        for child in children[parent]:
            if level[child] < below:
                level[child] = below
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    stuck = {code for code, count in waiting.items() if count}
    if stuck:
        raise BomCycleError(_cycle(stuck, children))
    return level


def _cycle(stuck: set[str], children: dict[str, list[str]]) -> list[str]:
    """A cycle among items left by Kahn's algorithm, as a path parent → … → parent.

    Every stuck item has a stuck parent, so walking up from any of them must repeat an item; the
    cycle is turned to start at its smallest code so the message is the same on every run."""
    parents: dict[str, list[str]] = {code: [] for code in stuck}
    for parent in sorted(stuck):
        for child in children[parent]:
            if child in stuck:
                parents[child].append(parent)
    walk, seen = [min(stuck)], {min(stuck): 0}
    while True:
        up = min(parents[walk[-1]])
        if up in seen:
            loop = walk[seen[up]:][::-1]  # walked child → parent; the path reads parent → child
            start = loop.index(min(loop))
            loop = loop[start:] + loop[:start]
            return loop + [loop[0]]
        seen[up] = len(walk)
        walk.append(up)


def _quantity(value, item: str, name: str) -> Decimal:
    try:
        return dec(value, field=name)
    except (TypeError, ArithmeticError) as exc:
        raise MrpInputError(f"{item}: {exc}") from exc


def _per_bucket(values: Sequence, buckets: int, item: str, name: str) -> list[Decimal]:
    if len(values) > buckets:
        raise MrpInputError(f"{item}: {name} has {len(values)} buckets, the run has {buckets}")
    if set(map(type, values)) <= {Decimal}:  # the usual case, checked at C speed
        out = list(values)
    else:
        try:
            out = decs(values, field=name)
        except (TypeError, ArithmeticError) as exc:
            raise MrpInputError(f"{item}: {exc}") from exc
    if out and min(out) < 0:
        raise MrpInputError(f"{item}: {name} must not be negative")
    return out + [ZERO] * (buckets - len(out))


def _l4l_ahead(gross, scheduled, safety, t, pab, horizon=None):
    """Lot-for-lot net requirements of buckets t.. (at most ``horizon``) given PAB(t−1): what
    look-ahead rules see."""
    ahead = []
    for k in range(t, len(gross) if horizon is None else min(len(gross), t + horizon)):
        available = pab + scheduled[k] - gross[k]
        if available < safety:
            ahead.append(safety - available)
            pab = safety
        else:
            ahead.append(ZERO)
            pab = available
    return ahead


def net_item(gross: list[Decimal], scheduled: list[Decimal], on_hand: Decimal, safety: Decimal,
             lot: LotRule) -> tuple[list[Decimal], list[Decimal], list[Decimal]]:
    """(projected, net, planned receipts) per bucket of one item — the netting of algorithms.md.

    The hot loop of the run: three adds and a compare per bucket, the rule asked only where a net
    requirement appears."""
    n = len(gross)
    projected, net, receipts = [ZERO] * n, [ZERO] * n, [ZERO] * n
    pab = on_hand
    receipt, looks_ahead = lot.receipt, lot.looks_ahead
    for t in range(n):
        available = pab + scheduled[t] - gross[t]
        if available < safety:
            need = safety - available
            qty = receipt(t, need, partial(_l4l_ahead, gross, scheduled, safety, t, pab) if looks_ahead else None)
            net[t] = need
            receipts[t] = qty
            available += qty
        projected[t] = available
        pab = available
    return projected, net, receipts


class _Child(NamedTuple):
    code: str
    factor: Decimal  # qty per parent × (1 + scrap)
    quantum: Decimal | None  # the child's UoM step that dependent requirements round up to
    whole: bool  # the factor is a whole number


def _bom_children(bom: list[Edge], items: dict[str, Item]) -> dict[str, list[_Child]]:
    children: dict[str, list[_Child]] = {}
    for edge in bom:
        name = f"BOM line {edge.parent} → {edge.child}"
        try:
            qty, scrap = dec(edge.qty, field=f"{name} qty"), dec(edge.scrap_pct, field=f"{name} scrap_pct")
        except (TypeError, ArithmeticError) as exc:
            raise MrpInputError(f"{name}: {exc}") from exc
        if qty <= 0 or scrap < 0:
            raise MrpInputError(f"{name}: qty must be positive and scrap_pct not negative")
        decimals = items[edge.child].decimals
        quantum = None if decimals is None else Decimal(1).scaleb(-decimals)
        factor = qty * (HUNDRED + scrap) / HUNDRED if scrap else qty
        whole = factor == factor.to_integral_value()
        children.setdefault(edge.parent, []).append(_Child(edge.child, factor, quantum, whole))
    return children


class _Needs(NamedTuple):
    """An item's dependent demand as parents explode: the bucket index each is needed in, and the
    demand itself as the Peg that pegging will hand to the order covering it."""

    buckets: list[int]
    pegs: list[Peg]


def _peg(code: str, safety: Decimal, on_hand: Decimal, demand: list[Decimal], scheduled: list[Decimal],
         needs: _Needs, receipts: list[Decimal], lead_time: int) -> list[PlannedOrder]:
    """The item's planned orders with the demands each covers, matched FIFO in time.

    Demands in order: a negative on hand (stock issued that was not there, a backlog) and the
    safety stock, then by bucket the item's own demand before the parents' orders as they were
    exploded (planning order: low-level code, code) — one stable sort of indices by bucket. A
    demand that one supply covers whole is pegged with its own Peg object (no new allocation:
    this runs for about every BOM line × order); only a split demand makes new ones."""
    demands: list[Peg] = []
    buckets: list[int] = []
    if on_hand < 0:
        demands.append(Peg("negative_on_hand", code, 1, -on_hand))
        buckets.append(-1)
    if safety > 0:
        demands.append(Peg("safety_stock", code, 1, safety))
        buckets.append(-1)
    for t, qty in enumerate(demand):
        if qty:
            demands.append(Peg("independent", code, t + 1, qty))
            buckets.append(t)
    demands += needs.pegs
    buckets += needs.buckets
    supplies = [(on_hand, -1)]  # (qty, bucket index of the planned order; -1 for stock and scheduled)
    for t, qty in enumerate(receipts):
        if scheduled[t]:
            supplies.append((scheduled[t], -1))
        if qty:
            supplies.append((qty, t))
    pegs: dict[int, list[Peg]] = {t: [] for _, t in supplies if t >= 0}
    new = tuple.__new__  # Peg(...) without the Python-level __new__
    supply = iter(supplies)
    left, target = next(supply)
    into = None
    for i in sorted(range(len(buckets)), key=buckets.__getitem__):
        demand_ = demands[i]
        wanted = demand_[3]
        if wanted <= left:  # the usual case: the supply at hand covers the demand whole
            if into is not None:
                into.append(demand_)
            left -= wanted
            continue
        while True:  # split: the rest of this supply, then the next ones
            if left > ZERO:
                if into is not None:
                    into.append(new(Peg, (*demand_[:3], left)))
                wanted -= left
            left, target = next(supply, (None, None))
            if left is None:
                raise AssertionError(f"{code}: netting left a demand uncovered")
            into = pegs[target] if target >= 0 else None
            if wanted <= left:
                if into is not None:
                    into.append(demand_ if wanted is demand_[3] else new(Peg, (*demand_[:3], wanted)))
                left -= wanted
                break
    return [new(PlannedOrder, (code, t + 1, t + 1 - lead_time, receipts[t], tuple(found)))
            for t, found in pegs.items()]


def _catalogue(items: Iterable[Item]) -> dict[str, Item]:
    catalogue: dict[str, Item] = {}
    for item in items:
        if item.code in catalogue:
            raise MrpInputError(f"item {item.code} is given twice")
        if not isinstance(item.lead_time, int) or item.lead_time < 0:
            raise MrpInputError(f"{item.code}: lead_time must be a whole number of buckets ≥ 0")
        if item.decimals is not None and (not isinstance(item.decimals, int) or item.decimals < 0):
            raise MrpInputError(f"{item.code}: decimals must be a whole number ≥ 0 or None")
        catalogue[item.code] = item
    return catalogue


def _release(code: str, receipts: list[Decimal], lead: int,
             exceptions: list[MrpException]) -> tuple[list[Decimal], list[tuple[int, Decimal, int]]]:
    """Planned releases per bucket and (release index, qty, due bucket) per order; a release
    before bucket 1 goes out in bucket 1 and is reported past due with its true bucket."""
    releases = [ZERO] * len(receipts)
    released = []
    for t, qty in enumerate(receipts):
        if qty:
            at = t - lead
            if at < 0:
                exceptions.append(MrpException(code, PAST_DUE_RELEASE, at + 1))
                at = 0
            releases[at] += qty
            released.append((at, qty, t + 1))
    return releases, released


def _explode(code: str, released: list[tuple[int, Decimal, int]], children: list[_Child],
             needs: dict[str, _Needs]):
    """Each order's release × qty-per (scrap grossed up, rounded up per order to the child's unit)
    becomes a demand of the child in the release bucket: Peg("planned_order", parent, due, qty).

    Whole quantities times a whole factor need no rounding: the check is made once per parent,
    the rounding skipped on every line (about a million of them on bench/mrp.py)."""
    new = tuple.__new__
    at = [record[0] for record in released]
    whole = all(qty == qty.to_integral_value() for _, qty, _ in released)
    for child in children:
        factor, quantum = child.factor, child.quantum
        into = needs[child.code]
        into.buckets.extend(at)
        if quantum is None or (whole and child.whole):
            into.pegs.extend([new(Peg, ("planned_order", code, due, qty * factor)) for _, qty, due in released])
        else:
            into.pegs.extend([new(Peg, ("planned_order", code, due, (qty * factor).quantize(quantum, ROUND_CEILING)))
                              for _, qty, due in released])


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the run, restoring it after.

    Why: a run allocates millions of small tuples (demand records, pegs, orders) that never form
    cycles — reference counting frees them all — yet each allocation wave makes the collector walk
    every live one again: on bench/mrp.py that tripled the run's time. Once resumed, one young-
    generation pass walks what the run left (the result) — done here, so the run pays for it and
    not whatever allocates next. Other threads only see their cycles collected a few seconds later."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
            gc.collect(0)


def run_mrp(items: Iterable[Item], bom: Iterable[Edge], buckets: int, *, pegging: bool = True) -> MrpResult:
    """Plan every item over ``buckets`` buckets: gross → net → lot → release → children's gross.

    ``pegging=False`` skips pegging (orders then carry no pegs) for what-if runs that only need
    the quantities."""
    with _cyclic_gc_paused():
        return _run(items, bom, buckets, pegging)


def _run(items: Iterable[Item], bom: Iterable[Edge], buckets: int, pegging: bool) -> MrpResult:
    if buckets < 1:
        raise MrpInputError(f"buckets must be at least 1, got {buckets}")
    catalogue = _catalogue(items)
    bom = list(bom)
    levels = low_level_codes(catalogue, bom)
    children = _bom_children(bom, catalogue)
    needs = {code: _Needs([], []) for code in catalogue}
    plans: dict[str, ItemPlan] = {}
    exceptions: list[MrpException] = []
    for code in sorted(catalogue, key=lambda c: (levels[c], c)):
        item = catalogue[code]
        on_hand, safety = _quantity(item.on_hand, code, "on_hand"), _quantity(item.safety_stock, code, "safety_stock")
        if safety < 0:
            raise MrpInputError(f"{code}: safety_stock must not be negative")
        scheduled = _per_bucket(item.scheduled, buckets, code, "scheduled")
        demand = _per_bucket(item.demand, buckets, code, "demand")
        gross = demand[:]
        for t, need in zip(needs[code].buckets, needs[code].pegs, strict=True):
            gross[t] += need[3]
        projected, net, receipts = net_item(gross, scheduled, on_hand, safety, item.lot)
        releases, released = _release(code, receipts, item.lead_time, exceptions)
        if released:
            _explode(code, released, children.get(code, ()), needs)
        if pegging and released:
            orders = _peg(code, safety, on_hand, demand, scheduled, needs[code], receipts, item.lead_time)
        else:
            orders = [PlannedOrder(code, due, due - item.lead_time, qty) for _at, qty, due in released]
        plans[code] = ItemPlan(code, levels[code], gross, scheduled, projected, net, receipts, releases, orders)
        del needs[code]  # netted: what is left of its demands lives on in the pegs
    return MrpResult(plans, exceptions)

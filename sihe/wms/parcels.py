"""Splitting one order into parcels by weight, volume and count: vector bin packing.

`pack` returns the minimum number of parcels when it can prove it: first-fit decreasing gives an
upper bound, the larger of ⌈Σweight/max⌉, ⌈Σvolume/max⌉ and ⌈count/max⌉ a lower bound; when they
differ a branch and bound search (with a node budget, enough for the sizes of one order) looks for
a packing with fewer parcels. `proven_optimal` says whether the answer is known to be the minimum.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from math import ceil


class ParcelError(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Item:
    ref: str
    weight: Decimal
    volume: Decimal = Decimal(0)


@dataclass(frozen=True)
class ParcelLimits:
    max_weight: Decimal
    max_volume: Decimal | None = None
    max_items: int | None = None


@dataclass
class Parcel:
    items: list[Item] = field(default_factory=list)

    @property
    def weight(self) -> Decimal:
        return sum((i.weight for i in self.items), Decimal(0))

    @property
    def volume(self) -> Decimal:
        return sum((i.volume for i in self.items), Decimal(0))


@dataclass
class Packing:
    parcels: list[Parcel]
    lower_bound: int
    proven_optimal: bool
    method: str


def _check(items: list[Item], limits: ParcelLimits) -> None:
    if limits.max_weight <= 0:
        raise ParcelError("max_weight must be positive", "limits.max_weight")
    if limits.max_volume is not None and limits.max_volume <= 0:
        raise ParcelError("max_volume must be positive", "limits.max_volume")
    if limits.max_items is not None and limits.max_items < 1:
        raise ParcelError("max_items must be at least 1", "limits.max_items")
    for i, item in enumerate(items):
        if item.weight < 0 or item.volume < 0:
            raise ParcelError("weight and volume must not be negative", f"items[{i}]")
        if item.weight > limits.max_weight:
            raise ParcelError(f"{item.ref} weighs more than one parcel may carry", f"items[{i}].weight")
        if limits.max_volume is not None and item.volume > limits.max_volume:
            raise ParcelError(f"{item.ref} is bigger than one parcel", f"items[{i}].volume")


def lower_bound(items: list[Item], limits: ParcelLimits) -> int:
    if not items:
        return 0
    bounds = [ceil(sum(i.weight for i in items) / limits.max_weight)]
    if limits.max_volume is not None:
        bounds.append(ceil(sum(i.volume for i in items) / limits.max_volume))
    if limits.max_items is not None:
        bounds.append(ceil(len(items) / limits.max_items))
    return max(1, *bounds)


def _size(item: Item, limits: ParcelLimits) -> Decimal:
    """How much of a parcel an item fills in its tightest dimension: the sort key for 'decreasing'."""
    shares = [item.weight / limits.max_weight]
    if limits.max_volume is not None:
        shares.append(item.volume / limits.max_volume)
    if limits.max_items is not None:
        shares.append(Decimal(1) / limits.max_items)
    return max(shares)


def _fits(load: list, item: Item, limits: ParcelLimits) -> bool:
    weight, volume, count = load
    return (
        weight + item.weight <= limits.max_weight
        and (limits.max_volume is None or volume + item.volume <= limits.max_volume)
        and (limits.max_items is None or count + 1 <= limits.max_items)
    )


def first_fit_decreasing(items: list[Item], limits: ParcelLimits) -> list[Parcel]:
    _check(items, limits)
    parcels: list[Parcel] = []
    loads: list[list] = []
    for item in sorted(items, key=lambda i: _size(i, limits), reverse=True):
        for index, load in enumerate(loads):
            if _fits(load, item, limits):
                parcel = parcels[index]
                break
        else:
            parcel, load = Parcel(), [Decimal(0), Decimal(0), 0]
            parcels.append(parcel)
            loads.append(load)
        parcel.items.append(item)
        load[0] += item.weight
        load[1] += item.volume
        load[2] += 1
    return parcels


def _search(items: list[Item], limits: ParcelLimits, bins: int, budget: list[int]) -> list[Parcel] | None:
    """Depth-first assignment of items (largest first) to at most `bins` parcels."""
    order = sorted(items, key=lambda i: _size(i, limits), reverse=True)
    loads = [[Decimal(0), Decimal(0), 0] for _ in range(bins)]
    assignment: list[int] = []

    def place(k: int) -> bool:
        if k == len(order):
            return True
        budget[0] -= 1
        if budget[0] < 0:
            return False
        item = order[k]
        tried_empty = False
        seen = set()
        for b, load in enumerate(loads):
            state = (load[0], load[1], load[2])
            if state in seen:
                continue  # two parcels loaded alike are interchangeable
            seen.add(state)
            if load[2] == 0:
                if tried_empty:
                    continue
                tried_empty = True
            if not _fits(load, item, limits):
                continue
            load[0] += item.weight
            load[1] += item.volume
            load[2] += 1
            assignment.append(b)
            if place(k + 1):
                return True
            assignment.pop()
            load[0] -= item.weight
            load[1] -= item.volume
            load[2] -= 1
        return False

    if not place(0):
        return None
    parcels = [Parcel() for _ in range(bins)]
    for item, b in zip(order, assignment, strict=True):
        parcels[b].items.append(item)
    return [p for p in parcels if p.items]


def pack(items: list[Item], limits: ParcelLimits, *, node_budget: int = 200_000) -> Packing:
    _check(items, limits)
    if not items:
        return Packing([], 0, True, "empty")
    bound = lower_bound(items, limits)
    best = first_fit_decreasing(items, limits)
    if len(best) == bound:
        return Packing(best, bound, True, "first_fit_decreasing")
    budget = [node_budget]
    proven = True
    for bins in range(bound, len(best)):
        found = _search(items, limits, bins, budget)
        if found is not None:
            return Packing(found, bound, proven, "branch_and_bound")
        if budget[0] < 0:
            proven = False  # the budget ran out: fewer parcels were not ruled out
            break
    return Packing(best, bound, proven, "first_fit_decreasing")

"""Parcels: the fewest parcels by weight, volume and count, proven against exhaustive search."""

import random
from decimal import Decimal
from itertools import product

import pytest

from sihe.wms.parcels import Item, ParcelError, ParcelLimits, first_fit_decreasing, lower_bound, pack

D = Decimal


def exhaustive_minimum(items, limits) -> int:
    """Try every assignment of items to k parcels for growing k (tiny instances only)."""
    for k in range(1, len(items) + 1):
        for assignment in product(range(k), repeat=len(items)):
            ok = True
            for b in range(k):
                chosen = [i for i, a in zip(items, assignment, strict=True) if a == b]
                if sum(i.weight for i in chosen) > limits.max_weight:
                    ok = False
                    break
                if limits.max_volume is not None and sum(i.volume for i in chosen) > limits.max_volume:
                    ok = False
                    break
                if limits.max_items is not None and len(chosen) > limits.max_items:
                    ok = False
                    break
            if ok:
                return k
    return 0


def _valid(packing, items, limits):
    packed = sorted((i for p in packing.parcels for i in p.items), key=lambda i: i.ref)
    assert packed == sorted(items, key=lambda i: i.ref)
    for parcel in packing.parcels:
        assert parcel.weight <= limits.max_weight
        assert limits.max_volume is None or parcel.volume <= limits.max_volume
        assert limits.max_items is None or len(parcel.items) <= limits.max_items


def test_thousand_items_make_three_parcels():
    # given 1000 phone cases of 0.05 kg, parcels of at most 20 kg and 400 items
    items = [Item(f"case-{n}", D("0.05"), D("0.0002")) for n in range(1000)]
    limits = ParcelLimits(max_weight=D(20), max_volume=D("0.1"), max_items=400)
    packing = pack(items, limits)
    assert len(packing.parcels) == 3 and packing.proven_optimal
    _valid(packing, items, limits)


def test_branch_and_bound_beats_first_fit_decreasing():
    # FFD: 9 | 5+4 | 3+3+3 | 2 — four parcels; the optimum is 9 | 5+3+2 | 4+3+3 (capacity 10 kg)
    weights = [9, 2, 3, 3, 5, 4, 3]
    items = [Item(f"i{n}", D(w)) for n, w in enumerate(weights)]
    limits = ParcelLimits(max_weight=D(10))
    assert len(first_fit_decreasing(items, limits)) == 4
    packing = pack(items, limits)
    assert len(packing.parcels) == 3 and packing.proven_optimal and packing.method == "branch_and_bound"
    assert sorted(sorted(int(i.weight) for i in p.items) for p in packing.parcels) == [[2, 3, 5], [3, 3, 4], [9]]
    _valid(packing, items, limits)


def test_pack_equals_exhaustive_search_on_random_small_orders():
    rng = random.Random(42)
    for _ in range(300):
        limits = ParcelLimits(max_weight=D(10), max_volume=D(rng.choice([5, 8, 100])),
                              max_items=rng.choice([None, 2, 3]))
        items = [Item(f"i{n}", D(rng.randint(1, 10)), D(rng.randint(0, 5))) for n in range(rng.randint(1, 6))]
        packing = pack(items, limits)
        _valid(packing, items, limits)
        assert packing.proven_optimal
        assert len(packing.parcels) == exhaustive_minimum(items, limits), items
        assert len(packing.parcels) >= lower_bound(items, limits)


def test_an_item_heavier_than_a_parcel_is_refused_naming_it():
    with pytest.raises(ParcelError) as error:
        pack([Item("a", D(1)), Item("anvil", D(50))], ParcelLimits(max_weight=D(30)))
    assert error.value.field == "items[1].weight"
    with pytest.raises(ParcelError) as error:
        pack([Item("a", D(1))], ParcelLimits(max_weight=D(0)))
    assert error.value.field == "limits.max_weight"

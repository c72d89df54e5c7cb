"""超重拆单 as bin packing: units of an order's lines into parcels no heavier than a carrier's limit,
first-fit decreasing (reference/algorithms.md). Pure: no database."""

from decimal import Decimal

ZERO = Decimal(0)
MAX_UNITS = 10000


def first_fit_decreasing(units: list[tuple[int, Decimal, int]], limit: Decimal) -> list[dict[int, int]]:
    """units: (line no, unit weight kg, whole units). Returns parcels, each {line no: units}, heaviest unit
    first into the first parcel it fits; a unit heavier than the limit travels alone. Parcels come out in
    the order they were opened; ties keep the lines' order."""
    if limit <= 0:
        raise ValueError("the weight limit must be above 0")
    items = [(line, weight) for line, weight, qty in units for _ in range(int(qty))]
    if len(items) > MAX_UNITS:
        raise ValueError(f"at most {MAX_UNITS} units")
    items.sort(key=lambda it: -it[1])  # stable: equal weights keep the lines' order
    loads: list[Decimal] = []
    parcels: list[dict[int, int]] = []
    for line, weight in items:
        for i, load in enumerate(loads):
            if load + weight <= limit:
                loads[i] += weight
                parcels[i][line] = parcels[i].get(line, 0) + 1
                break
        else:
            loads.append(weight)
            parcels.append({line: 1})
    return parcels

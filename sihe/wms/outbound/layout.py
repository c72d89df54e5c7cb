"""The warehouse map for pick routing, read from its Location rows (aisle, position, side).

Aisle numbers and positions are used as they are (aisle `a` → routing aisle `a`, position `p` →
slot `p`), so the route map shows the same numbers as the bin codes. The depot (where pickers
start and end: the shipping staging area, else the receiving dock) sits on the front cross aisle
at its location's aisle. The geometry is the routing module's default (1 m per slot, 3 m between
aisles, 2 m cross aisles).

Middle cross aisles (several blocks): no Warehouse, Zone or Location field records where they run,
and a gap in the bins' positions cannot be told from bins not yet created, so `layout_for` builds a
single block. A pick list's stored layout carries `cross_aisles` only when it has some (a stored
layout without the key is a single block, so older pick lists read as before), and `best_route` plans
with "optimal": the exact optimum on a single block, the shortest multi-block heuristic on several.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Max

from sihe.catalog.models import Location, Warehouse
from sihe.wms.routing import Layout, Pick, Route, plan_route


def layout_for(warehouse: Warehouse) -> Layout:
    bins = Location.objects.filter(warehouse=warehouse)
    agg = bins.aggregate(aisle=Max("aisle"), position=Max("position"))
    aisles = (agg["aisle"] or 0) + 1
    slots = (agg["position"] or 0) + 1
    depot = (bins.filter(kind=Location.Kind.STAGING, active=True).order_by("code").first()
             or bins.filter(kind=Location.Kind.DOCK, active=True).order_by("code").first())
    depot_aisle = min(depot.aisle, aisles - 1) if depot is not None else 0
    # middle cross aisles recorded on the warehouse (positions after which one runs); values that do
    # not fit the racks as they stand are left out rather than failing a wave
    raw = warehouse.cross_aisles if isinstance(warehouse.cross_aisles, list) else []
    cross = tuple(sorted({k for k in raw if isinstance(k, int) and not isinstance(k, bool) and 0 < k < slots}))
    return Layout(aisles=aisles, slots_per_aisle=slots, depot_aisle=depot_aisle, cross_aisles=cross)


def layout_dict(layout: Layout) -> dict:
    data = {"aisles": layout.aisles, "slots_per_aisle": layout.slots_per_aisle,
            "slot_pitch": str(layout.slot_pitch), "aisle_spacing": str(layout.aisle_spacing),
            "cross_aisle_width": str(layout.cross_aisle_width), "depot_aisle": layout.depot_aisle}
    if layout.cross_aisles:
        data["cross_aisles"] = list(layout.cross_aisles)
    return data


def layout_from_dict(data: dict) -> Layout:
    return Layout(aisles=int(data["aisles"]), slots_per_aisle=int(data["slots_per_aisle"]),
                  slot_pitch=Decimal(data["slot_pitch"]), aisle_spacing=Decimal(data["aisle_spacing"]),
                  cross_aisle_width=Decimal(data["cross_aisle_width"]), depot_aisle=int(data["depot_aisle"]),
                  cross_aisles=tuple(int(k) for k in data.get("cross_aisles", ())))


def pick_for(location: Location) -> Pick:
    return Pick(aisle=location.aisle, slot=location.position, side=location.side if location.side in ("L", "R") else "L",
                ref=location.code)


def best_route(layout: Layout, locations: list[Location]) -> Route:
    """Stops for these bins (each once) in route order: the exact optimum on a single block, else the
    shortest multi-block heuristic (the route's `basis` names it)."""
    seen: dict[str, Pick] = {}
    for location in locations:
        seen.setdefault(location.code, pick_for(location))
    picks = list(seen.values())
    return plan_route(layout, picks, "optimal")

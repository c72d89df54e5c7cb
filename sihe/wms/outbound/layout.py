"""The warehouse map for pick routing, read from its Location rows (aisle, position, side).

Aisle numbers and positions are used as they are (aisle `a` → routing aisle `a`, position `p` →
slot `p`), so the route map shows the same numbers as the bin codes. The depot (where pickers
start and end: the shipping staging area, else the receiving dock) sits on the front cross aisle
at its location's aisle. The geometry is the routing module's default (1 m per slot, 3 m between
aisles, 2 m cross aisles). Several blocks are not modelled by `Layout` yet; where a layout
declares them (`blocks > 1`) the shortest of the published heuristics is used instead of the exact
single-block optimum.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Max

from sihe.catalog.models import Location, Warehouse
from sihe.wms.routing import METHODS, Layout, Pick, Route, plan_route

HEURISTICS = [m for m in METHODS if m != "optimal"]


def layout_for(warehouse: Warehouse) -> Layout:
    bins = Location.objects.filter(warehouse=warehouse)
    agg = bins.aggregate(aisle=Max("aisle"), position=Max("position"))
    aisles = (agg["aisle"] or 0) + 1
    slots = (agg["position"] or 0) + 1
    depot = (bins.filter(kind=Location.Kind.STAGING, active=True).order_by("code").first()
             or bins.filter(kind=Location.Kind.DOCK, active=True).order_by("code").first())
    depot_aisle = min(depot.aisle, aisles - 1) if depot is not None else 0
    return Layout(aisles=aisles, slots_per_aisle=slots, depot_aisle=depot_aisle)


def layout_dict(layout: Layout) -> dict:
    return {"aisles": layout.aisles, "slots_per_aisle": layout.slots_per_aisle,
            "slot_pitch": str(layout.slot_pitch), "aisle_spacing": str(layout.aisle_spacing),
            "cross_aisle_width": str(layout.cross_aisle_width), "depot_aisle": layout.depot_aisle}


def layout_from_dict(data: dict) -> Layout:
    return Layout(aisles=int(data["aisles"]), slots_per_aisle=int(data["slots_per_aisle"]),
                  slot_pitch=Decimal(data["slot_pitch"]), aisle_spacing=Decimal(data["aisle_spacing"]),
                  cross_aisle_width=Decimal(data["cross_aisle_width"]), depot_aisle=int(data["depot_aisle"]))


def pick_for(location: Location) -> Pick:
    return Pick(aisle=location.aisle, slot=location.position, side=location.side if location.side in ("L", "R") else "L",
                ref=location.code)


def best_route(layout: Layout, locations: list[Location]) -> Route:
    """Stops for these bins (each once) in route order: the exact optimum on a single block, else the
    shortest heuristic."""
    seen: dict[str, Pick] = {}
    for location in locations:
        seen.setdefault(location.code, pick_for(location))
    picks = list(seen.values())
    if getattr(layout, "blocks", 1) <= 1:
        return plan_route(layout, picks, "optimal")
    routes = [plan_route(layout, picks, method) for method in HEURISTICS]
    return min(routes, key=lambda r: (r.length, HEURISTICS.index(r.method)))

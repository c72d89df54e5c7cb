"""Warehouse operations API: the what-if route planner for layout studies (a pick route by
the chosen method through given picks on a given layout, as JSON or as a map)."""

from decimal import Decimal
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Router, Schema

from sihe.api.security import authorize
from sihe.core.errors import ValidationFailed
from sihe.wms.route_map import route_svg
from sihe.wms.routing import Layout, Pick, RoutingError, plan_route

router = Router(tags=["warehouse"])

Method = Literal["optimal", "s_shape", "return", "midpoint", "largest_gap", "combined"]


class LayoutIn(Schema):
    aisles: int = Field(..., ge=1, le=500)
    slots_per_aisle: int = Field(..., ge=1, le=1000)
    slot_pitch: Decimal = Field(Decimal("1.0"), gt=0)
    aisle_spacing: Decimal = Field(Decimal("3.0"), gt=0)
    cross_aisle_width: Decimal = Field(Decimal("2.0"), ge=0)
    depot_aisle: int = Field(0, ge=0)
    cross_aisles: list[int] = Field(
        default_factory=list, max_length=100,
        description="middle cross aisles, each the slot index k (0 < k < slots_per_aisle, distinct) after whose "
                    "first k slots it runs, `cross_aisle_width` wide; [] (the default) is a single block. "
                    "With middle cross aisles the methods are s_shape, largest_gap, combined and optimal "
                    "(the shortest of those three); return and midpoint are refused (422 naming `method`).")


class PickIn(Schema):
    aisle: int = Field(..., ge=0)
    slot: int = Field(..., ge=0)
    side: Literal["L", "R"] = "L"
    ref: str | None = Field(None, max_length=100, description="your label for the stop, e.g. a bin or SKU")


class PlanIn(Schema):
    layout: LayoutIn
    picks: list[PickIn] = Field(..., max_length=2000)
    method: Method = "optimal"


class RouteStopOut(Schema):
    sequence: int
    aisle: int
    slot: int
    side: str
    ref: str | None
    x: Decimal
    y: Decimal


class PlanOut(Schema):
    method: Method
    basis: str | None = Field(None, description='how "optimal" was found on several blocks: "best_of:<method>", '
                                                'the heuristic whose route it is; null otherwise')
    length: Decimal = Field(..., description="metres along aisle and cross-aisle centre lines")
    stops: list[RouteStopOut]
    path: list[tuple[Decimal, Decimal]] = Field(..., description="the route's corner points, from and to the depot")


@router.post(
    "/wms/routes/plan",
    response=PlanOut,
    summary="Plan a pick route on a warehouse layout of one or several blocks (what-if)",
    description="On a single block: the exact optimum (Ratliff–Rosenthal) or a heuristic. With middle cross "
                "aisles (`layout.cross_aisles`): Roodbergen & de Koster's multi-block S-shape, largest gap or "
                "combined, or `optimal` = the shortest of them (`basis` names it). `?format=svg` returns the "
                "route map as SVG.",
    openapi_extra={"responses": {200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}}}},
)
def plan(request, payload: PlanIn, format: Literal["json", "svg"] = "json"):
    authorize(request, "wms.plan")
    try:
        layout = Layout(**payload.layout.model_dump())
        picks = [Pick(p.aisle, p.slot, p.side, p.ref) for p in payload.picks]
        route = plan_route(layout, picks, payload.method)
    except RoutingError as exc:
        raise ValidationFailed(str(exc), field=exc.field) from exc
    if format == "svg":
        return HttpResponse(route_svg(layout, route), content_type="image/svg+xml")
    return {
        "method": route.method,
        "basis": route.basis,
        "length": _m(route.length),
        "stops": [
            {"sequence": i, "aisle": p.aisle, "slot": p.slot, "side": p.side, "ref": p.ref,
             "x": _m(layout.x(p.aisle)), "y": _m(layout.y(p.slot))}
            for i, p in enumerate(route.stops, start=1)
        ],
        "path": [(_m(x), _m(y)) for x, y in route.path],
    }


def _m(value: Decimal) -> Decimal:
    """Metres to the centimetre, so every figure reads alike ("6.50", "0.00")."""
    return value.quantize(Decimal("0.01"))

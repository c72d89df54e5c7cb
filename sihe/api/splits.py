"""拆单 over the API: one of an order's shipments split into two that ship apart (the order stays one for
the books and the invoice), and joined again before picking."""

from decimal import Decimal

from ninja import Field, Path, Router

from sihe.api.base import Strict
from sihe.api.security import authorize
from sihe.core import tx
from sihe.oms.splitting import selectors, services

router = Router(tags=["orders"])

REFUSALS = ("Refusals name the field and a code: 409 `picking_started`, `already_shipped`, `cancelled`, `held`, "
            "`not_allocated`, `merged` (field `order_id`), `shipment_gone`, `not_in_one_shipment`, "
            "`not_in_shipment`; 404 `unknown_line` (`lines[i].line`), `unknown_shipment`; 422 `empty_split`, "
            "`whole_shipment` (field `lines`), `qty_over_line`, `invalid_qty` (`lines[i].qty`), `duplicate_line`, "
            "`choose_shipment` (several open shipments carry the lines: name one). Several faults: `errors` lists each.")


class SplitLineIn(Strict):
    line: int = Field(..., ge=1, le=99999, description="the order line's number (`line_no`)")
    qty: int = Field(..., ge=1, le=10**9, description="whole units of the line that ship in the new part")


class SplitIn(Strict):
    lines: list[SplitLineIn] = Field(..., max_length=services.MAX_LINES,
                                     description="what ships apart (part 1); the rest of the shipment is part 2")
    shipment: str | None = Field(None, max_length=100,
                                 description="the shipment to split (number or id); needed when several carry the lines")
    note: str = Field("", max_length=300)


class SplitNoteIn(Strict):
    note: str = Field("", max_length=300)


@router.post("/orders/{order_id}/split", response={201: dict},
             summary="Split an order's shipment in two (拆单) before picking",
             description="The shipment waiting to be picked is cancelled and two shipments reserve its goods again "
                         "in the same warehouse: the lines and quantities given, and the rest. Each keeps the "
                         "platform order id, the source shipment and the split batch number; revenue, cost and the "
                         "invoice stay the order's. " + REFUSALS)
def post_split(request, payload: SplitIn, order_id: str = Path(..., max_length=80)):
    actor = authorize(request, "orders.manage")
    with tx.entry():
        record = services.split_shipment(order=order_id, lines=[ln.dict() for ln in payload.lines],
                                         shipment=payload.shipment, note=payload.note, actor=actor)
    return 201, selectors.split_out(selectors.split(record.pk))


@router.post("/orders/splits/{split_id}/undo", response=dict, summary="Join a split shipment again before picking",
             description="Both parts are cancelled and one shipment reserves the goods again. Once either part is "
                         "being picked: 409 `picking_started`; undone already: 409 `not_active`.")
def post_split_undo(request, payload: SplitNoteIn | None = None, split_id: str = Path(..., max_length=40)):
    actor = authorize(request, "orders.manage")
    with tx.entry():
        record = services.undo(split_id=split_id, actor=actor, note=payload.note if payload else "")
    return selectors.split_out(selectors.split(record.pk))


@router.get("/orders/splits/{split_id}", response=dict, summary="One split: its parts, their lines and states")
def get_split(request, split_id: str = Path(..., max_length=40)):
    authorize(request, "orders.view")
    return selectors.split_out(selectors.split(split_id))


class OverweightIn(Strict):
    carrier: str = Field(..., min_length=1, max_length=40, description="the carrier whose weight limit applies")
    shipment: str | None = Field(None, max_length=100, description="the shipment to split; needed when several wait")


class WeightLimitIn(Strict):
    carrier: str = Field(..., min_length=1, max_length=40)
    max_kg: Decimal = Field(..., gt=0, lt=100000, max_digits=10, decimal_places=3,
                            description="the heaviest parcel the carrier takes, kg")


@router.post("/orders/{order_id}/split-overweight", response={201: list[dict]},
             summary="Split a shipment over the carrier's weight limit into parcels (超重拆单)",
             description="Units are packed first-fit decreasing by product weight into parcels within the carrier's "
                         "limit; one split per parcel beyond the first. 409 `within_limit` when one parcel is "
                         "enough; 422 `no_weight_limit` when the carrier has no limit set. " + REFUSALS)
def post_split_overweight(request, payload: OverweightIn, order_id: str = Path(..., max_length=80)):
    actor = authorize(request, "orders.manage")
    with tx.entry():
        made = services.split_overweight(order=order_id, carrier=payload.carrier, shipment=payload.shipment,
                                         actor=actor)
    return 201, [selectors.split_out(selectors.split(s.pk)) for s in made]


@router.get("/orders/carrier-weight-limits", response=list[dict], summary="Per-carrier parcel weight limits")
def list_weight_limits(request):
    authorize(request, "orders.view")
    return selectors.weight_limits()


@router.post("/orders/carrier-weight-limits", response={201: dict},
             summary="Set a carrier's parcel weight limit (created or changed)")
def post_weight_limit(request, payload: WeightLimitIn):
    actor = authorize(request, "orders.manage")
    with tx.entry():
        row = services.save_weight_limit(carrier=payload.carrier, max_kg=payload.max_kg, actor=actor)
    return 201, selectors.weight_limit_out(row)

"""Outbound: waves, pick lists in route order, scan-to-pick, check and pack, ship.

- `POST /wms/waves` releases pending shipments of a warehouse as a wave (the earliest carrier
  cut-off first; carts per zone and capacity), `GET /wms/waves`, `GET /wms/waves/{id}`.
- `GET /wms/picklists/{id}`: the stops in route order, the route length, the SVG map's URL
  (`GET /wms/picklists/{id}/route.svg`); `POST /wms/picklists/{id}/scan` `{barcode, qty?}` — a bin,
  then the item (GS1 element string, GTIN or SKU); refusals are 422 with `code` (`wrong_bin`,
  `younger_lot`, `short_shelf_life`, `wrong_lot`, `over_pick`, `wrong_item`, `lot_required`, ...)
  and the bin / lot to take instead; `POST /wms/picklists/{id}/short` reports a short pick.
- `POST /wms/shipments/{id}/check` `{barcode, qty?}` (复核), `POST /wms/shipments/{id}/pack`,
  `GET /wms/shipments/{id}/label.pdf`, `POST /wms/shipments/{id}/ship`. `{id}` is the shipment's
  id or its number.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from sihe.api.base import Strict
from sihe.api.pagination import MAX_INT
from sihe.api.security import authorize
from sihe.catalog import selectors as catalog_selectors
from sihe.core import tx
from sihe.core.errors import NotFound
from sihe.core.money import to_decimal
from sihe.stock.units import parse_date
from sihe.wms.outbound import labels, selectors, services
from sihe.wms.outbound.selectors import PickList, PickTask, Shipment, Wave

router = Router(tags=["warehouse"])

Num = Decimal | str | int


def q(value: Decimal | None) -> str | None:
    return None if value is None else services.q(value)


# -- schemas --------------------------------------------------------------------------------------


class WaveIn(Strict):
    warehouse: str = Field(..., max_length=20, description="warehouse code")
    shipments: list[str] | None = Field(None, max_length=500, description="shipment numbers; default: the pending "
                                        "shipments of the earliest carrier cut-off")
    max_lines: int = Field(20, ge=1, le=1000, description="cart capacity: stops per pick list")
    max_volume: Decimal | None = Field(None, gt=0, le=10000, description="cart capacity in m³")
    carrier: str = Field("", max_length=40, description="only shipments for this carrier (or none yet); the "
                         "default carrier of the wave's parcels")
    by_zone: bool = Field(True, description="one pick list per zone (zone picking)")
    max_shipments: int = Field(200, ge=1, le=1000)
    pickers: list[str] | None = Field(None, max_length=100, description="user names; the pick lists are dealt out "
                                      "to them in turn (default: whoever scans first)")


class StopOut(Schema):
    id: int
    sequence: int
    location: str
    aisle: int
    position: int
    side: str
    sku: str
    name: str
    lot: str | None
    expiry: str | None
    qty: str
    picked: str
    short: str
    state: str
    tote: int
    shipment: str


class PickListSummary(Schema):
    id: int
    number: str
    zone: str | None
    picker: str
    state: str
    stops: int
    length: str = Field(..., description="route length in metres")
    url: str


class PickListOut(PickListSummary):
    wave: str
    method: str = Field(..., description="optimal (Ratliff–Rosenthal) or the heuristic used")
    svg_url: str
    current_location: str | None
    next_stop: StopOut | None
    items: list[StopOut]


class WaveShipmentOut(Schema):
    id: int
    number: str
    source_number: str
    tote: int
    state: str


class WaveOut(Schema):
    id: int
    number: str
    warehouse: str
    state: str
    carrier: str
    cutoff_at: datetime.datetime | None
    max_lines: int
    created_at: datetime.datetime
    progress: dict
    shipments: list[WaveShipmentOut]
    picklists: list[PickListSummary]


class WaveList(Schema):
    items: list[WaveOut]
    count: int


class PickScanIn(Strict):
    barcode: str = Field(..., max_length=200, description="a bin code, a GS1 element string, a GTIN or a SKU")
    qty: Num | None = Field(None, description="how many (default: the GS1 count, else 1)")


class PickScanOut(Schema):
    kind: str = Field(..., description="bin: the picker is at a bin; pick: a quantity was taken")
    message: str
    qty: str | None
    stop: StopOut | None
    picklist_state: str
    next_stop: StopOut | None
    finished_shipments: list[str] = Field(..., description="shipments fully picked by this scan")


class ShortIn(Strict):
    stop: int = Field(..., ge=1, le=MAX_INT, description="the stop's sequence on the list")
    qty: Num | None = Field(None, description="how many are missing (default: all still open at the stop)")
    reason: str = Field("", max_length=200)


class CheckLineOut(Schema):
    sku: str
    name: str
    picked: str
    checked: str
    done: bool


class ShipmentCheckOut(Schema):
    shipment: str
    state: str
    complete: bool
    lines: list[CheckLineOut]


class PackIn(Strict):
    carrier: str = Field("", max_length=40, description="default: the wave's carrier")
    tracking_no: str = Field("", max_length=56, description="the carrier's master number; default: a local one")
    max_weight: Decimal | None = Field(None, gt=0, le=100000, description="kg per parcel (default 20)")
    max_volume: Decimal | None = Field(None, gt=0, le=100000, description="m³ per parcel")
    max_items: int | None = Field(None, ge=1, le=100000, description="items per parcel")


class ParcelOut(Schema):
    sequence: int
    tracking_no: str
    carrier: str
    weight: str
    volume: str
    items: list[dict]


class PackOut(Schema):
    shipment: str
    state: str
    parcels: list[ParcelOut]
    label_url: str


class ShipmentShipIn(Strict):
    date: str | None = Field(None, description="accounting date of the issue (YYYY-MM-DD); default today")


class ShipOut(Schema):
    id: int
    number: str
    state: str
    carrier: str
    tracking_no: str
    cost: str = Field(..., description="cost of goods shipped (COGS), CNY")


# -- shaping --------------------------------------------------------------------------------------


def stop_out(task: PickTask) -> dict:
    return {"id": task.pk, "sequence": task.sequence, "location": task.location.code, "aisle": task.location.aisle,
            "position": task.location.position, "side": task.location.side, "sku": task.product.sku,
            "name": task.product.name, "lot": task.lot.number if task.lot_id else None,
            "expiry": task.lot.expiry_date.isoformat() if task.lot_id and task.lot.expiry_date else None,
            "qty": q(task.qty), "picked": q(task.picked_qty), "short": q(task.short_qty), "state": task.state,
            "tote": task.tote, "shipment": task.shipment.number}


def picklist_summary(pl: PickList, stops: int) -> dict:
    return {"id": pl.pk, "number": pl.number, "zone": pl.zone.code if pl.zone_id else None, "picker": pl.picker,
            "state": pl.state, "stops": stops, "length": str(pl.length),
            "url": f"/api/v1/wms/picklists/{pl.pk}"}


def picklist_out(pl: PickList) -> dict:
    items = list(selectors.tasks(pl))
    nxt = next((t for t in items if t.state == PickTask.State.OPEN), None)
    return {**picklist_summary(pl, len(items)), "wave": pl.wave.number, "method": pl.method,
            "svg_url": f"/api/v1/wms/picklists/{pl.pk}/route.svg",
            "current_location": pl.current_location.code if pl.current_location_id else None,
            "next_stop": stop_out(nxt) if nxt else None, "items": [stop_out(t) for t in items]}


def wave_out(wave: Wave, progress: dict) -> dict:
    return {"id": wave.pk, "number": wave.number, "warehouse": wave.warehouse.code, "state": wave.state,
            "carrier": wave.carrier, "cutoff_at": wave.cutoff_at, "max_lines": wave.max_lines,
            "created_at": wave.created_at, "progress": {k: (q(v) if isinstance(v, Decimal) else v)
                                                        for k, v in progress.items()},
            "shipments": [{"id": e.shipment.pk, "number": e.shipment.number, "source_number": e.shipment.source_number,
                           "tote": e.tote, "state": e.shipment.state} for e in wave.entries.all()],
            "picklists": [picklist_summary(pl, pl.n) for pl in wave.picklists.all()]}


def check_out(shipment: Shipment) -> dict:
    lines = services.check_progress(shipment)
    return {"shipment": shipment.number, "state": shipment.state,
            "complete": bool(lines) and all(x.done for x in lines),
            "lines": [{"sku": x.product.sku, "name": x.product.name, "picked": q(x.picked), "checked": q(x.checked),
                       "done": x.done} for x in lines]}


def pack_out(shipment: Shipment) -> dict:
    return {"shipment": shipment.number, "state": shipment.state,
            "parcels": [{"sequence": p.sequence, "tracking_no": p.tracking_no, "carrier": p.carrier,
                         "weight": q(p.weight), "volume": q(p.volume), "items": p.items}
                        for p in selectors.parcels(shipment)],
            "label_url": f"/api/v1/wms/shipments/{shipment.pk}/label.pdf"}


# -- routes ---------------------------------------------------------------------------------------


@router.post("/wms/waves", response={201: WaveOut}, summary="Release a wave: totes, carts per zone, routes")
def post_wave(request, payload: WaveIn):
    actor = authorize(request, "wms.plan")
    warehouse = catalog_selectors.referenced_warehouse(payload.warehouse)
    with tx.entry():
        wave = services.create_wave(warehouse=warehouse, actor=actor, shipments=payload.shipments,
                                    max_lines=payload.max_lines, max_volume=payload.max_volume,
                                    carrier=payload.carrier, by_zone=payload.by_zone,
                                    max_shipments=payload.max_shipments, pickers=payload.pickers)
    wave = selectors.wave_with_parts(wave.pk)
    return 201, wave_out(wave, selectors.progress([wave])[wave.pk])


@router.get("/wms/waves", response=WaveList, summary="Waves, newest first, with their progress")
def list_waves(request, state: str | None = Query(None, max_length=20), warehouse: str | None = Query(None, max_length=20),
               limit: int = Query(50, ge=1, le=1000), offset: int = Query(0, ge=0, le=MAX_INT)):
    authorize(request, "wms.plan")
    qs = selectors.waves(state=state, warehouse=warehouse)
    page = list(selectors.with_parts(qs[offset:offset + limit]))
    progress = selectors.progress(page)
    return {"items": [wave_out(w, progress[w.pk]) for w in page], "count": qs.count()}


@router.get("/wms/waves/{wave_id}", response=WaveOut, summary="A wave: shipments, pick lists, progress")
def get_wave(request, wave_id: int):
    authorize(request, "wms.plan")
    wave = selectors.wave_with_parts(wave_id)
    return wave_out(wave, selectors.progress([wave])[wave.pk])


@router.get("/wms/picklists/{picklist_id}", response=PickListOut,
            summary="A pick list: stops in route order, route length, the route map's URL")
def get_picklist(request, picklist_id: int):
    authorize(request, "wms.operate")
    return picklist_out(selectors.picklist(picklist_id))


@router.get("/wms/picklists/{picklist_id}/route.svg", summary="The pick list's route on the warehouse map (SVG)",
            openapi_extra={"responses": {200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}}}})
def get_picklist_svg(request, picklist_id: int):
    authorize(request, "wms.operate")
    return HttpResponse(selectors.picklist_svg(selectors.picklist(picklist_id)), content_type="image/svg+xml")


@router.post("/wms/picklists/{picklist_id}/scan", response=PickScanOut,
             summary="Scan to pick: a bin, then the item/lot (FEFO and shelf life enforced)")
def post_scan(request, picklist_id: int, payload: PickScanIn):
    actor = authorize(request, "wms.operate")
    pl = selectors.picklist(picklist_id)
    with tx.entry():
        result = services.scan_pick(picklist=pl, barcode=payload.barcode, qty=payload.qty, actor=actor)
    pl = selectors.picklist(picklist_id)
    nxt = services.next_task(pl)
    task = selectors.task(result.task.pk) if result.task else None
    return {"kind": result.kind, "message": result.message, "qty": q(result.qty),
            "stop": stop_out(task) if task else None, "picklist_state": pl.state,
            "next_stop": stop_out(nxt) if nxt else None, "finished_shipments": result.finished}


@router.post("/wms/picklists/{picklist_id}/short", response=StopOut,
             summary="Report a short pick at a stop (the order side re-allocates or back-orders)")
def post_short(request, picklist_id: int, payload: ShortIn):
    actor = authorize(request, "wms.operate")
    pl = selectors.picklist(picklist_id)
    task = selectors.stop(pl, payload.stop)
    qty = to_decimal(payload.qty, field="qty") if payload.qty not in (None, "") else None
    with tx.entry():
        task = services.short_pick(picklist=pl, task=task, qty=qty, reason=payload.reason, actor=actor)
    task = selectors.task(task.pk)
    return stop_out(task)


class SkipIn(Strict):
    stop: int = Field(..., ge=1, le=MAX_INT, description="the stop's sequence on the list")


@router.post("/wms/picklists/{picklist_id}/skip", response=StopOut,
             summary="Pick a stop last: it moves behind the list's last stop (and gets that sequence)")
def post_skip(request, picklist_id: int, payload: SkipIn):
    actor = authorize(request, "wms.operate")
    pl = selectors.picklist(picklist_id)
    task = selectors.stop(pl, payload.stop)
    with tx.entry():
        task = services.skip_task(picklist=pl, task=task, actor=actor)
    task = selectors.task(task.pk)
    return stop_out(task)


@router.get("/wms/shipments/{shipment_id}/check", response=ShipmentCheckOut, summary="复核 progress of a shipment")
def get_check(request, shipment_id: str):
    authorize(request, "wms.operate")
    return check_out(selectors.shipment(shipment_id))


@router.post("/wms/shipments/{shipment_id}/check", response=ShipmentCheckOut,
             summary="复核: verify one scanned item (wrong item, wrong lot and over-count refused)")
def post_check(request, shipment_id: str, payload: PickScanIn):
    actor = authorize(request, "wms.operate")
    shipment = selectors.shipment(shipment_id)
    with tx.entry():
        services.check_scan(shipment=shipment, barcode=payload.barcode, qty=payload.qty, actor=actor)
    return check_out(selectors.shipment(str(shipment.pk)))


@router.post("/wms/shipments/{shipment_id}/pack", response=PackOut,
             summary="Pack a checked shipment into the fewest parcels (weight / volume / count)")
def post_pack(request, shipment_id: str, payload: PackIn):
    actor = authorize(request, "wms.operate")
    shipment = selectors.shipment(shipment_id)
    with tx.entry():
        services.pack(shipment=shipment, carrier=payload.carrier, tracking_no=payload.tracking_no,
                      max_weight=payload.max_weight, max_volume=payload.max_volume, max_items=payload.max_items,
                      actor=actor)
    return pack_out(selectors.shipment(str(shipment.pk)))


@router.get("/wms/shipments/{shipment_id}/label.pdf", summary="Shipping labels (100 × 150 mm, one per parcel)",
            openapi_extra={"responses": {200: {"content": {"application/pdf": {"schema": {"type": "string",
                                                                                           "format": "binary"}}}}}})
def get_label(request, shipment_id: str):
    authorize(request, "wms.operate")
    shipment = selectors.shipment(shipment_id)
    parcels = selectors.parcels(shipment)
    if not parcels:
        raise NotFound(f"shipment {shipment.number} is not packed yet: no parcels", field="id", code="not_packed")
    response = HttpResponse(labels.label_pdf(shipment, parcels), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{shipment.pk}-label.pdf"'
    return response


@router.post("/wms/shipments/{shipment_id}/ship", response=ShipOut,
             summary="Ship a packed shipment: stock issued at cost, COGS voucher, order told, event")
def post_ship(request, shipment_id: str, payload: ShipmentShipIn | None = None):
    actor = authorize(request, "wms.operate")
    shipment = selectors.shipment(shipment_id)
    date = parse_date(payload.date, field="date") if payload and payload.date else None
    with tx.entry():
        shipment = services.ship(shipment=shipment, date=date, actor=actor)
    return {"id": shipment.pk, "number": shipment.number, "state": shipment.state, "carrier": shipment.carrier,
            "tracking_no": shipment.tracking_no, "cost": f"{shipment.cost:.2f}"}

"""Counting and lot traceability: count tasks, blind counts and recounts, closing with adjustments and
their vouchers; a lot traced to receipts, bins, shipments and customers, an order back to its lots.

- `POST /wms/counts` a count task of a zone, some bins or some products (blind by default);
  `POST /wms/counts/schedule` cycle counts due by ABC class; `GET /wms/counts`, `GET /wms/counts/{id}`
  (while a blind count is open, nobody sees the quantity on record or the other counts);
  `POST /wms/counts/{id}/lines` one counted (bin, item, lot, qty) — answers whether a recount is needed;
  `POST /wms/counts/{id}/close` → the adjustments, their vouchers (待处理财产损溢 1901 against 1405),
  lines held because reserved, and the inventory record accuracy; `POST /wms/counts/{id}/cancel`.
- `GET /trace/lots/{lot}` (`?sku=` when lot numbers repeat across products), `GET /trace/orders/{number}`.
"""

import datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from sihe.api.base import Strict
from sihe.api.pagination import MAX_INT
from sihe.api.security import authorize, may
from sihe.catalog import selectors as catalog_selectors
from sihe.catalog.selectors import Warehouse
from sihe.core import tx
from sihe.core.errors import ValidationFailed
from sihe.core.money import text, to_decimal
from sihe.stock import selectors as stock_selectors
from sihe.stock.units import parse_date
from sihe.wms import trace
from sihe.wms.counting import scan, selectors, services
from sihe.wms.counting.selectors import CountLine, CountTask, adjustments_of, vouchers_of

router = Router(tags=["warehouse"])

Num = Decimal | str | int


def _warehouse(code: str) -> Warehouse:
    found = catalog_selectors.find_warehouse(code)
    if found is None:
        raise ValidationFailed(f"unknown warehouse {code}", field="warehouse", code="unknown_reference")
    return found


def _num(value, field: str, *, optional: bool = False) -> Decimal | None:
    if value is None and optional:
        return None
    number = to_decimal(value, field=field)
    if number < 0:
        raise ValidationFailed(f"{field} must be 0 or more", field=field)
    if number >= Decimal("1e12"):
        raise ValidationFailed(f"{field} is too large", field=field)
    return number


# -- schemas --------------------------------------------------------------------------------------


class CountIn(Strict):
    warehouse: str = Field(..., max_length=20)
    zone: str | None = Field(None, max_length=10, description="zone code: count every bin of the zone")
    bins: list[str] | None = Field(None, max_length=500, description="location codes")
    products: list[str] | None = Field(None, max_length=500, description="SKUs: count them in every bin")
    blind: bool = Field(True, description="the counter never sees the quantity on record")
    recount_qty: Num | None = Field(None, description="recount when a count differs by more than this (base units)")
    recount_pct: Num | None = Field(None, description="... or by more than this % of the record")
    tolerance_pct: Num | None = Field(None, description="a line matches (accuracy) within this % of the record")
    allow_same_recounter: bool = Field(False, description="one-person warehouse: the first counter may recount")
    note: str = Field("", max_length=200)


class ScheduleIn(Strict):
    warehouse: str = Field(..., max_length=20)
    date: str | None = Field(None, description="YYYY-MM-DD, default today")
    blind: bool = True


class CountLineOut(Schema):
    id: int
    location: str
    sku: str
    name: str
    lot: str | None
    state: str = Field(..., description="pending | counted | recount | done")
    unexpected: bool = Field(..., description="found by the counter, not on record")
    expected: str | None = Field(None, description="on record at the time of the count; hidden while a blind count is open")
    first_count: str | None = None
    recount: str | None = None
    counted: str | None = None
    difference: str | None = None
    posted: str | None = None
    held: str | None = Field(None, description="loss not posted because the stock is reserved")
    below_reserved: bool = False
    matched: bool | None = None
    value: str | None = Field(None, description="value posted, CNY (+ gain, − loss)")


class CountOut(Schema):
    id: int
    number: str
    warehouse: str
    scope: str
    zone: str | None
    abc_class: str
    blind: bool
    state: str
    recount_qty: str
    recount_pct: str
    tolerance_pct: str
    created_by: str
    created_at: datetime.datetime
    closed_at: datetime.datetime | None
    lines_total: int
    lines_counted: int
    lines_recount: int
    accuracy: str | None = Field(None, description="inventory record accuracy, % of counted lines matching")
    gain_value: str | None = Field(None, description="with costing.view only")
    loss_value: str | None = Field(None, description="with costing.view only")
    lines: list[CountLineOut] | None = None


class CountEntryIn(Strict):
    location: str = Field(..., min_length=1, max_length=40)
    sku: str | None = Field(None, max_length=64)
    barcode: str | None = Field(None, max_length=200, description="GTIN or GS1 element string (AI 01 + AI 10)")
    lot: str | None = Field(None, max_length=64)
    qty: Num


class CountEntryOut(Schema):
    line: int
    location: str
    sku: str
    lot: str | None
    state: str
    recount_needed: bool
    message: str


class CountCloseIn(Strict):
    skip_uncounted: bool = Field(False, description="close although some lines were not counted (they are not posted)")
    date: str | None = Field(None, description="accounting date, default today")


class CountAdjustmentOut(Schema):
    move: int
    sku: str
    location: str
    lot: str | None
    qty: str = Field(..., description="+ gain, − loss")
    value: str | None = Field(None, description="with costing.view only")


class CountVoucherLineOut(Schema):
    account: str
    debit: str
    credit: str


class CountVoucherOut(Schema):
    id: int
    number: str
    rule: str
    status: str
    date: datetime.date
    lines: list[CountVoucherLineOut]


class CountCloseOut(CountOut):
    adjustments: list[CountAdjustmentOut]
    vouchers: list[CountVoucherOut]


def line_out(line: CountLine, *, reveal: bool, values: bool = True) -> dict:
    out = {"id": line.pk, "location": line.location.code, "sku": line.product.sku, "name": line.product.name,
           "lot": line.lot.number if line.lot_id else None, "state": line.state, "unexpected": line.unexpected,
           "below_reserved": line.below_reserved, "matched": line.matched}
    if reveal:
        out.update({"expected": text(line.expected_qty), "first_count": text(line.first_qty), "recount": text(line.recount_qty),
                    "counted": text(line.final_qty), "difference": text(line.difference), "posted": text(line.posted_qty),
                    "held": text(line.held_qty), "value": format(line.value, "f") if values else None})
    return out


def count_out(task: CountTask, *, with_lines: bool = True, values: bool = True) -> dict:
    reveal = not (task.blind and task.is_open)
    lines = selectors.lines_of(task) if with_lines else None
    if lines is not None:
        states = [ln.state for ln in lines]
    elif hasattr(task, "n_total"):  # annotated by the list query (no query per task)
        states = ["done"] * task.n_counted + ["recount"] * task.n_recount
        states += ["pending"] * (task.n_total - len(states))
    else:
        states = selectors.line_states(task)
    return {
        "id": task.pk, "number": task.number, "warehouse": task.warehouse.code, "scope": task.scope,
        "zone": task.zone.code if task.zone_id else None, "abc_class": task.abc_class, "blind": task.blind,
        "state": task.state, "recount_qty": text(task.recount_qty), "recount_pct": text(task.recount_pct),
        "tolerance_pct": text(task.tolerance_pct), "created_by": task.created_by, "created_at": task.created_at,
        "closed_at": task.closed_at, "lines_total": len(states),
        "lines_counted": sum(1 for s in states if s in ("counted", "done")),
        "lines_recount": sum(1 for s in states if s == "recount"),
        "accuracy": None if task.accuracy is None else format(task.accuracy, "f"),
        "gain_value": format(task.gain_value, "f") if values else None,
        "loss_value": format(task.loss_value, "f") if values else None,
        "lines": [line_out(ln, reveal=reveal, values=values) for ln in lines] if lines is not None else None,
    }


def close_out(task: CountTask, *, values: bool = True) -> dict:
    moves = adjustments_of(task)
    adjustments = []
    for move in moves:
        layer = move.layers.all()[0] if move.layers.all() else None
        gain = move.dst_location_id is not None
        value = (layer.base_value if gain else -layer.value) if layer is not None else Decimal(0)
        adjustments.append({"move": move.pk, "sku": move.product.sku,
                            "location": (move.dst_location if gain else move.src_location).code,
                            "lot": move.lot.number if move.lot_id else None,
                            "qty": text(move.qty if gain else -move.qty),
                            "value": format(value if gain else -value, "f") if values else None})
    vouchers = [{"id": v.pk, "number": v.display_number, "rule": v.rule, "status": v.status, "date": v.date,
                 "lines": [{"account": ln.account.code, "debit": format(ln.debit, "f"), "credit": format(ln.credit, "f")}
                           for ln in v.lines.all()]} for v in vouchers_of(moves)] if values else []
    return {**count_out(task, values=values), "adjustments": adjustments, "vouchers": vouchers}


# -- routes ---------------------------------------------------------------------------------------


@router.post("/wms/counts", response={201: CountOut}, summary="Create a count task (zone, bins or products)")
def create_count(request, payload: CountIn):
    actor = authorize(request, "wms.plan")
    warehouse = _warehouse(payload.warehouse)
    zone = None
    if payload.zone:
        zone = catalog_selectors.find_zone(warehouse, payload.zone)
        if zone is None:
            raise ValidationFailed(f"unknown zone {payload.zone} in {warehouse.code}", field="zone",
                                   code="unknown_reference")
    bins = []
    for i, code in enumerate(payload.bins or []):
        location = catalog_selectors.find_location(warehouse, code)
        if location is None:
            raise ValidationFailed(f"unknown location {code} in {warehouse.code}", field=f"bins[{i}]",
                                   code="unknown_reference")
        bins.append(location)
    products = []
    for i, sku in enumerate(payload.products or []):
        product = catalog_selectors.find_product(sku)
        if product is None:
            raise ValidationFailed(f"unknown SKU {sku}", field=f"products[{i}]", code="unknown_reference")
        products.append(product)
    with tx.entry():
        task = services.create_task(
            warehouse=warehouse, zone=zone, bins=bins or None, products=products or None, blind=payload.blind,
            recount_qty=_num(payload.recount_qty, "recount_qty", optional=True),
            recount_pct=_num(payload.recount_pct, "recount_pct", optional=True),
            tolerance_pct=_num(payload.tolerance_pct, "tolerance_pct", optional=True),
            allow_same_recounter=payload.allow_same_recounter, note=payload.note, actor=actor)
    return 201, count_out(selectors.task(task.pk), values=may(request, "costing.view"))


@router.post("/wms/counts/schedule", response={201: list[CountOut]},
             summary="Create the cycle counts due by ABC class (A monthly, B quarterly, C yearly)")
def schedule_counts(request, payload: ScheduleIn):
    actor = authorize(request, "wms.plan")
    warehouse = _warehouse(payload.warehouse)
    today = parse_date(payload.date, field="date") if payload.date else None
    with tx.entry():
        tasks = services.schedule_cycle_counts(warehouse=warehouse, actor=actor, today=today, blind=payload.blind)
    return 201, [count_out(selectors.task(t.pk), with_lines=False, values=may(request, "costing.view")) for t in tasks]


class CountPage(Schema):
    items: list[CountOut]
    count: int


@router.get("/wms/counts", response=CountPage, summary="Count tasks, newest first")
def list_counts(request, warehouse: str | None = None, state: str | None = None,
                limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=MAX_INT)):
    authorize(request, "stock.view")
    if state and state not in CountTask.State.values:
        raise ValidationFailed("state must be open, closed or cancelled", field="state")
    qs = selectors.tasks_with_progress(warehouse=warehouse, state=state)
    values = may(request, "costing.view")
    return {"items": [count_out(t, with_lines=False, values=values) for t in qs[offset:offset + limit]],
            "count": qs.order_by().values("pk").count()}


@router.get("/wms/counts/{count_id}", response=CountOut, summary="A count task and its lines")
def get_count(request, count_id: int):
    authorize(request, "stock.view")
    return count_out(selectors.task(count_id), values=may(request, "costing.view"))


@router.post("/wms/counts/{count_id}/lines", response={201: CountEntryOut},
             summary="Record one count: bin, item (SKU or barcode), lot, quantity")
def post_count_line(request, count_id: int, payload: CountEntryIn):
    actor = authorize(request, "wms.operate")
    task = selectors.task(count_id)
    location = catalog_selectors.find_location(task.warehouse, payload.location.strip())
    if location is None:
        raise ValidationFailed(f"unknown location {payload.location} in {task.warehouse.code}", field="location",
                               code="unknown_reference")
    scanned = scan.resolve(sku=payload.sku, barcode=payload.barcode)
    lot_number = (payload.lot or scanned.lot or "").strip()
    lot = None
    if lot_number:
        lot = stock_selectors.find_lot(scanned.product, lot_number)
        if lot is None:
            raise ValidationFailed(f"unknown lot {lot_number} of {scanned.product.sku}", field="lot",
                                   code="unknown_reference")
    qty = to_decimal(payload.qty, field="qty")
    with tx.entry():
        line = services.record_count(task=task, location=location, product=scanned.product, lot=lot, qty=qty,
                                     actor=actor)
    recount = line.state == CountLine.State.RECOUNT
    message = ("differs from the record: count it again (another person)" if recount else "counted")
    return 201, {"line": line.pk, "location": location.code, "sku": scanned.product.sku,
                 "lot": lot.number if lot else None, "state": line.state, "recount_needed": recount,
                 "message": message}


@router.post("/wms/counts/{count_id}/close", response=CountCloseOut,
             summary="Close a count: post differences (待处理财产损溢), vouchers, accuracy")
def close_count(request, count_id: int, payload: CountCloseIn | None = None):
    actor = authorize(request, "stock.move")
    task = selectors.task(count_id)
    payload = payload or CountCloseIn()
    date = parse_date(payload.date, field="date") if payload.date else None
    with tx.entry():
        services.close_task(task=task, actor=actor, skip_uncounted=payload.skip_uncounted, date=date)
    return close_out(selectors.task(count_id), values=may(request, "costing.view"))


@router.get("/wms/counts/{count_id}/result", response=CountCloseOut,
            summary="A closed count's adjustments and vouchers (values with costing.view)")
def count_result(request, count_id: int):
    authorize(request, "stock.view")
    task = selectors.task(count_id)
    if task.is_open:
        raise ValidationFailed(f"count {task.number} is still open", field="count_id", code="count_open")
    return close_out(task, values=may(request, "costing.view"))


@router.post("/wms/counts/{count_id}/cancel", response=CountOut, summary="Cancel an open count (nothing is posted)")
def cancel_count(request, count_id: int):
    actor = authorize(request, "wms.plan")
    task = selectors.task(count_id)
    with tx.entry():
        services.cancel_task(task=task, actor=actor)
    return count_out(selectors.task(count_id), values=may(request, "costing.view"))


# -- traceability ---------------------------------------------------------------------------------


class TraceReceiptOut(Schema):
    date: datetime.date
    warehouse: str
    location: str
    qty: str
    reference: str
    reversed: bool
    asn: str | None
    po: str | None
    supplier: str | None
    supplier_name: str | None


class TraceMoveOut(Schema):
    date: datetime.date
    kind: str
    qty: str
    reference: str
    from_: str | None = Field(None, alias="from")
    to: str | None

    model_config = ConfigDict(populate_by_name=True)


class TraceStockOut(Schema):
    warehouse: str
    location: str
    qty: str
    reserved: str


class TraceShipmentOut(Schema):
    number: str
    state: str
    order: str | None
    customer: str | None
    receiver: str | None
    city: str | None
    picked: str
    shipped: str
    shipped_at: datetime.datetime | None
    carrier: str | None
    tracking_no: str | None


class GenealogyOut(Schema):
    order: str = Field(..., description="the production order")
    sku: str
    lot: str | None
    qty: str
    suppliers: list[str] | None = Field(None, description="of a component lot: who supplied it")
    customers: list[str] | None = Field(None, description="of a finished lot: who received it")


class LotTraceOut(Schema):
    lot: str
    sku: str
    product: str
    production_date: datetime.date | None
    expiry_date: datetime.date | None
    receipt_date: datetime.date
    receipts: list[TraceReceiptOut]
    moves: list[TraceMoveOut]
    bins: list[str]
    on_hand: list[TraceStockOut]
    shipments: list[TraceShipmentOut]
    orders: list[str]
    customers: list[str]
    made_from: list[GenealogyOut] = Field(default_factory=list, description="component lots this lot was made from")
    used_in: list[GenealogyOut] = Field(default_factory=list, description="lots made from this (component) lot")


class LotTracesOut(Schema):
    lot: str
    lots: list[LotTraceOut] = Field(..., description="one per product carrying this lot number")


class OrderLotOut(Schema):
    shipment: str
    sku: str
    lot: str | None
    expiry_date: datetime.date | None
    location: str | None
    qty: str
    source: str = Field(..., description="pick (scanned) or issue (stock move)")


class OrderShipmentOut(Schema):
    number: str
    state: str
    carrier: str | None
    tracking_no: str | None
    shipped_at: datetime.datetime | None


class OrderTraceOut(Schema):
    order: str
    customer: str | None
    shipments: list[OrderShipmentOut]
    lots: list[OrderLotOut]


@router.get("/trace/lots/{lot}", response=LotTracesOut, by_alias=True,
            summary="Trace a lot: receipts (supplier, PO), bins, shipments, orders, customers")
def trace_lot(request, lot: str, sku: str | None = None):
    authorize(request, "trace.view")
    lots = trace.lots_by_number(lot, sku=sku)
    return {"lot": lot, "lots": [trace.trace_lot(item) for item in lots]}


@router.get("/trace/orders/{number}", response=OrderTraceOut, summary="Trace an order back to its lots")
def trace_order(request, number: str):
    authorize(request, "trace.view")
    return trace.trace_order(number)

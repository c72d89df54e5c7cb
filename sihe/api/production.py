"""Production over the API: work centres, BOMs, production orders and their acts (release, issue,
report, receive, close). Quantities and money are decimal strings; amounts with costing.view only."""

import datetime
from decimal import Decimal

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from sihe.api.base import MAX_LINES, Strict
from sihe.api.pagination import Page
from sihe.api.security import authorize, may
from sihe.catalog import selectors as catalog
from sihe.core import tx
from sihe.production import boms, orders, selectors
from sihe.stock import selectors as stock_selectors

router = Router(tags=["production"])
Num = Decimal | str | int


class WorkCentreIn(Strict):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=100)
    warehouse: str = Field(..., min_length=1, max_length=20)
    labour_rate_per_hour: Num = Field("0", description="CNY per hour of work at the centre")
    overhead_rate_per_hour: Num = Field("0", description="CNY of overhead absorbed per hour")
    minutes_per_day: int = Field(480, ge=1, le=1440)


class CreatedOut(Schema):
    id: int


@router.post("/work-centres", response={201: CreatedOut}, summary="Create a work centre")
def create_work_centre(request, payload: WorkCentreIn):
    actor = authorize(request, "production.manage")
    with tx.entry():
        centre = boms.create_work_centre(data=payload.model_dump(), actor=actor)
    return 201, {"id": centre.pk}


class BomLineIn(Strict):
    sku: str = Field(..., min_length=1, max_length=64)
    qty: Num
    scrap_pct: Num | None = Field(None, description="scrap allowance, percent (2 = 2 %)")


class OperationIn(Strict):
    seq: int | None = Field(None, ge=1, le=9999)
    work_centre: str = Field(..., max_length=40)
    setup_minutes: Num = "0"
    minutes_per_unit: Num = "0"


class ByProductIn(Strict):
    sku: str = Field(..., min_length=1, max_length=64)
    qty: Num


class BomIn(Strict):
    product: str = Field(..., min_length=1, max_length=64, description="SKU made")
    quantity: Num = Field("1", description="how many the lines make")
    valid_from: datetime.date | None = None
    kind: str = Field("normal", description="normal, or phantom (a kit: exploded where used)")
    lines: list[BomLineIn] = Field(..., min_length=1, max_length=MAX_LINES)
    operations: list[OperationIn] = Field(default_factory=list, max_length=100)
    by_products: list[ByProductIn] | None = Field(None, max_length=20)


@router.post("/boms", response={201: CreatedOut},
             summary="Create a BOM version (422 bom_cycle naming the path when it would make a product from itself)")
def create_bom(request, payload: BomIn):
    actor = authorize(request, "production.manage")
    with tx.entry():
        bom = boms.create_bom(data=payload.model_dump(), actor=actor)
    return 201, {"id": bom.pk}


class ProductionOrderIn(Strict):
    sku: str = Field(..., min_length=1, max_length=64)
    qty: Num
    warehouse: str = Field(..., min_length=1, max_length=20)
    due_date: datetime.date
    bom: int | None = Field(None, ge=1, description="BOM id; default the version valid on the due date")


class OrderCreatedOut(Schema):
    id: int
    number: str
    status: str


def _product(sku: str, field: str = "sku") -> catalog.Product:
    return catalog.referenced_product(sku, field)


@router.post("/production-orders", response={201: OrderCreatedOut}, summary="Create a production order (draft)")
def create_order(request, payload: ProductionOrderIn):
    actor = authorize(request, "production.manage")
    warehouse = catalog.referenced_warehouse(payload.warehouse)
    bom = selectors.bom(payload.bom) if payload.bom else None
    with tx.entry():
        order = orders.create_order(product=_product(payload.sku), qty=payload.qty, warehouse=warehouse,
                                    due_date=payload.due_date, bom=bom, actor=actor)
    return 201, {"id": order.pk, "number": order.number, "status": order.status}


@router.get("/production-orders", response=list[dict], summary="Production orders, newest first")
@paginate(Page)
def list_orders(request, status: str = "", q: str = ""):
    authorize(request, "production.view")
    from sihe.api.pagination import Mapped

    costs = may(request, "costing.view")
    return Mapped(selectors.orders(status=status[:20], q=q[:60]), lambda o: selectors.order_out(o, costs=costs))


@router.get("/production-orders/{order_id}", response=dict,
            summary="A production order: status, materials/labour/overhead cost, good, scrap, unit cost, wip")
def get_order(request, order_id: str):
    authorize(request, "production.view")
    return selectors.order_out(selectors.order(order_id), costs=may(request, "costing.view"))


def _act(request, order_id: str, act) -> dict:
    actor = authorize(request, "production.operate")
    order = selectors.order(order_id)
    with tx.entry():
        act(order=order, actor=actor)
    return selectors.order_out(selectors.order(order.pk), costs=may(request, "costing.view"))


@router.post("/production-orders/{order_id}/release", response=dict, summary="Release: reserve the components")
def release(request, order_id: str):
    return _act(request, order_id, orders.release)


@router.post("/production-orders/{order_id}/finish", response=dict, summary="Finish: no more output")
def finish(request, order_id: str):
    return _act(request, order_id, orders.finish)


@router.post("/production-orders/{order_id}/close", response=dict,
             summary="Close: free what is still reserved, clear the residue to 5401 as a variance")
def close(request, order_id: str):
    return _act(request, order_id, orders.close)


@router.post("/production-orders/{order_id}/cancel", response=dict, summary="Cancel an order nothing was done on")
def cancel(request, order_id: str):
    return _act(request, order_id, orders.cancel)


class MaterialIn(Strict):
    sku: str = Field(..., min_length=1, max_length=64)
    qty: Num
    lot: str | None = Field(None, max_length=64)
    location: str | None = Field(None, max_length=40)


class MaterialIssueIn(Strict):
    lines: list[MaterialIn] | None = Field(None, max_length=MAX_LINES,
                                           description="none: what the order still needs of every component")


def _material(order, lines: list[MaterialIn]) -> list[orders.MaterialLine]:
    out = []
    for i, line in enumerate(lines):
        f = f"lines[{i}]"
        product = _product(line.sku, f"{f}.sku")
        lot = None
        if line.lot:
            lot = stock_selectors.referenced_lot(product, line.lot, field=f"{f}.lot")
        location = None
        if line.location:
            location = catalog.referenced_location(order.warehouse, line.location, f"{f}.location")
        out.append(orders.MaterialLine(product=product, qty=line.qty, lot=lot, location=location, field=f))
    return out


@router.post("/production-orders/{order_id}/issue", response=dict,
             summary="领料: issue components (no lines: the BOM for the order quantity)")
def issue(request, order_id: str, payload: MaterialIssueIn | None = None):
    actor = authorize(request, "production.operate")
    order = selectors.order(order_id)
    lines = _material(order, payload.lines) if payload and payload.lines else None
    with tx.entry():
        issued = orders.issue(order=order, actor=actor, lines=lines)
    out = selectors.order_out(selectors.order(order.pk), costs=may(request, "costing.view"))
    return {**out, "issued": issued if may(request, "costing.view") else [
        {k: v for k, v in row.items() if k != "value"} for row in issued]}


class MaterialReturnIn(Strict):
    lines: list[MaterialIn] = Field(..., min_length=1, max_length=MAX_LINES)


@router.post("/production-orders/{order_id}/return", response=dict, summary="退料: components back into stock")
def return_materials(request, order_id: str, payload: MaterialReturnIn):
    actor = authorize(request, "production.operate")
    order = selectors.order(order_id)
    with tx.entry():
        orders.return_materials(order=order, actor=actor, lines=_material(order, payload.lines))
    return selectors.order_out(selectors.order(order.pk), costs=may(request, "costing.view"))


class ReportIn(Strict):
    good: Num = "0"
    scrap: Num = "0"
    minutes: Num = "0"
    work_centre: str = Field(..., min_length=1, max_length=40)
    operator: str | None = Field(None, max_length=150)
    report_id: str | None = Field(None, max_length=100, description="the reporter's own id: the same report twice is one")


@router.post("/production-orders/{order_id}/report", response=dict,
             summary="报工: good, scrap, minutes at a work centre (labour and overhead booked; components backflushed)")
def report(request, order_id: str, payload: ReportIn):
    actor = authorize(request, "production.operate")
    order = selectors.order(order_id)
    centre = selectors.work_centre(payload.work_centre)
    with tx.entry():
        orders.report(order=order, actor=actor, good=payload.good, scrap=payload.scrap, minutes=payload.minutes,
                      work_centre=centre, operator=payload.operator or "", external_id=payload.report_id or "")
    return selectors.order_out(selectors.order(order.pk), costs=may(request, "costing.view"))


class ReceiveIn(Strict):
    qty: Num
    lot: str | None = Field(None, max_length=64, description="default: the order number")
    location: str | None = Field(None, max_length=40)


@router.post("/production-orders/{order_id}/receive", response=dict,
             summary="完工入库: good units into stock at the order's cost ÷ good units, in a new lot")
def receive(request, order_id: str, payload: ReceiveIn):
    actor = authorize(request, "production.operate")
    order = selectors.order(order_id)
    location = None
    if payload.location:
        location = catalog.referenced_location(order.warehouse, payload.location)
    with tx.entry():
        received = orders.receive(order=order, actor=actor, qty=payload.qty, lot=payload.lot or "", location=location)
    out = selectors.order_out(selectors.order(order.pk), costs=may(request, "costing.view"))
    if not may(request, "costing.view"):
        received = {k: v for k, v in received.items() if k not in ("unit_cost", "value")}
    return {**out, "received_now": received}

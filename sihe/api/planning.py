"""Planning over the API: forecasts, MRP runs (their grids, proposals and exceptions) and confirming a
proposal into a draft purchase or production order. Quantities are decimal strings; lists in a grid
hold one figure per bucket (index 0 = bucket 1)."""

import datetime
from decimal import Decimal

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from sihe.api.base import Strict
from sihe.api.pagination import Mapped, Page
from sihe.api.security import authorize
from sihe.catalog import selectors as catalog
from sihe.core import tx
from sihe.core.money import text
from sihe.planning import forecasts, proposals, runs, selectors

router = Router(tags=["planning"])
Num = Decimal | str | int


def _product(sku: str, field: str = "sku") -> catalog.Product:
    return catalog.referenced_product(sku, field)


def _warehouse(code: str | None) -> catalog.Warehouse | None:
    return catalog.referenced_warehouse(code) if code else None


class ForecastIn(Strict):
    sku: str = Field(..., min_length=1, max_length=64)
    date: datetime.date
    qty: Num = Field(..., description="expected demand on the day (replaces an earlier figure; 0 clears it)")


class ForecastOut(Schema):
    id: int
    sku: str
    date: datetime.date
    qty: str


def _forecast_out(f: selectors.Forecast) -> dict:
    return {"id": f.pk, "sku": f.product.sku, "date": f.date, "qty": text(f.qty)}


@router.post("/forecasts", response={201: ForecastOut}, summary="Set the forecast of a product on a day")
def set_forecast(request, payload: ForecastIn):
    actor = authorize(request, "planning.run")
    with tx.entry():
        found = forecasts.set_forecast(product=_product(payload.sku), date=payload.date, qty=payload.qty, actor=actor)
    return 201, _forecast_out(found)


@router.get("/forecasts", response=list[ForecastOut], summary="Forecasts by product and day")
@paginate(Page)
def list_forecasts(request, sku: str = ""):
    authorize(request, "planning.view")
    return Mapped(selectors.forecasts(sku=sku[:64]), _forecast_out)


class RunIn(Strict):
    start: datetime.date = Field(..., description="first day of bucket 1")
    buckets: int = Field(..., ge=1, le=runs.MAX_BUCKETS)
    bucket_days: int = Field(..., ge=1, le=366, description="bucket t covers start + (t−1)·bucket_days up to the next")
    warehouse: str | None = Field(None, max_length=20,
                                  description="plan one warehouse's stock and orders (default: all; proposals go "
                                              "to the first active warehouse)")
    background: bool = Field(False, description="queue the run for the worker and answer 202 at once")


class ItemOut(Schema):
    sku: str
    llc: int = Field(..., description="low-level code: 0 for end items, deeper components higher")
    on_hand: str = Field(..., description="on hand less reservations at the start")
    gross: list[str]
    scheduled: list[str]
    projected: list[str]
    net: list[str]
    planned_receipts: list[str]
    planned_releases: list[str]


class PegOut(Schema):
    kind: str = Field(..., description="independent | planned_order | safety_stock | negative_on_hand")
    item: str
    bucket: int
    qty: str


class ProposalOut(Schema):
    id: int
    sku: str
    kind: str = Field(..., description="purchase (a buy item) or production (a make item)")
    qty: str
    release_date: datetime.date
    due_date: datetime.date
    status: str
    pegs: list[PegOut]
    document: str | None = None
    document_id: int | None = None
    document_number: str | None = None


class ExceptionOut(Schema):
    sku: str
    code: str = Field(..., description="past_due_release | no_bom | below_safety_stock")
    bucket: int


class RunOut(Schema):
    id: int
    status: str = Field(..., description="queued | running | done | failed")
    progress: int
    stage: str
    error: str | None = None
    start: datetime.date
    buckets: int
    bucket_days: int
    warehouse: str | None = None
    items: list[ItemOut]
    proposals: list[ProposalOut]
    exceptions: list[ExceptionOut]


@router.post("/mrp/runs", response={201: RunOut, 202: RunOut},
             summary="Run MRP over buckets (422 bom_cycle naming the path); background=true queues it for the worker")
def create_run(request, payload: RunIn):
    actor = authorize(request, "planning.run")
    warehouse = _warehouse(payload.warehouse)
    args = {"start": payload.start, "buckets": payload.buckets, "bucket_days": payload.bucket_days,
            "warehouse": warehouse, "actor": actor}
    if payload.background:
        with tx.entry():
            run = runs.request(**args)
        return 202, selectors.run_out(run)
    run = runs.run_now(**args)
    return 201, selectors.run_out(run)


class RunSummaryOut(Schema):
    id: int
    status: str
    progress: int
    start: datetime.date
    buckets: int
    bucket_days: int
    item_count: int
    proposal_count: int
    requested_by: str


@router.get("/mrp/runs", response=list[RunSummaryOut], summary="MRP runs, newest first")
@paginate(Page)
def list_runs(request):
    authorize(request, "planning.view")
    return selectors.runs()


@router.get("/mrp/runs/{run_id}", response=RunOut, summary="An MRP run: grids, proposals and exceptions")
def get_run(request, run_id: int):
    authorize(request, "planning.view")
    return selectors.run_out(selectors.run(run_id))


class ConfirmIn(Strict):
    warehouse: str | None = Field(None, max_length=20, description="receive into (default: the run's warehouse)")


class ConfirmedOut(Schema):
    document: str = Field(..., description="purchase_order | production_order")
    id: int
    number: str
    proposal: int


@router.post("/mrp/proposals/{proposal_id}/confirm", response=ConfirmedOut,
             summary="Confirm a proposal into a draft purchase order or production order (409 already_confirmed)")
def confirm(request, proposal_id: int, payload: ConfirmIn | None = None):
    actor = authorize(request, "planning.run")
    found = selectors.proposal(proposal_id)
    warehouse = _warehouse(payload.warehouse if payload else None)
    with tx.entry():
        done = proposals.confirm(proposal=found, actor=actor, warehouse=warehouse)
    return {"document": done.document_type, "id": done.document_id, "number": done.document_number,
            "proposal": done.pk}

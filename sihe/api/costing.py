"""Costing API: what a product's stock is worth, by the product's costing method."""

import datetime

from ninja import Field, Router, Schema

from sihe.api.security import authorize
from sihe.api.stock import money_str, product_of, warehouse_of
from sihe.core.errors import NotFound, ValidationFailed
from sihe.core.money import text
from sihe.costing import reports, selectors
from sihe.costing import services as costing
from sihe.stock.units import parse_date

router = Router(tags=["costing"])


class ValuationOut(Schema):
    sku: str
    method: str
    qty: str
    value: str
    unit_cost: str
    recosting: list[int] = Field(default_factory=list,
                                 description="open re-costing jobs of the product: the value is not final yet")


class RecostJobOut(Schema):
    id: int
    sku: str
    warehouse: str
    status: str = Field(..., description="queued | running | done | failed")
    from_date: str = Field(..., description="the earliest backdated move's date: periods from it are re-costed")
    done: int = Field(..., description="layers re-costed so far")
    total: int = Field(..., description="layers to re-cost (grows when another backdated move joins the job)")
    percent: int
    changed: int = Field(..., description="layers whose value changed (their differences are posted)")
    requested_at: str
    started_at: str | None
    finished_at: str | None
    error: str


def recost_job_out(job) -> dict:
    stamp = lambda value: value.isoformat() if value else None  # noqa: E731
    percent = 100 if job.status == "done" else (min(99, job.done * 100 // job.total) if job.total else 0)
    return {"id": job.pk, "sku": job.product.sku, "warehouse": job.warehouse.code, "status": job.status,
            "from_date": job.from_date.isoformat(), "done": job.done, "total": job.total, "percent": percent,
            "changed": job.changed, "requested_at": stamp(job.requested_at), "started_at": stamp(job.started_at),
            "finished_at": stamp(job.finished_at), "error": job.error}


@router.get("/costing/recost-jobs/{job_id}", response=RecostJobOut,
            summary="A re-costing job (a backdated move with many later moves): status and progress")
def get_recost_job(request, job_id: int):
    authorize(request, "costing.view")
    job = selectors.recost_job(job_id)
    if job is None:
        raise NotFound(f"no re-costing job {job_id}", field="job_id")
    return recost_job_out(job)


@router.get("/costing/summary", response=list[dict], summary="收发存汇总表: opening, receipts, issues, closing per product")
def get_summary(request, start: str, end: str, warehouse: str | None = None):
    authorize(request, "costing.view")
    wh = warehouse_of(warehouse) if warehouse else None
    first, last = parse_date(start, field="start"), parse_date(end, field="end")
    if first is None or last is None:
        raise ValidationFailed("start and end dates are required (YYYY-MM-DD)", field="start" if first is None else "end")
    if first > last:
        raise ValidationFailed("start is after end", field="start")
    return [reports.row_as_strings(r) for r in reports.summary(start=first, end=last, warehouse=wh)]


@router.get("/costing/{sku}", response=ValuationOut, summary="Quantity, value and unit cost of a product")
def get_valuation(request, sku: str, warehouse: str | None = None):
    authorize(request, "costing.view")
    product = product_of(sku, "sku")
    wh = warehouse_of(warehouse) if warehouse else None
    result = costing.valuation(product=product, warehouse=wh)
    jobs = selectors.open_recost_jobs(product_id=product.pk, warehouse_id=wh.pk if wh else None)
    return {"sku": product.sku, "method": result["method"], "qty": text(result["qty"]), "value": money_str(result["value"]),
            "unit_cost": format(result["unit_cost"].normalize(), "f"), "recosting": [j.pk for j in jobs]}


@router.get("/costing/{sku}/ledger", response=list[dict], summary="存货明细账: every layer with its running balance")
def get_ledger(request, sku: str, warehouse: str, start: str | None = None, end: str | None = None):
    authorize(request, "costing.view")
    product = product_of(sku, "sku")
    wh = warehouse_of(warehouse)
    first = parse_date(start, field="start") if start else datetime.date(1900, 1, 1)
    last = parse_date(end, field="end") if end else datetime.date(9999, 12, 31)
    return [reports.ledger_row_as_strings(r) for r in reports.product_ledger(product=product, warehouse=wh,
                                                                              start=first, end=last)]

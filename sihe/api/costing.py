"""Costing API: what a product's stock is worth, by the product's costing method."""

import datetime

from ninja import Router, Schema

from sihe.api.security import authorize
from sihe.api.stock import money_str, product_of, warehouse_of
from sihe.core.errors import ValidationFailed
from sihe.core.money import text
from sihe.costing import reports
from sihe.costing import services as costing
from sihe.stock.units import parse_date

router = Router(tags=["costing"])


class ValuationOut(Schema):
    sku: str
    method: str
    qty: str
    value: str
    unit_cost: str


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
    return {"sku": product.sku, "method": result["method"], "qty": text(result["qty"]), "value": money_str(result["value"]),
            "unit_cost": format(result["unit_cost"].normalize(), "f")}


@router.get("/costing/{sku}/ledger", response=list[dict], summary="存货明细账: every layer with its running balance")
def get_ledger(request, sku: str, warehouse: str, start: str | None = None, end: str | None = None):
    authorize(request, "costing.view")
    product = product_of(sku, "sku")
    wh = warehouse_of(warehouse)
    first = parse_date(start, field="start") if start else datetime.date(1900, 1, 1)
    last = parse_date(end, field="end") if end else datetime.date(9999, 12, 31)
    return [reports.ledger_row_as_strings(r) for r in reports.product_ledger(product=product, warehouse=wh,
                                                                              start=first, end=last)]

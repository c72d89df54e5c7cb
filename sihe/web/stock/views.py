"""Stock pages at /stock/: levels by product / bin / lot (expiry highlighted), move history per
product, lots, 收发存汇总表 (+ Excel), 存货明细账 and the low-stock list. Reads through selectors only."""

import datetime

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from sihe.catalog.models import Product, Warehouse
from sihe.core.errors import DomainError
from sihe.core.roles import can
from sihe.costing import reports
from sihe.stock import selectors
from sihe.stock.models import Lot
from sihe.stock.units import parse_date
from sihe.web.permissions import require_permission

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NEAR_EXPIRY_DAYS = 30


def _filters(request):
    sku = (request.GET.get("sku") or "").strip()
    code = (request.GET.get("warehouse") or "").strip()
    product = Product.objects.filter(sku=sku).first() if sku else None
    warehouse = Warehouse.objects.filter(code=code).first() if code else None
    return sku, code, product, warehouse


def _period(request) -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    try:
        start = parse_date(request.GET.get("start"), field="start") or today.replace(day=1)
        end = parse_date(request.GET.get("end"), field="end") or today
    except DomainError:
        start, end = today.replace(day=1), today
    return start, end


@require_permission("stock.view")
def levels(request):
    sku, code, product, warehouse = _filters(request)
    view = request.GET.get("view") if request.GET.get("view") in ("product", "bin", "lot") else "product"
    today = timezone.localdate()
    context = {"view": view, "sku": sku, "warehouse_code": code, "warehouses": Warehouse.objects.order_by("code"),
               "unknown": (sku and product is None) or (code and warehouse is None), "today": today}
    if view == "product":
        context["rows"] = selectors.levels(product=product, warehouse=warehouse)[:500]
    else:
        rows = list(selectors.quants(product=product, warehouse=warehouse)[:1000])
        for quant in rows:
            quant.status = selectors.expiry_status(quant.lot.expiry_date if quant.lot_id else None, today=today,
                                                   warn_days=NEAR_EXPIRY_DAYS)
            quant.days_left = (quant.lot.expiry_date - today).days if quant.lot_id and quant.lot.expiry_date else None
        if view == "lot":
            rows = [q for q in rows if q.lot_id]
        context["rows"] = rows
    context["totals"] = selectors.totals(product=product, warehouse=warehouse)
    return render(request, "web_stock/levels.html", context)


@require_permission("stock.view")
def moves(request):
    sku, code, product, warehouse = _filters(request)
    return render(request, "web_stock/moves.html", {
        "rows": selectors.moves(product=product, warehouse=warehouse, limit=300), "sku": sku, "warehouse_code": code,
        "product": product, "warehouses": Warehouse.objects.order_by("code"),
        "unknown": (sku and product is None) or (code and warehouse is None)})


@require_permission("stock.view")
def product(request, sku: str):
    item = get_object_or_404(Product.objects.select_related("uom"), sku=sku)
    today = timezone.localdate()
    lots = list(selectors.lots(product=item)[:200])
    for lot in lots:
        lot.status = selectors.expiry_status(lot.expiry_date, today=today, warn_days=NEAR_EXPIRY_DAYS)
    return render(request, "web_stock/product.html", {
        "product": item, "levels": selectors.levels(product=item), "lots": lots,
        "moves": selectors.moves(product=item, limit=200), "totals": selectors.totals(product=item)})


@require_permission("stock.view")
def lot(request, sku: str, number: str):
    item = get_object_or_404(Lot.objects.select_related("product", "product__uom"), product__sku=sku, number=number)
    today = timezone.localdate()
    status = selectors.expiry_status(item.expiry_date, today=today, warn_days=NEAR_EXPIRY_DAYS)
    return render(request, "web_stock/lot.html", {
        "lot": item, "status": status, "quants": selectors.quants(product=item.product).filter(lot=item),
        "moves": item.moves.select_related("src_location", "dst_location", "src_warehouse", "dst_warehouse")
        .order_by("-date", "-id")[:200]})


@require_permission("stock.view")
def summary(request):
    _sku, code, _product, warehouse = _filters(request)
    start, end = _period(request)
    rows = reports.summary(start=start, end=end, warehouse=warehouse)
    show_value = can(request.user, "costing.view")
    if request.GET.get("format") == "xlsx":
        if not show_value:
            return render(request, "web/forbidden.html", {"permission": "costing.view"}, status=403)
        data = reports.summary_xlsx(rows, start=start, end=end, warehouse=warehouse)
        response = HttpResponse(data, content_type=XLSX)
        name = f"stock-summary-{start.isoformat()}-{end.isoformat()}"
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    totals = {key: sum((r[key] for r in rows), 0) for key in (
        "opening_value", "in_value", "out_value", "closing_value")}
    return render(request, "web_stock/summary.html", {
        "rows": rows, "start": start, "end": end, "warehouse_code": code, "show_value": show_value,
        "warehouses": Warehouse.objects.order_by("code"), "totals": totals})


@require_permission("costing.view")
def ledger(request):
    sku, code, item, warehouse = _filters(request)
    start, end = _period(request)
    rows = []
    if item is not None and warehouse is not None:
        rows = reports.product_ledger(product=item, warehouse=warehouse, start=start, end=end)
    return render(request, "web_stock/ledger.html", {
        "rows": rows, "sku": sku, "warehouse_code": code, "start": start, "end": end, "product": item,
        "warehouses": Warehouse.objects.order_by("code"),
        "hint": _("Choose a SKU and a warehouse.") if not rows else ""})


@require_permission("stock.view")
def low_stock(request):
    return render(request, "web_stock/low_stock.html", {"rows": selectors.low_levels()})

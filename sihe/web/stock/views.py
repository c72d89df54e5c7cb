"""Stock pages: levels by product, bin or lot (near and past expiry highlighted), the move history,
a product's and a lot's page, the 收发存汇总表 summary (and its Excel), the 存货明细账 ledger of one product,
the low-stock list and its rules, and a product's alternate units. Reads go through selectors only."""

import datetime

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from sihe.catalog import selectors as catalog
from sihe.core import clock, tx
from sihe.core.errors import DomainError, ValidationFailed
from sihe.core.money import to_decimal
from sihe.core.roles import can
from sihe.costing import reports
from sihe.costing import selectors as costing_selectors
from sihe.stock import selectors
from sihe.stock import services as stock_services
from sihe.stock.units import parse_date, threshold_to_base
from sihe.web.paging import cursor_page, querystring
from sihe.web.permissions import require_permission

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NEAR_EXPIRY_DAYS = 30


MOVES_PER_PAGE = 300


def _filters(request):
    sku = (request.GET.get("sku") or "").strip()
    code = (request.GET.get("warehouse") or "").strip()
    product = catalog.find_product(sku) if sku else None
    warehouse = catalog.find_warehouse(code) if code else None
    return sku, code, product, warehouse


def _period(request) -> tuple[datetime.date, datetime.date]:
    today = clock.today()
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
    today = clock.today()
    context = {"view": view, "sku": sku, "warehouse_code": code, "warehouses": catalog.warehouses(),
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
    # newest first, MOVES_PER_PAGE a page; deep pages by cursor (an index range on (date, id)), not OFFSET
    page = cursor_page(request, selectors.moves(product=product, warehouse=warehouse, limit=None), selectors.MOVES,
                       MOVES_PER_PAGE)
    return render(request, "web_stock/moves.html", {
        "rows": page.object_list, "page": page, "querystring": querystring(request), "sku": sku, "warehouse_code": code,
        "product": product, "warehouses": catalog.warehouses(),
        "unknown": (sku and product is None) or (code and warehouse is None)})


@require_permission("stock.view")
def product(request, sku: str):
    return _product_page(request, get_object_or_404(catalog.products(), sku=sku))


def _product_page(request, item, *, unit_error=None, status: int = 200):
    today = clock.today()
    lots = list(selectors.lots(product=item)[:200])
    for lot in lots:
        lot.status = selectors.expiry_status(lot.expiry_date, today=today, warn_days=NEAR_EXPIRY_DAYS)
    return render(request, "web_stock/product.html", {
        "product": item, "levels": selectors.levels(product=item), "lots": lots,
        "moves": selectors.moves(product=item, limit=200), "totals": selectors.totals(product=item),
        "units": selectors.product_units(item), "all_units": catalog.units().exclude(pk=item.uom_id),
        "unit_error": unit_error, "may_edit_units": can(request.user, "catalog.edit")}, status=status)


@require_permission("stock.view")
def lot(request, sku: str, number: str):
    item = get_object_or_404(selectors.lots().select_related("product__uom"), product__sku=sku, number=number)
    today = clock.today()
    status = selectors.expiry_status(item.expiry_date, today=today, warn_days=NEAR_EXPIRY_DAYS)
    return render(request, "web_stock/lot.html", {
        "lot": item, "status": status, "quants": selectors.quants(product=item.product).filter(lot=item),
        "moves": selectors.lot_moves(item, limit=200)})


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
        "warehouses": catalog.warehouses(), "totals": totals,
        "recosting": costing_selectors.open_recost_jobs(warehouse_id=warehouse.pk if warehouse else None)})


@require_permission("costing.view")
def ledger(request):
    sku, code, item, warehouse = _filters(request)
    start, end = _period(request)
    rows = []
    if item is not None and warehouse is not None:
        rows = reports.product_ledger(product=item, warehouse=warehouse, start=start, end=end)
        kinds = dict(selectors.move_kinds().choices) | costing_selectors.layer_kind_labels()
        for row in rows:
            row["kind_label"] = kinds.get(row["kind"], row["kind"])
    return render(request, "web_stock/ledger.html", {
        "rows": rows, "sku": sku, "warehouse_code": code, "start": start, "end": end, "product": item,
        "warehouses": catalog.warehouses(),
        "recosting": costing_selectors.open_recost_jobs(product_id=item.pk, warehouse_id=warehouse.pk)
        if item is not None and warehouse is not None else [],
        "hint": _("Choose a SKU and a warehouse.") if not rows else ""})


@require_permission("stock.view")
def low_stock(request):
    return render(request, "web_stock/low_stock.html", {"rows": selectors.low_levels()})


def _find(finder, field: str, value: str):
    """What `finder` answers for a code typed in a form; nothing typed or nothing found is a 422 naming the field."""
    found = finder(value) if value else None
    if found is None:
        raise ValidationFailed(_("unknown %(field)s %(value)s") % {"field": field, "value": value}, field=field)
    return found


@require_permission("stock.view")
def rules(request):
    """库存预警 rules: each product's minimum and maximum per warehouse, set and removed here."""
    error, status, values = None, 200, {}
    if request.method == "POST":
        if not can(request.user, "stock.move"):
            return render(request, "web/forbidden.html", {"permission": "stock.move"}, status=403)
        values = {k: (request.POST.get(k) or "").strip() for k in ("sku", "warehouse", "min_qty", "max_qty")}
        try:
            item = _find(catalog.find_product, "sku", values["sku"])
            warehouse = _find(catalog.find_warehouse, "warehouse", values["warehouse"])
            with tx.entry():
                if request.POST.get("action") == "remove":
                    stock_services.remove_rule(product=item, warehouse=warehouse, actor=request.actor)
                else:
                    minimum = threshold_to_base(item, values["min_qty"] or "0", field="min_qty")
                    maximum = threshold_to_base(item, values["max_qty"], field="max_qty") if values["max_qty"] else None
                    stock_services.set_rule(product=item, warehouse=warehouse, min_qty=minimum, max_qty=maximum,
                                            actor=request.actor)
            return redirect(f"{request.path}?warehouse={warehouse.code}")
        except DomainError as exc:
            error, status = exc, exc.status
    _sku, code, item, warehouse = _filters(request)
    return render(request, "web_stock/rules.html", {
        "rows": selectors.rule_rows(selectors.rules(product=item, warehouse=warehouse)[:500]),
        "warehouses": catalog.warehouses(), "warehouse_code": code, "error": error, "values": values,
        "may_edit": can(request.user, "stock.move")}, status=status)


@require_permission("catalog.edit")
def product_unit(request, sku: str):
    """Set an alternate unit of a product (1 箱 = 12 件) from its stock page."""
    item = get_object_or_404(catalog.products(), sku=sku)
    if request.method == "POST":
        try:
            uom = _find(catalog.find_unit, "unit", (request.POST.get("unit") or "").strip())
            factor = to_decimal(request.POST.get("factor") or "", field="factor")
            with tx.entry():
                stock_services.set_unit(product=item, uom=uom, factor=factor, actor=request.actor)
        except DomainError as exc:
            return _product_page(request, item, unit_error=exc, status=exc.status)
    return redirect("web_stock:product", sku=item.sku)

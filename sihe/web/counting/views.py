"""Counting pages (count tasks, handheld blind count) and lot traceability.

- /counting/ count tasks: list, create (zone, bins or products), schedule cycle counts by ABC class;
- /counting/<id>/ one task: its lines (quantities hidden while a blind count is open), close, cancel;
- /counting/count/ and /counting/count/<id>/ the handheld blind count (375 × 667): scan the bin, the
  item (and lot), type the quantity — never shown what the record says;
- /counting/trace/ a lot → receipts, bins, shipments, orders, customers; an order → its lots.
"""

from decimal import Decimal

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sihe.catalog import selectors as catalog_selectors
from sihe.core import tx
from sihe.core.errors import DomainError, NotFound, ValidationFailed
from sihe.core.money import to_decimal
from sihe.core.roles import can
from sihe.stock import selectors as stock_selectors
from sihe.web.permissions import require_permission
from sihe.wms import trace as tracing
from sihe.wms.counting import scan, selectors, services
from sihe.wms.counting.selectors import CountLine, CountTask, adjustments_of, vouchers_of


def _codes(text: str) -> list[str]:
    return [c for c in (part.strip() for part in (text or "").replace(",", " ").replace("，", " ").split()) if c]


def _optional_number(value: str, field: str) -> Decimal | None:
    value = (value or "").strip()
    return to_decimal(value, field=field) if value else None


def _task_or_404(pk: int) -> CountTask:
    try:
        return selectors.task(pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _create(request) -> CountTask:
    data = request.POST
    warehouse = catalog_selectors.find_warehouse(data.get("warehouse", ""))
    if warehouse is None:
        raise ValidationFailed(_("choose a warehouse"), field="warehouse")
    scope = data.get("scope", "zone")
    zone = bins = products = None
    if scope == "zone":
        zone = catalog_selectors.find_zone(warehouse, data.get("zone", "").strip())
        if zone is None:
            raise ValidationFailed(_("unknown zone %(zone)s in %(wh)s") % {"zone": data.get("zone", ""),
                                                                          "wh": warehouse.code}, field="zone")
    elif scope == "bins":
        bins = []
        for code in _codes(data.get("bins", "")):
            location = catalog_selectors.find_location(warehouse, code)
            if location is None:
                raise ValidationFailed(_("unknown location %(loc)s in %(wh)s") % {"loc": code, "wh": warehouse.code},
                                       field="bins")
            bins.append(location)
    else:
        products = []
        for sku in _codes(data.get("products", "")):
            product = catalog_selectors.find_product(sku)
            if product is None:
                raise ValidationFailed(_("unknown SKU %(sku)s") % {"sku": sku}, field="products")
            products.append(product)
    with tx.entry():
        return services.create_task(
            warehouse=warehouse, zone=zone, bins=bins, products=products, blind=data.get("blind") == "on",
            recount_qty=_optional_number(data.get("recount_qty"), "recount_qty"),
            recount_pct=_optional_number(data.get("recount_pct"), "recount_pct"),
            allow_same_recounter=data.get("allow_same_recounter") == "on", actor=request.actor)


@require_permission("wms.plan")
def tasks(request):
    error, form = None, {"scope": "zone", "blind": True}
    if request.method == "POST":
        form = {**request.POST.dict(), "blind": request.POST.get("blind") == "on"}
        try:
            if request.POST.get("action") == "schedule":
                warehouse = catalog_selectors.find_warehouse(request.POST.get("warehouse", ""))
                if warehouse is None:
                    raise ValidationFailed(_("choose a warehouse"), field="warehouse")
                with tx.entry():
                    created = services.schedule_cycle_counts(warehouse=warehouse, actor=request.actor)
                messages.success(request, _("%(n)s cycle count(s) created") % {"n": len(created)})
                return redirect("web_counting:tasks")
            task = _create(request)
            messages.success(request, _("Count %(number)s created") % {"number": task.number})
            return redirect("web_counting:task", task.pk)
        except DomainError as exc:
            error = exc
    state = request.GET.get("state") if request.GET.get("state") in CountTask.State.values else ""
    rows = list(selectors.tasks(state=state or None)[:200])
    counted = selectors.line_progress(rows)
    for task in rows:
        task.total, task.counted = counted.get(task.pk, (0, 0))
    return render(request, "web_counting/tasks.html", {
        "rows": rows, "state": state, "states": CountTask.State.choices, "error": error, "form": form,
        "warehouses": catalog_selectors.active_warehouses(), "zones": catalog_selectors.zones()})


@require_permission("wms.plan")
def task(request, pk: int):
    item = _task_or_404(pk)
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "close":
                if not can(request.user, "stock.move"):
                    raise ValidationFailed(_("your role may not post stock adjustments"), field="action")
                with tx.entry():
                    services.close_task(task=item, actor=request.actor,
                                        skip_uncounted=request.POST.get("skip_uncounted") == "on")
                messages.success(request, _("Count %(number)s closed") % {"number": item.number})
            elif action == "cancel":
                with tx.entry():
                    services.cancel_task(task=item, actor=request.actor)
                messages.success(request, _("Count %(number)s cancelled") % {"number": item.number})
            return redirect("web_counting:task", item.pk)
        except DomainError as exc:
            error = exc
    lines = selectors.lines_of(item)
    moves = adjustments_of(item) if item.state == CountTask.State.CLOSED else []
    return render(request, "web_counting/task.html", {
        "task": item, "lines": lines, "reveal": not (item.blind and item.is_open), "error": error,
        "recount": sum(1 for ln in lines if ln.state == "recount"),
        "pending": sum(1 for ln in lines if ln.state == "pending"),
        "vouchers": vouchers_of(moves) if moves else [], "may_close": can(request.user, "stock.move")})


@require_permission("wms.operate")
def count(request):
    return render(request, "web_counting/count_pick.html", {"tasks": selectors.open_tasks()})


@require_permission("wms.operate")
def count_task(request, pk: int):
    item = _task_or_404(pk)
    error, result = None, None
    values = {"location": request.GET.get("location", "")}
    if request.method == "POST":
        values = {k: (request.POST.get(k) or "").strip() for k in ("location", "item", "lot", "qty")}
        try:
            location = catalog_selectors.find_location(item.warehouse, values["location"])
            if location is None:
                raise ValidationFailed(_("unknown bin %(loc)s") % {"loc": values["location"] or "—"}, field="location")
            scanned = scan.resolve(sku=None, barcode=values["item"], field="item")
            lot_number = values["lot"] or scanned.lot
            lot = None
            if lot_number:
                lot = stock_selectors.find_lot(scanned.product, lot_number)
                if lot is None:
                    raise ValidationFailed(_("unknown lot %(lot)s of %(sku)s")
                                           % {"lot": lot_number, "sku": scanned.product.sku}, field="lot")
            if not values["qty"]:
                raise ValidationFailed(_("enter the quantity counted"), field="qty")
            qty = to_decimal(values["qty"], field="qty")
            with tx.entry():
                line = services.record_count(task=item, location=location, product=scanned.product, lot=lot, qty=qty,
                                             actor=request.actor)
            result = {"line": line, "recount": line.state == CountLine.State.RECOUNT}
            values = {"location": location.code}
        except DomainError as exc:
            error = exc
    lines = selectors.lines_of(item)
    return render(request, "web_counting/count.html", {
        "task": item, "lines": lines, "error": error, "result": result, "values": values,
        "done": sum(1 for ln in lines if ln.state in ("counted", "done")), "total": len(lines),
        "focus": "item" if values.get("location") and not (error and error.field == "location") else "location"})


@require_permission("trace.view")
def trace(request):
    lot_number = (request.GET.get("lot") or "").strip()
    sku = (request.GET.get("sku") or "").strip()
    order = (request.GET.get("order") or "").strip()
    context = {"lot": lot_number, "sku": sku, "order": order, "traces": [], "order_trace": None, "error": None}
    try:
        if lot_number:
            context["traces"] = [tracing.trace_lot(lot) for lot in tracing.lots_by_number(lot_number, sku=sku or None)]
        elif order:
            context["order_trace"] = tracing.trace_order(order)
    except DomainError as exc:
        context["error"] = exc
    return render(request, "web_counting/trace.html", context)

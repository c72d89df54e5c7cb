"""Production pages: orders (new, list, detail with the acts the order's life allows), BOMs, and the
handheld 领料/退料 page (scan the order, then each component)."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from sihe.catalog import selectors as catalog
from sihe.core import clock, tx
from sihe.core.errors import DomainError, ValidationFailed
from sihe.core.roles import can
from sihe.production import orders as acts
from sihe.production import selectors
from sihe.production.transitions import LIFE
from sihe.stock import selectors as stock_selectors
from sihe.web.permissions import require_permission
from sihe.wms.outbound.scanning import parse_item

ACTS = {"release": acts.release, "finish": acts.finish, "close": acts.close, "cancel": acts.cancel}
ACT_LABELS = {"release": pgettext_lazy("production order", "Release"), "finish": gettext_lazy("Finish"), "close": gettext_lazy("Close"),
              "cancel": gettext_lazy("Cancel")}


def _error(request, exc: DomainError) -> None:
    messages.error(request, f"{exc.field}: {exc.message}" if exc.field else exc.message)


@require_permission("production.view")
def orders(request):
    status = request.GET.get("status") if request.GET.get("status") in selectors.ProductionOrder.Status.values else ""
    q = (request.GET.get("q") or "").strip()[:60]
    form = {}
    if request.method == "POST":
        if not can(request.user, "production.manage"):
            return render(request, "web/forbidden.html", {"permission": "production.manage"}, status=403)
        form = {k: (request.POST.get(k) or "").strip() for k in ("sku", "qty", "warehouse", "due_date")}
        try:
            product = catalog.referenced_product(form["sku"])
            warehouse = catalog.referenced_warehouse(form["warehouse"])
            try:
                due = datetime.date.fromisoformat(form["due_date"])
            except ValueError as exc:
                raise ValidationFailed(_("the due date is a date (YYYY-MM-DD)"), field="due_date") from exc
            with tx.entry():
                order = acts.create_order(product=product, qty=form["qty"], warehouse=warehouse, due_date=due,
                                          actor=request.actor)
            messages.success(request, _("Production order %(n)s created.") % {"n": order.number})
            return redirect("web_production:order", pk=order.pk)
        except DomainError as exc:
            _error(request, exc)
    page = Paginator(selectors.orders(status=status, q=q), 50).get_page(request.GET.get("page"))
    return render(request, "web_production/orders.html", {
        "page": page, "rows": page.object_list, "status": status, "q": q, "statuses": selectors.ProductionOrder.Status.choices,
        "querystring": f"status={status}&q={q}", "form": form, "can_manage": can(request.user, "production.manage"),
        "warehouses": catalog.warehouses().filter(active=True),
        "default_due": (clock.today() + datetime.timedelta(days=3)).isoformat()})


@require_permission("production.view")
def order(request, pk: int):
    item = selectors.order(pk)
    operate = can(request.user, "production.operate")
    return render(request, "web_production/order.html", {
        "o": item, "lines": item.lines.select_related("component__uom").order_by("seq"),
        "reports": item.reports.select_related("work_centre").order_by("-id")[:100],
        "show_costs": can(request.user, "costing.view"), "can_operate": operate,
        "acts": [(name, ACT_LABELS[name]) for name in LIFE.allowed_actions(item.status) if name in ACTS] if operate else [],
        "working": operate and item.status in ("released", "in_progress"),
        "centres": selectors.work_centres(active_only=True),
        "unit_cost": (item.total_cost / item.good_qty) if item.good_qty else None})


@require_permission("production.operate")
def order_act(request, pk: int, act: str):
    item = selectors.order(pk)
    if request.method != "POST":
        return redirect("web_production:order", pk=pk)
    try:
        with tx.entry():
            if act in ACTS:
                ACTS[act](order=item, actor=request.actor)
            elif act == "issue":
                acts.issue(order=item, actor=request.actor)
            elif act == "report":
                centre = selectors.work_centre(request.POST.get("work_centre", ""))
                acts.report(order=item, actor=request.actor, good=request.POST.get("good") or "0",
                            scrap=request.POST.get("scrap") or "0", minutes=request.POST.get("minutes") or "0",
                            work_centre=centre, operator=(request.POST.get("operator") or "")[:150])
            elif act == "receive":
                acts.receive(order=item, actor=request.actor, qty=request.POST.get("qty") or "0",
                             lot=(request.POST.get("lot") or "")[:64])
            else:
                raise ValidationFailed(_("unknown act %(act)s") % {"act": act[:20]}, field="act")
        messages.success(request, _("Done: %(n)s.") % {"n": item.number})
    except DomainError as exc:
        _error(request, exc)
    return redirect("web_production:order", pk=pk)


@require_permission("production.view")
def bom_list(request):
    return render(request, "web_production/boms.html", {"boms": selectors.boms()[:200],
                                                           "centres": selectors.work_centres()})


# -- handheld: issue and return by scan -----------------------------------------------------------


@require_permission("production.operate")
def issue_pick(request):
    if request.method == "POST":
        code = (request.POST.get("barcode") or "").strip()[:40]
        try:
            found = selectors.order(code)
        except DomainError:
            messages.error(request, _("no production order %(code)s") % {"code": code})
            return redirect("web_production:issue")
        return redirect("web_production:issue_scan", pk=found.pk)
    open_orders = selectors.working_orders()[:30]
    return render(request, "web_production/issue_pick.html", {"orders": open_orders})


@require_permission("production.operate")
def issue_scan(request, pk: int):
    item = selectors.order(pk)
    result = None
    if request.method == "POST":
        returning = request.POST.get("mode") == "return"
        try:
            scan = parse_item(request.POST.get("barcode") or "")
            qty = Decimal(request.POST.get("qty") or scan.qty or 1)
            lot = stock_selectors.referenced_lot(scan.product, scan.lot, field="barcode") if scan.lot else None
            line = acts.MaterialLine(product=scan.product, qty=qty, lot=lot, field="scan")
            with tx.entry():
                if returning:
                    acts.return_materials(order=item, actor=request.actor, lines=[line])
                else:
                    acts.issue(order=item, actor=request.actor, lines=[line])
            result = {"ok": True, "text": _("%(what)s %(qty)s × %(sku)s%(lot)s") % {
                "what": pgettext("production material", "returned") if returning else pgettext("production material", "issued"), "qty": qty, "sku": scan.product.sku,
                "lot": f" ({lot.number})" if lot else ""}}
        except (DomainError, ArithmeticError, ValueError) as exc:
            result = {"ok": False, "text": getattr(exc, "message", _("the quantity is not a number"))}
        item = selectors.order(pk)
    return render(request, "web_production/issue_scan.html", {
        "o": item, "lines": item.lines.select_related("component__uom").order_by("seq"), "result": result})

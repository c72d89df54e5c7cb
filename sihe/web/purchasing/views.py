"""Purchasing pages: purchase orders (list, new, detail with received against ordered per line, the
approve and confirm buttons, the supplier-invoice and return forms), supplier invoices with the payment
form, and the AP aging (账龄) report with its Excel. Reads go through selectors, writes through the
purchasing services."""

import re
from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sihe.catalog import selectors as catalog
from sihe.core import clock, tx
from sihe.core.audit import history
from sihe.core.errors import DomainError, NotFound, Problems, ValidationFailed
from sihe.core.roles import can
from sihe.purchasing import excel, selectors, services
from sihe.purchasing.selectors import PurchaseOrder, SupplierInvoice
from sihe.stock.units import parse_date
from sihe.web import audit_labels
from sihe.web.permissions import require_permission

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NEW_LINES = 6


def _page(request, qs, per_page=50):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def _product(sku: str, field: str):
    found = catalog.find_product(sku.strip())
    if found is None:
        raise ValidationFailed(_("unknown SKU %(sku)s") % {"sku": sku}, field=field)
    return found


def _line_label(field: str) -> str:
    """`lines[1].price` → "第2行 单价" for a buyer (the row as the form numbers it)."""
    match = re.match(r"lines\[(\d+)\]\.(\w+)$", field or "")
    if not match:
        return field
    names = {"sku": _("SKU"), "qty": _("Quantity"), "price": _("Price"), "tax_rate": _("Tax rate"), "unit": _("Unit")}
    return _("line %(n)s %(what)s") % {"n": int(match.group(1)) + 1, "what": names.get(match.group(2), match.group(2))}


@require_permission("purchasing.view")
def orders(request):
    status = request.GET.get("status") or ""
    q = (request.GET.get("q") or "").strip()
    if status not in PurchaseOrder.Status.values:
        status = ""
    page = _page(request, selectors.orders(status=status or None, q=q or None))
    form = {"supplier": "", "warehouse": "", "expected_date": "", "lines": [{} for _ in range(NEW_LINES)]}
    if request.method == "POST":
        if not can(request.user, "purchasing.manage"):
            return HttpResponse(status=403)
        form = {key: request.POST.get(key, "") for key in ("supplier", "warehouse", "expected_date", "memo")}
        form["lines"] = [{k: request.POST.get(f"{k}_{i}", "").strip() for k in ("sku", "qty", "price", "tax_rate")}
                         for i in range(NEW_LINES)]
        try:
            supplier = catalog.find_partner(form["supplier"])
            if supplier is None:
                raise DomainError(_("choose a supplier"), field="supplier")
            warehouse = catalog.find_warehouse(form["warehouse"])
            if warehouse is None:
                raise DomainError(_("choose a warehouse"), field="warehouse")
            problems, lines = Problems(), []
            for i, ln in enumerate(form["lines"]):
                if not ln["sku"]:
                    continue
                with problems.collect():
                    lines.append(services.OrderLine(product=_product(ln["sku"], f"lines[{i}].sku"), qty=ln["qty"],
                                                    price=ln["price"], tax_rate=ln["tax_rate"] or None,
                                                    field=f"lines[{i}]"))
            if problems:  # every problem at once: the unknown SKUs and the other lines' own
                services.build_order_lines(lines, problems)
                problems.raise_if_any()
            with tx.entry():
                po = services.create_order(supplier=supplier, warehouse=warehouse, lines=lines, actor=request.actor,
                                           expected_date=parse_date(form["expected_date"] or None,
                                                                    field="expected_date"),
                                           memo=form.get("memo", ""))
            messages.success(request, _("Purchase order %(n)s created.") % {"n": po.number})
            return redirect("web_purchasing:order", pk=po.pk)
        except DomainError as exc:
            for problem in exc.extra.get("errors") or [{"field": exc.field, "message": exc.message}]:
                messages.error(request, f"{_line_label(problem['field'])}: {problem['message']}"
                               if problem["field"] else problem["message"])
    return render(request, "web_purchasing/orders.html", {
        "page": page, "rows": page.object_list, "status": status, "q": q, "statuses": PurchaseOrder.Status.choices,
        "querystring": f"status={status}&q={q}", "can_manage": can(request.user, "purchasing.manage"),
        "suppliers": catalog.active_suppliers(), "warehouses": catalog.active_warehouses(), "form": form,
        "new_open": request.method == "POST" or request.GET.get("new") == "1"})


def _order(pk) -> PurchaseOrder:
    try:
        return services.get_order(pk)
    except NotFound as exc:
        from django.http import Http404

        raise Http404(exc.message) from exc


@require_permission("purchasing.view")
def order(request, pk):
    po = _order(pk)
    lines = list(selectors.lines(po))
    for ln in lines:
        ln.received = ln.received_qty - ln.returned_qty
        ln.percent = int(min(ln.received / ln.qty, 1) * 100) if ln.qty else 0
        ln.open_to_invoice = max(ln.received - ln.invoiced_qty, Decimal(0))
        ln.returnable = ln.open_to_invoice
    user = request.user
    status = po.status
    missing = services.missing_levels(po) if status in ("draft", "pending_approval") else []
    return render(request, "web_purchasing/order.html", {
        "po": po, "lines": lines, "approvals": selectors.approvals(po), "missing": missing,
        "invoices": selectors.invoices(order=po),
        "history": audit_labels.rows(history(po)[:50], model=PurchaseOrder),
        "can_approve": can(user, "purchasing.approve") and bool(missing) and user.pk != po.created_by_id,
        "can_confirm": can(user, "purchasing.manage") and status in ("draft", "pending_approval", "approved"),
        "can_submit": can(user, "purchasing.manage") and status == "draft" and bool(missing),
        "can_cancel": can(user, "purchasing.manage") and status in ("draft", "pending_approval", "approved",
                                                                    "confirmed"),
        "can_close": can(user, "purchasing.manage") and status in ("confirmed", "partially_received", "received"),
        "can_invoice": can(user, "payments.manage") and any(ln.open_to_invoice > 0 for ln in lines),
        "can_return": can(user, "purchasing.manage") and status in ("partially_received", "received", "closed")
        and any(ln.returnable > 0 for ln in lines),
        "today": clock.today(),
    })


@require_POST
@require_permission("purchasing.view")
def order_act(request, pk, act):
    po = _order(pk)
    verbs = {"approve": ("purchasing.approve", services.approve), "confirm": ("purchasing.manage", services.confirm),
             "submit": ("purchasing.manage", services.submit), "cancel": ("purchasing.manage", services.cancel),
             "close": ("purchasing.manage", services.close)}
    if act not in verbs:
        return HttpResponse(status=404)
    permission, verb = verbs[act]
    if not can(request.user, permission):
        messages.error(request, _("Your role may not do this (%(p)s).") % {"p": permission})
        return redirect("web_purchasing:order", pk=po.pk)
    try:
        with tx.entry():
            po = verb(order=po, actor=request.actor)
        messages.success(request, _("%(n)s is now %(s)s.") % {"n": po.number, "s": po.get_status_display()})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("web_purchasing:order", pk=po.pk)


@require_POST
@require_permission("payments.manage")
def order_invoice(request, pk):
    po = _order(pk)
    lines = []
    try:
        for ln in selectors.lines(po):
            qty = (request.POST.get(f"qty_{ln.pk}") or "").strip()
            if not qty or qty == "0":
                continue
            lines.append(services.InvoiceLine(product=ln.product, qty=qty, price=request.POST.get(f"price_{ln.pk}", ""),
                                              line_no=ln.line_no, field=f"lines[{len(lines)}]"))
        with tx.entry():
            inv = services.post_invoice(order=po, number=request.POST.get("number", ""), lines=lines,
                                        actor=request.actor,
                                        invoice_date=parse_date(request.POST.get("invoice_date") or None,
                                                                field="invoice_date"),
                                        due_date=parse_date(request.POST.get("due_date") or None, field="due_date"))
        messages.success(request, _("Invoice %(n)s posted: %(t)s (price variance %(v)s).")
                         % {"n": inv.number, "t": inv.total, "v": inv.price_variance})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("web_purchasing:order", pk=po.pk)


@require_POST
@require_permission("purchasing.manage")
def order_return(request, pk):
    po = _order(pk)
    lines = []
    for ln in selectors.lines(po):
        qty = (request.POST.get(f"ret_{ln.pk}") or "").strip()
        if qty and qty != "0":
            lines.append(services.ReturnLine(order_line=ln, qty=qty, field=f"lines[{len(lines)}]"))
    try:
        with tx.entry():
            result = services.return_goods(order=po, lines=lines, actor=request.actor,
                                           reason=request.POST.get("reason", "")[:200])
        messages.success(request, _("Returned to the supplier: %(what)s (estimate reversed %(v)s).")
                         % {"what": ", ".join(f"{x['sku']} {x['qty']}" for x in result["lines"]),
                            "v": result["estimate"]})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("web_purchasing:order", pk=po.pk)


@require_permission("purchasing.view")
def invoices(request):
    supplier = (request.GET.get("supplier") or "").strip()
    status = request.GET.get("status") or ""
    if status not in SupplierInvoice.Status.values:
        status = ""
    if request.method == "POST":
        if not can(request.user, "payments.manage"):
            return HttpResponse(status=403)
        try:
            partner = catalog.find_partner(request.POST.get("supplier", ""))
            if partner is None:
                raise DomainError(_("choose a supplier"), field="supplier")
            with tx.entry():
                payment = services.pay(supplier=partner, amount=request.POST.get("amount", ""), actor=request.actor,
                                       date=parse_date(request.POST.get("date") or None, field="date"),
                                       reference=request.POST.get("reference", ""))
            messages.success(request, _("Payment %(n)s of %(a)s to %(s)s posted.")
                             % {"n": payment.number, "a": payment.amount, "s": partner.name})
            return redirect(f"{request.path}?supplier={partner.code}")
        except DomainError as exc:
            messages.error(request, exc.message)
    page = _page(request, selectors.invoices(supplier=supplier or None, status=status or None))
    return render(request, "web_purchasing/invoices.html", {
        "page": page, "rows": page.object_list, "supplier": supplier, "status": status,
        "statuses": SupplierInvoice.Status.choices, "querystring": f"supplier={supplier}&status={status}",
        "payments": selectors.payments()[:20],
        "can_pay": can(request.user, "payments.manage"),
        "suppliers": catalog.active_suppliers(), "today": clock.today()})


@require_permission("purchasing.view")
def ap_aging(request):
    basis = request.GET.get("basis") if request.GET.get("basis") in ("invoice_date", "due_date") else "invoice_date"
    try:
        as_of = parse_date(request.GET.get("as_of") or None, field="as_of") or clock.today()
    except DomainError:
        as_of = clock.today()
    supplier = (request.GET.get("supplier") or "").strip()
    report = selectors.ap_aging(as_of=as_of, basis=basis, supplier=supplier or None)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(excel.aging_xlsx(report), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="ap-aging-{as_of.isoformat()}.xlsx"'
        return response
    buckets = report["buckets"]
    table = [{"supplier": r["supplier"], "name": r["name"], "cells": [r[b] for b in buckets], "total": r["total"]}
             for r in report["rows"]]
    return render(request, "web_purchasing/ap_aging.html", {
        "report": report, "table": table, "totals": [report["totals"][b] for b in buckets],
        "total": report["totals"]["total"], "basis": basis, "as_of": as_of, "supplier": supplier,
        "invoices": report["invoices"]})

"""B2B pages: quotations (list, new, one with its acts up to the order), prices and promotions per
customer group, money in (advances and receipts over several orders or invoices), and the customer
statement (对账单) with its Excel and PDF."""

import datetime

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from sihe.catalog import selectors as catalog
from sihe.core import clock, tx
from sihe.core.errors import DomainError, ValidationFailed
from sihe.core.roles import can
from sihe.oms.b2b import exports, selectors, services
from sihe.oms.b2b.selectors import Quotation
from sihe.oms.b2b.transitions import LIFE
from sihe.web.oms.views import _arg, _back, _error_text, _forbidden, _page, _posted
from sihe.web.oms.views import _render as _oms_render
from sihe.web.paging import querystring
from sihe.web.permissions import require_permission

ACTS = {"send", "accept", "cancel", "convert"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LINE_ROWS = 8


def _render(request, template: str, context: dict, status: int = 200):
    """The page with the B2B tabs a person may open (a link that would answer 403 is not shown)."""
    context.update(can_money=can(request.user, "ledger.view"), can_statement=can(request.user, "invoices.view"))
    return _oms_render(request, template, context, status=status)


@require_permission("orders.view")
def quotations(request):
    status = _arg(request, "status")
    if status and status not in Quotation.Status.values:
        status = ""
    page = _page(request, selectors.quotations(status=status, partner=_arg(request, "partner")))
    return _render(request, "web_b2b/quotations.html", {
        "page": page, "status": status, "statuses": Quotation.Status.choices, "querystring": querystring(request),
        "can_manage": can(request.user, "orders.manage")})


def _form_lines(posted: dict) -> list[services.LineIn]:
    lines = []
    for i in range(LINE_ROWS):
        sku, qty = posted.get(f"sku_{i}", "").strip(), posted.get(f"qty_{i}", "").strip()
        if sku or qty:
            lines.append(services.LineIn(sku=sku, qty=qty or "0", price=posted.get(f"price_{i}", "").strip() or None,
                                         field=f"lines[{len(lines)}]"))
    return lines


@require_permission("orders.manage")
def new_quotation(request):
    form, error = {}, None
    if request.method == "POST":
        try:
            form = _posted(request)
            partner = selectors.customer(form.get("partner", ""))
            receiver = {k: form.get(k, "") for k in ("name", "phone", "province", "city", "district", "address")}
            with tx.entry():
                q = services.create_quotation(
                    partner=partner, lines=_form_lines(form), actor=request.actor,
                    quote_date=form.get("quote_date") or None, valid_until=form.get("valid_until") or None,
                    receiver=receiver, note=form.get("note", ""))
            messages.success(request, _("quotation %(n)s made: ¥%(t)s") % {"n": q.number, "t": q.total})
            return HttpResponseRedirect(reverse("web_b2b:quotation", args=[q.pk]))
        except DomainError as exc:
            error = _error_text(exc)
    return _render(request, "web_b2b/new_quotation.html", {
        "form": form, "error": error, "customers": selectors.customers(),
        "rows": [{"i": i, "sku": form.get(f"sku_{i}", ""), "qty": form.get(f"qty_{i}", ""),
                  "price": form.get(f"price_{i}", "")} for i in range(LINE_ROWS)],
        "products": catalog.product_choices(), "today": clock.today().isoformat()}, status=422 if error else 200)


@require_permission("orders.view")
def quotation(request, pk: int):
    q = selectors.quotation(pk)
    acts = LIFE.allowed_actions(q.status) if can(request.user, "orders.manage") else []
    return _render(request, "web_b2b/quotation.html", {
        "q": q, "lines": q.lines.all(), "acts": acts, "expired": clock.today() > q.valid_until,
        "advances": q.advances.all(), "here": request.get_full_path()})


@require_permission("orders.view")
def quotation_act(request, pk: int, action: str):
    if request.method != "POST" or action not in ACTS:
        raise Http404(action)
    if not can(request.user, "orders.manage"):
        return _forbidden(request, "orders.manage")
    try:
        q = selectors.quotation(pk)
        posted = _posted(request)
        with tx.entry():
            if action == "convert":
                order = services.convert(quotation=q, actor=request.actor)
                messages.success(request, _("order %(n)s made (%(s)s)") % {
                    "n": order.number, "s": order.get_status_display()})
            else:
                q = getattr(services, action)(quotation=q, actor=request.actor, note=posted.get("note", ""))
                messages.success(request, _("%(n)s is %(s)s") % {"n": q.number, "s": q.get_status_display()})
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    return _back(request, reverse("web_b2b:quotation", args=[pk]))


@require_permission("orders.view")
def prices(request):
    return _render(request, "web_b2b/prices.html", {
        "groups": selectors.groups().prefetch_related("members__partner"), "price_lists": selectors.price_lists(),
        "promotions": selectors.promotions()})


def _allocations(text: str) -> list[services.AllocationIn]:
    """One allocation a line: `D-1001 100.00` (an order) or a 20-digit invoice number and an amount
    (the amount may be left out: what is owed there)."""
    out = []
    for raw in text.splitlines():
        parts = raw.replace("，", " ").replace(",", " ").replace("=", " ").split()
        if not parts:
            continue
        key, amount = parts[0], (parts[1] if len(parts) > 1 else None)
        field = f"allocations[{len(out)}]"
        if key.isdigit() and len(key) == 20:
            out.append(services.AllocationIn(invoice=key, amount=amount, field=field))
        else:
            out.append(services.AllocationIn(order=key, amount=amount, field=field))
    return out


@require_permission("ledger.view")
def money(request):
    error = None
    if request.method == "POST":
        if not can(request.user, "payments.manage"):
            return _forbidden(request, "payments.manage")
        try:
            form = _posted(request)
            partner = selectors.customer(form.get("partner", ""))
            with tx.entry():
                if form.get("kind") == "advance":
                    advance = services.receive_advance(
                        partner=partner, amount=form.get("amount", ""), date=form.get("date") or None,
                        reference=form.get("reference", ""), actor=request.actor,
                        quotation=selectors.quotation(form["quotation"]) if form.get("quotation") else None)
                    messages.success(request, _("advance %(n)s of ¥%(a)s recorded") % {
                        "n": advance.number, "a": advance.amount})
                else:
                    receipt = services.record_receipt(
                        partner=partner, amount=form.get("amount", ""), date=form.get("date") or None,
                        reference=form.get("reference", ""), actor=request.actor,
                        allocations=_allocations(form.get("allocations", "")) or None)
                    messages.success(request, _("receipt %(n)s: ¥%(a)s applied, ¥%(u)s kept as an advance") % {
                        "n": receipt.number, "a": receipt.amount - receipt.unapplied, "u": receipt.unapplied})
            return _back(request, reverse("web_b2b:receipts"))
        except DomainError as exc:
            error = _error_text(exc)
            messages.error(request, error)
    partner = _arg(request, "partner", 40)
    return _render(request, "web_b2b/money.html", {
        "receipts": selectors.receipts(partner=partner)[:100], "advances": selectors.advances(partner=partner)[:100],
        "customers": selectors.customers(), "partner": partner, "today": clock.today().isoformat(),
        "can_pay": can(request.user, "payments.manage")}, status=422 if error else 200)


def _day(text: str, default: datetime.date, field: str) -> datetime.date:
    if not text:
        return default
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(_("not a date (YYYY-MM-DD)"), field=field) from None


@require_permission("invoices.view")
def statement(request):
    code = _arg(request, "partner", 40)
    today = clock.today()
    report, error = None, None
    date_from, date_to = today.replace(day=1), today
    try:
        date_from = _day(_arg(request, "from", 10), date_from, "from")
        date_to = _day(_arg(request, "to", 10), date_to, "to")
        if code:
            report = selectors.statement(partner=selectors.customer(code), date_from=date_from, date_to=date_to)
    except DomainError as exc:
        error = _error_text(exc)
    fmt = _arg(request, "format", 5)
    if report and fmt in ("xlsx", "pdf"):
        name = f"statement-{code}-{report['from']}-{report['to']}.{fmt}"
        if fmt == "xlsx":
            response = HttpResponse(exports.xlsx(report, company=catalog.company_name()), content_type=XLSX)
            response["Content-Disposition"] = f'attachment; filename="{name}"'
        else:
            response = HttpResponse(exports.pdf(report, company=catalog.company_name()), content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="{name}"'
        return response
    return _render(request, "web_b2b/statement.html", {
        "report": report, "error": error, "customers": selectors.customers(), "partner": code,
        "date_from": date_from.isoformat(), "date_to": date_to.isoformat(),
        "querystring": querystring(request)}, status=422 if error else 200)

"""数电发票 pages: the list with issuing from shipped orders, one invoice (lines, totals, 大写, its orders,
XML and PDF downloads), and red invoices for returns."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sihe.core import tx
from sihe.core.errors import DomainError, NotFound
from sihe.core.roles import can
from sihe.invoicing import selectors, services
from sihe.invoicing.selectors import Invoice
from sihe.oms import billing
from sihe.web.permissions import require_permission

PAGE_SIZE = 50


def _invoice(pk: int) -> Invoice:
    try:
        return selectors.invoice_by_id(pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@require_permission("invoices.view")
def invoice_list(request):
    q = (request.GET.get("q") or "").strip()[:100]
    kind = request.GET.get("kind") if request.GET.get("kind") in Invoice.Kind.values else ""
    status = request.GET.get("status") if request.GET.get("status") in Invoice.Status.values else ""
    rows = selectors.invoices(q=q, kind=kind, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode([(k, v) for k, v in (("q", q), ("kind", kind), ("status", status)) if v])
    return render(request, "web_invoices/list.html", {
        "page": page, "rows": page.object_list, "q": q, "kind": kind, "status": status, "querystring": query,
        "kinds": Invoice.Kind.choices, "statuses": Invoice.Status.choices,
        "can_issue": can(request.user, "invoices.issue"), "form": {}, "error": None,
        "uninvoiced": billing.uninvoiced_orders() if can(request.user, "invoices.issue") else [], "picked": set(),
    })


@require_POST
@require_permission("invoices.issue")
def invoice_new(request):
    """开票: one invoice for the shipped orders typed or scanned in (numbers separated by spaces, commas or lines)."""
    form = {k: (request.POST.get(k) or "").strip() for k in ("orders", "buyer_name", "buyer_tax_id")}
    refs = [ref for ref in form["orders"].replace("，", ",").replace(",", " ").split() if ref]
    refs += [ref for ref in request.POST.getlist("order") if ref and ref not in refs]
    try:
        with tx.entry():
            invoice = billing.invoice_orders(orders=refs, buyer_name=form["buyer_name"],
                                             buyer_tax_id=form["buyer_tax_id"], actor=request.actor)
    except DomainError as exc:
        rows = selectors.invoices()
        page = Paginator(rows, PAGE_SIZE).get_page(1)
        return render(request, "web_invoices/list.html", {
            "page": page, "rows": page.object_list, "q": "", "kind": "", "status": "", "querystring": "",
            "kinds": Invoice.Kind.choices, "statuses": Invoice.Status.choices, "can_issue": True, "form": form,
            "error": exc, "open_form": True, "uninvoiced": billing.uninvoiced_orders(), "picked": set(refs),
        }, status=exc.status)
    messages.success(request, _("Invoice %(number)s issued.") % {"number": invoice.number})
    return redirect("web_invoices:detail", pk=invoice.pk)


def _order_url(source) -> str | None:
    if source.source_type != billing.SOURCE:
        return None
    try:
        return reverse("web_oms:order", args=[int(source.source_id)])
    except (NoReverseMatch, ValueError):
        return None


def _detail(request, invoice: Invoice, *, red_form: dict | None = None, red_error: DomainError | None = None,
            status: int = 200):
    sources = [{"source": s, "url": _order_url(s)} for s in invoice.sources.all()]
    can_issue = can(request.user, "invoices.issue") and invoice.can_reverse()
    red_form = red_form or {}
    remaining = selectors.remaining(invoice) if can_issue else []
    for row in remaining:
        row["typed"] = red_form.get(f"qty_{row['line'].seq}", "")
    return render(request, "web_invoices/detail.html", {
        "invoice": invoice, "lines": list(invoice.lines.all()), "sources": sources,
        "remaining": remaining, "can_issue": can_issue, "red_form": red_form, "red_error": red_error,
        "type_name": services.to_pure(invoice).type_name,
    }, status=status)


@require_permission("invoices.view")
def invoice_detail(request, pk: int):
    return _detail(request, _invoice(pk))


@require_permission("invoices.view")
def invoice_file(request, pk: int, fmt: str):
    invoice = _invoice(pk)
    if fmt == "xml":
        response = HttpResponse(services.to_xml(invoice), content_type="application/xml")
    else:
        response = HttpResponse(services.to_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'{"inline" if fmt == "pdf" else "attachment"}; filename="{invoice.number}.{fmt}"'
    return response


@require_POST
@require_permission("invoices.issue")
def invoice_red(request, pk: int):
    """红冲: the red invoice against the 红字发票信息确认单 typed in; a refusal shows the form again with what
    was typed and the reason next to it."""
    invoice = _invoice(pk)
    whole = request.POST.get("scope") != "lines"
    form = {"scope": "whole" if whole else "lines", "reason": request.POST.get("reason") or "",
            "confirmation_number": request.POST.get("confirmation_number") or ""}
    picked = []
    for line in invoice.lines.all():
        qty = form[f"qty_{line.seq}"] = (request.POST.get(f"qty_{line.seq}") or "").strip()
        if qty and qty != "0":
            picked.append(services.RedLineIn(line=line.seq, qty=qty))
    lines = None if whole else picked
    try:
        with tx.entry():
            red = billing.reverse_invoice(invoice=invoice, lines=lines, reason=form["reason"],
                                          confirmation_number=form["confirmation_number"], actor=request.actor)
    except DomainError as exc:
        return _detail(request, _invoice(pk), red_form=form, red_error=exc, status=exc.status)
    messages.success(request, _("Red invoice %(number)s issued.") % {"number": red.number})
    return redirect("web_invoices:detail", pk=red.pk)

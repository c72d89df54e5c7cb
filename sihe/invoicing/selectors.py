"""Reads of 数电发票 for the API and the pages: lists with filters, one invoice with its lines, sources
and red invoices prefetched, the invoices of a document, and what is left to reverse."""

import datetime

from django.db.models import Prefetch, Q, QuerySet

from sihe.core.errors import NotFound
from sihe.invoicing.models import Invoice, InvoiceLine, InvoiceSource  # Invoice re-exported: kinds, statuses

MAX_ID = 2**63 - 1


def invoices(*, q: str = "", kind: str = "", status: str = "", source_type: str = "", source_id: str = "",
             start: datetime.date | None = None, end: datetime.date | None = None) -> QuerySet[Invoice]:
    """Newest first; `q` matches the number, the buyer (name or tax id) or a source document number."""
    rows = Invoice.objects.select_related("red_of").order_by("-id")
    q = (q or "").strip()
    if q:
        rows = rows.filter(Q(number__contains=q) | Q(buyer_name__icontains=q) | Q(buyer_tax_id=q.upper())
                           | Q(pk__in=InvoiceSource.objects.filter(source_number=q).values("invoice")))
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    if source_type and source_id:
        rows = rows.filter(pk__in=InvoiceSource.objects.filter(source_type=source_type, source_id=source_id)
                           .values("invoice"))
    if start:
        rows = rows.filter(issue_date__gte=start)
    if end:
        rows = rows.filter(issue_date__lte=end)
    return rows


def with_details(rows: QuerySet[Invoice]) -> QuerySet[Invoice]:
    return rows.prefetch_related(
        Prefetch("lines", queryset=InvoiceLine.objects.order_by("seq")),
        Prefetch("sources", queryset=InvoiceSource.objects.order_by("id")),
        Prefetch("reds", queryset=Invoice.objects.order_by("id")),
    )


def invoice_by_id(pk) -> Invoice:
    if not isinstance(pk, int) or not 0 < pk <= MAX_ID:
        raise NotFound(f"no invoice {pk}", field="id")
    found = with_details(Invoice.objects.select_related("red_of").filter(pk=pk)).first()
    if found is None:
        raise NotFound(f"no invoice {pk}", field="id")
    return found


def invoice_by_number(number: str) -> Invoice:
    found = with_details(Invoice.objects.select_related("red_of").filter(number=number)).first()
    if found is None:
        raise NotFound(f"no invoice {number}", field="number")
    return found


def for_source(source_type: str, source_id: str) -> list[Invoice]:
    """Every invoice (blue and red) that bills a document, oldest first."""
    return list(Invoice.objects.filter(sources__source_type=source_type, sources__source_id=str(source_id))
                .order_by("id"))


def remaining(invoice: Invoice) -> list[dict]:
    """Per blue line: what is left un-reversed (qty, amount, tax), for the red-invoice form."""
    from sihe.invoicing.services import reversed_so_far

    done = reversed_so_far(invoice)
    rows = []
    for line in invoice.lines.all():
        left = done.get(line.pk)
        qty_done = left["qty"] if left else 0
        rows.append({"line": line, "qty": (line.qty - qty_done) if line.qty is not None else None,
                     "amount": line.amount - (left["amount"] if left else 0),
                     "tax": line.tax - (left["tax"] if left else 0)})
    return rows

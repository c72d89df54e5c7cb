"""Reads of purchasing for the API and the pages: orders with their lines and approvals, supplier
invoices and payments, and what is owed to each supplier by age (AP aging)."""

import datetime
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from sihe.core.aging import Aging
from sihe.core.errors import NotFound, ValidationFailed

# PurchaseOrder, SupplierInvoice and SupplierPayment are re-exported: the pages read their Status choices
# (and a document's class names its audit labels).
from sihe.purchasing.models import (
    ApprovalRule,
    PaymentAllocation,
    PurchaseApproval,
    PurchaseOrder,
    PurchaseOrderLine,
    SupplierInvoice,
    SupplierPayment,
)

ZERO = Decimal(0)


def orders(*, status: str | None = None, supplier: str | None = None, q: str | None = None):
    qs = PurchaseOrder.objects.select_related("supplier", "warehouse").order_by("-id")
    if status:
        qs = qs.filter(status=status)
    if supplier:
        qs = qs.filter(supplier__code=supplier)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(supplier__name__icontains=q) | Q(supplier__code__icontains=q))
    return qs


def lines(order: PurchaseOrder):
    return PurchaseOrderLine.objects.filter(order=order).select_related("product", "product__uom").order_by("line_no")


def approvals(order: PurchaseOrder) -> list[dict]:
    """Each required level with who approved it (or None)."""
    done = {a.level: a for a in PurchaseApproval.objects.filter(order=order)}
    rules = list(ApprovalRule.objects.filter(active=True, min_amount__lte=order.total).order_by("level"))
    levels = {r.level for r in rules}
    rows = [{"level": r.level, "role": r.role, "name": r.name, "min_amount": r.min_amount,
             "approved_by": done[r.level].username if r.level in done else None,
             "approved_at": done[r.level].at if r.level in done else None} for r in rules]
    rows += [{"level": a.level, "role": a.role, "name": "", "min_amount": None, "approved_by": a.username,
              "approved_at": a.at} for lvl, a in sorted(done.items()) if lvl not in levels]
    return rows


def invoices(*, supplier: str | None = None, status: str | None = None, order: PurchaseOrder | None = None):
    qs = SupplierInvoice.objects.select_related("supplier", "order").order_by("-id")
    if supplier:
        qs = qs.filter(supplier__code=supplier)
    if status:
        qs = qs.filter(status=status)
    if order is not None:
        qs = qs.filter(order=order)
    return qs


def invoice(pk) -> SupplierInvoice:
    try:
        number = int(pk)
    except (TypeError, ValueError):
        number = 0
    found = SupplierInvoice.objects.select_related("supplier", "order").filter(pk=number).first() \
        if 0 < number < 2**63 else None
    if found is None:
        raise NotFound(_("no supplier invoice %(id)s") % {"id": pk}, field="id")
    return found


def payments(*, supplier: str | None = None):
    """Supplier payments with their supplier, newest first; only one supplier's when its code is given."""
    qs = SupplierPayment.objects.select_related("supplier").order_by("-id")
    if supplier:
        qs = qs.filter(supplier__code=supplier)
    return qs


def ap_aging(*, as_of: datetime.date, basis: str = "invoice_date", supplier: str | None = None) -> dict:
    """账龄: what is owed to each supplier on `as_of` (invoices dated up to then, less payments
    dated up to then), by days since the invoice date (basis=invoice_date) or past the due date
    (basis=due_date; not yet due counts in 0–30). Buckets 0–30, 31–60, 61–90, 90+ days."""
    if basis not in ("invoice_date", "due_date"):
        raise ValidationFailed(_("basis must be invoice_date or due_date"), field="basis")
    qs = SupplierInvoice.objects.filter(invoice_date__lte=as_of).select_related("supplier")
    if supplier:
        qs = qs.filter(supplier__code=supplier)
    paid = dict(PaymentAllocation.objects.filter(invoice__in=qs, payment__date__lte=as_of)
                .values("invoice_id").annotate(s=Sum("amount")).values_list("invoice_id", "s"))
    aging = Aging("supplier")
    invoices_out = []
    for inv in qs.order_by("supplier__code", "invoice_date", "id"):
        open_amount = inv.total - (paid.get(inv.pk) or ZERO)
        if open_amount <= 0:
            continue
        start = inv.invoice_date if basis == "invoice_date" else inv.due_date
        days = (as_of - start).days
        bucket = aging.add(inv.supplier.code, inv.supplier.name, days=days, amount=open_amount)
        invoices_out.append({"supplier": inv.supplier.code, "invoice": inv.pk, "number": inv.number,
                             "invoice_date": inv.invoice_date, "due_date": inv.due_date, "days": days,
                             "bucket": bucket, "open": open_amount})
    return {**aging.report(as_of=as_of, basis=basis), "invoices": invoices_out}

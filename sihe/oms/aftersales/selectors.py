"""Reads of after-sales cases for the API and the pages: the service queue (oldest deadline first) and one
case whole."""

from django.utils.translation import gettext as _

from sihe.core import clock
from sihe.core.errors import NotFound, ValidationFailed
from sihe.core.money import text
from sihe.oms.aftersales.models import Case  # re-exported: pages read its kinds and statuses
from sihe.oms.aftersales.transitions import actions_for

OPEN = [Case.Status.PENDING_APPROVAL, Case.Status.OPEN, Case.Status.AWAITING_RETURN, Case.Status.RECEIVED]


def cases(*, status: str = "", order: str = "", overdue: bool = False):
    qs = Case.objects.select_related("order", "channel").prefetch_related("lines__order_line__product",
                                                                          "lines__replacement")
    if status:
        if status not in Case.Status.values:
            raise ValidationFailed(_("unknown status %(s)s") % {"s": status}, field="status")
        qs = qs.filter(status=status)
    if order:
        qs = qs.filter(order__number=order)
    if overdue:
        qs = qs.filter(status__in=OPEN, due_at__lt=clock.now())
    return qs.order_by("due_at", "id") if (overdue or status in OPEN) else qs.order_by("-id")


def queue():
    """What the service team answers next: open cases, the nearest deadline first."""
    return cases().filter(status__in=OPEN).order_by("due_at", "id")


def case(key) -> Case:
    key = str(key or "").strip()
    qs = cases()
    found = qs.filter(pk=int(key)).first() if key.isdigit() and len(key) < 19 else None
    found = found or qs.filter(number=key).first()
    if found is None:
        raise NotFound(_("no after-sales case %(key)s") % {"key": key}, field="id", code="case_not_found")
    return found


def case_out(c: Case) -> dict:
    now = clock.now()
    return {
        "id": c.pk, "number": c.number, "order": c.order.number, "order_id": c.order_id, "channel": c.channel.code,
        "kind": c.kind, "kind_label": str(c.get_kind_display()), "status": c.status,
        "status_label": str(c.get_status_display()), "reason": c.reason, "channel_ref": c.channel_ref,
        "refund_amount": str(c.refund_amount), "refunded_amount": str(c.refunded_amount),
        "paid_back": str(c.paid_back), "subsidy_reversed": str(c.subsidy_reversed),
        "price_difference": str(c.price_difference),
        "difference_booked_at": c.difference_booked_at.isoformat() if c.difference_booked_at else None,
        "refund_via": c.refund_via, "due_at": c.due_at.isoformat(),
        "return_number": c.return_number,
        "overdue": c.status in OPEN and c.due_at < now, "approved_by": c.approved_by, "note": c.decided_note,
        "created_at": c.created_at.isoformat(), "created_by": c.created_by,
        "allowed_actions": actions_for(c), "reship_number": c.reship_number,
        "reshipped_at": c.reshipped_at.isoformat() if c.reshipped_at else None,
        "lines": [{"line": ln.order_line_id, "sku": ln.order_line.product.sku, "qty": text(ln.qty),
                   "replacement": ln.replacement.sku if ln.replacement_id else "",
                   "price_difference": str(ln.price_difference),
                   "amount": str(ln.amount), "returned": text(ln.received_qty), "defective": text(ln.defective_qty)}
                  for ln in c.lines.all()],
    }

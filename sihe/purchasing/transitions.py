"""The purchase order's state table: the only allowed transitions, and the one helper that refuses others.

draft → pending_approval → approved → confirmed → partially_received → received → closed;
draft/pending_approval/approved/confirmed (nothing received) → cancelled. A draft that needs no approval is confirmed directly;
receipts may also jump confirmed → received, and a short-received order may be closed.
"""

from django.utils.translation import gettext as _

from sihe.core.errors import InvalidTransition
from sihe.core.transitions import Lifecycle
from sihe.purchasing.models import SupplierInvoice

TRANSITIONS: dict[str, set[str]] = {
    "draft": {"pending_approval", "approved", "confirmed", "cancelled"},
    "pending_approval": {"approved", "cancelled", "draft"},
    "approved": {"confirmed", "cancelled"},
    "confirmed": {"partially_received", "received", "closed", "cancelled"},
    "partially_received": {"partially_received", "received", "closed", "confirmed"},
    "received": {"partially_received", "confirmed", "closed"},  # back when goods go back (returns, rejections)
    "closed": set(),
    "cancelled": set(),
}


def check(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, set()):
        from sihe.purchasing.models import PurchaseOrder

        labels = dict(PurchaseOrder.Status.choices)
        raise InvalidTransition(
            _("a %(current)s purchase order cannot become %(target)s")
            % {"current": labels.get(current, current), "target": labels.get(target, target)},
            field="status",
        )


# A supplier invoice's life: open → partially paid → paid, by the payments allocated to it.
_I = SupplierInvoice.Status
SUPPLIER_INVOICE = Lifecycle("supplier invoice", _I, {
    "pay_part": ({_I.OPEN, _I.PARTIALLY_PAID}, _I.PARTIALLY_PAID),
    "pay": ({_I.OPEN, _I.PARTIALLY_PAID}, _I.PAID),
})

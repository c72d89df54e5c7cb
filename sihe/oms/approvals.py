"""Credit holds in the approvals inbox (sihe.core.approvals): an order held over its customer's credit limit
waits for a manager (`orders.approve_credit`). Approving releases it (`services.release_order`, whose
`review.approve_credit` checks the role and wants the note); refusing cancels the order with the note
as the reason (`services.cancel_order`: its reservations are freed)."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from sihe.core.actor import Actor
from sihe.core.approvals import Item
from sihe.core.errors import NotFound, ValidationFailed
from sihe.oms import services
from sihe.oms.models import Order

KIND = "credit_hold"


def _url(pk: int) -> str:
    try:
        return reverse("web_oms:order", args=[pk])
    except NoReverseMatch:
        return ""


def pending(actor: Actor) -> list[Item]:
    orders = (Order.objects.filter(status=Order.Status.HELD, hold_reason=Order.Hold.CREDIT)
              .select_related("partner").order_by("received_at", "id")[:500])
    return [Item(kind=KIND, id=str(o.pk), number=o.number,
                 title=_("Order %(n)s over the credit limit of %(p)s")
                 % {"n": o.number, "p": o.partner.name if o.partner_id else o.buyer_nick or "—"},
                 detail=o.hold_detail, amount=o.amount_paid, since=o.received_at, url=_url(o.pk))
            for o in orders]


def _held(pk: str) -> Order:
    order = Order.objects.filter(pk=int(pk) if str(pk).isdigit() else None).first()
    if order is None:
        raise NotFound(_("no order %(id)s") % {"id": pk}, field="id")
    if order.status != Order.Status.HELD or order.hold_reason != Order.Hold.CREDIT:
        raise ValidationFailed(_("order %(n)s is not held over the credit limit") % {"n": order.number},
                               field="status", code="not_held")
    return order


def approve(pk: str, *, actor: Actor, note: str = "") -> Order:
    return services.release_order(order=_held(pk), actor=actor, note=note)


def refuse(pk: str, *, actor: Actor, note: str) -> Order:
    return services.cancel_order(order=_held(pk), actor=actor, reason=_("credit refused: %(note)s") % {"note": note})

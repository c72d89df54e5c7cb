"""Refunds over the limit in the approvals inbox (sihe.core.approvals): a refund-only case above
`SIHE_REFUND_APPROVAL_LIMIT` waits for a second person with `aftersales.approve`, never its maker.
Deciding calls `services.approve` / `services.reject`, which check it again."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from sihe.core.actor import Actor
from sihe.core.approvals import Item
from sihe.core.errors import NotFound
from sihe.oms.aftersales import services
from sihe.oms.aftersales.models import Case

KIND = "refund"


def _url(case: Case) -> str:
    try:
        return reverse("web_oms:order", args=[case.order_id])
    except NoReverseMatch:
        return ""


def pending(actor: Actor) -> list[Item]:
    cases = (Case.objects.filter(status=Case.Status.PENDING_APPROVAL).exclude(created_by=actor.username)
             .select_related("order").order_by("created_at", "id")[:500])
    return [Item(kind=KIND, id=str(c.pk), number=c.number,
                 title=_("Refund %(n)s on order %(o)s") % {"n": c.number, "o": c.order.number},
                 detail=c.reason, amount=c.refund_amount, since=c.created_at, requested_by=c.created_by,
                 url=_url(c)) for c in cases]


def _case(pk: str) -> Case:
    case = Case.objects.filter(pk=int(pk) if str(pk).isdigit() else None).first()
    if case is None:
        raise NotFound(_("no after-sales case %(id)s") % {"id": pk}, field="id")
    return case


def approve(pk: str, *, actor: Actor, note: str = "") -> Case:
    return services.approve(case=_case(pk), actor=actor, note=note)


def refuse(pk: str, *, actor: Actor, note: str) -> Case:
    return services.reject(case=_case(pk), actor=actor, note=note)

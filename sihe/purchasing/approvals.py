"""Purchase orders in the approvals inbox (sihe.core.approvals): an order pending approval waits for the
person who may approve its next level — that level's role (or an admin), not its maker, not someone who
approved an earlier level. Deciding calls `services.approve` / `services.refuse`, which check it again."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from sihe.core.actor import Actor
from sihe.core.approvals import Item
from sihe.core.errors import NotFound
from sihe.purchasing import services
from sihe.purchasing.models import PurchaseApproval, PurchaseOrder

KIND = "purchase_order"


def _url(pk: int) -> str:
    try:
        return reverse("web_purchasing:order", args=[pk])
    except NoReverseMatch:
        return ""


def _may_decide(order: PurchaseOrder, actor: Actor, done: dict[int, list[PurchaseApproval]]) -> tuple[bool, int]:
    given = done.get(order.pk, [])
    levels = {a.level for a in given}
    missing = [r for r in services.required_rules(order) if r.level not in levels]
    if not missing:
        return False, 0
    rule = missing[0]
    if actor.user_id is not None and actor.user_id == order.created_by_id:
        return False, rule.level
    if actor.role not in (rule.role, "admin"):
        return False, rule.level
    if any(a.user_id == actor.user_id and a.username == actor.username for a in given):
        return False, rule.level
    return True, rule.level


def pending(actor: Actor) -> list[Item]:
    orders = list(PurchaseOrder.objects.filter(status=PurchaseOrder.Status.PENDING_APPROVAL)
                  .select_related("supplier").order_by("created_at", "id")[:500])
    done: dict[int, list[PurchaseApproval]] = {}
    for approval in PurchaseApproval.objects.filter(order__in=orders):
        done.setdefault(approval.order_id, []).append(approval)
    items = []
    for order in orders:
        ok, level = _may_decide(order, actor, done)
        if not ok:
            continue
        items.append(Item(kind=KIND, id=str(order.pk), number=order.number,
                          title=_("Purchase order %(n)s from %(s)s") % {"n": order.number, "s": order.supplier.name},
                          detail=_("approval level %(level)s") % {"level": level}, amount=order.total,
                          since=order.created_at, requested_by=order.created_by, url=_url(order.pk)))
    return items


def _order(pk: str) -> PurchaseOrder:
    order = PurchaseOrder.objects.filter(pk=int(pk) if str(pk).isdigit() else None).first()
    if order is None:
        raise NotFound(_("no purchase order %(id)s") % {"id": pk}, field="id")
    return order


def approve(pk: str, *, actor: Actor, note: str = "") -> PurchaseOrder:
    return services.approve(order=_order(pk), actor=actor, note=note)


def refuse(pk: str, *, actor: Actor, note: str) -> PurchaseOrder:
    return services.refuse(order=_order(pk), actor=actor, note=note)

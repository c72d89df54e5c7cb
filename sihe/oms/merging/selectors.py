"""Reads of merged shipments (合单) and their rules for the API and pages."""

from django.db.models import Q

from sihe.catalog.models import Channel
from sihe.core.errors import NotFound, ValidationFailed
from sihe.core.money import text
from sihe.oms.merging import services
from sihe.oms.merging.models import Merge, MergeLine, MergeOrder, MergeRule  # noqa: F401  (labels for pages)
from sihe.oms.models import Order
from sihe.wms.models import Shipment


def merge(key) -> Merge:
    """One merge by id or number (not found is a 404 naming `merge_id`)."""
    key = str(key).strip()
    found = Merge.objects.filter(pk=int(key)).first() if key.isdigit() and len(key) < 19 else None
    found = found or Merge.objects.filter(number=key).first()
    if found is None:
        raise NotFound(f"no merged shipment {key[:40]}", field="merge_id", code="unknown_merge")
    return found


def merges(*, status: str = "", limit: int = 200) -> list[Merge]:
    qs = Merge.objects.select_related("warehouse").order_by("-id")
    if status:
        if status not in Merge.Status.values:
            raise ValidationFailed(f"unknown status {status}; one of {', '.join(Merge.Status.values)}", field="status")
        qs = qs.filter(status=status)
    return list(qs[:limit])


def merge_out(m: Merge, *, costs: bool = True) -> dict:
    shipment = Shipment.objects.filter(number=m.shipment_number).first()
    lines = MergeLine.objects.filter(merge=m).select_related("order_line__order", "order_line__product")
    return {"id": m.pk, "number": m.number, "status": m.status, "warehouse": m.warehouse.code,
            "shipment": m.shipment_number, "shipment_id": shipment.pk if shipment else None,
            "shipment_state": shipment.state if shipment else None,
            "orders": list(MergeOrder.objects.filter(merge=m).order_by("order_id")
                           .values_list("order__number", flat=True)),
            "lines": [{"order": ml.order_line.order.number, "line_no": ml.order_line.line_no,
                       "sku": ml.order_line.product.sku, "qty": text(ml.qty), "shipped": text(ml.shipped_qty),
                       "cost": str(ml.cost) if costs else None} for ml in lines],
            "undo_allowed": m.status == Merge.Status.ACTIVE and shipment is not None
            and shipment.state == Shipment.State.PENDING,
            "created_at": m.created_at.isoformat(), "created_by": m.created_by,
            "closed_at": m.closed_at.isoformat() if m.closed_at else None, "note": m.closed_note}


def candidates(limit: int = 100) -> list[dict]:
    return [{"orders": [{"id": o.pk, "number": o.number, "buyer": o.buyer_nick, "receiver": o.receiver_name,
                         "paid_at": o.paid_at.isoformat(), "amount_paid": str(o.amount_paid)} for o in group],
             "order_ids": [o.pk for o in group], "shop": group[0].shop or group[0].channel.code}
            for group in services.candidates(limit=limit)]


def orders_for_check(ids: list[int]) -> list[Order]:
    """The orders named (unknown ids left out), in the order given: for a page's confirmation step."""
    found = {o.pk: o for o in Order.objects.filter(pk__in=ids).select_related("channel", "partner")}
    return [found[i] for i in ids if i in found]


def problems(orders: list[Order]) -> list[dict]:
    """What stops these orders from shipping together (per order), for a confirmation page."""
    return services.problems(orders)


def rules() -> list[MergeRule]:
    return list(MergeRule.objects.select_related("channel").order_by("channel__code", "shop", "pk"))


def rule(pk) -> MergeRule:
    found = MergeRule.objects.filter(pk=int(pk)).first() if str(pk).isdigit() and len(str(pk)) < 19 else None
    if found is None:
        raise NotFound(f"no merge rule {str(pk)[:20]}", field="rule_id", code="unknown_rule")
    return found


def rule_out(r: MergeRule) -> dict:
    return {"id": r.pk, "channel": r.channel.code if r.channel_id else None, "shop": r.shop, "active": r.active,
            "window_hours": r.window_hours, "cross_shop": r.cross_shop, "note": r.note,
            "updated_at": r.updated_at.isoformat() if r.updated_at else None, "updated_by": r.updated_by}


def default_rule() -> dict:
    """What applies where no rule is written (for the page and the API listing)."""
    return {"id": None, "channel": None, "shop": "", "active": True, "window_hours": services.DEFAULT_WINDOW_HOURS,
            "cross_shop": False, "note": "", "updated_at": None, "updated_by": ""}


def channel(code: str | None) -> Channel | None:
    if not code:
        return None
    found = Channel.objects.filter(Q(code=code)).first()
    if found is None:
        raise ValidationFailed(f"unknown channel {code[:40]}", field="channel", code="unknown_channel")
    return found

"""JD 售后服务单 (afsService, JD open platform `jingdong.afsservice.*`) into after-sales cases.

The fields read, with JD's names: `afsServiceId` (the service order: one case, however often it arrives),
`afsApplyId` (the buyer's application, kept in the reason), `orderId` (the JD order), `customerExpect`
(10 退货 → return and refund, 20 换货 → exchange, 30 维修 → the goods come back and are sent back: an
exchange for the same SKU), `skuId` (else `wareId`; matched to the order line's channel SKU, then its outer
id, then our SKU), `serviceCount` (else `applyCount`, default 1), `questionDesc` (else `applyReason`),
`afsServiceState` / `afsServiceStateName` (a later payload whose state name says 取消 cancels the case while
it may be cancelled). Envelopes: any JSON object holding the service (e.g.
`jingdong_afsservice_detail_get_responce.result.data`) or the bare service.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sihe.core import tx
from sihe.core.actor import Actor
from sihe.core.errors import NotFound, ValidationFailed
from sihe.core.money import to_decimal
from sihe.oms.aftersales import services
from sihe.oms.aftersales.models import Case
from sihe.oms.aftersales.transitions import LIFE
from sihe.oms.channels.base import ChannelPayloadError
from sihe.oms.intake import channel_by_code, parse_body
from sihe.oms.models import Order

K = Case.Kind
EXPECT = {"10": (K.RETURN_REFUND, "退货"), "20": (K.EXCHANGE, "换货"), "30": (K.EXCHANGE, "维修")}


def _service(node, path: str = "$", depth: int = 0) -> tuple[dict, str] | None:
    if depth > 5:
        return None
    if isinstance(node, dict):
        if "afsServiceId" in node:
            return node, path
        for key, value in node.items():
            found = _service(value, f"{path}.{key}" if path != "$" else key, depth + 1)
            if found:
                return found
    return None


def _text(service: dict, path: str, *keys: str, required: bool = True) -> str:
    for key in keys:
        value = service.get(key)
        if value not in (None, ""):
            if isinstance(value, float) or isinstance(value, bool):
                raise ChannelPayloadError(f"{path}.{key}", _("must be a string or an integer id"))
            return str(value).strip()
    if required:
        raise ChannelPayloadError(f"{path}.{keys[0]}", _("is missing"))
    return ""


def parse(body) -> dict:
    """The service's fields we use, or ChannelPayloadError naming the JSON path at fault."""
    data = parse_body(body)
    found = _service(data)
    if found is None:
        raise ChannelPayloadError("afsServiceId", _("is missing"))
    service, path = found
    path = "" if path == "$" else path
    prefix = path or "$"
    expect = _text(service, prefix, "customerExpect")
    if expect not in EXPECT:
        raise ChannelPayloadError(f"{prefix}.customerExpect",
                                  _("%(value)s is not one of 10 (退货), 20 (换货), 30 (维修)") % {"value": expect[:20]})
    qty = to_decimal(_text(service, prefix, "serviceCount", "applyCount", required=False) or "1",
                     field=f"{prefix}.serviceCount")
    if qty <= 0 or qty != qty.to_integral_value():
        raise ChannelPayloadError(f"{prefix}.serviceCount", _("must be a whole number above 0"))
    return {"service_id": _text(service, prefix, "afsServiceId")[:40], "apply_id": _text(service, prefix, "afsApplyId",
                                                                                       required=False)[:40],
            "order_id": _text(service, prefix, "orderId")[:64], "expect": expect,
            "sku": _text(service, prefix, "skuId", "wareId"), "qty": qty,
            "reason": _text(service, prefix, "questionDesc", "applyReason", required=False)[:150],
            "state": _text(service, prefix, "afsServiceState", required=False)[:20],
            "state_name": _text(service, prefix, "afsServiceStateName", required=False)[:40], "path": prefix}


def _line(order: Order, sku: str, path: str):
    lines = order.lines.select_related("product")
    found = (lines.filter(channel_sku=sku).first() or lines.filter(outer_sku=sku).first()
             or lines.filter(product__sku=sku).first())
    if found is None:
        raise ValidationFailed(_("JD order %(o)s has no line with SKU %(sku)s") % {"o": order.external_id, "sku": sku},
                               field=f"{path}.skuId", code="unknown_line")
    return found


def take(*, channel_code: str, body, actor: Actor) -> tuple[Case, bool]:
    """One JD after-sale service → one case (created: True), or the case it already is (False)."""
    channel = channel_by_code(channel_code)
    if channel.type != "jd":
        raise ValidationFailed(_("channel %(c)s is not a JD shop") % {"c": channel.code}, field="channel_code")
    fields = parse(body)
    ref = f"afs-{fields['service_id']}"
    for attempt in (1, 2):  # the same service arriving twice at once: the unique (channel, ref) lets one in
        try:
            with transaction.atomic(durable=not transaction.get_connection().in_atomic_block):
                return _take(channel, fields, ref, actor)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _take(channel, fields: dict, ref: str, actor: Actor) -> tuple[Case, bool]:
    with tx.act():
        # the order first, locked: a second copy of the service waits here, then finds the case
        order = Order.objects.select_for_update(of=("self",)).filter(channel=channel,
                                                                     external_id=fields["order_id"]).first()
        if order is None:
            raise NotFound(_("no JD order %(id)s") % {"id": fields["order_id"]}, field=f"{fields['path']}.orderId",
                           code="unknown_order")
        known = Case.objects.filter(channel=channel, channel_ref=ref).first()
        if known is not None:
            if "取消" in fields["state_name"] and "cancel" in LIFE.allowed_actions(known.status):
                known = services.cancel(case=known, actor=actor, note=_("cancelled on JD (%(state)s)")
                                        % {"state": fields["state_name"]})
            return known, False
        kind, word = EXPECT[fields["expect"]]
        line = _line(order, fields["sku"], fields["path"])
        reason = f"京东{word}" + (f"：{fields['reason']}" if fields["reason"] else "") + (
            f"（申请 {fields['apply_id']}）" if fields["apply_id"] else "")
        case = services.open_case(order=order, kind=kind, actor=actor, reason=reason[:200], channel_ref=ref,
                                  lines=[services.LineIn(line=str(line.pk), qty=fields["qty"],
                                                         field=f"{fields['path']}")])
        return case, True

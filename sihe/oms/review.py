"""Review (审单): automatic rules pass an order or hold it for a person, with the reason.

Rules, in order: the amount limit; the blacklist (buyer id, phone, words of the address); the
address check (a known province, a city, a detail); a buyer message when the shop wants to read
them first. A held order waits on the customer-service queue until a person releases it.
"""

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sihe.core import audit, outbox
from sihe.core.actor import Actor
from sihe.oms import geo, timeline, transitions
from sihe.oms.channels.base import SHANGHAI
from sihe.oms.models import Blacklist, Order
from sihe.oms.settings import policy

HOLD_TEXT_ZH = {
    Order.Hold.AMOUNT_LIMIT: "金额超过自动审单上限", Order.Hold.BLACKLIST: "命中黑名单", Order.Hold.BAD_ADDRESS: "地址不完整或无法识别",
    Order.Hold.OUT_OF_STOCK: "缺货", Order.Hold.NOT_PAID: "未付款", Order.Hold.REFUND: "有退款申请", Order.Hold.MANUAL: "人工挂起",
}
FIX_TEXT = {
    Order.Hold.AMOUNT_LIMIT: gettext_lazy("check the order and the buyer, then release it"),
    Order.Hold.BLACKLIST: gettext_lazy("contact the buyer; cancel the order or release it if the match is wrong"),
    Order.Hold.BAD_ADDRESS: gettext_lazy("correct the address (province, city, district, detail), then release"),
    Order.Hold.OUT_OF_STOCK: gettext_lazy("receive or transfer stock; the order is allocated again when stock arrives"),
    Order.Hold.REFUND: gettext_lazy("settle the refund with the buyer on the channel, then release or cancel"),
    Order.Hold.MANUAL: gettext_lazy("read the hold detail, then release or cancel"),
    Order.Hold.NOT_PAID: gettext_lazy("wait for the payment"),
}


def _blacklisted(order: Order) -> str | None:
    rows = list(Blacklist.objects.all()[:1000])
    for row in rows:
        if row.kind == Blacklist.Kind.BUYER and order.buyer_id and row.value == order.buyer_id:
            return f"{row.get_kind_display()} {row.value}"
        if row.kind == Blacklist.Kind.PHONE and order.receiver_phone and row.value == order.receiver_phone:
            return f"{row.get_kind_display()} {row.value}"
        if row.kind == Blacklist.Kind.ADDRESS and row.value and row.value in order.full_address:
            return f"{row.get_kind_display()} {row.value}"
    return None


def address_problem(order: Order) -> str | None:
    if order.country and order.country.upper() not in ("CN", "CHINA", "中国"):
        return None if (order.city and order.address) else _("city or street address missing")
    if not order.province or not geo.known_province(order.province):
        return _("unknown province %(province)s") % {"province": order.province or "—"}
    if not order.city:
        return _("city missing")
    if not (order.address or order.street) or len((order.address or "") + (order.street or "")) < 2:
        return _("street address missing")
    if not order.receiver_name or not order.receiver_phone:
        return _("receiver name or phone missing")
    return None


def check(order: Order) -> tuple[str, str] | None:
    """The first rule that holds the order: (hold reason, detail), or None when it passes. The detail
    is stored in Chinese, whoever's request took the order in (the service queue reads it)."""
    with translation.override("zh-hans"):
        return _check(order)


def _check(order: Order) -> tuple[str, str] | None:
    rules = policy()
    if order.amount_paid > rules.amount_limit:
        return Order.Hold.AMOUNT_LIMIT, _("paid %(paid)s is above the limit %(limit)s") % {
            "paid": order.amount_paid, "limit": rules.amount_limit}
    hit = _blacklisted(order)
    if hit:
        return Order.Hold.BLACKLIST, hit
    from sihe.oms.books import rate_for

    if order.currency != "CNY" and rate_for(order.currency, order.ordered_at.astimezone(SHANGHAI).date()) is None:
        return Order.Hold.MANUAL, _("no exchange rate of %(currency)s to CNY: add one, then release") % {
            "currency": order.currency}
    problem = address_problem(order)
    if problem:
        return Order.Hold.BAD_ADDRESS, problem
    if rules.hold_buyer_message and order.buyer_message:
        return Order.Hold.MANUAL, _("buyer message: %(text)s") % {"text": order.buyer_message[:200]}
    return None


def hold(order: Order, reason: str, actor: Actor, *, detail: str = "", entries: list | None = None) -> Order:
    transitions.check(order, Order.Status.HELD)
    order.status, order.hold_reason, order.hold_detail = Order.Status.HELD, reason, detail[:300]
    order.save(update_fields=["status", "hold_reason", "hold_detail"])
    row = timeline.entry(order, "held", f"订单挂起：{HOLD_TEXT_ZH.get(reason, reason)}（{detail}）", actor,
                         message_en=f"Held: {Order.Hold(reason).label} ({detail})", data={"reason": reason})
    if entries is not None:
        entries.append(row)
    else:
        row.save()
    outbox.emit("oms.order.held", aggregate_type="order", aggregate_id=order.number, actor=actor,
                payload={"number": order.number, "reason": reason, "detail": detail})
    return order


def review(order: Order, actor: Actor, *, entries: list | None = None, skip: set[str] | None = None) -> Order:
    """Pass the order (reviewed) or hold it with the first rule that stops it."""
    found = check(order)
    if found is not None and found[0] not in (skip or set()):
        return hold(order, found[0], actor, detail=found[1], entries=entries)
    transitions.check(order, Order.Status.REVIEWED)
    order.status, order.hold_reason, order.hold_detail = Order.Status.REVIEWED, "", ""
    order.save(update_fields=["status", "hold_reason", "hold_detail"])
    row = timeline.entry(order, "reviewed", "审单通过" + ("（人工）" if skip else "（自动）"), actor,
                         message_en="Reviewed" + (" by a person" if skip else " automatically"))
    if entries is not None:
        entries.append(row)
    else:
        row.save()
    return order


def release(order: Order, actor: Actor, *, note: str = "") -> Order:
    """A person releases a held order: the rule that held it is waived; the others still apply."""
    from sihe.oms import allocation

    transitions.check(order, Order.Status.REVIEWED)
    waived = {order.hold_reason} if order.hold_reason else set()
    if order.hold_reason == Order.Hold.OUT_OF_STOCK:
        waived = set()
    timeline.add(order, "released", f"人工放行{('：' + note) if note else ''}", actor,
                 message_en=f"Released by a person{(': ' + note) if note else ''}")
    audit.record_act(order, actor=actor, action="oms.order.release", detail=note[:200])
    review(order, actor, skip=waived)
    if order.status == Order.Status.REVIEWED:
        allocation.allocate(order, actor)
    return order

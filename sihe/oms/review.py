"""Review (审单): automatic rules pass an order or hold it for a person, with the reason.

Rules, in order: the amount limit; the blacklist (buyer id, phone, words of the address); the
address check (a known province, a city, a detail); a buyer message when the shop wants to read
them first; the customer's credit limit (a dealer's open receivables + unshipped orders + this order).
A held order waits on the customer-service queue until a person releases it; an order over the credit
limit only by a manager's approval (`orders.approve_credit`) with a note.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sihe.catalog.models import Partner
from sihe.core import audit, outbox
from sihe.core.actor import Actor
from sihe.core.errors import PermissionDenied, ValidationFailed
from sihe.core.money import text
from sihe.core.roles import can
from sihe.oms import geo, timeline, transitions
from sihe.oms.channels.base import SHANGHAI
from sihe.oms.models import Blacklist, Order, ReviewPolicy
from sihe.oms.settings import policy, policy_with

HOLD_TEXT_ZH = {
    Order.Hold.AMOUNT_LIMIT: "金额超过自动审单上限", Order.Hold.BLACKLIST: "命中黑名单", Order.Hold.BAD_ADDRESS: "地址不完整或无法识别",
    Order.Hold.OUT_OF_STOCK: "缺货", Order.Hold.NOT_PAID: "未付款", Order.Hold.REFUND: "有退款申请", Order.Hold.MANUAL: "人工挂起",
    Order.Hold.CREDIT: "超出客户信用额度",
}
FIX_TEXT = {
    Order.Hold.AMOUNT_LIMIT: gettext_lazy("check the order and the buyer, then release it"),
    Order.Hold.BLACKLIST: gettext_lazy("contact the buyer; cancel the order or release it if the match is wrong"),
    Order.Hold.BAD_ADDRESS: gettext_lazy("correct the address (province, city, district, detail), then release"),
    Order.Hold.OUT_OF_STOCK: gettext_lazy("receive or transfer stock; the order is allocated again when stock arrives"),
    Order.Hold.REFUND: gettext_lazy("settle the refund with the buyer on the channel, then release or cancel"),
    Order.Hold.MANUAL: gettext_lazy("read the hold detail, then release or cancel"),
    Order.Hold.NOT_PAID: gettext_lazy("wait for the payment"),
    Order.Hold.CREDIT: gettext_lazy("ask the customer to pay open invoices, or a manager approves the order with "
                                    "a note (or raises the credit limit), then release"),
}
ZERO = Decimal("0.00")
OPEN = (Order.Status.RECEIVED, Order.Status.HELD, Order.Status.REVIEWED, Order.Status.ALLOCATED,
        Order.Status.PICKING)
CREDIT_APPROVED = "credit_approved"  # the timeline entry of a manager's approval: the rule passes after it


def _first_hit(order: Order) -> tuple[str, list]:
    """The id of the first entry the order hits, as a column of another read, matched by the database however
    long the list: the buyer and the phone on the list's (kind, value) index, an address entry when it is a part
    of the order's address."""
    find = "STRPOS(%s, b.\"value\")" if connection.vendor == "postgresql" else "INSTR(%s, b.\"value\")"
    hits, params = [f'(b."kind" = %s AND b."value" > %s AND {find} > 0)'], [Blacklist.Kind.ADDRESS, "",
                                                                           order.full_address]
    if order.buyer_id:
        hits.append('(b."kind" = %s AND b."value" = %s)')
        params += [Blacklist.Kind.BUYER, order.buyer_id]
    if order.receiver_phone:
        hits.append('(b."kind" = %s AND b."value" = %s)')
        params += [Blacklist.Kind.PHONE, order.receiver_phone]
    return (f'(SELECT b."id" FROM "{Blacklist._meta.db_table}" b WHERE {" OR ".join(hits)} '
            f'ORDER BY b."id" LIMIT 1)'), params


def _rules_and_hit(order: Order) -> tuple[ReviewPolicy, str | None]:
    """The settings row and the blacklist entry the order hits: both in one statement, which every order's
    review runs (sihe.core.sqlrows); the entry itself is read only when there is one."""
    column, params = _first_hit(order)
    rules = policy_with("blacklist_hit", column, params)
    if rules is None:  # no settings row yet: `policy()` makes it
        policy()
        rules = policy_with("blacklist_hit", column, params)
    if rules.blacklist_hit is None:
        return rules, None
    row = Blacklist.objects.get(pk=rules.blacklist_hit)
    return rules, f"{row.get_kind_display()} {row.value}"


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


@dataclass(frozen=True)
class Credit:
    """A customer's credit position: the limit (None: no limit) and what is used of it."""

    limit: Decimal | None
    receivable: Decimal  # shipped and not yet paid: revenue booked − settled (or the sale while not booked)
    unshipped: Decimal  # open orders (received … picking): their amount not yet booked as revenue

    @property
    def exposure(self) -> Decimal:
        return self.receivable + self.unshipped

    @property
    def available(self) -> Decimal | None:
        return None if self.limit is None else self.limit - self.exposure

    def as_dict(self) -> dict:
        return {"limit": text(self.limit, places=2), "exposure": text(self.exposure, places=2),
                "receivable": text(self.receivable, places=2), "unshipped": text(self.unshipped, places=2),
                "available": text(self.available, places=2)}


def credit_limit(partner) -> Decimal | None:
    """The partner's credit limit, None when it has none (empty or 0)."""
    limit = getattr(partner, "credit_limit", None)
    return limit if limit else None


def _sale(amount_paid: Decimal, subsidy: Decimal) -> Decimal:
    return amount_paid + subsidy


def credit(partner, *, exclude: Order | None = None) -> Credit:
    """The customer's exposure: receivables still open on shipped orders (revenue booked − settled; the
    whole sale − settled while revenue waits for the invoice) + the amount of its open orders not yet
    shipped (less revenue already booked on their shipped parts). Cancelled orders count nothing;
    `exclude` leaves out the order under review."""
    from django.db.models import F, Q

    qs = (Order.objects.filter(partner=partner).exclude(status=Order.Status.CANCELLED)
          .filter(Q(status__in=OPEN) | Q(revenue_total__gt=F("settled_total")) | Q(revenue_booked=False)))
    if exclude is not None and exclude.pk:
        qs = qs.exclude(pk=exclude.pk)
    receivable = unshipped = ZERO
    rows = qs.values_list("status", "amount_paid", "platform_subsidy", "revenue_total", "settled_total",
                          "revenue_booked")
    for status, paid, subsidy, revenue, settled, booked in rows.iterator(chunk_size=2000):
        sale = _sale(paid, subsidy)
        if status in OPEN:
            receivable += max(revenue - settled, ZERO)
            unshipped += max(sale - max(revenue, settled), ZERO)
        else:
            receivable += max((revenue if booked else sale) - settled, ZERO)
    return Credit(limit=credit_limit(partner), receivable=receivable, unshipped=unshipped)


def _credit_approved(order: Order) -> bool:
    return bool(order.pk) and order.timeline.filter(kind=CREDIT_APPROVED).exists()


def over_credit(order: Order) -> tuple[Credit, Decimal] | None:
    """(the customer's position without this order, this order's amount) when the order takes the
    customer over its credit limit; None when it has no limit, stays within it or a manager approved."""
    partner = order.partner if order.partner_id else None
    if partner is None or credit_limit(partner) is None:
        return None
    # one credit check per customer at a time: two orders arriving together do not both fit the same room
    Partner.objects.select_for_update().filter(pk=partner.pk).values_list("pk", flat=True).first()
    amount = _sale(order.amount_paid, order.platform_subsidy)
    position = credit(partner, exclude=order)
    if position.exposure + amount <= position.limit or _credit_approved(order):
        return None
    return position, amount


def _credit_detail(position: Credit, amount: Decimal) -> str:
    exposure = position.exposure + amount
    return _("exposure %(exposure)s (open receivables %(receivable)s + unshipped orders %(unshipped)s + this "
             "order %(amount)s) is above the credit limit %(limit)s by %(over)s") % {
        "exposure": text(exposure, places=2), "receivable": text(position.receivable, places=2),
        "unshipped": text(position.unshipped, places=2), "amount": text(amount, places=2),
        "limit": text(position.limit, places=2), "over": text(exposure - position.limit, places=2)}


def check(order: Order) -> tuple[str, str] | None:
    """The first rule that holds the order: (hold reason, detail), or None when it passes. The detail
    is stored in Chinese, whoever's request took the order in (the service queue reads it)."""
    with translation.override("zh-hans"):
        return _check(order)


def _check(order: Order) -> tuple[str, str] | None:
    rules, hit = _rules_and_hit(order)
    if order.amount_paid > rules.amount_limit:
        return Order.Hold.AMOUNT_LIMIT, _("paid %(paid)s is above the limit %(limit)s") % {
            "paid": order.amount_paid, "limit": rules.amount_limit}
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
    over = over_credit(order)
    if over is not None:
        return Order.Hold.CREDIT, _credit_detail(*over)
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


REVIEWED_FIELDS = ["status", "hold_reason", "hold_detail"]


def review(order: Order, actor: Actor, *, entries: list | None = None, skip: set[str] | None = None,
           save: bool = True) -> Order:
    """Pass the order (reviewed) or hold it with the first rule that stops it. `save=False`: a passed order
    is saved by the caller (intake saves it once, after allocation moved it on)."""
    found = check(order)
    if found is not None and found[0] not in (skip or set()):
        return hold(order, found[0], actor, detail=found[1], entries=entries)
    transitions.check(order, Order.Status.REVIEWED)
    order.status, order.hold_reason, order.hold_detail = Order.Status.REVIEWED, "", ""
    if save:
        order.save(update_fields=REVIEWED_FIELDS)
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
    if order.hold_reason == Order.Hold.CREDIT:
        approve_credit(order, actor, note=note)
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


def approve_credit(order: Order, actor: Actor, *, note: str) -> None:
    """A manager lets an order over its customer's credit limit go on: with a note, on the timeline and in
    the audit trail; the credit rule passes for this order from now on (part of `release`)."""
    if not can(actor.role, "orders.approve_credit"):
        raise PermissionDenied(_("only a manager may release an order held over the credit limit"),
                               code="credit_approval_required")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("a note is required to approve an order over the credit limit"), field="reason",
                               code="note_required")
    position = credit(order.partner, exclude=order) if order.partner_id else None
    amount = _sale(order.amount_paid, order.platform_subsidy)
    exposure = (position.exposure if position else ZERO) + amount
    limit = position.limit if position else None
    figures_zh = f"信用占用 ¥{text(exposure, places=2)}，额度 ¥{text(limit, places=2) or '—'}"
    figures_en = f"exposure ¥{text(exposure, places=2)}, limit ¥{text(limit, places=2) or '—'}"
    timeline.add(order, CREDIT_APPROVED, f"信用额度审批通过（{figures_zh}）：{note}", actor,
                 message_en=f"Credit approved ({figures_en}): {note}",
                 data={"exposure": text(exposure, places=2), "limit": text(limit, places=2), "note": note[:200]})
    audit.record_act(order, actor=actor, action="approve", detail=f"{figures_zh}：{note}"[:200])
    outbox.emit("oms.order.credit_approved", aggregate_type="order", aggregate_id=order.number, actor=actor,
                payload={"number": order.number, "partner": order.partner.code if order.partner_id else None,
                         "exposure": text(exposure, places=2), "limit": text(limit, places=2), "note": note[:200]})

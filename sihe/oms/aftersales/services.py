"""The acts of an after-sales case: open (from the service page or a channel's refund payload, once per
platform refund id), approve or reject, refund, cancel. Each is one act; the edge opens it durable.

A refund reverses the sale in the books — `sales.revenue.reverse` for the refunded amount, split into
revenue and output VAT by each line's tax rate, against 应收账款 — and, when the order was already
settled, pays the money back (`refund.platform`: 应收账款 / 其他货币资金, or `refund.bank`: 应收账款 / 银行存款).
Orders whose revenue follows the invoice and orders already invoiced are reversed by a red invoice
instead (`oms.billing.reverse_invoice`), so a refund there is refused naming the way.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Sum
from django.utils.translation import gettext as _

from sihe.catalog.models import Product, Warehouse
from sihe.core import audit, numbering, outbox, tx
from sihe.core.actor import Actor
from sihe.core.errors import Conflict, ValidationFailed
from sihe.core.money import money, round_money, to_decimal
from sihe.costing.models import ValuationLayer
from sihe.ledger.services import book
from sihe.oms import timeline
from sihe.oms.aftersales import conf
from sihe.oms.aftersales.models import Case, CaseLine
from sihe.oms.aftersales.transitions import ACTIVE, LIFE, NO_REFUND
from sihe.oms.books import SOURCE_TYPE, split_gross
from sihe.oms.models import Order, OrderLine, TimelineEntry
from sihe.stock.models import Counterpart, StockMove
from sihe.wms import shipping
from sihe.wms.inbound import selectors as inbound_selectors
from sihe.wms.inbound import services as inbound
from sihe.wms.models import Shipment

ZERO = Decimal(0)
K = Case.Kind
S = Case.Status
DONE = {"approve": "approved", "reject": "rejected", "receive": "received", "refund": "refunded",
        "complete": "completed", "cancel": "cancelled"}


@dataclass
class LineIn:
    """A line of a case: the order line (its id or SKU), how many units, optionally the amount, and for an
    exchange the SKU sent instead (another size or colour; default the same product)."""

    line: str
    qty: Decimal
    amount: Decimal | None = None
    field: str = "lines[0]"
    replacement: str = ""
    # an exchange for a dearer (+: the buyer pays it) or cheaper (−: paid back) product, tax included
    price_difference: Decimal | None = None


def _emit(event: str, case: Case, actor: Actor, **extra) -> None:
    outbox.emit(f"oms.aftersales.{event}", aggregate_type="aftersales_case", aggregate_id=case.number, actor=actor,
                payload={"case": case.pk, "number": case.number, "order": case.order.number, "kind": case.kind,
                         "status": case.status, "refund_amount": str(case.refund_amount), **extra})


def _order_line(order: Order, key: str, field: str) -> OrderLine:
    key = str(key or "").strip()
    lines = order.lines.select_related("product")
    found = lines.filter(pk=int(key)).first() if key.isdigit() and len(key) < 19 else None
    found = found or lines.filter(product__sku=key).first() or lines.filter(channel_sku=key).first()
    if found is None:
        raise ValidationFailed(_("order %(n)s has no line %(key)s") % {"n": order.number, "key": key},
                               field=f"{field}.line", code="unknown_line")
    return found


def _claimed(line: OrderLine) -> tuple[Decimal, Decimal]:
    """Units and amount of `line` that live cases already claim."""
    agg = CaseLine.objects.filter(order_line=line, case__status__in=ACTIVE).aggregate(q=Sum("qty"), a=Sum("amount"))
    return agg["q"] or ZERO, agg["a"] or ZERO


def _clean_lines(order: Order, lines: list[LineIn]) -> list[tuple[OrderLine, Decimal, Decimal]]:
    if not lines:
        raise ValidationFailed(_("name at least one line of the order"), field="lines")
    out, seen = [], set()
    for item in lines:
        line = _order_line(order, item.line, item.field)
        if line.pk in seen:
            raise ValidationFailed(_("the line is named twice"), field=f"{item.field}.line", code="duplicate_line")
        seen.add(line.pk)
        qty = to_decimal(item.qty, field=f"{item.field}.qty")
        if qty <= 0:
            raise ValidationFailed(_("the quantity must be more than 0"), field=f"{item.field}.qty")
        claimed_qty, claimed_amount = _claimed(line)
        if qty > line.shipped_qty - claimed_qty:
            raise ValidationFailed(
                _("%(sku)s: %(qty)s asked, %(left)s shipped and not yet in another case") % {
                    "sku": line.product.sku, "qty": qty, "left": line.shipped_qty - claimed_qty},
                field=f"{item.field}.qty", code="more_than_shipped")
        default = line.amount_paid if qty >= line.qty else round_money(line.amount_paid * qty / line.qty)
        amount = default if item.amount is None else money(item.amount, field=f"{item.field}.amount")
        if amount < 0 or amount > line.amount_paid - claimed_amount:
            raise ValidationFailed(
                _("%(sku)s: refund %(amount)s is more than the %(left)s paid and not yet refunded") % {
                    "sku": line.product.sku, "amount": amount, "left": line.amount_paid - claimed_amount},
                field=f"{item.field}.amount", code="over_refund")
        out.append((line, qty, amount))
    return out


def open_case(*, order: Order, kind: str, lines: list[LineIn], actor: Actor, reason: str = "",
              channel_ref: str = "", refund_via: str = Case.Via.PLATFORM, approved: bool = False) -> Case:
    """A case on shipped lines of an order. The same platform refund id twice is the same case.
    `approved`: the platform has refunded the buyer already, so no approval is waited for."""
    with tx.act():
        order = Order.objects.select_for_update(of=("self",)).select_related("channel").get(pk=order.pk)
        channel_ref = str(channel_ref or "").strip()[:64]
        if channel_ref:
            known = Case.objects.filter(channel=order.channel, channel_ref=channel_ref).first()
            if known is not None:
                return known
        if kind not in K.values:
            raise ValidationFailed(_("kind must be one of %(kinds)s") % {"kinds": ", ".join(K.values)}, field="kind")
        if refund_via not in Case.Via.values:
            raise ValidationFailed(_("refund_via must be platform or bank"), field="refund_via")
        if not order.lines.filter(shipped_qty__gt=0).exists():
            raise Conflict(_("order %(n)s is %(s)s: nothing shipped to refund (cancel the order instead)") % {
                "n": order.number, "s": order.get_status_display()}, field="order", code="not_shipped")
        cleaned = _clean_lines(order, lines)
        reships = kind in NO_REFUND
        if reships:  # nothing is paid back: the buyer gets goods, not money
            cleaned = [(line, qty, ZERO) for line, qty, _amount in cleaned]
        replacements = _replacements(order, lines, cleaned, kind)
        differences = _differences(order, lines, kind)
        total = sum((amount for _line, _qty, amount in cleaned), ZERO)
        if total <= 0 and not reships:
            raise ValidationFailed(_("the refund must be more than 0"), field="lines", code="nothing_to_refund")
        over_limit = kind == K.REFUND_ONLY and total > conf.approval_limit() and not approved
        status = (S.AWAITING_RETURN if kind in (K.RETURN_REFUND, K.EXCHANGE)
                  else S.PENDING_APPROVAL if over_limit else S.OPEN)
        period = f"{actor.at:%Y%m}"
        case = Case.objects.create(
            number=f"AS{period}-{numbering.next_number('oms.aftersales', period=period):05d}", order=order,
            channel=order.channel, kind=kind, status=status,
            reason=str(reason or "")[:200], channel_ref=channel_ref, refund_amount=total, refund_via=refund_via,
            price_difference=sum(differences, ZERO),
            due_at=actor.at + datetime.timedelta(hours=conf.answer_hours()), created_at=actor.at,
            created_by=actor.username)
        case_lines = CaseLine.objects.bulk_create([
            CaseLine(case=case, order_line=line, qty=qty, amount=amount, replacement=replacement, price_difference=diff)
            for (line, qty, amount), replacement, diff in zip(cleaned, replacements, differences, strict=True)])
        if kind in (K.RETURN_REFUND, K.EXCHANGE):
            _expect_return(case, order, case_lines, actor)
        if reships:
            _reship(case, order, case_lines, actor)
        audit.record_created(case, actor=actor, fields=["number", "order", "kind", "status", "refund_amount"])
        timeline.add(order, "aftersales", f"售后单 {case.number}（{case.get_kind_display()}）¥{total}"
                     + ("，待审批" if over_limit else ""), actor,
                     message_en=f"After-sales case {case.number} ({kind}) ¥{total}"
                     + (", awaiting approval" if over_limit else ""), data={"case": case.number})
        _emit("opened", case, actor, channel_ref=channel_ref)
        return case


RETURN_SOURCE = "oms.aftersales"


def _replacements(order: Order, lines: list[LineIn], cleaned: list, kind: str) -> list[Product | None]:
    out = []
    for item, (line, _qty, _amount) in zip(lines, cleaned, strict=True):
        sku = str(item.replacement or "").strip()
        if not sku or sku == line.product.sku:
            out.append(None)
            continue
        if kind != K.EXCHANGE:
            raise ValidationFailed(_("only an exchange sends another product"), field=f"{item.field}.replacement")
        product = Product.objects.filter(sku=sku).first()
        if product is None:
            raise ValidationFailed(_("unknown SKU %(sku)s") % {"sku": sku}, field=f"{item.field}.replacement",
                                   code="unknown_sku")
        if product.uom_id != line.product.uom_id:
            raise ValidationFailed(_("%(sku)s is counted in another unit than %(other)s") % {
                "sku": sku, "other": line.product.sku}, field=f"{item.field}.replacement")
        out.append(product)
    return out


def _differences(order: Order, lines: list[LineIn], kind: str) -> list[Decimal]:
    """Each line's price difference (an exchange only); booked when the exchange is done, so it must be
    booked the way the order's revenue was: at shipment and not yet invoiced (else a new or red invoice)."""
    out = []
    for item in lines:
        diff = ZERO if item.price_difference in (None, "") else money(item.price_difference,
                                                                      field=f"{item.field}.price_difference")
        if diff and kind != K.EXCHANGE:
            raise ValidationFailed(_("only an exchange has a price difference"), field=f"{item.field}.price_difference")
        out.append(diff)
    if any(out) and (_invoiced(order) or not order.revenue_booked):
        raise Conflict(_("order %(n)s is invoiced or books its revenue at the invoice: invoice the price "
                         "difference (or issue a red invoice) instead") % {"n": order.number},
                       field="lines", code="difference_needs_invoice")
    return out


def _book_difference(case: Case, actor: Actor) -> None:
    """The exchange is done: a dearer replacement is sold for the difference (revenue and output VAT,
    receivable from the buyer's channel, settled when the money comes), a cheaper one gives the
    difference back (revenue reversed; paid back when the order was already settled)."""
    if not case.price_difference or case.difference_booked_at:
        return
    order = Order.objects.select_for_update(of=("self",)).select_related("channel", "partner").get(pk=case.order_id)
    net = tax = ZERO
    for line in case.lines.select_related("order_line", "replacement"):
        if line.price_difference:
            rate = (line.replacement or line.order_line.product).tax_rate
            line_net, line_tax = split_gross(abs(line.price_difference), rate)
            net, tax = net + line_net, tax + line_tax
    amount = abs(case.price_difference)
    day = actor.at.date()
    partner = order.partner.code if order.partner_id else order.channel.code
    document = f"{order.number} 售后 {case.number}"
    if case.price_difference > 0:
        book(rule="sales.revenue", date=day, amounts={"total": amount, "net": net, "tax": tax},
             source_type=SOURCE_TYPE, source_id=str(order.pk), memo=f"换货补差价 {order.number} {case.number}",
             document=document, actor=actor, dimensions={"partner": partner, "channel": order.channel.code})
        Order.objects.filter(pk=order.pk).update(revenue_total=F("revenue_total") + amount)
        zh, en = f"换货补差价 ¥{amount}，待买家付款", f"Exchange: the buyer owes a price difference of ¥{amount}"
    else:
        book(rule="sales.revenue.reverse", date=day, amounts={"total": amount, "net": net, "tax": tax},
             source_type=SOURCE_TYPE, source_id=str(order.pk), memo=f"换货退差价 {order.number} {case.number}",
             document=document, actor=actor, dimensions={"partner": partner, "channel": order.channel.code})
        Order.objects.filter(pk=order.pk).update(revenue_total=F("revenue_total") - amount)
        order.refresh_from_db(fields=["revenue_total", "settled_total"])
        paid = min(max(order.settled_total - order.revenue_total, ZERO), amount)
        if paid:
            book(rule=f"refund.{case.refund_via}", date=day, amounts={"amount": paid}, source_type=SOURCE_TYPE,
                 source_id=str(order.pk), memo=f"换货退差价 {order.number} {case.number}", actor=actor,
                 document=document, dimensions={"partner": partner})
            Order.objects.filter(pk=order.pk).update(settled_total=F("settled_total") - paid)
            Case.objects.filter(pk=case.pk).update(paid_back=F("paid_back") + paid)
        zh = f"换货退差价 ¥{amount}" + (f"，已退回 ¥{paid}" if paid else "，从待结算中扣减")
        en = f"Exchange: price difference of ¥{amount} given back" + (f", ¥{paid} paid" if paid else "")
    case.difference_booked_at = actor.at
    case.save(update_fields=["difference_booked_at"])
    timeline.add(order, "aftersales", f"售后单 {case.number} {zh}", actor, message_en=f"{case.number}: {en}",
                 data={"case": case.number})


def _reship(case: Case, order: Order, lines: list[CaseLine], actor: Actor) -> None:
    """The zero-priced reshipment of an exchange or a reissue, reserved in the warehouse the goods left
    from and shipped by the warehouse like any shipment (cost of sales at today's cost, no revenue)."""
    warehouse = issued_from(order, lines[0].order_line)[0]
    shipment = shipping.create_shipment(
        warehouse=warehouse, source_type=RETURN_SOURCE, source_id=str(case.pk), source_number=case.number,
        lines=[shipping.ShipLineIn(product=ln.replacement or ln.order_line.product, qty=ln.qty,
                                   source_line_id=str(ln.pk)) for ln in lines],
        customer=order.partner.code if order.partner_id else order.channel.code, actor=actor,
        receiver={"name": order.receiver_name, "phone": order.receiver_phone, "province": order.province,
                  "city": order.city, "district": order.district, "address": order.address})
    case.reship_number = shipment.number
    case.save(update_fields=["reship_number"])


def on_reship_shipped(*, shipment: Shipment, actor: Actor) -> None:
    """The warehouse's shipped hook (wired in hub/wiring.py): a case's reshipment left; a reissue is done,
    an exchange is done once its return is in too."""
    if shipment.source_type != RETURN_SOURCE:
        return
    with tx.act():
        case = Case.objects.select_for_update(of=("self",)).select_related("order").get(pk=int(shipment.source_id))
        case.reshipped_at = actor.at
        case.save(update_fields=["reshipped_at"])
        timeline.add(case.order, "aftersales", f"售后单 {case.number} 已{case.get_kind_display()}发货 {shipment.number}",
                     actor, message_en=f"After-sales case {case.number}: reshipment {shipment.number} left",
                     data={"case": case.number})
        _complete_if_done(case, actor)


def _complete_if_done(case: Case, actor: Actor) -> None:
    if case.reshipped_at and ((case.kind == K.REISSUE and case.status == S.OPEN)
                              or (case.kind == K.EXCHANGE and case.status == S.RECEIVED)):
        _book_difference(case, actor)
        _move(case, "complete", actor, closed_at=actor.at)


def issued_from(order: Order, line: OrderLine) -> tuple[Warehouse, Decimal]:
    """The warehouse the line's goods left from and the unit cost they left at (the cost of sales booked):
    a return comes back there, at that cost, not at today's average."""
    from sihe.oms.fulfilment import shipments_of  # its own shipments and the merged ones (合单)

    numbers = list(shipments_of(order).values_list("number", flat=True))
    moves = list(StockMove.objects.filter(reference__in=numbers, product=line.product, kind=StockMove.Kind.ISSUE,
                                          counterpart=Counterpart.CUSTOMER, reversal_of__isnull=True)
                 .select_related("src_warehouse").order_by("-qty", "id"))
    if not moves:
        raise ValidationFailed(_("%(sku)s left no warehouse for this order: nothing to take back") % {
            "sku": line.product.sku}, field="lines", code="not_shipped")
    layers = ValuationLayer.objects.filter(move__in=moves)
    qty = sum((abs(la.qty) for la in layers), ZERO)
    value = sum((abs(la.value) for la in layers), ZERO)
    return moves[0].src_warehouse, (value / qty).quantize(Decimal("0.000001")) if qty else ZERO


def _expect_return(case: Case, order: Order, lines: list[CaseLine], actor: Actor) -> None:
    """The expected return the warehouse receives the goods against (one per warehouse they left from)."""
    by_warehouse: dict = {}
    for line in lines:
        warehouse, unit_cost = issued_from(order, line.order_line)
        by_warehouse.setdefault(warehouse, []).append(inbound.ExpectedLine(
            product=line.order_line.product, qty=line.qty, unit_cost=unit_cost, source_line_id=str(line.pk)))
    numbers = []
    for warehouse, expected in by_warehouse.items():
        asn = inbound.expect_receipt(warehouse=warehouse, supplier=None, source_type=RETURN_SOURCE,
                                     source_id=f"{case.pk}:{warehouse.code}", source_number=case.number,
                                     expected_date=None, lines=expected, actor=actor)
        numbers.append(asn.number)
    case.return_number = ", ".join(numbers)[:40]
    case.save(update_fields=["return_number"])


def _case_of(asn) -> Case | None:
    if getattr(asn, "source_type", None) != RETURN_SOURCE:
        return None
    return Case.objects.select_for_update(of=("self",)).select_related("order__channel").filter(
        pk=int(str(asn.source_id).split(":")[0])).first()


def record_return(*, asn, received, actor: Actor) -> Case | None:
    """The warehouse's receipt hook (wired in hub/wiring.py): returned units counted on the case's lines,
    and the case received when every unit is back — in the receipt's own transaction."""
    with tx.act():
        case = _case_of(asn)
        if case is None:
            return None
        for asn_line, qty in received:
            CaseLine.objects.filter(pk=int(asn_line.source_line_id), case=case).update(
                received_qty=F("received_qty") + qty)
        back = all(ln.received_qty >= ln.qty for ln in case.lines.all())
        if back and case.status == S.AWAITING_RETURN:
            case = _move(case, "receive", actor)
            timeline.add(case.order, "aftersales", f"售后单 {case.number} 退货已入库", actor,
                         message_en=f"After-sales case {case.number}: the return is in", data={"case": case.number})
            _complete_if_done(case, actor)
        return case


def record_defective(*, asn, rejected, actor: Actor) -> Case | None:
    """The warehouse's QC hook: returned units graded defective (they sit in the defective location)."""
    with tx.act():
        case = _case_of(asn)
        if case is None:
            return None
        for asn_line, qty in rejected:
            CaseLine.objects.filter(pk=int(asn_line.source_line_id), case=case).update(
                defective_qty=F("defective_qty") + qty)
        return case


def take_channel_refund(*, order: Order, line: OrderLine, channel_ref: str, actor: Actor) -> Case | None:
    """A platform's refund of a shipped line (seen on a later version of the order): the case once, and
    the refund in the books at once unless it needs a red invoice (then it waits in the queue)."""
    if Case.objects.filter(channel_id=order.channel_id, channel_ref=channel_ref[:64]).exists():
        return None
    claimed_qty, claimed_amount = _claimed(line)
    qty = line.shipped_qty - claimed_qty
    if qty <= 0 or line.amount_paid - claimed_amount <= 0:
        return None
    with tx.act():
        case = open_case(order=order, kind=K.REFUND_ONLY, lines=[LineIn(line=str(line.pk), qty=qty)], actor=actor,
                         reason=_("refunded on the platform"), channel_ref=channel_ref, approved=True)
        try:
            with tx.attempt():
                case = refund(case=case, actor=actor)
        except Conflict:
            pass  # invoiced: the service team issues the red invoice from the queue
        return case


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("order__channel").get(pk=case.pk)


def _move(case: Case, action: str, actor: Actor, **stamps) -> Case:
    target = LIFE.check(case.status, action)
    before = {"status": case.status}
    case.status = target
    for name, value in stamps.items():
        setattr(case, name, value)
    case.save(update_fields=["status", *stamps])
    audit.record_changes(case, actor=actor, before=before, action=f"oms.aftersales.{action}")
    _emit(DONE[action], case, actor)
    return case


def approve(*, case: Case, actor: Actor, note: str = "") -> Case:
    with tx.act():
        case = _locked(case)
        if case.created_by and case.created_by == actor.username:
            raise Conflict(_("the refund needs a second person's approval"), field="case", code="own_case")
        return _move(case, "approve", actor, approved_by=actor.username, approved_at=actor.at,
                     decided_note=str(note or "")[:300])


def reject(*, case: Case, actor: Actor, note: str) -> Case:
    with tx.act():
        note = str(note or "").strip()
        if not note:
            raise ValidationFailed(_("say why the case is rejected"), field="note")
        case = _move(_locked(case), "reject", actor, decided_note=note[:300], closed_at=actor.at)
        timeline.add(case.order, "aftersales", f"售后单 {case.number} 已拒绝：{note}", actor,
                     message_en=f"After-sales case {case.number} rejected: {note}", data={"case": case.number})
        return case


def cancel(*, case: Case, actor: Actor, note: str = "") -> Case:
    """The buyer withdrew the case: an expected return is no longer expected, a reshipment not yet gone
    is cancelled (its stock freed)."""
    with tx.act():
        case = _move(_locked(case), "cancel", actor, decided_note=str(note or "")[:300], closed_at=actor.at)
        if case.reship_number:
            shipment = Shipment.objects.filter(number=case.reship_number).first()
            if shipment is not None and shipment.state not in (Shipment.State.SHIPPED, Shipment.State.CANCELLED):
                if case.reshipped_at is None:
                    shipping.cancel_shipment(shipment=shipment, actor=actor, reason=_("after-sales case cancelled"))
        for asn in inbound_selectors.returns_of(source_type=RETURN_SOURCE, case_id=case.pk):
            if "cancel" in inbound_selectors.asn_actions(asn):
                inbound.cancel_asn(asn=asn, actor=actor)
        return case


def _invoiced(order: Order) -> bool:
    return TimelineEntry.objects.filter(order=order, kind="invoiced").exists()


def refund(*, case: Case, actor: Actor, date: datetime.date | None = None) -> Case:
    """Refund a refund-only case: the sale reversed in the books, and the money paid back when the order
    was already settled."""
    with tx.act():
        case = _locked(case)
        LIFE.check(case.status, "refund")
        if case.kind in NO_REFUND:
            raise Conflict(_("an exchange or a reissue sends goods, not money"), field="case", code="no_refund")
        order = (Order.objects.select_for_update(of=("self",)).select_related("channel", "partner")
                 .get(pk=case.order_id))
        if _invoiced(order) or not order.revenue_booked:
            raise Conflict(_("order %(n)s is invoiced or books its revenue at the invoice: issue a red invoice "
                             "for the refund") % {"n": order.number}, field="case", code="needs_red_invoice")
        total = case.refund_amount
        lines = list(case.lines.select_related("order_line"))
        subsidy = sum((_subsidy_share(line) for line in lines), ZERO)
        reversed_total = total + subsidy  # the sale as booked: the buyer's payment and the platform's subsidy
        if reversed_total > order.revenue_total:
            raise Conflict(_("refund %(t)s is more than the %(r)s of revenue left on order %(n)s") % {
                "t": reversed_total, "r": order.revenue_total, "n": order.number}, field="case", code="over_refund")
        net = tax = ZERO
        for line in lines:
            line_net, line_tax = split_gross(line.amount + _subsidy_share(line), line.order_line.tax_rate)
            net, tax = net + line_net, tax + line_tax
        day = date or actor.at.date()
        partner = order.partner.code if order.partner_id else order.channel.code
        memo = f"退款 {order.number} {case.number}" + (f"，含平台补贴 ¥{subsidy}" if subsidy else "")
        book(rule="sales.revenue.reverse", date=day, amounts={"total": reversed_total, "net": net, "tax": tax},
             source_type=SOURCE_TYPE, source_id=str(order.pk), memo=memo,
             document=f"{order.number} 售后 {case.number}", actor=actor,
             dimensions={"partner": partner, "channel": order.channel.code})
        # (Order.refunded_total is what the channel reports; what Sihe refunded is on the cases)
        Order.objects.filter(pk=order.pk).update(revenue_total=F("revenue_total") - reversed_total)
        order.refresh_from_db(fields=["revenue_total", "settled_total"])
        # money out only for what was already settled: the buyer gets back what they paid, the platform
        # takes its subsidy back (both leave the platform account when the refund goes through it)
        out = min(max(order.settled_total - order.revenue_total, ZERO), reversed_total)
        paid_back = min(out, total)
        clawback = out - paid_back
        if paid_back:
            book(rule=f"refund.{case.refund_via}", date=day, amounts={"amount": paid_back}, source_type=SOURCE_TYPE,
                 source_id=str(order.pk), memo=f"退款 {order.number} {case.number}", actor=actor,
                 document=f"{order.number} 售后 {case.number}", dimensions={"partner": partner})
        if clawback:
            book(rule="refund.platform", date=day, amounts={"amount": clawback}, source_type=SOURCE_TYPE,
                 source_id=str(order.pk), memo=f"平台补贴退回 {order.number} {case.number}", actor=actor,
                 document=f"{order.number} 售后 {case.number}", dimensions={"partner": partner})
        if out:
            Order.objects.filter(pk=order.pk).update(settled_total=F("settled_total") - out)
        case = _move(case, "refund", actor, refunded_amount=total, paid_back=paid_back, subsidy_reversed=subsidy,
                     closed_at=actor.at)
        timeline.add(order, "refunded", f"售后单 {case.number} 退款 ¥{total}"
                     + (f"，冲回平台补贴 ¥{subsidy}" if subsidy else "")
                     + (f"，已退回 ¥{paid_back}" if paid_back else "，从待结算中扣减"), actor,
                     message_en=f"After-sales case {case.number} refunded ¥{total}"
                     + (f", platform subsidy ¥{subsidy} reversed" if subsidy else "")
                     + (f", ¥{paid_back} paid back" if paid_back else ", taken off what is still to settle"),
                     data={"case": case.number})
        return case


def _subsidy_share(line: CaseLine) -> Decimal:
    """The platform's subsidy on what a case line refunds: the line's subsidy in proportion to the amount
    refunded of what the buyer paid, taken as the difference of cumulative shares over the line's refunded
    cases so that refunds of a whole line in parts add up to its subsidy exactly."""
    ol = line.order_line
    if not ol.platform_subsidy or not ol.amount_paid:
        return ZERO
    before = (CaseLine.objects.filter(order_line=ol, case__status=S.REFUNDED).exclude(case_id=line.case_id)
              .aggregate(a=Sum("amount"))["a"] or ZERO)

    def share(amount: Decimal) -> Decimal:
        return ol.platform_subsidy if amount >= ol.amount_paid else round_money(ol.platform_subsidy * amount
                                                                                  / ol.amount_paid)

    return share(before + line.amount) - share(before)

"""The acts of B2B sales: quotations (create, send, accept, cancel, convert into an order of the own
channel format), advance receipts (预收账款) and customer receipts applied over several orders or
invoices. Each is one act (`tx.act`); the edge opens it durable.

Books (小企业会计准则): an advance is 银行存款 / 预收账款 (rule `advance.receive`); when the order's revenue
is booked (at shipment or at invoice) the customer's open advances are applied to the new receivable,
预收账款 / 应收账款 (rule `advance.apply`), as a settlement of kind `advance` on the order, so the order's
receivable, the AR aging and 1122 agree. A receipt settles each order it is applied to like a bank
receipt (`receipt.bank`, 银行存款 / 应收账款); what is left over becomes an advance.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sihe.catalog.models import Channel, Partner, Product
from sihe.core import audit, batch, clock, numbering, outbox, tx
from sihe.core.actor import Actor
from sihe.core.errors import Conflict, NotFound, ValidationFailed
from sihe.core.money import money, round_money, to_decimal
from sihe.invoicing.models import Invoice, InvoiceSource
from sihe.ledger.services import book
from sihe.oms import books, intake
from sihe.oms.b2b import conf, pricing
from sihe.oms.b2b.models import (
    Advance,
    AdvanceApplication,
    CustomerGroup,
    GroupMember,
    PriceBreak,
    PriceList,
    Promotion,
    Quotation,
    QuotationLine,
    Receipt,
    ReceiptAllocation,
)
from sihe.oms.b2b.transitions import LIFE
from sihe.oms.models import Order, Settlement

ZERO = Decimal("0.00")
ADVANCE_SOURCE = "b2b.advance"
BANK_ACCOUNTS = ("1002",)  # the account `receipt.bank` and `advance.receive` debit


@dataclass
class LineIn:
    """A quotation line: the product's SKU, the quantity and, when negotiated, the unit price (tax
    included; default: the customer's price list, else the list price)."""

    sku: str
    qty: Decimal | str | int
    price: Decimal | str | int | None = None
    field: str = "lines[0]"


@dataclass
class AllocationIn:
    """Part of a receipt for one order (its number or id) or one invoice (its 20-digit number: its orders
    of this customer, oldest first); `amount` default what is still owed there."""

    order: str = ""
    invoice: str = ""
    amount: Decimal | str | int | None = None
    field: str = "allocations[0]"


def _today(actor: Actor) -> datetime.date:
    return timezone.localdate(actor.at) if actor.at else clock.today()


def _date(value, field: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed(_("not a date (YYYY-MM-DD)"), field=field) from None


def _customer(partner: Partner, field: str = "partner") -> Partner:
    if partner.kind != Partner.Kind.CUSTOMER or not partner.active:
        raise ValidationFailed(_("%(code)s is not an active customer") % {"code": partner.code}, field=field,
                               code="not_a_customer")
    return partner


def _emit(event: str, aggregate_type: str, number: str, actor: Actor, **payload) -> None:
    outbox.emit(f"b2b.{event}", aggregate_type=aggregate_type, aggregate_id=number, actor=actor,
                payload={"number": number, **payload})


# --- quotations -----------------------------------------------------------------------------------------

def _priced(lines: list[LineIn], group, on: datetime.date) -> list[pricing.Priced]:
    if not lines:
        raise ValidationFailed(_("a quotation needs at least one line"), field="lines")
    if len(lines) > 200:
        raise ValidationFailed(_("at most 200 lines"), field="lines")
    out = []
    for line in lines:
        sku = str(line.sku or "").strip()
        product = Product.objects.filter(sku=sku, active=True).first() if sku else None
        if product is None:
            raise NotFound(_("no active product %(sku)s") % {"sku": sku[:64]}, field=f"{line.field}.sku",
                           code="unknown_sku")
        qty = to_decimal(line.qty, field=f"{line.field}.qty")
        if qty <= 0 or qty != qty.quantize(Decimal("0.000001")):
            raise ValidationFailed(_("the quantity must be more than 0 (at most 6 decimals)"), field=f"{line.field}.qty")
        if qty > Decimal("1000000000"):
            raise ValidationFailed(_("the quantity is too large"), field=f"{line.field}.qty")
        if line.price not in (None, ""):
            price = pricing.Price(money(line.price, field=f"{line.field}.price"), "manual")
            if price.unit_price < 0:
                raise ValidationFailed(_("the price cannot be negative"), field=f"{line.field}.price")
        else:
            price = pricing.price_for(group=group, product=product, qty=qty, on=on)
        out.append(pricing.Priced(product=product, qty=qty, list_price=round_money(product.list_price),
                                  unit_price=price.unit_price, source=price.source,
                                  line_total=round_money(qty * price.unit_price)))
    return out


def quote(*, partner: Partner, lines: list[LineIn], on: datetime.date) -> pricing.Offer:
    """The offer `partner` gets for `lines` on `on` (prices and promotions), without saving anything."""
    group = pricing.group_of(partner)
    return pricing.apply_promotions(_priced(lines, group, on), pricing.promotions_for(group, on))


def create_quotation(*, partner: Partner, lines: list[LineIn], actor: Actor, quote_date=None, valid_until=None,
                     receiver: dict | None = None, note: str = "") -> Quotation:
    _customer(partner)
    on = _date(quote_date, "quote_date") or _today(actor)
    until = _date(valid_until, "valid_until") or on + datetime.timedelta(days=conf.quotation_days())
    if until < on:
        raise ValidationFailed(_("a quotation is valid until a day on or after its date"), field="valid_until")
    group = pricing.group_of(partner)
    offer = pricing.apply_promotions(_priced(lines, group, on), pricing.promotions_for(group, on))
    receiver = receiver or {}
    with tx.act():
        period = f"{on:%Y%m}"
        quotation = Quotation.objects.create(
            number=f"BJ{period}-{numbering.next_number('b2b.quotation', period=period):05d}", partner=partner,
            group=group, quote_date=on, valid_until=until,
            receiver_name=str(receiver.get("name") or partner.contact or partner.name)[:100],
            receiver_phone=str(receiver.get("phone") or partner.phone)[:40],
            province=str(receiver.get("province") or partner.province)[:40],
            city=str(receiver.get("city") or partner.city)[:40],
            district=str(receiver.get("district") or partner.district)[:40],
            address=str(receiver.get("address") or partner.address)[:300], note=str(note or "")[:300],
            goods_total=offer.goods_total, discount_total=offer.discount_total, total=offer.total,
            promotions=offer.promotions, created_at=actor.at, created_by=actor.username[:150])
        QuotationLine.objects.bulk_create([
            QuotationLine(quotation=quotation, line_no=i, product=ln.product, qty=ln.qty, list_price=ln.list_price,
                          unit_price=ln.unit_price, price_source=ln.source[:60], line_total=ln.line_total,
                          discount=ln.discount, amount=ln.amount, gift=ln.gift, promotion=ln.promotion)
            for i, ln in enumerate(offer.lines, start=1)])
        audit.record_created(quotation, actor=actor, fields=["number", "partner", "status", "total", "valid_until"])
        _emit("quotation.created", "quotation", quotation.number, actor, partner=partner.code,
              total=str(quotation.total))
        return quotation


def _locked(quotation: Quotation) -> Quotation:
    return Quotation.objects.select_for_update(of=("self",)).select_related("partner").get(pk=quotation.pk)


def _not_expired(quotation: Quotation, actor: Actor) -> None:
    today = _today(actor)
    if today > quotation.valid_until:
        raise Conflict(_("quotation %(n)s was valid until %(d)s: make a new one") % {
            "n": quotation.number, "d": quotation.valid_until}, field="valid_until", code="quotation_expired")


def _move(quotation: Quotation, action: str, actor: Actor, note: str = "") -> Quotation:
    before = audit.snapshot(quotation, ["status"])
    quotation.status = LIFE.check(quotation.status, action)
    quotation.save(update_fields=["status", "order"] if action == "convert" else ["status"])
    audit.record_changes(quotation, actor=actor, before=before, action=f"b2b.quotation.{action}")
    if note:
        audit.record_act(quotation, actor=actor, action=f"b2b.quotation.{action}", detail=str(note)[:300])
    _emit(f"quotation.{quotation.status}", "quotation", quotation.number, actor, partner=quotation.partner.code)
    return quotation


def send(*, quotation: Quotation, actor: Actor, note: str = "") -> Quotation:
    with tx.act():
        quotation = _locked(quotation)
        LIFE.check(quotation.status, "send")
        _not_expired(quotation, actor)
        return _move(quotation, "send", actor, note)


def accept(*, quotation: Quotation, actor: Actor, note: str = "") -> Quotation:
    with tx.act():
        quotation = _locked(quotation)
        LIFE.check(quotation.status, "accept")
        _not_expired(quotation, actor)
        return _move(quotation, "accept", actor, note)


def cancel(*, quotation: Quotation, actor: Actor, note: str = "") -> Quotation:
    with tx.act():
        return _move(_locked(quotation), "cancel", actor, note)


def _channel(code: str) -> Channel:
    code = code or conf.channel_code()
    qs = Channel.objects.filter(active=True)
    channel = (qs.filter(code=code).first() if code else
               qs.filter(type=Channel.Type.DEALER).order_by("code").first())
    if channel is None or channel.type not in (Channel.Type.DEALER, Channel.Type.API, Channel.Type.POS):
        raise ValidationFailed(_("no active dealer channel %(code)s to take the order") % {"code": code},
                               field="channel", code="no_dealer_channel")
    return channel


def order_payload(quotation: Quotation, actor: Actor) -> dict:
    """The quotation as an order of Sihe's own channel format (sihe/oms/channels/native.py)."""
    at = actor.at.isoformat()
    return {
        "order_id": quotation.number, "customer": quotation.partner.code, "status": "paid",
        "created_at": at, "paid_at": at, "updated_at": at,
        "buyer": {"id": quotation.partner.code, "nick": quotation.partner.name},
        "receiver": {"name": quotation.receiver_name, "phone": quotation.receiver_phone,
                     "province": quotation.province, "city": quotation.city, "district": quotation.district,
                     "address": quotation.address},
        "lines": [{"id": str(ln.line_no), "sku": ln.product.sku, "qty": f"{ln.qty.normalize():f}",
                   "price": str(ln.unit_price), "discount": str(ln.discount), "name": ln.product.name}
                  for ln in quotation.lines.select_related("product").order_by("line_no")],
        "message": quotation.note,
    }


def convert(*, quotation: Quotation, actor: Actor, channel: str = "") -> Order:
    """The accepted quotation becomes one order of the dealer channel: the same review (the credit limit
    holds an order over it), allocation, shipping, invoicing and receivable as any order. Advances paid
    against the quotation now belong to the order."""
    with tx.act():
        quotation = _locked(quotation)
        LIFE.check(quotation.status, "convert")
        _not_expired(quotation, actor)
        channel_row = _channel(channel)
        with batch.collect():
            result = intake.intake(channel=channel_row, payload=order_payload(quotation, actor), actor=actor)
        quotation.order = result.order
        Advance.objects.filter(quotation=quotation, order__isnull=True).update(order=result.order)
        _move(quotation, "convert", actor)
        return result.order


# --- advances -------------------------------------------------------------------------------------------

def _bank(account: str) -> str:
    account = str(account or "1002").strip()
    if account not in BANK_ACCOUNTS:
        raise ValidationFailed(_("money comes in on 1002 银行存款 (the receipt rules' account); %(a)s is not "
                                 "one of them") % {"a": account[:20]}, field="account", code="unknown_account")
    return account


def receive_advance(*, partner: Partner, amount, actor: Actor, date=None, reference: str = "",
                    quotation: Quotation | None = None, order: Order | None = None, account: str = "1002") -> Advance:
    """A dealer pays before shipping: 银行存款 / 预收账款 on the customer's dimension."""
    _customer(partner)
    _bank(account)
    amount = money(amount, field="amount")
    if amount <= 0:
        raise ValidationFailed(_("the amount must be more than 0"), field="amount")
    for field, doc in (("quotation", quotation), ("order", order)):
        if doc is not None and doc.partner_id != partner.pk:
            raise ValidationFailed(_("%(n)s is not this customer's") % {"n": doc.number}, field=field)
    if quotation is not None and quotation.order_id and order is None:
        order = quotation.order
    day = _date(date, "date") or _today(actor)
    with tx.act():
        period = f"{day:%Y%m}"
        number = f"YS{period}-{numbering.next_number('b2b.advance', period=period):05d}"
        advance = Advance.objects.create(number=number, partner=partner, date=day, amount=amount,
                                         reference=str(reference or "")[:100], quotation=quotation, order=order,
                                         created_at=actor.at, created_by=actor.username[:150])
        voucher = book(rule="advance.receive", date=day, amounts={"amount": amount}, source_type=ADVANCE_SOURCE,
                       source_id=str(advance.pk), memo=f"预收款 {number} {partner.name} {reference}".strip(),
                       actor=actor, document=number, dimensions={"partner": partner.code})
        Advance.objects.filter(pk=advance.pk).update(voucher_id=voucher.pk if voucher else None)
        advance.voucher_id = voucher.pk if voucher else None
        audit.record_created(advance, actor=actor, fields=["number", "partner", "amount", "date"])
        _emit("advance.received", "advance", number, actor, partner=partner.code, amount=str(amount))
        return advance


def _apply(advance: Advance, order: Order, amount: Decimal, actor: Actor, day: datetime.date) -> AdvanceApplication:
    voucher = book(rule="advance.apply", date=day, amounts={"amount": amount}, source_type=books.SOURCE_TYPE,
                   source_id=str(order.pk), memo=f"预收冲应收 {order.number} {advance.number}", actor=actor,
                   document=order.number, dimensions={"partner": order.partner.code})
    settlement = books.record_settlement(order=order, kind=Settlement.Kind.ADVANCE, amount=amount, actor=actor,
                                         date=day, reference=advance.number, voucher=voucher)
    Advance.objects.filter(pk=advance.pk).update(applied=F("applied") + amount)
    advance.applied += amount
    application = AdvanceApplication.objects.create(advance=advance, order=order, amount=amount, date=day,
                                                    settlement=settlement)
    audit.record_act(advance, actor=actor, action="b2b.advance.apply", detail=f"{order.number} {amount}")
    _emit("advance.applied", "advance", advance.number, actor, order=order.number, amount=str(amount))
    return application


def apply_advances(*, order: Order, actor: Actor, date=None) -> list[AdvanceApplication]:
    """Hook on an order's revenue: the customer's open advances — those paid for this order (or its
    quotation) first, then those paid for no order, oldest first — settle what the order now owes."""
    if not order.partner_id:
        return []
    with tx.act():
        open_advances = list(Advance.objects.select_for_update().filter(partner_id=order.partner_id,
                                                                         applied__lt=F("amount"))
                             .filter(Q(order=order) | Q(order__isnull=True, quotation__isnull=True))
                             .order_by("date", "id"))
        if not open_advances:
            return []
        order = Order.objects.select_related("partner").get(pk=order.pk)
        owed = books.outstanding(order)
        day = _date(date, "date") or _today(actor)
        applied = []
        for advance in sorted(open_advances, key=lambda a: a.order_id != order.pk):
            if owed <= 0:
                break
            amount = min(advance.remaining, owed)
            applied.append(_apply(advance, order, amount, actor, day))
            owed -= amount
        return applied


def apply_advance(*, advance: Advance, order: Order, actor: Actor, amount=None, date=None) -> AdvanceApplication:
    """A person applies an advance to an order whose revenue is already booked."""
    with tx.act():
        advance = Advance.objects.select_for_update().get(pk=advance.pk)
        order = Order.objects.select_related("partner").get(pk=order.pk)
        if order.partner_id != advance.partner_id:
            raise ValidationFailed(_("%(n)s is not this customer's") % {"n": order.number}, field="order")
        owed = books.outstanding(order)
        amount = money(amount, field="amount") if amount not in (None, "") else min(advance.remaining, owed)
        if amount <= 0 or amount > advance.remaining:
            raise ValidationFailed(_("the amount must be more than 0 and at most the %(r)s left of the advance")
                                   % {"r": advance.remaining}, field="amount", code="over_advance")
        if amount > owed:
            raise ValidationFailed(_("%(a)s is more than the %(o)s order %(n)s still owes") % {
                "a": amount, "o": owed, "n": order.number}, field="amount", code="over_settlement")
        return _apply(advance, order, amount, actor, _date(date, "date") or _today(actor))


# --- receipts -------------------------------------------------------------------------------------------

def _owed_orders(partner: Partner):
    return (Order.objects.filter(partner=partner, revenue_total__gt=F("settled_total"))
            .order_by(F("shipped_at").asc(nulls_last=True), "received_at", "id"))


def _order_of(partner: Partner, key: str, field: str) -> Order:
    key = str(key or "").strip()
    qs = Order.objects.filter(partner=partner)
    found = qs.filter(number=key).first() or qs.filter(external_id=key).first()
    if found is None and key.isdigit() and len(key) < 19:
        found = qs.filter(pk=int(key)).first()
    if found is None:
        raise NotFound(_("%(p)s has no order %(k)s") % {"p": partner.code, "k": key[:80]}, field=f"{field}.order",
                       code="unknown_order")
    return found


def _invoice_orders(partner: Partner, number: str, field: str) -> list[Order]:
    invoice = Invoice.objects.filter(number=str(number or "").strip()).first()
    if invoice is None:
        raise NotFound(_("no invoice %(n)s") % {"n": str(number)[:40]}, field=f"{field}.invoice",
                       code="unknown_invoice")
    ids = [int(s) for s in InvoiceSource.objects.filter(invoice=invoice, source_type=books.SOURCE_TYPE)
           .values_list("source_id", flat=True) if s.isdigit()]
    orders = list(Order.objects.filter(pk__in=ids, partner=partner).order_by("shipped_at", "id"))
    if not orders:
        raise ValidationFailed(_("invoice %(n)s is not for an order of %(p)s") % {"n": invoice.number,
                                                                                   "p": partner.code},
                               field=f"{field}.invoice", code="not_this_customer")
    return orders


def _plan(partner: Partner, amount: Decimal, allocations: list[AllocationIn] | None):
    """(order, amount, invoice number, field) for each part of the receipt; the leftover is not in it."""
    plan: list[tuple[Order, Decimal, str, str]] = []
    owed: dict[int, Decimal] = {}

    def left(order: Order) -> Decimal:
        return owed.setdefault(order.pk, books.outstanding(order))

    if not allocations:
        rest = amount
        for order in _owed_orders(partner):
            if rest <= 0:
                break
            take = min(left(order), rest)
            plan.append((order, take, "", "amount"))
            rest -= take
        return plan
    if len(allocations) > 200:
        raise ValidationFailed(_("at most 200 allocations"), field="allocations")
    for alloc in allocations:
        if bool(alloc.order) == bool(alloc.invoice):
            raise ValidationFailed(_("name either an order or an invoice"), field=alloc.field)
        orders = ([_order_of(partner, alloc.order, alloc.field)] if alloc.order
                  else _invoice_orders(partner, alloc.invoice, alloc.field))
        wanted = (money(alloc.amount, field=f"{alloc.field}.amount") if alloc.amount not in (None, "")
                  else sum((left(o) for o in orders), ZERO))
        if wanted <= 0:
            raise ValidationFailed(_("nothing is owed there"), field=f"{alloc.field}.amount", code="nothing_owed")
        for order in orders:
            take = min(left(order), wanted)
            if take > 0:
                plan.append((order, take, alloc.invoice, f"{alloc.field}.amount"))
                owed[order.pk] -= take
                wanted -= take
        if wanted > 0:
            raise ValidationFailed(_("%(a)s more than is owed there") % {"a": wanted}, field=f"{alloc.field}.amount",
                                   code="over_settlement")
    return plan


def record_receipt(*, partner: Partner, amount, actor: Actor, date=None, account: str = "1002",
                   reference: str = "", allocations: list[AllocationIn] | None = None) -> Receipt:
    """One payment of a customer over several orders or invoices (given, or the oldest owed first); the
    leftover stays as an advance (预收账款) for later orders."""
    _customer(partner)
    account = _bank(account)
    amount = money(amount, field="amount")
    if amount <= 0:
        raise ValidationFailed(_("the amount must be more than 0"), field="amount")
    day = _date(date, "date") or _today(actor)
    with tx.act():
        # one receipt of a customer at a time: two receipts do not both settle the same order
        Partner.objects.select_for_update().filter(pk=partner.pk).first()
        plan = _plan(partner, amount, allocations)
        applied = sum((p[1] for p in plan), ZERO)
        if applied > amount:
            raise ValidationFailed(_("the allocations (%(a)s) are more than the receipt %(r)s") % {
                "a": applied, "r": amount}, field="allocations", code="over_receipt")
        period = f"{day:%Y%m}"
        receipt = Receipt.objects.create(
            number=f"SK{period}-{numbering.next_number('b2b.receipt', period=period):05d}", partner=partner,
            date=day, amount=amount, account=account, reference=str(reference or "")[:100],
            unapplied=amount - applied, created_at=actor.at, created_by=actor.username[:150])
        for order, part, invoice_number, _field in plan:
            settlement = books.record_settlement(order=order, kind=Settlement.Kind.BANK, amount=part, actor=actor,
                                                 date=day, reference=receipt.number)
            ReceiptAllocation.objects.create(receipt=receipt, order=order, invoice_number=invoice_number,
                                             amount=part, settlement=settlement)
        if receipt.unapplied:
            receipt.advance = receive_advance(partner=partner, amount=receipt.unapplied, actor=actor, date=day,
                                              reference=receipt.number, account=account)
            receipt.save(update_fields=["advance"])
        audit.record_created(receipt, actor=actor, fields=["number", "partner", "amount", "unapplied"])
        _emit("receipt.recorded", "receipt", receipt.number, actor, partner=partner.code, amount=str(amount),
              applied=str(applied), unapplied=str(receipt.unapplied))
        return receipt


# --- master data: groups, price lists, promotions -------------------------------------------------------

def _code(value, field: str) -> str:
    code = str(value or "").strip()
    if not code or len(code) > 40:
        raise ValidationFailed(_("a code of 1 to 40 characters"), field=field)
    return code


def _validity(valid_from, valid_to) -> tuple[datetime.date, datetime.date | None]:
    start = _date(valid_from, "valid_from")
    if start is None:
        raise ValidationFailed(_("the start date is required"), field="valid_from")
    end = _date(valid_to, "valid_to")
    if end is not None and end < start:
        raise ValidationFailed(_("the end date is before the start date"), field="valid_to")
    return start, end


def create_group(*, code: str, name: str, actor: Actor) -> CustomerGroup:
    code = _code(code, "code")
    if CustomerGroup.objects.filter(code=code).exists():
        raise Conflict(_("customer group %(c)s exists") % {"c": code}, field="code", code="duplicate")
    with tx.act():
        group = CustomerGroup.objects.create(code=code, name=str(name or code).strip()[:100])
        audit.record_created(group, actor=actor, fields=["code", "name"])
        return group


def set_group(*, partner: Partner, group: CustomerGroup | None, actor: Actor) -> None:
    """Put a customer in a group (None: out of every group, back to list prices)."""
    _customer(partner)
    with tx.act():
        member = GroupMember.objects.select_for_update().filter(partner=partner).first()
        old = member.group.code if member else ""
        if group is None:
            GroupMember.objects.filter(partner=partner).delete()
        elif member is None:
            GroupMember.objects.create(partner=partner, group=group)
        else:
            GroupMember.objects.filter(pk=member.pk).update(group=group)
        audit.record_act(partner, actor=actor, action="b2b.customer_group",
                         detail=f"{old or '-'} → {group.code if group else '-'}")


@dataclass
class BreakIn:
    sku: str
    unit_price: Decimal | str | int
    min_qty: Decimal | str | int = 1
    field: str = "breaks[0]"


def create_price_list(*, code: str, name: str, group: CustomerGroup, valid_from, valid_to=None,
                      breaks: list[BreakIn], actor: Actor) -> PriceList:
    code = _code(code, "code")
    start, end = _validity(valid_from, valid_to)
    if PriceList.objects.filter(code=code).exists():
        raise Conflict(_("price list %(c)s exists") % {"c": code}, field="code", code="duplicate")
    rows, seen = [], set()
    for b in breaks:
        product = Product.objects.filter(sku=str(b.sku or "").strip()).first()
        if product is None:
            raise NotFound(_("no product %(sku)s") % {"sku": str(b.sku)[:64]}, field=f"{b.field}.sku",
                           code="unknown_sku")
        min_qty = to_decimal(b.min_qty, field=f"{b.field}.min_qty")
        price = money(b.unit_price, field=f"{b.field}.unit_price")
        if min_qty <= 0 or min_qty > Decimal("1000000000") or price < 0:
            raise ValidationFailed(_("a break is from more than 0 units at a price of 0 or more"), field=b.field)
        if (product.pk, min_qty) in seen:
            raise ValidationFailed(_("%(sku)s has two breaks from %(q)s") % {"sku": product.sku, "q": min_qty},
                                   field=f"{b.field}.min_qty")
        seen.add((product.pk, min_qty))
        rows.append((product, min_qty, price))
    with tx.act():
        price_list = PriceList.objects.create(code=code, name=str(name or code).strip()[:100], group=group,
                                              valid_from=start, valid_to=end)
        PriceBreak.objects.bulk_create([PriceBreak(price_list=price_list, product=p, min_qty=q, unit_price=u)
                                        for p, q, u in rows])
        audit.record_created(price_list, actor=actor, fields=["code", "group", "valid_from", "valid_to"])
        return price_list


def create_promotion(*, code: str, name: str, kind: str, valid_from, valid_to=None, group: CustomerGroup | None = None,
                     threshold=0, amount=0, percent=0, gift_sku: str = "", gift_qty=0, actor: Actor) -> Promotion:
    code = _code(code, "code")
    if kind not in Promotion.Kind.values:
        raise ValidationFailed(_("kind is spend_save, percent or gift"), field="kind")
    start, end = _validity(valid_from, valid_to)
    threshold, amount = money(threshold or 0, field="threshold"), money(amount or 0, field="amount")
    percent, gift_qty = to_decimal(percent or 0, field="percent"), to_decimal(gift_qty or 0, field="gift_qty")
    if threshold < 0 or amount < 0:
        raise ValidationFailed(_("amounts cannot be negative"), field="amount" if amount < 0 else "threshold")
    gift = None
    if kind == Promotion.Kind.SPEND_SAVE and not (0 < amount <= threshold):
        raise ValidationFailed(_("满减: save more than 0 and at most the threshold"), field="amount")
    if kind == Promotion.Kind.PERCENT and (not 0 < percent < 100 or percent != percent.quantize(Decimal("0.01"))):
        raise ValidationFailed(_("折扣: a percentage off between 0 and 100"), field="percent")
    if kind == Promotion.Kind.GIFT:
        gift = Product.objects.filter(sku=str(gift_sku or "").strip(), active=True).first()
        if gift is None:
            raise NotFound(_("no active product %(sku)s") % {"sku": str(gift_sku)[:64]}, field="gift_sku",
                           code="unknown_sku")
        if gift_qty <= 0 or gift_qty > Decimal("1000000"):
            raise ValidationFailed(_("the gift quantity must be more than 0"), field="gift_qty")
    if Promotion.objects.filter(code=code).exists():
        raise Conflict(_("promotion %(c)s exists") % {"c": code}, field="code", code="duplicate")
    with tx.act():
        promo = Promotion.objects.create(code=code, name=str(name or code).strip()[:100], kind=kind, group=group,
                                         valid_from=start, valid_to=end, threshold=threshold, amount=amount,
                                         percent=percent, gift_product=gift, gift_qty=gift_qty)
        audit.record_created(promo, actor=actor, fields=["code", "kind", "group", "valid_from", "valid_to"])
        return promo

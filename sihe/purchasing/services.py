"""Purchasing acts: create, submit, approve, confirm (→ the warehouse's expected receipt), cancel
and close purchase orders; record what the warehouse received; post supplier invoices (three-way
match), payments and returns. Each is one transaction; the edge opens it durable.

Books (the rules are data, seeded by this app's migration 0002 and editable on /ledger/rules/):
- receipt (by the warehouse, through costing): 库存商品 1405 / 应付账款—暂估 2202.02 at the PO cost;
- supplier invoice (`purchasing.invoice`): Dr 2202.02 the estimate of the invoiced quantity at the
  receipt cost, Dr 2221.01.01 进项税额, Cr 2202.01 应付账款 (partner = supplier); the price
  variance (invoice net − estimate) within tolerance goes to 5401 主营业务成本 (Dr when dearer, Cr
  when cheaper), as does the tax of a 普票 (or any invoice of a 小规模纳税人); then costing's 入库成本调整
  (`stock.revaluation`) moves the share of both that belongs to goods still in stock from 5401 into
  1405, so the stock carries its purchase cost (小企业会计准则 第十二条) and stock = 1405 holds;
- payment (`payment.bank`): Dr 2202.01 / Cr 1002 银行存款;
- return to supplier: the receipt moves are reversed through costing (Dr 2202.02 / Cr 1405 at the
  receipt cost); only received, not yet invoiced goods can be returned.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sihe.catalog.models import Partner, Product, Warehouse
from sihe.core import audit, numbering
from sihe.core.actor import Actor
from sihe.core.errors import Conflict, NotFound, PermissionDenied, Problems, ValidationFailed
from sihe.core.money import money, round_money, round_unit_cost, to_decimal
from sihe.core.outbox import emit
from sihe.ledger.services import book
from sihe.ledger.vat import selectors as vat_selectors
from sihe.purchasing import conf, events, transitions
from sihe.purchasing.errors import ApprovalRequired, OutOfTolerance
from sihe.purchasing.models import (
    ApprovalRule,
    PaymentAllocation,
    PurchaseApproval,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    SupplierInvoice,
    SupplierInvoiceLine,
    SupplierPayment,
)
from sihe.stock.units import to_base

ZERO = Decimal(0)
Status = PurchaseOrder.Status
SOURCE_TYPE = "purchase_order"
NUMBER_SERIES = "purchasing.order"  # PO000001, PO000002 … gapless (core.numbering)
PAYMENT_SERIES = "purchasing.payment"  # PAY000001 …
MAX_TAX_RATE = Decimal("0.17")


@dataclass
class OrderLine:
    product: Product
    qty: Decimal | str
    price: Decimal | str
    tax_rate: Decimal | str | None = None
    unit: str | None = None
    field: str = "lines[0]"


@dataclass
class InvoiceLine:
    product: Product
    qty: Decimal | str
    price: Decimal | str
    tax_rate: Decimal | str | None = None
    unit: str | None = None
    line_no: int | None = None
    field: str = "lines[0]"


@dataclass
class ReturnLine:
    order_line: PurchaseOrderLine
    qty: Decimal | str
    lot: object | None = None  # sihe.stock.models.Lot
    location: object | None = None  # sihe.catalog.models.Location
    field: str = "lines[0]"


def local_date(actor: Actor) -> datetime.date:
    return timezone.localdate(actor.at)


def _locked(order: PurchaseOrder) -> PurchaseOrder:
    return PurchaseOrder.objects.select_for_update().select_related("supplier", "warehouse").get(pk=order.pk)


def _set_status(order: PurchaseOrder, target: str, actor: Actor) -> None:
    if order.status == target:
        return
    transitions.check(order.status, target)
    before = audit.snapshot(order, ["status"])
    order.status = target
    order.save(update_fields=["status"])
    audit.record_changes(order, actor=actor, before=before)


def _tax_rate(value, *, field: str, default: Decimal) -> Decimal:
    if value is None or value == "":
        return Decimal(str(default))
    rate = to_decimal(value, field=field)
    if rate < 0 or rate > MAX_TAX_RATE or rate != rate.quantize(Decimal("0.01")):
        raise ValidationFailed(_("tax rate must be between 0 and 0.17 with two decimals, e.g. 0.13"), field=field)
    return rate


def _price(value, *, field: str) -> Decimal:
    price = to_decimal(value, field=field)
    if price < 0:
        raise ValidationFailed(_("price must be 0 or more"), field=field)
    if price >= Decimal("1e12") or price != price.quantize(Decimal("0.000001")):
        raise ValidationFailed(_("price must be below 10¹² with at most 6 decimals"), field=field)
    return price


def _qty(product: Product, value, unit: str | None, *, field: str) -> tuple[Decimal, Decimal]:
    """(quantity as given, in base units); beyond 10¹² refused before any rounding (quantize would fail)."""
    given = to_decimal(value, field=field)
    if abs(given) >= Decimal("1e12"):
        raise ValidationFailed(_("quantity is too large"), field=field)
    return given, to_base(product, given, unit, field=field)


def _amounts(unit_qty: Decimal, price: Decimal, rate: Decimal, field: str) -> tuple[Decimal, Decimal, Decimal]:
    net = money(unit_qty * price, field=field)
    tax = round_money(net * rate)
    return net, tax, net + tax


# -- purchase orders ------------------------------------------------------------------------------


def build_order_lines(lines: list[OrderLine], problems: Problems | None = None) -> tuple[list[PurchaseOrderLine], Problems]:
    """The order lines, with every problem of every line (quantity, price, tax rate) collected, so a
    buyer sees all of them at once."""
    problems = problems if problems is not None else Problems()
    built = []
    for line in lines:
        f = line.field
        with problems.collect():
            if not line.product.active:
                raise ValidationFailed(_("product %(sku)s is inactive") % {"sku": line.product.sku}, field=f"{f}.sku")
        values = {}
        for name, read in (("qty", lambda ln=line, f=f: _qty(ln.product, ln.qty, ln.unit, field=f"{f}.qty")),
                           ("price", lambda ln=line, f=f: _price(ln.price, field=f"{f}.price")),
                           ("rate", lambda ln=line, f=f: _tax_rate(ln.tax_rate, field=f"{f}.tax_rate",
                                                                   default=ln.product.tax_rate))):
            with problems.collect():
                values[name] = read()
        if len(values) < 3:
            continue
        (unit_qty, qty), price, rate = values["qty"], values["price"], values["rate"]
        with problems.collect():
            net, tax, total = _amounts(unit_qty, price, rate, f"{f}.price")
            built.append(PurchaseOrderLine(
                product=line.product, qty=qty, unit=line.unit or line.product.uom.code, unit_qty=unit_qty,
                price=price, unit_cost=round_unit_cost(price * unit_qty / qty), tax_rate=rate, net=net, tax=tax,
                total=total))
    return built, problems


def create_order(*, supplier: Partner, warehouse: Warehouse, lines: list[OrderLine], actor: Actor,
                 expected_date: datetime.date | None = None, memo: str = "") -> PurchaseOrder:
    """A draft purchase order. Prices exclude tax and are per purchase unit (`unit`, default the base unit)."""
    if supplier.kind not in ("supplier", "both"):
        raise ValidationFailed(_("partner %(code)s is not a supplier") % {"code": supplier.code}, field="supplier")
    if not supplier.active:
        raise ValidationFailed(_("supplier %(code)s is inactive") % {"code": supplier.code}, field="supplier")
    if not warehouse.active:
        raise ValidationFailed(_("warehouse %(code)s is inactive") % {"code": warehouse.code}, field="warehouse")
    if not lines:
        raise ValidationFailed(_("a purchase order needs at least one line"), field="lines")
    if len(lines) > 500:
        raise ValidationFailed(_("at most 500 lines"), field="lines")
    today = local_date(actor)
    if expected_date is not None and expected_date < today - datetime.timedelta(days=366):
        raise ValidationFailed(_("expected date is more than a year ago"), field="expected_date")
    built, problems = build_order_lines(lines)
    problems.raise_if_any()
    with transaction.atomic():
        order = PurchaseOrder.objects.create(
            number=f"PO{numbering.next_number(NUMBER_SERIES):06d}", supplier=supplier, warehouse=warehouse,
            order_date=today, expected_date=expected_date, memo=memo[:200], created_by_id=actor.user_id,
            created_by=actor.username, created_at=actor.at,
            net=sum((b.net for b in built), ZERO), tax=sum((b.tax for b in built), ZERO),
            total=sum((b.total for b in built), ZERO))
        for i, b in enumerate(built, start=1):
            b.order, b.line_no = order, i
        PurchaseOrderLine.objects.bulk_create(built)
        audit.record_created(order, actor=actor, fields=["number", "supplier", "warehouse", "expected_date", "total"])
        events.order_event("purchasing.po.created", order, actor=actor, total=events.m(order.total))
    return order


def approvers_text(rules: list[ApprovalRule]) -> str:
    """Who must approve, in words a buyer reads: "经理（金额≥¥50,000.00）、管理员（金额≥¥200,000.00）"."""
    from django.utils.translation import get_language

    from sihe.core.roles import ROLES

    separator = "、" if (get_language() or "zh").startswith("zh") else ", "
    return separator.join(_("%(role)s (from ¥%(amount)s)") % {"role": ROLES.get(r.role, r.role),
                                                          "amount": f"{r.min_amount:,.2f}"} for r in rules)


def required_rules(order: PurchaseOrder) -> list[ApprovalRule]:
    return list(ApprovalRule.objects.filter(active=True, min_amount__lte=order.total).order_by("level"))


def missing_levels(order: PurchaseOrder) -> list[ApprovalRule]:
    done = set(PurchaseApproval.objects.filter(order=order).values_list("level", flat=True))
    return [rule for rule in required_rules(order) if rule.level not in done]


def submit(*, order: PurchaseOrder, actor: Actor) -> PurchaseOrder:
    """draft → pending_approval (or approved when no approval is needed)."""
    with transaction.atomic():
        order = _locked(order)
        _set_status(order, Status.PENDING_APPROVAL if missing_levels(order) else Status.APPROVED, actor)
    return order


def approve(*, order: PurchaseOrder, actor: Actor, note: str = "") -> PurchaseOrder:
    """Approve the next missing level. The approver holds that level's role (or is an admin), is
    not the order's maker and has not approved another level of the same order."""
    with transaction.atomic():
        order = _locked(order)
        if order.status not in (Status.DRAFT, Status.PENDING_APPROVAL):
            raise Conflict(_("only a draft or pending order can be approved; this one is %(s)s")
                           % {"s": order.get_status_display()}, field="status", code="invalid_transition")
        missing = missing_levels(order)
        if not missing:
            raise Conflict(_("purchase order %(n)s needs no (further) approval") % {"n": order.number}, field="status",
                           code="nothing_to_approve")
        rule = missing[0]
        _check_approver(order, rule, actor)
        if PurchaseApproval.objects.filter(order=order, user_id=actor.user_id, username=actor.username).exists():
            raise PermissionDenied(_("each level needs a different approver"), field="approver", code="already_approved")
        PurchaseApproval.objects.create(order=order, level=rule.level, role=rule.role, user_id=actor.user_id,
                                        username=actor.username, at=actor.at)
        detail = _("approval level %(level)s") % {"level": rule.level}
        note = str(note or "").strip()
        audit.record_act(order, actor=actor, action="approve", detail=(f"{detail}: {note}" if note else detail)[:200])
        _set_status(order, Status.APPROVED if len(missing) == 1 else Status.PENDING_APPROVAL, actor)
        events.order_event("purchasing.po.approved", order, actor=actor, level=rule.level)
    return order


def _check_approver(order: PurchaseOrder, rule: ApprovalRule, actor: Actor) -> None:
    if actor.user_id is not None and actor.user_id == order.created_by_id:
        raise PermissionDenied(_("the maker of a purchase order cannot approve it"), field="approver",
                               code="own_order")
    if actor.role not in (rule.role, "admin"):
        raise PermissionDenied(_("level %(l)s needs a %(r)s") % {"l": rule.level, "r": rule.role}, field="approver",
                               code="wrong_role")


def refuse(*, order: PurchaseOrder, actor: Actor, note: str) -> PurchaseOrder:
    """An approver sends a pending order back to its maker as a draft, saying why: the approvals given so far
    are void (the buyer changes the order and submits it again). Only who could approve the next level may."""
    note = str(note or "").strip()
    if not note:
        raise ValidationFailed(_("say why the purchase order is refused"), field="note", code="note_required")
    with transaction.atomic():
        order = _locked(order)
        if order.status != Status.PENDING_APPROVAL:
            raise Conflict(_("only an order pending approval can be refused; this one is %(s)s")
                           % {"s": order.get_status_display()}, field="status", code="invalid_transition")
        missing = missing_levels(order)
        if missing:
            _check_approver(order, missing[0], actor)
        PurchaseApproval.objects.filter(order=order).delete()
        audit.record_act(order, actor=actor, action="refuse", detail=note[:200])
        _set_status(order, Status.DRAFT, actor)
        events.order_event("purchasing.po.refused", order, actor=actor, note=note[:200])
    return order


def confirm(*, order: PurchaseOrder, actor: Actor) -> PurchaseOrder:
    """Confirm to the supplier: the warehouse's expected receipt (ASN) is created in this same
    transaction and `purchasing.po.confirmed` is emitted."""
    from sihe.wms.inbound import services as inbound

    with transaction.atomic():
        order = _locked(order)
        if order.status not in (Status.DRAFT, Status.PENDING_APPROVAL, Status.APPROVED):
            raise Conflict(_("purchase order %(n)s is already %(s)s") % {"n": order.number,
                                                                        "s": order.get_status_display()},
                           field="status", code="invalid_transition")
        missing = missing_levels(order)
        if missing:
            raise ApprovalRequired(
                _("purchase order %(n)s (¥%(t)s) must be approved first by: %(levels)s")
                % {"n": order.number, "t": f"{order.total:,.2f}", "levels": approvers_text(missing)},
                field="status", missing=[{"level": r.level, "role": r.role} for r in missing])
        lines = list(order.lines.select_related("product").order_by("line_no"))
        asn = inbound.expect_receipt(
            warehouse=order.warehouse, supplier=order.supplier, source_type=SOURCE_TYPE, source_id=str(order.pk),
            source_number=order.number, expected_date=order.expected_date,
            lines=[inbound.ExpectedLine(product=ln.product, qty=ln.qty, unit_cost=ln.unit_cost,
                                        source_line_id=str(ln.pk)) for ln in lines],
            actor=actor)
        before = audit.snapshot(order, ["asn_id"])
        order.asn_id, order.confirmed_at = asn.pk, actor.at
        order.save(update_fields=["asn_id", "confirmed_at"])
        audit.record_changes(order, actor=actor, before=before)
        _set_status(order, Status.CONFIRMED, actor)
        events.order_event(
            "purchasing.po.confirmed", order, actor=actor, supplier=order.supplier.code,
            warehouse=order.warehouse.code, asn_id=asn.pk,
            expected_date=order.expected_date.isoformat() if order.expected_date else None,
            lines=[{"line": ln.line_no, "sku": ln.product.sku, "qty": events.d(ln.qty),
                    "unit_cost": events.d(ln.unit_cost)} for ln in lines])
    return order


def _end_asn(order: PurchaseOrder, actor: Actor) -> None:
    """The warehouse stops expecting the rest: its ASN is cancelled (nothing received) or closed short."""
    if not order.asn_id:
        return
    from sihe.wms.inbound import services as inbound
    from sihe.wms.inbound.models import Asn

    asn = Asn.objects.filter(pk=order.asn_id).first()
    if asn is None or not asn.is_open:
        return
    if asn.lines.filter(received_qty__gt=0).exists():
        inbound.close_asn(asn=asn, actor=actor)
    else:
        inbound.cancel_asn(asn=asn, actor=actor)


def cancel(*, order: PurchaseOrder, actor: Actor) -> PurchaseOrder:
    """Cancel an order on which nothing was received (a confirmed one cancels its ASN too)."""
    with transaction.atomic():
        order = _locked(order)
        _set_status(order, Status.CANCELLED, actor)
        _end_asn(order, actor)
        events.order_event("purchasing.po.cancelled", order, actor=actor)
    return order


def close(*, order: PurchaseOrder, actor: Actor) -> PurchaseOrder:
    """Close an order that will receive nothing more (short-closed, or received in full); the
    warehouse's expected receipt is closed short with it."""
    with transaction.atomic():
        order = _locked(order)
        _set_status(order, Status.CLOSED, actor)
        _end_asn(order, actor)
        events.order_event("purchasing.po.closed", order, actor=actor)
    return order


def _progress_status(order: PurchaseOrder) -> str:
    lines = list(PurchaseOrderLine.objects.filter(order=order).values_list("qty", "received_qty", "returned_qty"))
    if all(received - returned >= qty for qty, received, returned in lines):
        return Status.RECEIVED
    if any(received - returned > 0 for _qty, received, returned in lines):
        return Status.PARTIALLY_RECEIVED
    return Status.CONFIRMED


def record_receipt(*, asn, received, actor: Actor) -> PurchaseOrder | None:
    """The warehouse's receipt hook (registered in PurchasingConfig.ready): runs inside the receipt's
    transaction, so the PO shows received / ordered and its status as soon as a receipt is done."""
    if getattr(asn, "source_type", None) != SOURCE_TYPE:
        return None
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update().filter(pk=int(asn.source_id)).first()
        if order is None:
            return None
        lines = {str(ln.pk): ln for ln in PurchaseOrderLine.objects.filter(order=order).select_related("product")}
        touched = []
        for asn_line, qty in received:
            line = lines.get(str(asn_line.source_line_id))
            if line is None or not qty:
                continue
            qty = Decimal(qty)
            value = round_money(qty * line.unit_cost)
            PurchaseOrderLine.objects.filter(pk=line.pk).update(received_qty=F("received_qty") + qty,
                                                                received_value=F("received_value") + value)
            Receipt.objects.create(line=line, qty=qty, value=value, asn_id=asn.pk, asn_line_id=asn_line.pk,
                                   at=actor.at, username=actor.username)
            touched.append(line)
        if not touched:
            return order
        if order.status in (Status.CONFIRMED, Status.PARTIALLY_RECEIVED, Status.RECEIVED):
            _set_status(order, _progress_status(order), actor)
        fresh = PurchaseOrderLine.objects.filter(order=order).select_related("product").order_by("line_no")
        events.order_event("purchasing.po.received", order, actor=actor, lines=[
            {"line": ln.line_no, "sku": ln.product.sku, "ordered": events.d(ln.qty),
             "received": events.d(ln.received_qty - ln.returned_qty)} for ln in fresh])
    return order


def record_rejection(*, asn, rejected, actor: Actor) -> PurchaseOrder | None:
    """The warehouse's rejection hook: goods received into quality hold and rejected back to the
    supplier count as returned (the warehouse reverses their receipt at the receipt cost)."""
    return _record_return(asn=asn, entries=[(asn_line.source_line_id, asn_line.pk, qty) for asn_line, qty in rejected],
                          actor=actor)


def _record_return(*, asn, entries, actor: Actor) -> PurchaseOrder | None:
    if getattr(asn, "source_type", None) != SOURCE_TYPE:
        return None
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update().filter(pk=int(asn.source_id)).first()
        if order is None:
            return None
        lines = {str(ln.pk): ln for ln in PurchaseOrderLine.objects.filter(order=order)}
        changed = False
        for source_line_id, asn_line_id, qty in entries:
            line = lines.get(str(source_line_id))
            if line is None or not qty:
                continue
            qty = Decimal(qty)
            value = round_money(qty * line.unit_cost)
            PurchaseOrderLine.objects.filter(pk=line.pk).update(returned_qty=F("returned_qty") + qty,
                                                                returned_value=F("returned_value") + value)
            Receipt.objects.create(line=line, qty=-qty, value=-value, asn_id=asn.pk, asn_line_id=asn_line_id,
                                   kind="return", at=actor.at, username=actor.username)
            changed = True
        if changed and order.status in (Status.CONFIRMED, Status.PARTIALLY_RECEIVED, Status.RECEIVED):
            _set_status(order, _progress_status(order), actor)
    return order


# -- supplier invoices (three-way match) ----------------------------------------------------------


def _match_line(order_lines: list[PurchaseOrderLine], line: InvoiceLine) -> PurchaseOrderLine:
    if line.line_no is not None:
        found = next((ln for ln in order_lines if ln.line_no == line.line_no), None)
        if found is None or found.product_id != line.product.pk:
            raise ValidationFailed(_("the order has no line %(n)s of %(sku)s") % {"n": line.line_no,
                                                                                 "sku": line.product.sku},
                                   field=f"{line.field}.line")
        return found
    candidates = [ln for ln in order_lines if ln.product_id == line.product.pk]
    if not candidates:
        raise OutOfTolerance(_("%(sku)s is not on the purchase order") % {"sku": line.product.sku},
                             field=f"{line.field}.sku")
    open_ = [ln for ln in candidates if ln.received_qty - ln.returned_qty - ln.invoiced_qty > 0]
    return (open_ or candidates)[0]


def _into_stock_cost(order: PurchaseOrder, planned: list, *, deductible: bool, date: datetime.date, actor: Actor,
                     document: str) -> None:
    """The price variance and the tax that cannot be deducted belong to the goods' cost (小企业会计准则 第十二条):
    costing's 入库成本调整 moves the share still in stock from 主营业务成本, where the invoice booked it, into 库存商品,
    by warehouse in proportion to what each received of the line (the receipts' ASN numbers are the moves'
    references, so FIFO puts it on those receipts' layers)."""
    from sihe.costing import services as costing
    from sihe.wms.inbound.models import Asn

    revaluations = []
    for target, inv_line, _estimate in planned:
        amount = inv_line.variance + (ZERO if deductible else inv_line.tax)
        if not amount:
            continue
        received: dict[int, Decimal] = {}
        for asn_id, qty in Receipt.objects.filter(line=target).exclude(asn_id=None).values_list("asn_id", "qty"):
            received[asn_id] = received.get(asn_id, ZERO) + qty
        asns = Asn.objects.filter(pk__in=[k for k, q in received.items() if q > 0]).select_related("warehouse")
        by_warehouse: dict[int, list] = {}
        for asn in asns:
            entry = by_warehouse.setdefault(asn.warehouse_id, [asn.warehouse, ZERO, []])
            entry[1] += received[asn.pk]
            entry[2].append(asn.number)
        if not by_warehouse:
            by_warehouse = {order.warehouse_id: [order.warehouse, Decimal(1), []]}
        total, left, entries = sum((e[1] for e in by_warehouse.values()), ZERO), amount, list(by_warehouse.values())
        for i, (warehouse, qty, numbers) in enumerate(entries):
            share = left if i == len(entries) - 1 else round_money(amount * qty / total)
            left -= share
            revaluations.append(costing.Revaluation(
                product=target.product, warehouse=warehouse, amount=share, qty=inv_line.qty * qty / total,
                receipts=tuple(numbers), goods=f"{target.product.name}×{inv_line.qty.normalize():f}"))
    if revaluations:
        costing.revalue(lines=revaluations, date=date, actor=actor, document=document)


def post_invoice(*, order: PurchaseOrder, number: str, lines: list[InvoiceLine], actor: Actor,
                 invoice_date: datetime.date | None = None, due_date: datetime.date | None = None,
                 vat_type: str = SupplierInvoice.VatType.SPECIAL) -> SupplierInvoice:
    """A supplier's invoice against a purchase order, matched line by line with what was ordered
    and received: the quantity may not exceed the received, not yet invoiced quantity (+ the
    quantity tolerance) and the price may differ from the order's by the price tolerance at most.
    Outside tolerance the invoice is refused with the line and the reason; nothing is booked.

    The invoice's type decides where its tax goes: a 专票 of a 一般纳税人 buyer to 应交税费—待认证进项税额 until
    `certify_invoices` (勾选/认证) moves it to 进项税额; a 普票 — or any invoice of a 小规模纳税人 buyer — into cost,
    where the price variance goes: the share of the goods still in stock into their cost (入库成本调整), the rest
    to 5401; a 免税 invoice carries no tax."""
    if vat_type not in SupplierInvoice.VatType.values:
        raise ValidationFailed(_("the invoice type must be one of %(t)s") % {"t": ", ".join(SupplierInvoice.VatType.values)},
                               field="vat_type")
    number = (number or "").strip()
    if not number or len(number) > 40:
        raise ValidationFailed(_("invoice number is required (at most 40 characters)"), field="number")
    if not lines:
        raise ValidationFailed(_("an invoice needs at least one line"), field="lines")
    invoice_date = invoice_date or local_date(actor)
    due_date = due_date or invoice_date + datetime.timedelta(days=conf.payment_days())
    if due_date < invoice_date:
        raise ValidationFailed(_("due date is before the invoice date"), field="due_date")
    price_tol, qty_tol = conf.price_tolerance(), conf.qty_tolerance()
    with transaction.atomic():
        order = _locked(order)
        if order.status not in (Status.PARTIALLY_RECEIVED, Status.RECEIVED, Status.CLOSED, Status.CONFIRMED):
            raise Conflict(_("purchase order %(n)s is %(s)s: nothing to invoice")
                           % {"n": order.number, "s": order.get_status_display()}, field="purchase_order",
                           code="invalid_transition")
        if SupplierInvoice.objects.filter(supplier=order.supplier, number=number).exists():
            raise Conflict(_("invoice %(n)s of %(s)s is already posted") % {"n": number, "s": order.supplier.code},
                           field="number", code="duplicate_invoice")
        order_lines = list(PurchaseOrderLine.objects.select_for_update().filter(order=order)
                           .select_related("product").order_by("line_no"))
        by_pk = {ln.pk: ln for ln in order_lines}
        planned: list[tuple[PurchaseOrderLine, SupplierInvoiceLine, Decimal]] = []
        for line in lines:
            f = line.field
            target = by_pk[_match_line(order_lines, line).pk]
            unit_qty, qty = _qty(line.product, line.qty, line.unit, field=f"{f}.qty")
            price = _price(line.price, field=f"{f}.price")
            unit_price = price * unit_qty / qty  # per base unit
            rate = _tax_rate(line.tax_rate, field=f"{f}.tax_rate", default=target.tax_rate)
            if rate != target.tax_rate:
                raise OutOfTolerance(_("line %(n)s: tax rate %(r)s differs from the order's %(o)s")
                                     % {"n": target.line_no, "r": rate, "o": target.tax_rate}, field=f"{f}.tax_rate",
                                     reason="tax_rate")
            open_qty = target.received_qty - target.returned_qty - target.invoiced_qty
            open_value = target.received_value - target.returned_value - target.invoiced_value
            allowed = max(open_qty, ZERO) * (1 + qty_tol)
            if open_qty <= 0 or qty > allowed:
                raise OutOfTolerance(
                    _("line %(n)s %(sku)s: invoiced %(q)s but only %(open)s received and not yet invoiced")
                    % {"n": target.line_no, "sku": target.product.sku, "q": events.d(qty),
                       "open": events.d(max(open_qty, ZERO))},
                    field=f"{f}.qty", reason="quantity", open_qty=events.d(max(open_qty, ZERO)))
            ordered_price = target.unit_cost
            limit = ordered_price * price_tol
            if abs(unit_price - ordered_price) > limit:
                raise OutOfTolerance(
                    _("line %(n)s %(sku)s: price %(p)s differs from the order's %(o)s by more than %(t)s%%")
                    % {"n": target.line_no, "sku": target.product.sku, "p": events.d(round_unit_cost(unit_price)),
                       "o": events.d(ordered_price), "t": events.d(price_tol * 100)},
                    field=f"{f}.price", reason="price", ordered_price=events.d(ordered_price))
            take = min(qty, open_qty)
            estimate = open_value if take == open_qty else round_money(open_value * take / open_qty)
            net, tax, _total = _amounts(unit_qty, price, rate, f"{f}.price")
            target.invoiced_qty += qty
            target.invoiced_value += estimate
            planned.append((target, SupplierInvoiceLine(order_line=target, qty=qty, price=round_unit_cost(unit_price),
                                                        tax_rate=rate, net=net, tax=tax, estimate=estimate,
                                                        variance=net - estimate), estimate))
        net = sum((p[1].net for p in planned), ZERO)
        tax = sum((p[1].tax for p in planned), ZERO)
        if vat_type == SupplierInvoice.VatType.EXEMPT and tax:
            raise ValidationFailed(_("a tax-exempt invoice carries no tax: give its lines tax rate 0"),
                                   field="lines[0].tax_rate", code="exempt_with_tax")
        deductible = vat_type == SupplierInvoice.VatType.SPECIAL and not vat_selectors.is_small_scale()
        estimate = sum((p[1].estimate for p in planned), ZERO)
        variance = net - estimate
        invoice = SupplierInvoice.objects.create(
            supplier=order.supplier, order=order, number=number, invoice_date=invoice_date, due_date=due_date,
            net=net, tax=tax, total=net + tax, estimate=estimate, price_variance=variance, created_by=actor.username,
            created_at=actor.at, vat_type=vat_type, deductible=deductible)
        for _target, inv_line, _est in planned:
            inv_line.invoice = invoice
        SupplierInvoiceLine.objects.bulk_create([p[1] for p in planned])
        for target in {p[0].pk: p[0] for p in planned}.values():
            PurchaseOrderLine.objects.filter(pk=target.pk).update(invoiced_qty=target.invoiced_qty,
                                                                  invoiced_value=target.invoiced_value)
        voucher = book(rule="purchasing.invoice", date=invoice_date,
                       amounts={"estimate": estimate, "tax": ZERO, "tax_pending": tax if deductible else ZERO,
                                "tax_cost": ZERO if deductible else tax, "total": net + tax,
                                "variance": max(variance, ZERO), "variance_credit": max(-variance, ZERO)},
                       source_type="supplier_invoice", source_id=str(invoice.pk),
                       memo=f"采购发票 {number} {order.number} {order.supplier.name}"[:200], actor=actor,
                       dimensions={"partner": order.supplier.code}, document=f"{order.number} 发票 {number}")
        invoice.voucher_id = voucher.pk if voucher else None
        invoice.save(update_fields=["voucher_id"])
        _into_stock_cost(order, planned, deductible=deductible, date=invoice_date, actor=actor,
                         document=f"{order.number} 发票 {number}")
        audit.record_created(invoice, actor=actor, fields=["number", "supplier", "order", "total", "price_variance"])
        emit("purchasing.invoice.posted", aggregate_type="supplier_invoice", aggregate_id=invoice.pk, actor=actor,
             payload={"invoice": invoice.pk, "po": order.pk, "supplier": order.supplier.code, "number": number,
                      "net": events.m(net), "tax": events.m(tax), "total": events.m(invoice.total),
                      "price_variance": events.m(variance), "due_date": due_date.isoformat(), "vat_type": vat_type,
                      "deductible": deductible})
    return invoice


def certify_invoices(*, invoices: list[SupplierInvoice], actor: Actor, date: datetime.date | None = None
                     ) -> list[SupplierInvoice]:
    """勾选/认证: the 专票 chosen on the tax platform become deductible this month — their tax moves from
    应交税费—待认证进项税额 to 应交增值税—进项税额 (one voucher per invoice, dated the certification day).
    One invoice not awaiting certification refuses the whole batch; nothing changes."""
    if not invoices:
        raise ValidationFailed(_("choose the invoices to certify"), field="invoices")
    date = date or local_date(actor)
    with transaction.atomic():
        done = []
        for invoice in SupplierInvoice.objects.select_for_update().filter(pk__in=[i.pk for i in invoices]).order_by("id"):
            if not invoice.deductible or invoice.certified_on is not None:
                reason = (_("already certified on %(d)s") % {"d": invoice.certified_on} if invoice.certified_on
                          else _("not a deductible special VAT invoice"))
                raise Conflict(_("invoice %(n)s cannot be certified: %(r)s") % {"n": invoice.number, "r": reason},
                               field="invoices", code="not_awaiting_certification", invoice=invoice.pk)
            if date < invoice.invoice_date:
                raise ValidationFailed(_("invoice %(n)s is dated %(d)s, after the certification day")
                                       % {"n": invoice.number, "d": invoice.invoice_date}, field="date")
            voucher = book(rule="purchasing.invoice.certify", date=date, amounts={"tax": invoice.tax},
                           source_type="supplier_invoice", source_id=str(invoice.pk),
                           memo=f"认证进项税额 发票 {invoice.number}"[:200], actor=actor,
                           document=f"发票 {invoice.number}")
            invoice.certified_on, invoice.certified_by = date, actor.username
            invoice.certify_voucher_id = voucher.pk if voucher else None
            invoice.save(update_fields=["certified_on", "certified_by", "certify_voucher_id"])
            audit.record_act(invoice, actor=actor, action="certify", detail=f"{date.isoformat()} {invoice.tax}")
            emit("purchasing.invoice.certified", aggregate_type="supplier_invoice", aggregate_id=invoice.pk,
                 actor=actor, payload={"invoice": invoice.pk, "number": invoice.number, "tax": events.m(invoice.tax),
                                       "date": date.isoformat()})
            done.append(invoice)
        if len(done) != len({i.pk for i in invoices}):
            raise ValidationFailed(_("an invoice chosen does not exist"), field="invoices")
    return done


# -- payments -------------------------------------------------------------------------------------


def pay(*, supplier: Partner, amount, actor: Actor, date: datetime.date | None = None,
        allocations: list[tuple[SupplierInvoice, Decimal]] | None = None, reference: str = "") -> SupplierPayment:
    """A bank payment to a supplier (Dr 2202.01 / Cr 1002), allocated to the given invoices or,
    without allocations, to the supplier's open invoices oldest due first. More than is open is refused."""
    amount = money(amount, field="amount")
    if amount <= 0:
        raise ValidationFailed(_("amount must be greater than 0"), field="amount")
    date = date or local_date(actor)
    with transaction.atomic():
        open_invoices = list(SupplierInvoice.objects.select_for_update().filter(supplier=supplier)
                             .filter(status__in=transitions.SUPPLIER_INVOICE.actions["pay"][0]).order_by("due_date", "id"))
        by_pk = {inv.pk: inv for inv in open_invoices}
        plan: list[tuple[SupplierInvoice, Decimal]] = []
        if allocations:
            for i, (invoice, part) in enumerate(allocations):
                f = f"allocations[{i}]"
                part = money(part, field=f"{f}.amount")
                inv = by_pk.get(invoice.pk)
                if invoice.supplier_id != supplier.pk:
                    raise ValidationFailed(_("invoice %(n)s is not of supplier %(s)s") % {"n": invoice.number,
                                                                                         "s": supplier.code},
                                           field=f"{f}.invoice")
                if inv is None:
                    raise Conflict(_("invoice %(n)s is already paid") % {"n": invoice.number}, field=f"{f}.invoice",
                                   code="already_paid")
                if part <= 0 or part > inv.open_amount:
                    raise ValidationFailed(_("allocation must be between 0.01 and the open %(o)s")
                                           % {"o": inv.open_amount}, field=f"{f}.amount")
                inv.paid += part
                plan.append((inv, part))
            if sum((p for _i, p in plan), ZERO) != amount:
                raise ValidationFailed(_("allocations must add up to the amount"), field="allocations")
        else:
            rest = amount
            for inv in open_invoices:
                if rest <= 0:
                    break
                part = min(rest, inv.open_amount)
                if part > 0:
                    inv.paid += part
                    plan.append((inv, part))
                    rest -= part
            if rest > 0:
                open_total = sum((inv.total - inv.paid for inv in open_invoices), ZERO) + amount - rest
                raise ValidationFailed(_("amount %(a)s exceeds what is open for %(s)s: %(o)s")
                                       % {"a": amount, "s": supplier.code, "o": open_total}, field="amount",
                                       code="overpayment")
        payment = SupplierPayment.objects.create(
            number=f"PAY{numbering.next_number(PAYMENT_SERIES):06d}", supplier=supplier, date=date, amount=amount,
            reference=(reference or "")[:100], created_by=actor.username, created_at=actor.at)
        for inv, part in plan:
            PaymentAllocation.objects.create(payment=payment, invoice=inv, amount=part)
            status = transitions.SUPPLIER_INVOICE.check(inv.status, "pay" if inv.paid >= inv.total else "pay_part")
            SupplierInvoice.objects.filter(pk=inv.pk).update(paid=F("paid") + part, status=status)
        voucher = book(rule="payment.bank", date=date, amounts={"amount": amount}, source_type="supplier_payment",
                       source_id=str(payment.pk), memo=f"付款 {payment.number} {supplier.name} {reference}".strip()[:200],
                       actor=actor, dimensions={"partner": supplier.code}, document=f"{payment.number} {supplier.name}")
        payment.voucher_id = voucher.pk if voucher else None
        payment.save(update_fields=["voucher_id"])
        audit.record_created(payment, actor=actor, fields=["number", "supplier", "amount", "date"])
        emit("purchasing.payment.posted", aggregate_type="supplier_payment", aggregate_id=payment.pk, actor=actor,
             payload={"payment": payment.pk, "number": payment.number, "supplier": supplier.code,
                      "amount": events.m(amount), "date": date.isoformat(),
                      "allocations": [{"invoice": inv.pk, "number": inv.number, "amount": events.m(part)}
                                      for inv, part in plan]})
    return payment


# -- returns to the supplier ----------------------------------------------------------------------


def return_goods(*, order: PurchaseOrder, lines: list[ReturnLine], actor: Actor, reason: str = "") -> dict:
    """退货: received, not yet invoiced goods go back to the supplier. The stock leaves through
    costing (an issue to 待处理财产损溢 at its cost, by the product's removal strategy or the given
    lot and bin), and `purchasing.return` clears that against the estimate: Dr 2202.02 at the receipt
    cost, Cr 1901 at the stock cost, the difference to 5401. The PO's received quantity drops.
    (Goods already invoiced are returned with a red invoice from the supplier, not here.)"""
    from sihe.costing import services as costing
    from sihe.stock import services as stock
    from sihe.stock.models import Counterpart, StockMove

    if not lines:
        raise ValidationFailed(_("a return needs at least one line"), field="lines")
    with transaction.atomic():
        order = _locked(order)
        if order.status not in (Status.PARTIALLY_RECEIVED, Status.RECEIVED, Status.CLOSED, Status.CONFIRMED):
            raise Conflict(_("purchase order %(n)s is %(s)s: nothing to return")
                           % {"n": order.number, "s": order.get_status_display()}, field="purchase_order",
                           code="invalid_transition")
        order_lines = {ln.pk: ln for ln in PurchaseOrderLine.objects.select_for_update().filter(order=order)
                       .select_related("product")}
        planned = []
        for line in lines:
            f = line.field
            target = order_lines.get(line.order_line.pk)
            if target is None:
                raise ValidationFailed(_("not a line of %(n)s") % {"n": order.number}, field=f"{f}.line")
            _given, qty = _qty(target.product, line.qty, None, field=f"{f}.qty")
            returnable = target.received_qty - target.returned_qty - target.invoiced_qty
            returnable -= sum((q for t, q, _l in planned if t.pk == target.pk), ZERO)
            if qty > returnable:
                raise ValidationFailed(
                    _("line %(n)s %(sku)s: only %(open)s received and not yet invoiced can be returned")
                    % {"n": target.line_no, "sku": target.product.sku, "open": events.d(max(returnable, ZERO))},
                    field=f"{f}.qty", code="too_much", returnable=events.d(max(returnable, ZERO)))
            planned.append((target, qty, line))
        reference = f"RET-{order.number}"
        pairs = costing.take_out(
            kind=StockMove.Kind.ISSUE, counterpart=Counterpart.INVENTORY, warehouse=order.warehouse,
            lines=[stock.OutLine(product=t.product, qty=q, lot=ln.lot, location=ln.location, field=ln.field)
                   for t, q, ln in planned],
            actor=actor, reference=reference, date=local_date(actor))
        cost_by_product: dict[int, Decimal] = {}
        for move, layer in pairs:
            cost_by_product[move.product_id] = cost_by_product.get(move.product_id, ZERO) + (
                -layer.value if layer is not None else ZERO)
        estimate_total = cost_total = ZERO
        out = []
        for target, qty, _line in planned:
            open_qty = target.received_qty - target.returned_qty - target.invoiced_qty
            open_value = target.received_value - target.returned_value - target.invoiced_value
            value = open_value if qty == open_qty else round_money(open_value * qty / open_qty)
            target.returned_qty += qty
            target.returned_value += value
            PurchaseOrderLine.objects.filter(pk=target.pk).update(returned_qty=target.returned_qty,
                                                                  returned_value=target.returned_value)
            Receipt.objects.create(line=target, qty=-qty, value=-value, asn_id=order.asn_id, kind="return",
                                   at=actor.at, username=actor.username)
            estimate_total += value
            out.append({"line": target.line_no, "sku": target.product.sku, "qty": events.d(qty),
                        "value": events.m(value)})
        cost_total = round_money(sum(cost_by_product.values(), ZERO))
        difference = estimate_total - cost_total
        voucher = book(rule="purchasing.return", date=local_date(actor),
                       amounts={"estimate": estimate_total, "cost": cost_total,
                                "variance": max(-difference, ZERO), "variance_credit": max(difference, ZERO)},
                       source_type="purchase_return", source_id=reference,
                       memo=f"退货 {reference} {order.supplier.name} {reason}".strip()[:200], actor=actor,
                       dimensions={"partner": order.supplier.code, "warehouse": order.warehouse.code})
        if order.status in (Status.PARTIALLY_RECEIVED, Status.RECEIVED):
            _set_status(order, _progress_status(order), actor)
        audit.record_act(order, actor=actor, action="return",
                         detail="; ".join(f"{o['sku']} {o['qty']}" for o in out) + (f" ({reason})" if reason else ""))
        events.order_event("purchasing.returned", order, actor=actor, lines=out, reason=reason[:200])
    return {"order": order, "moves": [m for m, _la in pairs], "lines": out, "estimate": estimate_total,
            "cost": cost_total, "voucher_id": voucher.pk if voucher else None}


def get_order(pk) -> PurchaseOrder:
    try:
        number = int(pk)
    except (TypeError, ValueError, OverflowError):
        number = 0
    found = None
    if 0 < number < 2**63:
        found = PurchaseOrder.objects.select_related("supplier", "warehouse").filter(pk=number).first()
    if found is None:
        raise NotFound(_("no purchase order %(id)s") % {"id": pk}, field="id")
    return found

"""B2B sales over the API (issue 16): quotations (报价单) and their acts up to the order, price lists per
customer group, promotions, advance receipts (预收账款), customer receipts over several orders or
invoices, and the customer statement (对账单) as JSON, Excel or PDF.

A converted quotation is an order of the dealer channel: `/api/v1/orders/{id}` and the order pages take
it from there (review with the credit limit, allocation, shipping, invoicing, settlements)."""

import datetime
from decimal import Decimal
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from sihe.api.base import MAX_LINES, Strict
from sihe.api.security import authorize
from sihe.catalog import selectors as catalog
from sihe.core import clock, tx
from sihe.core.money import text
from sihe.oms import selectors as order_selectors
from sihe.oms.b2b import exports, selectors, services

router = Router(tags=["b2b"])
Num = Decimal | str | int
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class QuotationLineIn(Strict):
    sku: str = Field(..., min_length=1, max_length=64)
    qty: Num
    price: Num | None = Field(None, description="a negotiated unit price (tax included); default: the customer's "
                                                "price list on the quotation date, best break for the quantity, "
                                                "else the product's list price")


class QuotationReceiverIn(Strict):
    name: str = Field("", max_length=100)
    phone: str = Field("", max_length=40)
    province: str = Field("", max_length=40)
    city: str = Field("", max_length=40)
    district: str = Field("", max_length=40)
    address: str = Field("", max_length=300)


class QuotationIn(Strict):
    partner: str = Field(..., min_length=1, max_length=40, description="the customer's code")
    lines: list[QuotationLineIn] = Field(..., min_length=1, max_length=200)
    quote_date: datetime.date | None = Field(None, description="pricing date (default today)")
    valid_until: datetime.date | None = Field(None, description="default the quotation date + SIHE_QUOTATION_DAYS")
    receiver: QuotationReceiverIn | None = Field(None, description="default the customer's address and contact")
    note: str = Field("", max_length=300)


class QuotationNoteIn(Strict):
    note: str = Field("", max_length=300)


class QuotationConvertIn(Strict):
    channel: str = Field("", max_length=40, description="the dealer channel's code (default SIHE_B2B_CHANNEL or "
                                                        "the first active dealer channel)")


def _lines(lines: list[QuotationLineIn]) -> list[services.LineIn]:
    return [services.LineIn(sku=ln.sku, qty=ln.qty, price=ln.price, field=f"lines[{i}]") for i, ln in enumerate(lines)]


@router.post("/quotations", response={201: dict},
             summary="Make a quotation (报价单): prices from the customer's group list, promotions spread over lines")
def create_quotation(request, payload: QuotationIn):
    actor = authorize(request, "orders.manage")
    with tx.entry():
        quotation = services.create_quotation(
            partner=selectors.customer(payload.partner), lines=_lines(payload.lines), actor=actor,
            quote_date=payload.quote_date, valid_until=payload.valid_until,
            receiver=payload.receiver.dict() if payload.receiver else None, note=payload.note)
    return 201, selectors.quotation_out(selectors.quotation(quotation.pk))


@router.get("/quotations", response=list[dict], summary="Quotations, newest first")
def list_quotations(request, status: str = "", partner: str = ""):
    authorize(request, "orders.view")
    return [selectors.quotation_out(q) for q in selectors.quotations(status=status, partner=partner)[:500]]


@router.get("/quotations/{quotation_id}", response=dict, summary="One quotation (by id or number)")
def get_quotation(request, quotation_id: str):
    authorize(request, "orders.view")
    return selectors.quotation_out(selectors.quotation(quotation_id))


def _act(request, quotation_id: str, verb, note: str = "") -> dict:
    actor = authorize(request, "orders.manage")
    with tx.entry():
        verb(quotation=selectors.quotation(quotation_id), actor=actor, note=note)
    return selectors.quotation_out(selectors.quotation(quotation_id))


@router.post("/quotations/{quotation_id}/send", response=dict, summary="Send the quotation to the customer")
def send(request, quotation_id: str, payload: QuotationNoteIn | None = None):
    return _act(request, quotation_id, services.send, payload.note if payload else "")


@router.post("/quotations/{quotation_id}/accept", response=dict,
             summary="The customer accepts (refused after the validity date: `quotation_expired`)")
def accept(request, quotation_id: str, payload: QuotationNoteIn | None = None):
    return _act(request, quotation_id, services.accept, payload.note if payload else "")


@router.post("/quotations/{quotation_id}/cancel", response=dict, summary="Cancel a quotation not yet an order")
def cancel(request, quotation_id: str, payload: QuotationNoteIn | None = None):
    return _act(request, quotation_id, services.cancel, payload.note if payload else "")


@router.post("/quotations/{quotation_id}/convert", response={201: dict},
             summary="Turn an accepted quotation into an order of the dealer channel (credit limit applies)")
def convert(request, quotation_id: str, payload: QuotationConvertIn | None = None):
    actor = authorize(request, "orders.manage")
    with tx.entry():
        order = services.convert(quotation=selectors.quotation(quotation_id), actor=actor,
                                 channel=payload.channel if payload else "")
    out = selectors.quotation_out(selectors.quotation(quotation_id))
    found = order_selectors.order_by_key(order.pk)
    out["order"] = {"id": found.pk, "number": found.number, "status": found.status, "hold_reason": found.hold_reason,
                    "hold_detail": found.hold_detail}
    return 201, out


# --- prices and promotions ------------------------------------------------------------------------------

class CustomerGroupIn(Strict):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=100)


class GroupMemberIn(Strict):
    group: str | None = Field(..., max_length=40, description="the group's code; null takes the customer out")


class PriceBreakIn(Strict):
    sku: str = Field(..., min_length=1, max_length=64)
    min_qty: Num = 1
    unit_price: Num


class PriceListIn(Strict):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=100)
    group: str = Field(..., min_length=1, max_length=40)
    valid_from: datetime.date
    valid_to: datetime.date | None = None
    breaks: list[PriceBreakIn] = Field(..., min_length=1, max_length=MAX_LINES)


class PromotionIn(Strict):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=100)
    kind: Literal["spend_save", "percent", "gift"] = Field(..., description="满减, 折扣 or 赠品")
    group: str | None = Field(None, max_length=40, description="the customer group; null: every customer")
    valid_from: datetime.date
    valid_to: datetime.date | None = None
    threshold: Num = Field("0", description="满: spend at least this (goods after 折扣) for 满减 and 赠品")
    amount: Num = Field("0", description="减: amount off (满减)")
    percent: Num = Field("0", description="percent off the goods total (折扣), e.g. 5 for 95折")
    gift_sku: str = Field("", max_length=64)
    gift_qty: Num = "0"


def _group(code: str | None, field: str = "group"):
    return selectors.group(code, field=field) if code else None


@router.get("/customer-groups", response=list[dict], summary="Customer groups and their members")
def list_groups(request):
    authorize(request, "orders.view")
    return [{"code": g.code, "name": g.name, "members": [m.partner.code for m in g.members.select_related("partner")]}
            for g in selectors.groups()]


@router.post("/customer-groups", response={201: dict}, summary="A customer group (一级经销商 …)")
def create_group(request, payload: CustomerGroupIn):
    actor = authorize(request, "catalog.edit")
    with tx.entry():
        group = services.create_group(code=payload.code, name=payload.name, actor=actor)
    return 201, {"code": group.code, "name": group.name, "members": []}


@router.put("/partners/{code}/group", response=dict, summary="Put a customer in a group (its prices, promotions)")
def set_group(request, code: str, payload: GroupMemberIn):
    actor = authorize(request, "catalog.edit")
    with tx.entry():
        services.set_group(partner=selectors.customer(code, field="code"), group=_group(payload.group), actor=actor)
    return {"partner": code, "group": payload.group}


def _price_list_out(pl) -> dict:
    return {"code": pl.code, "name": pl.name, "group": pl.group.code, "valid_from": pl.valid_from.isoformat(),
            "valid_to": pl.valid_to.isoformat() if pl.valid_to else None, "active": pl.active,
            "breaks": [{"sku": b.product.sku, "min_qty": text(b.min_qty), "unit_price": text(b.unit_price, places=2)}
                       for b in pl.breaks.all()]}


@router.get("/price-lists", response=list[dict], summary="Price lists per customer group with quantity breaks")
def list_price_lists(request):
    authorize(request, "orders.view")
    return [_price_list_out(pl) for pl in selectors.price_lists()[:500]]


@router.post("/price-lists", response={201: dict}, summary="A price list of a customer group, with breaks and validity")
def create_price_list(request, payload: PriceListIn):
    actor = authorize(request, "catalog.edit")
    with tx.entry():
        pl = services.create_price_list(
            code=payload.code, name=payload.name, group=_group(payload.group), valid_from=payload.valid_from,
            valid_to=payload.valid_to, actor=actor,
            breaks=[services.BreakIn(sku=b.sku, min_qty=b.min_qty, unit_price=b.unit_price, field=f"breaks[{i}]")
                    for i, b in enumerate(payload.breaks)])
    return 201, _price_list_out(selectors.price_list(pl.pk))


class CustomerPriceOut(Schema):
    partner: str
    sku: str
    qty: str
    date: str
    unit_price: str
    source: str = Field(..., description="the price list and break (\"PL-L1 ≥ 10\") or list_price")


@router.get("/partners/{code}/price", response=CustomerPriceOut, summary="The price a customer pays for a quantity on a date")
def price(request, code: str, sku: str, qty: str = "1", date: datetime.date | None = None):
    authorize(request, "orders.view")
    partner = selectors.customer(code, field="code")
    on = date or clock.today()
    offer = services.quote(partner=partner, lines=[services.LineIn(sku=sku, qty=qty, field="query")], on=on)
    line = offer.lines[0]
    return {"partner": partner.code, "sku": line.product.sku, "qty": text(line.qty), "date": on.isoformat(),
            "unit_price": text(line.unit_price, places=2), "source": line.source}


def _promotion_out(p) -> dict:
    return {"code": p.code, "name": p.name, "kind": p.kind, "group": p.group.code if p.group_id else None,
            "valid_from": p.valid_from.isoformat(), "valid_to": p.valid_to.isoformat() if p.valid_to else None,
            "threshold": text(p.threshold, places=2), "amount": text(p.amount, places=2), "percent": text(p.percent),
            "gift_sku": p.gift_product.sku if p.gift_product_id else None, "gift_qty": text(p.gift_qty),
            "active": p.active}


@router.get("/promotions", response=list[dict], summary="Promotions (满减, 折扣, 赠品)")
def list_promotions(request):
    authorize(request, "orders.view")
    return [_promotion_out(p) for p in selectors.promotions()[:500]]


@router.post("/promotions", response={201: dict}, summary="A promotion with its validity and customer group")
def create_promotion(request, payload: PromotionIn):
    actor = authorize(request, "catalog.edit")
    with tx.entry():
        promo = services.create_promotion(
            code=payload.code, name=payload.name, kind=payload.kind, valid_from=payload.valid_from,
            valid_to=payload.valid_to, group=_group(payload.group), threshold=payload.threshold,
            amount=payload.amount, percent=payload.percent, gift_sku=payload.gift_sku, gift_qty=payload.gift_qty,
            actor=actor)
    return 201, _promotion_out(selectors.promotion(promo.pk))


# --- money in -------------------------------------------------------------------------------------------

class AdvanceReceiptIn(Strict):
    partner: str = Field(..., min_length=1, max_length=40)
    amount: Num
    account: str = Field("1002", max_length=20, description="the bank account debited (1002 银行存款)")
    date: datetime.date | None = None
    reference: str = Field("", max_length=100, description="the bank's transaction id")
    quotation: str = Field("", max_length=40, description="paid for this quotation (its order when converted)")
    order: str = Field("", max_length=80, description="paid for this order")


class AdvanceApplyIn(Strict):
    order: str = Field(..., min_length=1, max_length=80)
    amount: Num | None = Field(None, description="default what is left of the advance, at most what the order owes")


@router.post("/advances", response={201: dict},
             summary="An advance receipt (预收账款): 银行存款 / 预收账款, applied when the order's revenue is booked")
def create_advance(request, payload: AdvanceReceiptIn):
    actor = authorize(request, "payments.manage")
    with tx.entry():
        partner = selectors.customer(payload.partner)
        advance = services.receive_advance(
            partner=partner, amount=payload.amount, account=payload.account, date=payload.date,
            reference=payload.reference, actor=actor,
            quotation=selectors.quotation(payload.quotation) if payload.quotation else None,
            order=order_selectors.order_by_key(payload.order) if payload.order else None)
    return 201, selectors.advance_out(selectors.advance(advance.pk))


@router.get("/advances", response=list[dict], summary="Advance receipts, newest first")
def list_advances(request, partner: str = "", open_only: bool = False):
    authorize(request, "ledger.view")
    return [selectors.advance_out(a) for a in selectors.advances(partner=partner, open_only=open_only)[:500]]


@router.get("/advances/{advance_id}", response=dict, summary="One advance receipt with where it was applied")
def get_advance(request, advance_id: str):
    authorize(request, "ledger.view")
    return selectors.advance_out(selectors.advance(advance_id))


@router.post("/advances/{advance_id}/apply", response=dict,
             summary="Apply an advance to an order whose revenue is booked (预收账款 / 应收账款)")
def apply_advance(request, advance_id: str, payload: AdvanceApplyIn):
    actor = authorize(request, "payments.manage")
    with tx.entry():
        services.apply_advance(advance=selectors.advance(advance_id), order=order_selectors.order_by_key(payload.order),
                               amount=payload.amount, actor=actor)
    return selectors.advance_out(selectors.advance(advance_id))


class ReceiptAllocationIn(Strict):
    order: str = Field("", max_length=80, description="an order's number or id")
    invoice: str = Field("", max_length=20, description="an invoice's number: its orders of this customer")
    amount: Num | None = Field(None, description="default what is still owed there")


class CustomerReceiptIn(Strict):
    partner: str = Field(..., min_length=1, max_length=40)
    amount: Num
    account: str = Field("1002", max_length=20, description="the bank account debited (1002 银行存款)")
    date: datetime.date | None = None
    reference: str = Field("", max_length=100)
    allocations: list[ReceiptAllocationIn] | None = Field(
        None, max_length=200, description="where the money goes; none: the oldest owed orders first. "
                                          "What is left over stays as an advance (预收)")


@router.post("/receipts", response={201: dict},
             summary="One customer receipt applied across several orders or invoices; the rest stays as 预收")
def create_receipt(request, payload: CustomerReceiptIn):
    actor = authorize(request, "payments.manage")
    with tx.entry():
        receipt = services.record_receipt(
            partner=selectors.customer(payload.partner), amount=payload.amount, account=payload.account,
            date=payload.date, reference=payload.reference, actor=actor,
            allocations=[services.AllocationIn(order=a.order, invoice=a.invoice, amount=a.amount,
                                               field=f"allocations[{i}]")
                         for i, a in enumerate(payload.allocations or [])] or None)
    return 201, selectors.receipt_out(selectors.receipt(receipt.pk))


@router.get("/receipts", response=list[dict], summary="Customer receipts, newest first")
def list_receipts(request, partner: str = ""):
    authorize(request, "ledger.view")
    return [selectors.receipt_out(r) for r in selectors.receipts(partner=partner)[:500]]


@router.get("/receipts/{receipt_id}", response=dict, summary="One customer receipt with its allocations")
def get_receipt(request, receipt_id: str):
    authorize(request, "ledger.view")
    return selectors.receipt_out(selectors.receipt(receipt_id))


class CustomerStatementQuery(Schema):
    date_from: datetime.date | None = Field(None, alias="from", description="default the first of this month")
    date_to: datetime.date | None = Field(None, alias="to", description="default today")
    format: Literal["json", "xlsx", "pdf"] = "json"


@router.get("/partners/{code}/statement", response={200: dict},
            summary="Customer statement (对账单): opening balance, each sale/receipt/refund line, closing balance",
            openapi_extra={"responses": {200: {"description": "JSON, or the .xlsx / .pdf file (format=)",
                                               "content": {"application/json": {}, XLSX: {}, "application/pdf": {}}}}})
def statement(request, code: str, query: Query[CustomerStatementQuery]):
    authorize(request, "invoices.view")
    partner = selectors.customer(code, field="code")
    today = clock.today()
    report = selectors.statement(partner=partner, date_from=query.date_from or today.replace(day=1),
                                 date_to=query.date_to or today)
    if query.format == "json":
        return report
    company = catalog.company_name()
    name = f"statement-{partner.code}-{report['from']}-{report['to']}"
    if query.format == "xlsx":
        response = HttpResponse(exports.xlsx(report, company=company), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    else:
        response = HttpResponse(exports.pdf(report, company=company), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response

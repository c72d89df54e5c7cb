"""数电发票: invoices from shipped orders, JSON/XML/PDF, red invoices.

- `POST /invoices` `{orders: [id or number, …], buyer_name, buyer_tax_id?}` → 201 the invoice;
  an order not shipped or already invoiced → 409 naming it (`orders[1]`), a bad tax id → 422.
- `GET /invoices/{id}?format=json|xml|pdf` — the invoice, its 数电 XML or its PDF face.
- `GET /invoices` — newest first, `limit`/`offset` → `{items, count}`.
- `POST /invoices/{id}/red` `{confirmation_number, lines?: [{line, qty?}], reason}` → 201 the red (负数)
  invoice, issued against the 20-digit 红字发票信息确认单编号 (missing or another format → 422, already
  used by a red invoice → 409, both naming `confirmation_number`); without `lines` everything not yet
  reversed.
Money is a decimal string with 2 places; quantities and unit prices without trailing zeros.
"""

import datetime
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from sihe.api.base import MAX_ID, Strict
from sihe.api.pagination import Page
from sihe.api.security import authorize
from sihe.core import tx
from sihe.core.errors import NotFound
from sihe.invoicing import selectors, services
from sihe.invoicing.selectors import Invoice
from sihe.oms import billing

router = Router(tags=["invoices"])


class InvoiceIn(Strict):
    orders: list[int | str] = Field(..., min_length=1, max_length=100,
                                    description="shipped orders by id or by number (e.g. TB-3141592653589793)")
    buyer_name: str = Field(..., max_length=100, description="购买方名称")
    buyer_tax_id: str | None = Field(None, max_length=20,
                                     description="购买方统一社会信用代码 (18 characters); empty for an individual")
    vat_type: Literal["ordinary", "special"] = Field(
        "ordinary", description="电子发票（普通发票）, or （增值税专用发票） when the buyer asks for one (needs its tax id)")


class RedLine(Strict):
    line: int = Field(..., ge=1, le=10_000, description="the blue invoice's line number (1 = first)")
    qty: str | int | None = Field(None, description="quantity returned; default: all that is left of the line")


class RedIn(Strict):
    confirmation_number: str = Field(..., max_length=40,
                                     description="红字发票信息确认单编号: the 20 digits of the confirmed 红字确认单 "
                                                 "on the 数电 platform; one red invoice per 确认单")
    lines: list[RedLine] | None = Field(None, max_length=100,
                                        description="lines returned; leave out to reverse all that is left")
    reason: str = Field(..., min_length=1, max_length=200, description="why (e.g. 退货 RMA-12)")


class Party(Schema):
    name: str
    tax_id: str


class Seller(Party):
    address: str
    phone: str


class Ref(Schema):
    id: int
    number: str


class RedRef(Ref):
    total: str


class EInvoiceLineOut(Schema):
    line: int
    row: Literal["normal", "discounted", "discount"] = Field(..., description="折扣行 are `discount`")
    name: str = Field(..., description="项目名称 *简称*商品名")
    tax_code: str = Field(..., description="税收分类编码 (19 digits)")
    spec: str
    unit: str
    qty: str | None
    unit_price: str | None = Field(..., description="单价 without tax")
    amount: str = Field(..., description="金额 without tax")
    tax_rate: str = Field(..., description="0.13 …, or 免税 on a tax-exempt line")
    exempt: bool = Field(False, description="免税: printed 免税 with tax ***")
    tax: str
    total: str
    sku: str
    source_id: str


class SourceOut(Schema):
    source_type: str
    source_id: str
    source_number: str


class InvoiceOut(Schema):
    id: int
    number: str = Field(..., description="20-digit 发票号码: year, province, channel, sequence")
    kind: Literal["blue", "red"]
    type: Literal["ordinary", "special"]
    status: Literal["issued", "partly_reversed", "reversed"]
    issue_date: datetime.date
    issued_at: datetime.datetime
    buyer: Party
    seller: Seller
    amount: str = Field(..., description="合计金额")
    tax: str = Field(..., description="合计税额")
    total: str = Field(..., description="价税合计")
    total_in_words: str = Field(..., description="价税合计（大写）, e.g. 壹仟贰佰叁拾肆圆伍角陆分")
    red_of: Ref | None
    red_reason: str
    confirmation_number: str = Field(..., description="红字发票信息确认单编号 of a red invoice (20 digits); "
                                                      "empty on a blue one")
    reds: list[RedRef]
    remark: str
    drawer: str
    lines: list[EInvoiceLineOut]
    sources: list[SourceOut]
    qr_text: str


class InvoiceRow(Schema):
    id: int
    number: str
    kind: str
    status: str
    issue_date: datetime.date
    buyer_name: str
    buyer_tax_id: str
    amount: str
    tax: str
    total: str
    red_of: str | None

    @staticmethod
    def resolve_amount(obj):
        return f"{obj.amount:.2f}"

    @staticmethod
    def resolve_tax(obj):
        return f"{obj.tax:.2f}"

    @staticmethod
    def resolve_total(obj):
        return f"{obj.total:.2f}"

    @staticmethod
    def resolve_red_of(obj):
        return obj.red_of.number if obj.red_of_id else None


def _invoice(pk: int) -> Invoice:
    if not 0 < pk <= MAX_ID:
        raise NotFound(f"no invoice {pk}", field="id")
    return selectors.invoice_by_id(pk)


@router.post("/invoices", response={201: InvoiceOut}, summary="Issue a 数电发票 for shipped orders")
def issue(request, payload: InvoiceIn):
    actor = authorize(request, "invoices.issue")
    with tx.entry():
        invoice = billing.invoice_orders(orders=payload.orders, buyer_name=payload.buyer_name,
                                         buyer_tax_id=payload.buyer_tax_id or "", actor=actor,
                                         vat_type=payload.vat_type)
    return 201, services.to_json(selectors.invoice_by_id(invoice.pk))


@router.get("/invoices", response=list[InvoiceRow], summary="List invoices, newest first")
@paginate(Page)
def list_invoices(request, q: str | None = Query(None, max_length=100, description="number, buyer or order number"),
                  kind: Literal["blue", "red"] | None = None,
                  status: Literal["issued", "partly_reversed", "reversed"] | None = None,
                  order: str | None = Query(None, max_length=64, description="invoices of this order id"),
                  start: datetime.date | None = None, end: datetime.date | None = None):
    authorize(request, "invoices.view")
    return selectors.invoices(q=q or "", kind=kind or "", status=status or "", source_type="oms.order" if order else "",
                              source_id=order or "", start=start, end=end)


@router.get(
    "/invoices/{invoice_id}",
    response=InvoiceOut,
    summary="One invoice as JSON, 数电 XML or PDF",
    description="`?format=xml` answers application/xml (EInvoice layout), `?format=pdf` the A4 face.",
    openapi_extra={"responses": {200: {"content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/InvoiceOut"}},
        "application/xml": {"schema": {"type": "string"}},
        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    }}}},
)
def get_invoice(request, invoice_id: int, format: Literal["json", "xml", "pdf"] = "json"):
    authorize(request, "invoices.view")
    invoice = _invoice(invoice_id)
    if format == "xml":
        response = HttpResponse(services.to_xml(invoice), content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="{invoice.number}.xml"'
        return response
    if format == "pdf":
        response = HttpResponse(services.to_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
        return response
    return services.to_json(invoice)


@router.post("/invoices/{invoice_id}/red", response={201: InvoiceOut},
             summary="Issue the red (负数) invoice for a return: whole or chosen lines")
def red(request, invoice_id: int, payload: RedIn):
    actor = authorize(request, "invoices.issue")
    blue = _invoice(invoice_id)
    lines = None
    if payload.lines is not None:
        lines = [services.RedLineIn(line=pick.line, qty=pick.qty) for pick in payload.lines]
    with tx.entry():
        result = billing.reverse_invoice(invoice=blue, lines=lines, reason=payload.reason,
                                         confirmation_number=payload.confirmation_number, actor=actor)
    return 201, services.to_json(selectors.invoice_by_id(result.pk))

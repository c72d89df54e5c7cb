"""Purchasing over the API: purchase orders and their approvals, returns to the supplier, supplier
invoices (three-way matched), payments, and the AP aging (账龄).

Quantities and money are decimal strings. Supplier and warehouse by code, products by SKU. A PO
that needs approval answers `confirm` with 409 `approval_required` (and the missing levels); an
invoice line outside tolerance is 422 `out_of_tolerance` naming the line (`lines[1].price`) with
`reason` (price, quantity, tax_rate).
"""

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from sihe.api.base import MAX_LINES, RowId, Strict
from sihe.api.pagination import MAX_INT, Page
from sihe.api.security import authorize
from sihe.catalog import selectors as catalog
from sihe.catalog.selectors import Partner, Product, Warehouse
from sihe.core import clock, tx
from sihe.core.errors import ValidationFailed
from sihe.core.money import round_money, text
from sihe.purchasing import selectors, services
from sihe.purchasing.errors import UnknownReference
from sihe.purchasing.selectors import PurchaseOrder, SupplierInvoice, SupplierPayment
from sihe.stock import selectors as stock_selectors
from sihe.stock.units import parse_date

router = Router(tags=["purchasing"])

Num = Decimal | str | int


def _m(value) -> str:
    return format(round_money(Decimal(value)), "f")


def _supplier(code: str, field: str = "supplier") -> Partner:
    found = catalog.find_partner(code)
    if found is None:
        raise UnknownReference(f"unknown supplier {code}", field=field)
    return found


def _warehouse(code: str) -> Warehouse:
    found = catalog.find_warehouse(code)
    if found is None:
        raise UnknownReference(f"unknown warehouse {code}", field="warehouse")
    return found


def _product(sku: str, field: str) -> Product:
    found = catalog.find_product(sku)
    if found is None:
        raise UnknownReference(f"unknown SKU {sku}", field=field)
    return found


def _date(value, field: str) -> datetime.date | None:
    return parse_date(value, field=field)


# -- purchase orders ------------------------------------------------------------------------------


class OrderLineIn(Strict):
    sku: str = Field(..., max_length=64)
    qty: Num = Field(..., description="quantity in `unit` (default: the product's base unit)")
    price: Num = Field(..., description="unit price excluding tax, per `unit`, CNY")
    tax_rate: Num | None = Field(None, description="e.g. 0.13; default: the product's tax rate")
    unit: str | None = Field(None, max_length=20, description="purchase unit code, e.g. BOX (1 箱 = 12 件)")


class OrderIn(Strict):
    supplier: str = Field(..., max_length=40, description="partner code (kind supplier)")
    warehouse: str = Field(..., max_length=20, description="warehouse code the goods are delivered to")
    expected_date: str | None = Field(None, description="YYYY-MM-DD")
    memo: str = Field("", max_length=200)
    lines: list[OrderLineIn] = Field(..., min_length=1, max_length=MAX_LINES)


class OrderLineOut(Schema):
    line: int
    sku: str
    name: str
    unit: str
    ordered: str = Field(..., description="ordered quantity, base unit")
    received: str = Field(..., description="received less returned, base unit")
    invoiced: str
    price: str
    unit_cost: str = Field(..., description="cost per base unit, excluding tax")
    tax_rate: str
    net: str
    tax: str
    total: str


class ApprovalOut(Schema):
    level: int
    role: str
    approved_by: str | None


class OrderOut(Schema):
    id: int
    number: str
    status: str
    supplier: str
    warehouse: str
    order_date: str
    expected_date: str | None
    net: str
    tax: str
    total: str
    asn_id: int | None
    created_by: str
    approvals: list[ApprovalOut]
    lines: list[OrderLineOut]


class OrderSummaryOut(Schema):
    id: int
    number: str
    status: str
    supplier: str
    warehouse: str
    order_date: str
    expected_date: str | None
    total: str
    asn_id: int | None

    @staticmethod
    def resolve_supplier(obj):
        return obj["supplier"] if isinstance(obj, dict) else obj.supplier.code

    @staticmethod
    def resolve_warehouse(obj):
        return obj["warehouse"] if isinstance(obj, dict) else obj.warehouse.code

    @staticmethod
    def resolve_order_date(obj):
        return obj["order_date"] if isinstance(obj, dict) else obj.order_date.isoformat()

    @staticmethod
    def resolve_expected_date(obj):
        if isinstance(obj, dict):
            return obj["expected_date"]
        return obj.expected_date.isoformat() if obj.expected_date else None

    @staticmethod
    def resolve_total(obj):
        return obj["total"] if isinstance(obj, dict) else _m(obj.total)


def order_summary(po: PurchaseOrder) -> dict:
    return {"id": po.pk, "number": po.number, "status": po.status, "supplier": po.supplier.code,
            "warehouse": po.warehouse.code, "order_date": po.order_date.isoformat(),
            "expected_date": po.expected_date.isoformat() if po.expected_date else None, "total": _m(po.total),
            "asn_id": po.asn_id}


def order_out(po: PurchaseOrder) -> dict:
    po = selectors.orders().get(pk=po.pk)
    return {
        **order_summary(po), "net": _m(po.net), "tax": _m(po.tax), "created_by": po.created_by,
        "approvals": [{"level": a["level"], "role": a["role"], "approved_by": a["approved_by"]}
                      for a in selectors.approvals(po)],
        "lines": [{"line": ln.line_no, "sku": ln.product.sku, "name": ln.product.name, "unit": ln.unit,
                   "ordered": text(ln.qty), "received": text(ln.received_qty - ln.returned_qty),
                   "invoiced": text(ln.invoiced_qty), "price": text(ln.price), "unit_cost": text(ln.unit_cost),
                   "tax_rate": _m(ln.tax_rate), "net": _m(ln.net), "tax": _m(ln.tax), "total": _m(ln.total)}
                  for ln in selectors.lines(po)],
    }


@router.post("/purchase-orders", response={201: OrderOut}, summary="Create a purchase order (draft)")
def create_order(request, payload: OrderIn):
    actor = authorize(request, "purchasing.manage")
    supplier = _supplier(payload.supplier)
    warehouse = _warehouse(payload.warehouse)
    lines = [services.OrderLine(product=_product(ln.sku, f"lines[{i}].sku"), qty=ln.qty, price=ln.price,
                                tax_rate=ln.tax_rate, unit=ln.unit or None, field=f"lines[{i}]")
             for i, ln in enumerate(payload.lines)]
    with tx.entry():
        po = services.create_order(supplier=supplier, warehouse=warehouse, lines=lines, actor=actor,
                                   expected_date=_date(payload.expected_date, "expected_date"), memo=payload.memo)
    return 201, order_out(po)


@router.get("/purchase-orders", response=list[OrderSummaryOut], summary="List purchase orders (newest first)")
@paginate(Page)
def list_orders(request, status: str | None = None, supplier: str | None = None, q: str | None = None):
    authorize(request, "purchasing.view")
    return selectors.orders(status=status, supplier=supplier, q=q)


@router.get("/purchase-orders/{order_id}", response=OrderOut,
            summary="A purchase order with ordered / received per line and its status")
def get_order(request, order_id: int):
    authorize(request, "purchasing.view")
    return order_out(services.get_order(order_id))


class ConfirmedAsnOut(Schema):
    asn_id: int
    id: int
    number: str
    status: str


def _act(request, order_id: int, permission: str, verb):
    actor = authorize(request, permission)
    po = services.get_order(order_id)
    with tx.entry():
        po = verb(order=po, actor=actor)
    return order_out(po)


@router.post("/purchase-orders/{order_id}/submit", response=OrderOut, summary="Submit a draft for approval")
def submit_order(request, order_id: int):
    return _act(request, order_id, "purchasing.manage", services.submit)


@router.post("/purchase-orders/{order_id}/approve", response=OrderOut,
             summary="Approve the next missing level (not the maker; one level per person)")
def approve_order(request, order_id: int):
    return _act(request, order_id, "purchasing.approve", services.approve)


@router.post("/purchase-orders/{order_id}/confirm", response=ConfirmedAsnOut,
             summary="Confirm: creates the warehouse's expected receipt (ASN); 409 approval_required if approvals miss")
def confirm_order(request, order_id: int):
    actor = authorize(request, "purchasing.manage")
    po = services.get_order(order_id)
    with tx.entry():
        po = services.confirm(order=po, actor=actor)
    return {"asn_id": po.asn_id, "id": po.pk, "number": po.number, "status": po.status}


@router.post("/purchase-orders/{order_id}/cancel", response=OrderOut, summary="Cancel an order on which nothing was received (its ASN is cancelled)")
def cancel_order(request, order_id: int):
    return _act(request, order_id, "purchasing.manage", services.cancel)


@router.post("/purchase-orders/{order_id}/close", response=OrderOut,
             summary="Close a confirmed order: nothing more will be received (its ASN is closed short)")
def close_order(request, order_id: int):
    return _act(request, order_id, "purchasing.manage", services.close)


class ReturnLineIn(Strict):
    sku: str = Field(..., max_length=64)
    qty: Num = Field(..., description="base units")
    line: int | None = Field(None, ge=1, le=MAX_INT, description="the PO line number when a SKU is on several lines")
    lot: str | None = Field(None, max_length=64, description="the lot to send back; default: the removal strategy")
    location: str | None = Field(None, max_length=40, description="the bin it is taken from")


class ReturnIn(Strict):
    reason: str = Field("", max_length=200)
    lines: list[ReturnLineIn] = Field(..., min_length=1, max_length=MAX_LINES)


class ReturnLineOut(Schema):
    line: int
    sku: str
    qty: str
    value: str


class ReturnOut(Schema):
    purchase_order: int
    status: str
    estimate: str = Field(..., description="应付账款—暂估 reversed (receipt cost of what went back)")
    cost: str = Field(..., description="stock value that left (库存商品)")
    voucher_id: int | None
    moves: list[int]
    lines: list[ReturnLineOut]


@router.post("/purchase-orders/{order_id}/returns", response={201: ReturnOut},
             summary="Return received, not yet invoiced goods to the supplier (reverses stock and the estimate)")
def return_goods(request, order_id: int, payload: ReturnIn):
    actor = authorize(request, "purchasing.manage")
    po = services.get_order(order_id)
    po_lines = list(selectors.lines(po))
    lines = []
    for i, ln in enumerate(payload.lines):
        f = f"lines[{i}]"
        product = _product(ln.sku, f"{f}.sku")
        match = [p for p in po_lines if p.product_id == product.pk and (ln.line is None or p.line_no == ln.line)]
        if not match:
            raise ValidationFailed(f"{product.sku} is not on {po.number}", field=f"{f}.sku")
        lot = None
        if ln.lot:
            lot = stock_selectors.find_lot(product, ln.lot)
            if lot is None:
                raise UnknownReference(f"unknown lot {ln.lot} of {product.sku}", field=f"{f}.lot")
        location = None
        if ln.location:
            location = catalog.find_location(po.warehouse, ln.location)
            if location is None:
                raise UnknownReference(f"unknown location {ln.location} in {po.warehouse.code}", field=f"{f}.location")
        lines.append(services.ReturnLine(order_line=match[0], qty=ln.qty, lot=lot, location=location, field=f))
    with tx.entry():
        result = services.return_goods(order=po, lines=lines, actor=actor, reason=payload.reason)
    return 201, {"purchase_order": po.pk, "status": result["order"].status, "estimate": _m(result["estimate"]),
                 "cost": _m(result["cost"]), "voucher_id": result["voucher_id"],
                 "moves": [m.pk for m in result["moves"]], "lines": result["lines"]}


# -- supplier invoices ----------------------------------------------------------------------------


class InvoiceLineIn(Strict):
    sku: str = Field(..., max_length=64)
    qty: Num
    price: Num = Field(..., description="unit price excluding tax, per `unit`")
    tax_rate: Num | None = Field(None, description="must equal the order line's; default: the order line's")
    unit: str | None = Field(None, max_length=20)
    line: int | None = Field(None, ge=1, le=MAX_INT, description="the PO line number when a SKU is on several lines")


class SupplierInvoiceIn(Strict):
    supplier: str = Field(..., max_length=40)
    number: str = Field(..., min_length=1, max_length=40, description="the supplier's invoice number (发票号码)")
    purchase_order: int = Field(..., ge=1, le=MAX_INT, description="purchase order id")
    invoice_date: str | None = Field(None, description="YYYY-MM-DD; default today")
    due_date: str | None = Field(None, description="YYYY-MM-DD; default invoice date + SIHE_AP_PAYMENT_DAYS")
    vat_type: Literal["special", "ordinary", "exempt"] = Field(
        "special", description="专票 (tax to 待认证进项税额 until certified), 普票 (tax into cost), 免税 (no tax)")
    lines: list[InvoiceLineIn] = Field(..., min_length=1, max_length=MAX_LINES)


class InvoiceLineOut(Schema):
    line: int
    sku: str
    qty: str
    price: str
    tax_rate: str
    net: str
    tax: str
    estimate: str
    variance: str


class SupplierInvoiceOut(Schema):
    id: int
    number: str
    supplier: str
    purchase_order: int
    po_number: str
    invoice_date: str
    due_date: str
    net: str
    tax: str
    total: str
    estimate: str = Field(..., description="应付账款—暂估 reversed (receipt cost of the invoiced qty)")
    price_variance: str
    paid: str
    open: str
    status: str
    voucher_id: int | None
    vat_type: str = Field(..., description="special (专票) / ordinary (普票) / exempt (免税)")
    deductible: bool = Field(..., description="a 专票 of a general taxpayer: its tax is input VAT once certified")
    certified_on: str | None = Field(None, description="勾选/认证 day; null while awaiting it")
    certify_voucher_id: int | None = None
    lines: list[InvoiceLineOut]


def invoice_out(inv: SupplierInvoice) -> dict:
    return {
        "id": inv.pk, "number": inv.number, "supplier": inv.supplier.code, "purchase_order": inv.order_id,
        "po_number": inv.order.number, "invoice_date": inv.invoice_date.isoformat(),
        "due_date": inv.due_date.isoformat(), "net": _m(inv.net), "tax": _m(inv.tax), "total": _m(inv.total),
        "estimate": _m(inv.estimate), "price_variance": _m(inv.price_variance), "paid": _m(inv.paid),
        "open": _m(inv.total - inv.paid), "status": inv.status, "voucher_id": inv.voucher_id,
        "vat_type": inv.vat_type, "deductible": inv.deductible,
        "certified_on": inv.certified_on.isoformat() if inv.certified_on else None,
        "certify_voucher_id": inv.certify_voucher_id,
        "lines": [{"line": ln.order_line.line_no, "sku": ln.order_line.product.sku, "qty": text(ln.qty),
                   "price": text(ln.price), "tax_rate": _m(ln.tax_rate), "net": _m(ln.net), "tax": _m(ln.tax),
                   "estimate": _m(ln.estimate), "variance": _m(ln.variance)}
                  for ln in inv.lines.select_related("order_line__product")],
    }


@router.post("/supplier-invoices", response={201: SupplierInvoiceOut},
             summary="Post a supplier invoice matched three ways (PO – receipt – invoice)")
def create_invoice(request, payload: SupplierInvoiceIn):
    actor = authorize(request, "payments.manage")
    supplier = _supplier(payload.supplier)
    po = services.get_order(payload.purchase_order)
    if po.supplier_id != supplier.pk:
        raise ValidationFailed(f"purchase order {po.number} is not of supplier {supplier.code}", field="purchase_order")
    lines = [services.InvoiceLine(product=_product(ln.sku, f"lines[{i}].sku"), qty=ln.qty, price=ln.price,
                                  tax_rate=ln.tax_rate, unit=ln.unit or None, line_no=ln.line, field=f"lines[{i}]")
             for i, ln in enumerate(payload.lines)]
    with tx.entry():
        inv = services.post_invoice(order=po, number=payload.number, lines=lines, actor=actor,
                                    invoice_date=_date(payload.invoice_date, "invoice_date"),
                                    due_date=_date(payload.due_date, "due_date"), vat_type=payload.vat_type)
    return 201, invoice_out(selectors.invoice(inv.pk))


class CertifyIn(Strict):
    invoices: list[RowId] = Field(..., min_length=1, max_length=500, description="supplier invoice ids (专票)")
    date: str | None = Field(None, description="勾选/认证 day, YYYY-MM-DD; default today")


class CertifyOneIn(Strict):
    date: str | None = Field(None, description="勾选/认证 day, YYYY-MM-DD; default today")


@router.post("/supplier-invoices/certify", response=list[SupplierInvoiceOut],
             summary="勾选/认证 a batch of 专票: their tax moves from 待认证进项税额 to 进项税额")
def certify_batch(request, payload: CertifyIn):
    actor = authorize(request, "payments.manage")
    chosen = [selectors.invoice(pk) for pk in dict.fromkeys(payload.invoices)]
    with tx.entry():
        done = services.certify_invoices(invoices=chosen, actor=actor, date=_date(payload.date, "date"))
    return [invoice_out(selectors.invoice(inv.pk)) for inv in done]


@router.post("/supplier-invoices/{invoice_id}/certify", response=SupplierInvoiceOut,
             summary="勾选/认证 one 专票")
def certify_one(request, invoice_id: int, payload: CertifyOneIn | None = None):
    actor = authorize(request, "payments.manage")
    invoice = selectors.invoice(invoice_id)
    with tx.entry():
        services.certify_invoices(invoices=[invoice], actor=actor, date=_date(payload.date if payload else None, "date"))
    return invoice_out(selectors.invoice(invoice_id))


class InvoiceSummaryOut(Schema):
    id: int
    number: str
    supplier: str
    purchase_order: int
    invoice_date: datetime.date
    due_date: datetime.date
    total: str
    paid: str
    status: str

    @staticmethod
    def resolve_supplier(obj):
        return obj.supplier.code

    @staticmethod
    def resolve_purchase_order(obj):
        return obj.order_id

    @staticmethod
    def resolve_total(obj):
        return _m(obj.total)

    @staticmethod
    def resolve_paid(obj):
        return _m(obj.paid)


@router.get("/supplier-invoices", response=list[InvoiceSummaryOut], summary="List supplier invoices (newest first)")
@paginate(Page)
def list_invoices(request, supplier: str | None = None, status: str | None = None):
    authorize(request, "purchasing.view")
    return selectors.invoices(supplier=supplier, status=status)


@router.get("/supplier-invoices/{invoice_id}", response=SupplierInvoiceOut, summary="One supplier invoice")
def get_invoice(request, invoice_id: int):
    authorize(request, "purchasing.view")
    return invoice_out(selectors.invoice(invoice_id))


# -- payments -------------------------------------------------------------------------------------


class AllocationIn(Strict):
    invoice: int = Field(..., ge=1, le=MAX_INT, description="supplier invoice id")
    amount: Num


class PaymentIn(Strict):
    supplier: str = Field(..., max_length=40)
    amount: Num
    date: str | None = Field(None, description="YYYY-MM-DD; default today")
    reference: str = Field("", max_length=100, description="bank reference")
    allocations: list[AllocationIn] | None = Field(
        None, max_length=500, description="default: the supplier's open invoices, oldest due first")


class AllocationOut(Schema):
    invoice: int
    number: str
    amount: str


class PaymentOut(Schema):
    id: int
    number: str
    supplier: str
    date: str
    amount: str
    reference: str
    voucher_id: int | None
    allocations: list[AllocationOut]


def payment_out(p: SupplierPayment) -> dict:
    return {"id": p.pk, "number": p.number, "supplier": p.supplier.code, "date": p.date.isoformat(),
            "amount": _m(p.amount), "reference": p.reference, "voucher_id": p.voucher_id,
            "allocations": [{"invoice": a.invoice_id, "number": a.invoice.number, "amount": _m(a.amount)}
                            for a in p.allocations.select_related("invoice")]}


@router.post("/supplier-payments", response={201: PaymentOut},
             summary="Pay a supplier by bank (应付账款 / 银行存款), allocated to invoices")
def create_payment(request, payload: PaymentIn):
    actor = authorize(request, "payments.manage")
    supplier = _supplier(payload.supplier)
    allocations = None
    if payload.allocations:
        allocations = []
        for i, a in enumerate(payload.allocations):
            inv = selectors.invoices().filter(pk=a.invoice).first()
            if inv is None:
                raise UnknownReference(f"no supplier invoice {a.invoice}", field=f"allocations[{i}].invoice")
            allocations.append((inv, a.amount))
    with tx.entry():
        payment = services.pay(supplier=supplier, amount=payload.amount, actor=actor,
                               date=_date(payload.date, "date"), allocations=allocations, reference=payload.reference)
    return 201, payment_out(selectors.payments().get(pk=payment.pk))


class PaymentSummaryOut(Schema):
    id: int
    number: str
    supplier: str
    date: datetime.date
    amount: str
    reference: str

    @staticmethod
    def resolve_supplier(obj):
        return obj.supplier.code

    @staticmethod
    def resolve_amount(obj):
        return _m(obj.amount)


@router.get("/supplier-payments", response=list[PaymentSummaryOut], summary="List supplier payments (newest first)")
@paginate(Page)
def list_payments(request, supplier: str | None = None):
    authorize(request, "purchasing.view")
    return selectors.payments(supplier=supplier)


# -- AP aging -------------------------------------------------------------------------------------


class AgingOut(Schema):
    as_of: str
    basis: str
    buckets: list[str]
    rows: list[dict]
    totals: dict[str, str]


def aging_out(report: dict) -> dict:
    keys = (*report["buckets"], "total")
    return {"as_of": report["as_of"].isoformat(), "basis": report["basis"], "buckets": report["buckets"],
            "rows": [{"supplier": r["supplier"], "name": r["name"], **{k: _m(r[k]) for k in keys}}
                     for r in report["rows"]],
            "totals": {k: _m(report["totals"][k]) for k in keys}}


@router.get("/ap/aging", response=AgingOut,
            summary="AP aging (账龄) per supplier: buckets 0–30, 31–60, 61–90, 90+ days")
def ap_aging(request, as_of: str | None = None, basis: str = "invoice_date", supplier: str | None = None):
    authorize(request, "purchasing.view")
    day = _date(as_of, "as_of") or clock.today()
    return aging_out(selectors.ap_aging(as_of=day, basis=basis, supplier=supplier))

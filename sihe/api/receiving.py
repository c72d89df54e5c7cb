"""Receiving: expected receipts (ASN), receiving by scan, quality inspections and their rules, putaway.

`POST /wms/receipts/{asn_id}/scan {barcode, qty?, location?}` does what the handheld page does: a
GS1-128 / DataMatrix / QR element string (FNC1 as GS \\x1d) or the bracketed form "(01)…(17)…(10)…"
is parsed, matched by GTIN against the ASN and received at once; a refusal is 422 with `code`
(unreadable, bad_check_digit, unknown_gtin, wrong_product, lot_required, expiry_required, expired,
over_receipt, …), `field` and the reason, and nothing is changed.
"""

from decimal import Decimal

from ninja import Field, Query, Router, Schema

from sihe.api.base import MAX_LINES, Strict
from sihe.api.pagination import MAX_INT
from sihe.api.security import authorize
from sihe.catalog import selectors as catalog_selectors
from sihe.catalog.selectors import Location, Product, Warehouse
from sihe.core import tx
from sihe.core.errors import ValidationFailed
from sihe.core.money import text
from sihe.stock import selectors as stock_selectors
from sihe.stock.units import parse_date
from sihe.wms.inbound import gs1, selectors, services
from sihe.wms.inbound.selectors import Asn, Inspection

router = Router(tags=["warehouse"])

def _text(value: str | None, field: str, max_length: int = 100) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationFailed(f"{field} must not contain NUL characters", field=field)
    if len(value) > max_length:
        raise ValidationFailed(f"{field} is longer than {max_length} characters", field=field)
    return value


def _warehouse(code: str, field: str = "warehouse") -> Warehouse:
    found = catalog_selectors.find_warehouse(_text(code, field, 20))
    if found is None:
        raise ValidationFailed(f"unknown warehouse {code}", field=field, code="unknown_reference")
    return found


def _location(warehouse: Warehouse, code: str | None, field: str) -> Location | None:
    code = _text(code, field, 40)
    if not code:
        return None
    found = catalog_selectors.find_location(warehouse, code)
    if found is None:
        raise ValidationFailed(f"unknown location {code} in warehouse {warehouse.code}", field=field,
                               code="unknown_reference")
    return found


def _product(sku: str, field: str = "sku") -> Product:
    found = catalog_selectors.find_product(_text(sku, field, 64))
    if found is None:
        raise ValidationFailed(f"unknown SKU {sku}", field=field, code="unknown_reference")
    return found


# -- schemas --------------------------------------------------------------------------------------


class AsnLineOut(Schema):
    id: int
    sku: str
    name: str
    gtin: str | None
    expected: str
    received: str
    rejected: str
    open: str = Field(..., description="expected − (received − rejected), not below 0")
    unit_cost: str
    source_line_id: str


class AsnSummary(Schema):
    id: int
    number: str
    warehouse: str
    supplier: str | None
    status: str = Field(..., description="expected | receiving | received | closed | cancelled")
    source_type: str
    source_id: str
    source_number: str
    expected_date: str | None
    expected: str
    received: str


class ScanRecordOut(Schema):
    id: int
    sku: str
    lot: str | None
    qty: str
    location: str
    held: bool
    at: str
    by: str


class InspectionOut(Schema):
    id: int
    reference: str
    asn_id: int
    asn: str
    sku: str
    name: str
    lot: str | None
    expiry: str | None
    qty: str
    location: str
    status: str = Field(..., description="pending | released | rejected")
    released_to: str | None
    note: str
    decided_by: str


class AsnOut(AsnSummary):
    lines: list[AsnLineOut]
    scans: list[ScanRecordOut]
    inspections: list[InspectionOut]


class AsnPage(Schema):
    items: list[AsnSummary]
    count: int


class AsnLineIn(Strict):
    sku: str = Field(..., max_length=64)
    qty: Decimal | str | int = Field(..., description="expected quantity in the product's base unit")
    unit_cost: Decimal | str | int = Field(..., description="CNY per base unit, booked to 库存商品 / 应付账款—暂估")
    source_line_id: str = Field("", max_length=40)


class AsnIn(Strict):
    warehouse: str = Field(..., max_length=20)
    supplier: str | None = Field(None, max_length=40, description="supplier partner code")
    reference: str = Field("", max_length=64, description="the supplier's delivery note or PO number")
    expected_date: str | None = Field(None, description="YYYY-MM-DD")
    lines: list[AsnLineIn] = Field(..., min_length=1, max_length=MAX_LINES)


class ReceiptScanIn(Strict):
    barcode: str = Field(..., max_length=300, description="GS1 element string with FNC1/GS (\\x1d) separators, "
                         "the bracketed form (01)…(17)…(10)…, or a bare GTIN")
    qty: Decimal | str | int | None = Field(None, description="units received; default: AI 30/37 of the barcode, "
                                            "else 1")
    location: str | None = Field(None, max_length=40, description="bin code; default: the warehouse's dock "
                                 "(products under inspection always go to the quality location)")


class ReceiptScanOut(Schema):
    asn_id: int
    asn: str
    status: str
    product: dict = Field(..., description="{sku, name, gtin}")
    lot: str | None
    expiry: str | None
    production_date: str | None
    sscc: str | None
    qty: str
    location: str
    held: bool = Field(..., description="received into quality hold (not available until released)")
    inspections: list[int]
    line: dict = Field(..., description="{id, received, expected} of the product on this ASN")
    lines: list[dict]
    suggested_bin: str | None


class DecisionIn(Strict):
    note: str = Field("", max_length=500)
    to_location: str | None = Field(None, max_length=40, description="release into this bin; default: the dock")


class RejectIn(Strict):
    note: str = Field("", max_length=500)


class InspectionRuleIn(Strict):
    active: bool = True
    note: str = Field("", max_length=200)


class InspectionRuleOut(Schema):
    sku: str
    name: str
    active: bool
    note: str


class DockOut(Schema):
    warehouse: str
    location: str
    sku: str
    name: str
    gtin: str | None
    lot: str | None
    expiry: str | None
    qty: str
    suggested_bin: str | None


class PutawayIn(Strict):
    warehouse: str = Field(..., max_length=20)
    sku: str | None = Field(None, max_length=64, description="the product; or `barcode`")
    barcode: str | None = Field(None, max_length=300, description="the item's GS1 label (gives product and lot)")
    lot: str | None = Field(None, max_length=64)
    qty: Decimal | str | int
    bin: str = Field(..., max_length=40, description="the scanned bin label (the bin code)")
    from_location: str | None = Field(None, max_length=40, description="default: the dock")


class PutawayOut(Schema):
    id: int
    warehouse: str
    sku: str
    lot: str | None
    qty: str
    from_location: str
    to_location: str
    suggested: str | None
    followed_suggestion: bool


class PutawayRuleIn(Strict):
    warehouse: str = Field(..., max_length=20)
    zone: str = Field(..., max_length=10)
    sku: str | None = Field(None, max_length=64)
    category: str | None = Field(None, max_length=40, description="category code (when no sku)")


# -- expected receipts ----------------------------------------------------------------------------


@router.get("/wms/receipts", response=AsnPage, summary="Expected receipts (ASN), newest first")
def list_receipts(request, warehouse: str | None = None, status: str | None = None,
                  q: str | None = Query(None, max_length=64, description="ASN, PO or supplier text"),
                  limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=MAX_INT)):
    authorize(request, "purchasing.view")
    if status and status not in Asn.Status.values:
        raise ValidationFailed("status must be one of " + ", ".join(Asn.Status.values), field="status")
    qs = selectors.asns(warehouse=_text(warehouse, "warehouse", 20) or None, status=status or None,
                        q=_text(q, "q", 64) or None)
    return {"items": [selectors.asn_summary(a) for a in qs[offset:offset + limit]], "count": qs.count()}


@router.post("/wms/receipts", response={201: AsnOut}, summary="Expect a receipt by hand (without a purchase order)")
def post_receipt(request, payload: AsnIn):
    actor = authorize(request, "wms.plan")
    warehouse = _warehouse(payload.warehouse)
    supplier = None
    if payload.supplier:
        supplier = catalog_selectors.find_partner(_text(payload.supplier, "supplier", 40))
        if supplier is None:
            raise ValidationFailed(f"unknown supplier {payload.supplier}", field="supplier", code="unknown_reference")
    expected = parse_date(_text(payload.expected_date, "expected_date", 20) or None, field="expected_date")
    lines = [services.ExpectedLine(product=_product(line.sku, f"lines[{i}].sku"), qty=line.qty,
                                   unit_cost=line.unit_cost, source_line_id=_text(line.source_line_id,
                                                                                   f"lines[{i}].source_line_id", 40))
             for i, line in enumerate(payload.lines)]
    with tx.entry():
        asn = services.expect_receipt(warehouse=warehouse, supplier=supplier, source_type="manual", source_id="",
                                      source_number=_text(payload.reference, "reference", 64), expected_date=expected,
                                      lines=lines, actor=actor)
    return 201, selectors.asn_detail(selectors.asn(asn.pk))


@router.get("/wms/receipts/{asn_id}", response=AsnOut, summary="An expected receipt: lines received / expected, "
            "scans, inspections")
def get_receipt(request, asn_id: int):
    authorize(request, "purchasing.view")
    return selectors.asn_detail(selectors.asn(asn_id))


@router.post("/wms/receipts/{asn_id}/scan", response={201: ReceiptScanOut},
             summary="Receive one GS1 scan against an expected receipt (what the handheld page does)")
def post_scan(request, asn_id: int, payload: ReceiptScanIn):
    actor = authorize(request, "wms.operate")
    asn = selectors.asn(asn_id)
    location = _location(asn.warehouse, payload.location, "location")
    barcode = payload.barcode.replace("\x00", "")
    with tx.entry():
        result = services.receive_scan(asn=asn, barcode=barcode, qty=payload.qty, location=location, actor=actor)
    return 201, result


@router.post("/wms/receipts/{asn_id}/close", response=AsnOut, summary="Close short: nothing more will come")
def post_close(request, asn_id: int):
    actor = authorize(request, "wms.plan")
    with tx.entry():
        services.close_asn(asn=selectors.asn(asn_id), actor=actor)
    return selectors.asn_detail(selectors.asn(asn_id))


# -- quality --------------------------------------------------------------------------------------


@router.get("/wms/inspections", response=list[InspectionOut], summary="Quality inspections (held receipts)")
def list_inspections(request, status: str | None = None, warehouse: str | None = None,
                     limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=MAX_INT)):
    authorize(request, "stock.view")
    if status and status not in Inspection.Status.values:
        raise ValidationFailed("status must be pending, released or rejected", field="status")
    qs = selectors.inspections(status=status or None, warehouse=_text(warehouse, "warehouse", 20) or None)
    return [selectors.inspection_out(i) for i in qs[offset:offset + limit]]


@router.post("/wms/inspections/{inspection_id}/release", response=InspectionOut,
             summary="质检合格: release held goods (available, moved to the dock or a bin)")
def post_release(request, inspection_id: int, payload: DecisionIn):
    actor = authorize(request, "wms.operate")
    inspection = selectors.inspection(inspection_id)
    target = _location(inspection.asn.warehouse, payload.to_location, "to_location")
    with tx.entry():
        services.release_inspection(inspection=inspection, actor=actor, to_location=target,
                                    note=_text(payload.note, "note", 500))
    return selectors.inspection_out(selectors.inspection(inspection_id))


@router.post("/wms/inspections/{inspection_id}/reject", response=InspectionOut,
             summary="质检不合格: return held goods to the supplier (stock out, 暂估 reversed)")
def post_reject(request, inspection_id: int, payload: RejectIn):
    actor = authorize(request, "wms.operate")
    inspection = selectors.inspection(inspection_id)
    with tx.entry():
        services.reject_inspection(inspection=inspection, actor=actor, note=_text(payload.note, "note", 500))
    return selectors.inspection_out(selectors.inspection(inspection_id))


@router.get("/wms/inspection-rules", response=list[InspectionRuleOut], summary="Products received into quality hold")
def list_rules(request):
    authorize(request, "stock.view")
    return [{"sku": r.product.sku, "name": r.product.name, "active": r.active, "note": r.note}
            for r in selectors.inspection_rules()]


@router.put("/wms/inspection-rules/{sku}", response=InspectionRuleOut, summary="Flag (or unflag) a product for inspection")
def put_rule(request, sku: str, payload: InspectionRuleIn):
    actor = authorize(request, "wms.plan")
    product = _product(sku)
    with tx.entry():
        rule = services.set_inspection_rule(product=product, active=payload.active, actor=actor,
                                            note=_text(payload.note, "note", 200))
    return {"sku": product.sku, "name": product.name, "active": rule.active, "note": rule.note}


# -- putaway --------------------------------------------------------------------------------------


@router.get("/wms/putaway", response=list[DockOut], summary="Goods waiting on the dock, with the suggested bin")
def list_putaway(request, warehouse: str | None = None, limit: int = Query(100, ge=1, le=500)):
    authorize(request, "stock.view")
    wh = _warehouse(warehouse) if warehouse else None
    return selectors.dock_rows(warehouse=wh, limit=limit)


@router.post("/wms/putaway", response={201: PutawayOut},
             summary="Put away: move from the dock to the bin whose label was scanned")
def post_putaway(request, payload: PutawayIn):
    actor = authorize(request, "wms.operate")
    warehouse = _warehouse(payload.warehouse)
    lot_number = _text(payload.lot, "lot", 64)
    if payload.barcode:
        scan = gs1.parse(payload.barcode.replace("\x00", ""))
        product = services.product_by_gtin(scan.gtin) if scan.gtin else None
        if product is None:
            raise ValidationFailed(f"unknown GTIN {scan.gtin}" if scan.gtin else "the barcode has no GTIN (01)",
                                   field="barcode", code="unknown_gtin")
        lot_number = lot_number or scan.lot or scan.serial or ""
    elif payload.sku:
        product = _product(payload.sku)
    else:
        raise ValidationFailed("say which product: sku or barcode", field="sku")
    lot = None
    if lot_number:
        lot = stock_selectors.find_lot(product, lot_number)
        if lot is None:
            raise ValidationFailed(f"unknown lot {lot_number} of {product.sku}", field="lot",
                                   code="unknown_reference")
    target = _location(warehouse, payload.bin, "bin")
    if target is None:
        raise ValidationFailed("scan the bin label", field="bin")
    source = _location(warehouse, payload.from_location, "from_location")
    with tx.entry():
        record = services.put_away(warehouse=warehouse, product=product, qty=payload.qty, to_location=target,
                                   lot=lot, from_location=source, actor=actor)
    return 201, {"id": record.pk, "warehouse": warehouse.code, "sku": product.sku,
                 "lot": lot.number if lot else None, "qty": text(record.qty), "from_location": record.from_location.code,
                 "to_location": target.code, "suggested": record.suggested.code if record.suggested_id else None,
                 "followed_suggestion": record.suggested_id == target.pk}


class PutawayRuleOut(Schema):
    id: int
    warehouse: str
    zone: str
    sku: str | None
    category: str | None


@router.post("/wms/putaway-rules", response={201: PutawayRuleOut}, summary="Put a product (or category) away into a zone")
def post_putaway_rule(request, payload: PutawayRuleIn):
    actor = authorize(request, "wms.plan")
    warehouse = _warehouse(payload.warehouse)
    zone = catalog_selectors.find_zone(warehouse, _text(payload.zone, "zone", 10))
    if zone is None:
        raise ValidationFailed(f"unknown zone {payload.zone} in {warehouse.code}", field="zone",
                               code="unknown_reference")
    product = _product(payload.sku) if payload.sku else None
    category = None
    if payload.category and product is None:
        category = catalog_selectors.find_category(_text(payload.category, "category", 40))
        if category is None:
            raise ValidationFailed(f"unknown category {payload.category}", field="category",
                                   code="unknown_reference")
    with tx.entry():
        rule = services.set_putaway_rule(warehouse=warehouse, zone=zone, product=product, category=category,
                                         actor=actor)
    return 201, {"id": rule.pk, "warehouse": warehouse.code, "zone": zone.code,
                 "sku": product.sku if product else None, "category": category.code if category else None}

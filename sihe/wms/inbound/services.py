"""The verbs of inbound warehouse work: expect a receipt, receive it by scan, hold / release / reject
for quality, put away, and the master data of inspection and putaway rules.

Quantities and value go through `sihe.costing.services` (which writes the stock moves, valuation
layers and the vouchers 库存商品 / 应付账款—暂估), so nothing here keeps its own copy of stock.
A higher app (purchasing) creates ASNs with `expect_receipt` and learns of receipts through
`hooks.register_on_received` — called inside the receipt's transaction.

Customer returns (退货): an ASN with `source_type == RETURN_SOURCE_TYPE` ("oms.aftersales", made by
the after-sales side with `supplier=None` and the unit cost the goods were issued at) is received
with `costing.bring_in(kind=RECEIPT, counterpart=CUSTOMER)` — the layer is worth the ASN line's unit
cost × qty and books `stock.issue.reverse` (库存商品 / 主营业务成本), not a purchase — and always into
quality hold, whatever the product's inspection rule. Released, it goes to the dock or a bin as any
held receipt; rejected, it is NOT sent anywhere: it moves to the warehouse's defective location
(`defective_of`, code "DEF", 次品区, made on demand) and a standing reservation "DEF-<inspection id>"
keeps it out of every allocation (`defective_reference`), the line's `rejected_qty` counts it and
`hooks.rejected` tells the after-sales side. Rejected return goods do not reopen the ASN.
"""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sihe.catalog.models import Location, Partner, Product, Uom, Warehouse
from sihe.core import audit, batch, clock, sqlrows, tx
from sihe.core.actor import Actor
from sihe.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from sihe.core.money import round_unit_cost, text, to_decimal
from sihe.costing import services as costing
from sihe.stock import reservations
from sihe.stock import services as stock
from sihe.stock.models import Counterpart, Lot, Quant, StockMove
from sihe.stock.units import to_base
from sihe.wms.inbound import events, gs1, hooks, putaway
from sihe.wms.inbound.hooks import register_on_received, register_on_rejected
from sihe.wms.inbound.models import (
    RETURN_SOURCE_TYPE,
    Asn,
    AsnLine,
    Inspection,
    InspectionRule,
    Putaway,
    PutawayRule,
    ReceiptScan,
)
from sihe.wms.inbound.transitions import ASN

__all__ = ["ExpectedLine", "expect_receipt", "receive_scan", "register_on_received", "register_on_rejected",
           "close_asn", "cancel_asn", "release_inspection", "reject_inspection", "put_away", "suggest_bin",
           "set_inspection_rule", "set_putaway_rule", "over_receipt_tolerance", "RETURN_SOURCE_TYPE",
           "DEFECTIVE_CODE", "defective_of", "defective_reference"]

ZERO = Decimal(0)
DEFAULT_TOLERANCE_PERCENT = Decimal("5")


@dataclass
class ExpectedLine:
    """One line of an expected receipt, in the product's base unit; unit_cost in CNY per base unit."""

    product: Product
    qty: Decimal
    unit_cost: Decimal
    source_line_id: str = ""


QTY_LIMIT = Decimal("1e13")  # quantities are stored with 20 digits, 6 of them decimals


def quantity(product: Product, value, *, field: str = "qty") -> Decimal:
    """A quantity in the product's base unit at its precision; beyond what a column holds: refused."""
    number = to_decimal(value, field=field)
    if abs(number) >= QTY_LIMIT:
        raise ValidationFailed(_("%(field)s is too large") % {"field": field}, field=field, code="qty_too_large")
    return to_base(product, number, field=field)


def over_receipt_tolerance() -> Decimal:
    """Percent above the expected quantity a receipt may go (setting SIHE_RECEIPT_OVER_TOLERANCE_PERCENT,
    default 5 %)."""
    value = getattr(settings, "SIHE_RECEIPT_OVER_TOLERANCE_PERCENT", DEFAULT_TOLERANCE_PERCENT)
    return Decimal(str(value))


_DOCK_ID = (f'SELECT b."id" FROM "{Location._meta.db_table}" b WHERE b."warehouse_id" = a."warehouse_id" '
            f'AND b."kind" = %s AND b."active" ORDER BY b."code" LIMIT 1')  # the first active dock of the ASN's warehouse


def _lock_asn(asn: Asn, *, with_dock: bool = False) -> Asn:
    """The expected receipt locked, with its warehouse and supplier (a statement every scan runs: see
    sihe.core.sqlrows); `with_dock`: also the warehouse's dock as `asn.dock` (None if it has none), read
    in the same statement (only the ASN row is locked: the dock is master data, not a figure that moves)."""
    lock = " FOR UPDATE OF a" if connection.features.has_select_for_update else ""
    dock = (f', {sqlrows.columns(Location, "d")}', f' LEFT JOIN "{Location._meta.db_table}" d ON d."id" = ({_DOCK_ID})'
            ) if with_dock else ("", "")
    sql = (f'SELECT {sqlrows.columns(Asn, "a")}, {sqlrows.columns(Warehouse, "w")}, {sqlrows.columns(Partner, "s")}'
           f'{dock[0]} FROM "{Asn._meta.db_table}" a JOIN "{Warehouse._meta.db_table}" w ON w."id" = a."warehouse_id" '
           f'LEFT JOIN "{Partner._meta.db_table}" s ON s."id" = a."supplier_id"{dock[1]} WHERE a."id" = %s{lock}')
    params = [Location.Kind.DOCK, asn.pk] if with_dock else [asn.pk]
    found = sqlrows.first(sql, params, Asn, related={"warehouse": Warehouse, "supplier": Partner},
                          alongside={"dock": Location} if with_dock else None)
    if found is None:
        raise NotFound(_("expected receipt %(id)s not found") % {"id": asn.pk}, field="asn")
    return found


@dataclass(slots=True)
class LineFigures:
    """An ASN line's figures as a scan's answer and the ASN's status need them, from plain values: building
    every line of a long ASN as a model instance (50 lines: 3.6 ms by the ORM, 0.2 ms as values on SQLite)
    cost more than the rest of a scan."""
    pk: int
    sku: str
    qty: Decimal
    received_qty: Decimal
    rejected_qty: Decimal
    counted_qty = AsnLine.counted_qty  # the same rule as the line's (given the ASN)


def _lines_of(rows, product: Product, at: int) -> tuple[list[AsnLine], list]:
    """The ASN's lines from `rows` (their columns from `at` on, then the line product's SKU): the product's as
    lines to receive on (their product attached), and every line's figures in line order (the product's lines
    themselves among them). A row whose line id is NULL (an ASN with no lines) gives none."""
    names = [field.attname for field in AsnLine._meta.concrete_fields]
    width = len(names)
    index = {name: at + names.index(name) for name in ("id", "product_id", "qty", "received_qty", "rejected_qty")}
    mine, figures = [], []
    for row in rows:
        if row[index["id"]] is None:
            continue
        if row[index["product_id"]] == product.pk:
            line = sqlrows.instance(AsnLine, row[at:at + width])
            AsnLine.product.field.set_cached_value(line, product)
            line.sku = product.sku
            mine.append(line)
            figures.append(line)
            continue
        figures.append(LineFigures(row[index["id"]], row[at + width], *(
            sqlrows.value(AsnLine, name, row[index[name]]) for name in ("qty", "received_qty", "rejected_qty"))))
    return mine, figures


def _scan_reads(asn: Asn, gtin14: str) -> tuple[Product | None, list[AsnLine], list]:
    """The scanned GTIN's product as `product_by_gtin` reads it, and the (locked) ASN's lines as `_lines_of`
    gives them, in one statement: every line of the ASN joined to the one product (none: no row, an unknown
    GTIN; an ASN without lines: one row whose line is NULL). A scan runs it every time."""
    columns, source, variants = _product_sql(gtin14)
    products = Product._meta.db_table
    sql = (f'SELECT {columns}, {sqlrows.columns(AsnLine, "l")}, lp."sku" FROM {source} '
           f'LEFT JOIN "{AsnLine._meta.db_table}" l ON l."asn_id" = %s LEFT JOIN "{products}" lp ON lp."id" = l."product_id" '
           f'WHERE p."id" = (SELECT MIN(g."id") FROM "{products}" g WHERE g."gtin" IN ({", ".join(["%s"] * len(variants))})) '
           f'ORDER BY l."id"')
    with connection.cursor() as cursor:
        cursor.execute(sql, [asn.pk, *variants])
        rows = cursor.fetchall()
    if not rows:
        return None, [], []
    at = sqlrows.width(Product) + sqlrows.width(Uom) + 1
    product = _product_from(rows[0][:at])
    return (product, *_lines_of(rows, product, at))


def _today(actor: Actor) -> datetime.date:
    return timezone.localdate(actor.at)


# -- expected receipts ----------------------------------------------------------------------------


def expect_receipt(*, warehouse: Warehouse, supplier: Partner | None, source_type: str, source_id: str,
                   source_number: str, expected_date: datetime.date | None, lines: list[ExpectedLine],
                   actor: Actor) -> Asn:
    """An expected receipt (ASN) for a warehouse. The same (source_type, source_id) twice returns the
    first ASN unchanged (idempotent: a re-delivered event creates nothing)."""
    with transaction.atomic():
        source_id = str(source_id or "")
        if source_id:
            existing = Asn.objects.filter(source_type=source_type, source_id=source_id).first()
            if existing is not None:
                return existing
        if not lines:
            raise ValidationFailed(_("an expected receipt needs at least one line"), field="lines")
        if supplier is not None and supplier.kind != Partner.Kind.SUPPLIER:
            raise ValidationFailed(_("%(code)s is not a supplier") % {"code": supplier.code}, field="supplier")
        cleaned = []
        for i, line in enumerate(lines):
            qty = quantity(line.product, line.qty, field=f"lines[{i}].qty")
            unit_cost = to_decimal(line.unit_cost, field=f"lines[{i}].unit_cost")
            if unit_cost < 0 or abs(unit_cost) >= Decimal("1e12"):
                raise ValidationFailed(_("unit cost must be 0 or more"), field=f"lines[{i}].unit_cost")
            cleaned.append((line.product, qty, round_unit_cost(unit_cost), str(line.source_line_id or "")[:40]))
        asn = Asn.objects.create(number=f"tmp-{uuid.uuid4().hex[:30]}", warehouse=warehouse, supplier=supplier,
                                 source_type=source_type[:40], source_id=source_id[:40],
                                 source_number=(source_number or "")[:64], expected_date=expected_date,
                                 created_by=actor.username)
        asn.number = f"ASN{_today(actor):%Y%m%d}-{asn.pk:05d}"
        Asn.objects.filter(pk=asn.pk).update(number=asn.number)
        rows = AsnLine.objects.bulk_create([
            AsnLine(asn=asn, product=product, qty=qty, unit_cost=cost, source_line_id=line_id)
            for product, qty, cost, line_id in cleaned])
        audit.record_created(asn, actor=actor, fields=["number", "warehouse", "supplier", "source_number"])
        events.asn_expected(asn, rows, actor=actor)
        return asn


def _refresh_status(asn: Asn, lines: list[AsnLine] | None = None) -> None:
    """The ASN's status from its lines (`lines`: all of them, as the act holds them, else read)."""
    lines = list(asn.lines.all()) if lines is None else lines
    if not ASN.allowed_actions(asn.status):  # closed or cancelled: its status no longer follows the lines
        return
    if all(line.counted_qty(asn) >= line.qty for line in lines):
        status = Asn.Status.RECEIVED
    elif any(line.received_qty > 0 for line in lines):
        status = Asn.Status.RECEIVING
    else:
        status = Asn.Status.EXPECTED
    if status != asn.status:
        asn.status = status
        asn.received_at = clock.now() if status == Asn.Status.RECEIVED else None
        Asn.objects.filter(pk=asn.pk).update(status=status, received_at=asn.received_at)


def close_asn(*, asn: Asn, actor: Actor) -> Asn:
    """Close short: nothing more is expected (the rest will not come)."""
    return _end(asn, "close", actor, need_receipt=True)


def cancel_asn(*, asn: Asn, actor: Actor) -> Asn:
    """Cancel an expected receipt on which nothing was received."""
    return _end(asn, "cancel", actor, need_receipt=False)


def _end(asn: Asn, act: str, actor: Actor, *, need_receipt: bool) -> Asn:
    with transaction.atomic():
        asn = _lock_asn(asn)
        if act not in ASN.allowed_actions(asn.status):
            raise InvalidTransition(_("expected receipt %(n)s is %(s)s") % {"n": asn.number, "s": asn.get_status_display()},
                                    field="status")
        received = asn.lines.filter(received_qty__gt=0).exists()
        if not need_receipt and received:
            raise InvalidTransition(_("goods were already received on %(n)s: close it instead") % {"n": asn.number},
                                    field="status")
        before = audit.snapshot(asn, ["status"])
        asn.status = status = ASN.target(act)
        Asn.objects.filter(pk=asn.pk).update(status=status)
        audit.record_changes(asn, actor=actor, before=before)
        return asn


# -- receiving by scan ----------------------------------------------------------------------------


def _product_sql(gtin14: str) -> tuple[str, str, list[str]]:
    """(columns, FROM clause, GTINs) of a read of the product (alias p) whose GTIN is `gtin14` in any of its
    forms (GTIN-13, -12 or -8 with leading zeros), with its unit and whether it is inspected on receipt
    (`needs_inspection`): written out once (sihe.core.sqlrows)."""
    variants = {gtin14}
    for width in (13, 12, 8):
        if gtin14[: 14 - width].strip("0") == "":
            variants.add(gtin14[14 - width:])
    columns = (f'{sqlrows.columns(Product, "p")}, {sqlrows.columns(Uom, "u")}, EXISTS (SELECT 1 FROM '
               f'"{InspectionRule._meta.db_table}" i WHERE i."product_id" = p."id" AND i."active")')
    return columns, (f'"{Product._meta.db_table}" p JOIN "{Uom._meta.db_table}" u ON u."id" = p."uom_id"'), \
        sorted(variants)


def _product_from(row) -> Product:
    product = sqlrows.build(row, Product, related={"uom": Uom}, extra=("inspected",))
    product.inspected = bool(product.inspected)  # SQLite answers 0 or 1
    return product


def product_by_gtin(gtin14: str) -> Product | None:
    columns, source, variants = _product_sql(gtin14)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT {columns} FROM {source} WHERE p."gtin" IN ({", ".join(["%s"] * len(variants))}) '
                       f'ORDER BY p."id" LIMIT 1', variants)
        row = cursor.fetchone()
    return None if row is None else _product_from(row)


def dock_of(warehouse: Warehouse) -> Location:
    found = Location.objects.filter(warehouse=warehouse, kind=Location.Kind.DOCK, active=True).order_by("code").first()
    return found or stock.default_location(warehouse)


QUALITY_CODE = "QC"


def quality_of(warehouse: Warehouse, *, create: bool = False, actor: Actor | None = None) -> Location:
    """The warehouse's quality-hold location; `create`: made on demand (code "QC", in the first zone) — a
    customer return must be checked wherever it comes back, so it never fails for want of one."""
    found = Location.objects.filter(warehouse=warehouse, kind=Location.Kind.QUALITY, active=True).exclude(
        code=DEFECTIVE_CODE).order_by("code").first()
    zone = warehouse.zones.order_by("code").first() if found is None and create else None
    if zone is not None:
        found, _created = Location.objects.get_or_create(
            warehouse=warehouse, code=QUALITY_CODE, defaults={"zone": zone, "kind": Location.Kind.QUALITY})
        if _created and actor is not None:
            audit.record_created(found, actor=actor, fields=["code", "kind", "zone"])
    if found is None:
        raise ValidationFailed(_("warehouse %(wh)s has no quality-hold location: create one (kind quality) first")
                               % {"wh": warehouse.code}, field="location", code="no_quality_location")
    return found


DEFECTIVE_CODE = "DEF"


def defective_of(warehouse: Warehouse, *, actor: Actor | None = None) -> Location:
    """The warehouse's defective location (次品区, code "DEF"), where rejected customer returns wait.
    Made on demand, of kind quality (catalog has no "defective" kind; a quality location is never a
    putaway, pick or default location), in the zone of the quality location (else the first zone).
    What lies there is held by a reservation "DEF-<inspection id>" so that nothing allocates it."""
    found = Location.objects.filter(warehouse=warehouse, code=DEFECTIVE_CODE).first()
    if found is not None:
        return found
    near = Location.objects.filter(warehouse=warehouse, kind=Location.Kind.QUALITY).select_related("zone").order_by(
        "code").first()
    zone = near.zone if near is not None else warehouse.zones.order_by("code").first()
    if zone is None:
        raise ValidationFailed(_("warehouse %(wh)s has no zone for a defective location: create a zone first")
                               % {"wh": warehouse.code}, field="location", code="no_defective_location")
    location = Location.objects.create(warehouse=warehouse, zone=zone, code=DEFECTIVE_CODE, kind=Location.Kind.QUALITY)
    if actor is not None:
        audit.record_created(location, actor=actor, fields=["code", "kind", "zone"])
    return location


def defective_reference(inspection: Inspection) -> str:
    """The reservation that keeps a rejected return's goods in the defective location out of allocation;
    release it (`stock.reservations.release_reference`) before scrapping them or sending them on."""
    return f"DEF-{inspection.pk}"


def needs_inspection(product: Product) -> bool:
    if "inspected" in product.__dict__:  # read with the product (`product_by_gtin`)
        return product.inspected
    return InspectionRule.objects.filter(product=product, active=True).exists()


def _allocate(asn: Asn, lines: list[AsnLine], qty: Decimal) -> list[tuple[AsnLine, Decimal]]:
    """Fill the open quantity of the product's lines in order; what is left goes on the last line."""
    portions, rest = [], qty
    for line in lines:
        open_qty = line.qty - line.counted_qty(asn)
        if rest > 0 and open_qty > 0:
            take = min(rest, open_qty)
            portions.append((line, take))
            rest -= take
    if rest > 0:
        if portions and portions[-1][0] is lines[-1]:
            portions[-1] = (lines[-1], portions[-1][1] + rest)
        else:
            portions.append((lines[-1], rest))
    return portions


def _scan_qty(product: Product, qty, scan: gs1.Gs1Scan) -> Decimal:
    if qty not in (None, ""):
        return quantity(product, qty, field="qty")
    if scan.count is not None:
        if scan.count <= 0:
            raise ValidationFailed(_("the barcode's quantity (30/37) is 0"), field="barcode", code="bad_quantity")
        return to_base(product, scan.count, field="qty")
    return Decimal(1)


def _check_tracking(product: Product, scan: gs1.Gs1Scan, qty: Decimal, today: datetime.date) -> tuple:
    """(lot number, expiry) for the receipt, or the refusal naming what the scan lacks."""
    if product.tracking == Product.Tracking.NONE:
        return None, None
    if product.tracking == Product.Tracking.SERIAL:
        number = scan.serial or scan.lot
        if not number:
            raise ValidationFailed(_("%(sku)s is serial-tracked: scan a label with the serial number (21)")
                                   % {"sku": product.sku}, field="barcode", code="serial_required")
        if qty != 1:
            raise ValidationFailed(_("%(sku)s is serial-tracked: one unit per serial number") % {"sku": product.sku},
                                   field="qty", code="serial_qty")
    else:
        number = scan.lot
        if not number:
            raise ValidationFailed(_("%(sku)s is tracked by lot: the barcode has no lot number (10)")
                                   % {"sku": product.sku}, field="barcode", code="lot_required")
    if len(number) > 64:
        raise ValidationFailed(_("the lot number is too long"), field="barcode", code="unreadable")
    existing = stock.known_lot(product, number)
    expiry = scan.expiry
    if expiry is None and scan.production_date and product.shelf_life_days:
        expiry = scan.production_date + datetime.timedelta(days=product.shelf_life_days)
    if existing is not None and existing.expiry_date and expiry and existing.expiry_date != expiry:
        raise ValidationFailed(_("lot %(lot)s is already known with expiry %(expiry)s, the label says %(label)s")
                               % {"lot": number, "expiry": existing.expiry_date.isoformat(), "label": expiry.isoformat()},
                               field="barcode", code="expiry_mismatch")
    if expiry is None and existing is not None:
        expiry = existing.expiry_date
    if product.is_expiry_tracked and expiry is None:
        raise ValidationFailed(_("%(sku)s is tracked by expiry: the barcode has no expiry date (17)")
                               % {"sku": product.sku}, field="barcode", code="expiry_required")
    if expiry is not None and expiry < today:
        raise ValidationFailed(_("lot %(lot)s expired on %(expiry)s") % {"lot": number,
                               "expiry": expiry.isoformat()}, field="barcode", code="expired")
    if scan.production_date and expiry and scan.production_date > expiry:
        raise ValidationFailed(_("production date is after the expiry date"), field="barcode", code="bad_dates")
    return number, expiry


def receive_scan(*, asn: Asn, barcode: str, qty=None, location: Location | None = None, actor: Actor) -> dict:
    """Receive what one scan says against an expected receipt, at once.

    Refused (ValidationFailed on `barcode`/`qty`/`location`, nothing changed): unreadable barcode,
    wrong check digit, unknown GTIN, a product not on this ASN, missing lot/expiry of a tracked
    product, an expired lot, more than expected + tolerance. A good scan receives into the dock (or
    the given location; products with an inspection rule into the quality location, held), books
    库存商品 / 应付账款—暂估 at the ASN line's unit cost, and updates the ASN line. A customer return
    (`asn.is_customer_return`) is always held in the quality location, whatever `location` says, and
    comes in from the customer at the line's unit cost (库存商品 / 主营业务成本, `stock.issue.reverse`).
    """
    # one act that collects: audit rows, events and the voucher's number and balances at its end
    with tx.act(), batch.collect():
        asn = _lock_asn(asn, with_dock=True)
        if "receive" not in ASN.allowed_actions(asn.status):  # received: more within tolerance is fine
            raise Conflict(_("expected receipt %(n)s is %(s)s: nothing more can be received")
                           % {"n": asn.number, "s": asn.get_status_display()}, field="asn", code="asn_not_open")
        scan = gs1.parse(barcode)
        if scan.gtin is None:
            if scan.sscc:
                raise ValidationFailed(_("SSCC %(sscc)s is a pallet label: scan the carton label with the GTIN (01)")
                                       % {"sscc": scan.sscc}, field="barcode", code="no_gtin")
            raise ValidationFailed(_("the barcode has no GTIN (01)"), field="barcode", code="no_gtin")
        product, lines, all_lines = _scan_reads(asn, scan.gtin)
        if product is None:
            raise ValidationFailed(_("unknown GTIN %(gtin)s: no product has this barcode") % {"gtin": scan.gtin},
                                   field="barcode", code="unknown_gtin")
        if not lines:
            raise ValidationFailed(_("wrong product: %(sku)s %(name)s is not on %(n)s")
                                   % {"sku": product.sku, "name": product.name, "n": asn.number},
                                   field="barcode", code="wrong_product")
        count = _scan_qty(product, qty, scan)
        today = _today(actor)
        lot_number, expiry = _check_tracking(product, scan, count, today)
        expected = sum((line.qty for line in lines), ZERO)
        accepted = sum((line.counted_qty(asn) for line in lines), ZERO)
        tolerance = over_receipt_tolerance()
        limit = expected * (1 + tolerance / 100)
        if accepted + count > limit:
            raise ValidationFailed(
                _("over receipt: %(sku)s expected %(expected)s, already received %(received)s, this scan %(qty)s; "
                  "at most %(limit)s allowed (tolerance %(tol)s%%)")
                % {"sku": product.sku, "expected": text(expected), "received": text(accepted), "qty": text(count),
                   "limit": text(limit), "tol": text(tolerance)}, field="qty", code="over_receipt",
                expected=text(expected), received=text(accepted), allowed=text(limit))
        returned = asn.is_customer_return
        held = returned or needs_inspection(product)  # returned goods are always inspected
        if held:
            target = quality_of(asn.warehouse, create=returned, actor=actor)
        elif location is not None:
            target = stock.check_location(asn.warehouse, location, field="location")
        else:
            target = asn.dock or stock.default_location(asn.warehouse)
        portions = _allocate(asn, lines, count)
        in_lines = [stock.InLine(product=product, qty=q, unit_cost=line.unit_cost, lot=lot_number, expiry=expiry,
                                 production_date=scan.production_date, location=target, field="barcode")
                    for line, q in portions]
        if returned:  # back from the customer at the cost it left at: the sale's cost is booked back
            pairs = costing.bring_in(kind=StockMove.Kind.RECEIPT, counterpart=Counterpart.CUSTOMER,
                                     warehouse=asn.warehouse, lines=in_lines, actor=actor, reference=asn.number,
                                     date=today)
        else:
            pairs = costing.receive(warehouse=asn.warehouse, lines=in_lines, actor=actor, reference=asn.number,
                                    date=today)
        moves = [move for move, _layer in pairs]
        lot = moves[0].lot
        scans = [ReceiptScan(asn=asn, line=line, product=product, lot=lot, qty=q, location=target, move=move,
                             barcode=scan.raw[:200], sscc=scan.sscc or "", held=held, created_by=actor.username)
                 for (line, q), move in zip(portions, moves, strict=True)]
        # the lines' received quantities and the scan rows: one statement on PostgreSQL
        sqlrows.insert_groups([scans], writes=[sqlrows.update_each_statement(
            AsnLine, "received_qty", {line.pk: line.received_qty + q for line, q in portions})])
        for line, q in portions:
            line.received_qty += q
        inspections = [_hold(record, actor=actor) for record in scans] if held else []
        _refresh_status(asn, all_lines)
        audit.record_act(asn, actor=actor, action="wms.receive_scan",
                         detail=f"{product.sku} {text(count)} {lot_number or ''} → {target.code}".strip())
        events.asn_received(asn, portions, held=held, lot=lot, location=target, actor=actor)
        hooks.received(asn=asn, received=portions, actor=actor)
        suggestion = None if held else putaway.suggest(product=product, warehouse=asn.warehouse, qty=count, lot=lot,
                                                        exclude=target)
        return {
            "asn_id": asn.pk, "asn": asn.number, "status": asn.status,
            "product": {"sku": product.sku, "name": product.name, "gtin": product.gtin},
            "lot": lot.number if lot else None,
            "expiry": lot.expiry_date.isoformat() if lot and lot.expiry_date else None,
            "production_date": scan.production_date.isoformat() if scan.production_date else None,
            "sscc": scan.sscc, "qty": text(count), "location": target.code, "held": held,
            "inspections": [i.pk for i in inspections], "scans": [s.pk for s in scans], "moves": [m.pk for m in moves],
            "line": {"id": portions[0][0].pk, "received": text(sum((ln.received_qty for ln in lines), ZERO)),
                     "expected": text(expected)},
            "lines": [{"id": ln.pk, "sku": ln.sku, "expected": text(ln.qty), "received": text(ln.received_qty),
                       "rejected": text(ln.rejected_qty)} for ln in all_lines],
            "suggested_bin": suggestion.code if suggestion else None,
        }


# -- quality hold ---------------------------------------------------------------------------------


def _hold(scan: ReceiptScan, *, actor: Actor) -> Inspection:
    inspection = Inspection.objects.create(scan=scan, asn=scan.asn, product=scan.product, lot=scan.lot, qty=scan.qty,
                                           location=scan.location)
    reservation = reservations.reserve(product=scan.product, warehouse=scan.asn.warehouse, qty=scan.qty,
                                       reference=inspection.reference, actor=actor, lot=scan.lot,
                                       location=scan.location)
    inspection.reservation = reservation
    Inspection.objects.filter(pk=inspection.pk).update(reservation=reservation)
    audit.record_act(inspection, actor=actor, action="wms.hold", detail=f"{scan.product.sku} {text(scan.qty)}")
    return inspection


def _pending(inspection: Inspection) -> tuple[Asn, Inspection]:
    asn = _lock_asn(inspection.asn)
    inspection = Inspection.objects.select_related("scan__line", "scan__move", "product", "lot", "location",
                                                   "reservation").get(pk=inspection.pk)
    if inspection.status != Inspection.Status.PENDING:
        raise InvalidTransition(_("inspection %(id)s is already %(s)s")
                                % {"id": inspection.pk, "s": inspection.get_status_display()}, field="status")
    return asn, inspection


def release_inspection(*, inspection: Inspection, actor: Actor, to_location: Location | None = None,
                       note: str = "") -> Inspection:
    """质检合格: the held goods become available and move to the dock (or the given bin)."""
    with transaction.atomic():
        asn, inspection = _pending(inspection)
        target = stock.check_location(asn.warehouse, to_location, field="to_location") if to_location else \
            dock_of(asn.warehouse)
        if target.pk == inspection.location_id:
            raise ValidationFailed(_("release to a location other than the quality location"), field="to_location")
        if inspection.reservation_id:
            reservations.release(reservation=inspection.reservation, actor=actor)
        costing.transfer(warehouse=asn.warehouse, lines=[stock.OutLine(product=inspection.product, qty=inspection.qty,
                                                                       lot=inspection.lot,
                                                                       location=inspection.location)],
                         to_warehouse=asn.warehouse, to_location=target, actor=actor, reference=inspection.reference)
        return _decide(inspection, Inspection.Status.RELEASED, actor=actor, note=note, released_to=target)


def reject_inspection(*, inspection: Inspection, actor: Actor, note: str = "") -> Inspection:
    """质检不合格: the held goods go back to the supplier — the receipt move is reversed (红字), which
    takes the stock out of the quality location and reverses 库存商品 / 应付账款—暂估 at the same value.

    A customer return's goods are ours again, damaged: nothing is reversed; they move from the quality
    location to the defective location (`defective_of`, the inspection's `released_to`) and stay held
    there by the reservation `defective_reference(inspection)`; the ASN is not reopened."""
    with transaction.atomic():
        asn, inspection = _pending(inspection)
        if inspection.reservation_id:
            reservations.release(reservation=inspection.reservation, actor=actor)
        move = inspection.scan.move
        returned = asn.is_customer_return
        if move.counterpart != (Counterpart.CUSTOMER if returned else Counterpart.SUPPLIER):
            raise ValidationFailed(_("only goods received from a supplier can be returned"), field="inspection")
        destination = None
        if returned:
            destination = _to_defective(asn, inspection, actor=actor)
        else:
            costing.reverse(move=move, actor=actor, date=_today(actor))
        line = inspection.scan.line
        AsnLine.objects.filter(pk=line.pk).update(rejected_qty=line.rejected_qty + inspection.qty)
        line.rejected_qty += inspection.qty
        if not returned and "reopen" in ASN.allowed_actions(asn.status):
            asn.status = ASN.check(asn.status, "reopen")  # the rest has to come again
        _refresh_status(asn)
        result = _decide(inspection, Inspection.Status.REJECTED, actor=actor, note=note, released_to=destination)
        hooks.rejected(asn=asn, rejected=[(line, inspection.qty)], actor=actor)
        return result


def _to_defective(asn: Asn, inspection: Inspection, *, actor: Actor) -> Location:
    """Move a rejected return from the quality location to the defective one and hold it there."""
    defective = defective_of(asn.warehouse, actor=actor)
    costing.transfer(warehouse=asn.warehouse, lines=[stock.OutLine(product=inspection.product, qty=inspection.qty,
                                                                   lot=inspection.lot, location=inspection.location)],
                     to_warehouse=asn.warehouse, to_location=defective, actor=actor, reference=inspection.reference)
    today = _today(actor)
    expiry = inspection.lot.expiry_date if inspection.lot_id else None
    # held whatever its shelf life: an expired lot would not be "eligible" to reserve on a later day
    reservations.reserve(product=inspection.product, warehouse=asn.warehouse, qty=inspection.qty,
                         reference=defective_reference(inspection), actor=actor, lot=inspection.lot, location=defective,
                         ship_date=min(today, expiry) if expiry else today)
    audit.record_act(inspection, actor=actor, action="wms.defective",
                     detail=f"{inspection.product.sku} {text(inspection.qty)} → {defective.code}")
    return defective


def _decide(inspection: Inspection, status: str, *, actor: Actor, note: str, released_to) -> Inspection:
    before = audit.snapshot(inspection, ["status", "note"])
    inspection.status, inspection.note = status, (note or "")[:500]
    inspection.decided_at, inspection.decided_by, inspection.released_to = actor.at, actor.username, released_to
    Inspection.objects.filter(pk=inspection.pk).update(status=status, note=inspection.note,
                                                       decided_at=inspection.decided_at,
                                                       decided_by=actor.username, released_to=released_to)
    audit.record_changes(inspection, actor=actor, before=before)
    events.inspection_decided(f"wms.inspection.{status}", inspection, actor=actor)
    return inspection


# -- putaway --------------------------------------------------------------------------------------


def suggest_bin(*, product: Product, warehouse: Warehouse, qty: Decimal, lot: Lot | None = None,
                exclude: Location | None = None) -> Location | None:
    return putaway.suggest(product=product, warehouse=warehouse, qty=qty, lot=lot, exclude=exclude)


def put_away(*, warehouse: Warehouse, product: Product, qty, to_location: Location, actor: Actor,
             lot: Lot | None = None, from_location: Location | None = None) -> Putaway:
    """Move goods from the dock to the bin whose label was scanned (capacity by volume respected)."""
    with transaction.atomic():
        count = quantity(product, qty, field="qty")
        source = stock.check_location(warehouse, from_location, field="from_location") if from_location else \
            dock_of(warehouse)
        target = stock.check_location(warehouse, to_location, field="bin")
        if target.kind != Location.Kind.BIN:
            raise ValidationFailed(_("%(code)s is not a storage bin") % {"code": target.code}, field="bin",
                                   code="not_a_bin")
        if target.pk == source.pk:
            raise ValidationFailed(_("source and destination are the same location"), field="bin")
        if not target.active:
            raise ValidationFailed(_("bin %(code)s is not active") % {"code": target.code}, field="bin")
        if product.is_lot_tracked or product.tracking == Product.Tracking.SERIAL:
            if lot is None:
                raise ValidationFailed(_("%(sku)s is tracked by lot: say which lot") % {"sku": product.sku},
                                       field="lot", code="lot_required")
        need = count * (product.volume or ZERO)
        used = putaway.used_volume([target.pk]).get(target.pk, ZERO)
        if not putaway.fits(target, used, need):
            raise ValidationFailed(
                _("bin %(code)s is full: %(need)s m³ needed, %(left)s m³ left")
                % {"code": target.code, "need": text(need), "left": text(putaway.room_left(target, used))},
                field="bin", code="over_capacity")
        suggested = putaway.suggest(product=product, warehouse=warehouse, qty=count, lot=lot, exclude=source)
        pairs = costing.transfer(warehouse=warehouse, lines=[stock.OutLine(product=product, qty=count, lot=lot,
                                                                           location=source, field="lines[0]")],
                                 to_warehouse=warehouse, to_location=target, actor=actor, reference="PUTAWAY")
        record = Putaway.objects.create(warehouse=warehouse, product=product, lot=lot, qty=count, from_location=source,
                                        to_location=target, suggested=suggested, move=pairs[0][0],
                                        created_by=actor.username)
        audit.record_act(record, actor=actor, action="wms.putaway",
                         detail=f"{product.sku} {text(count)} {source.code} → {target.code}")
        events.putaway_done(record, actor=actor)
        return record


def dock_stock(*, warehouse: Warehouse | None = None):
    """What waits on the docks to be put away (available, not held)."""
    qs = Quant.objects.filter(location__kind=Location.Kind.DOCK, qty__gt=0).select_related(
        "product", "product__uom", "lot", "location", "warehouse").order_by("warehouse_id", "in_date", "id")
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    return qs.filter(qty__gt=F("reserved"))


# -- master data ----------------------------------------------------------------------------------


def set_inspection_rule(*, product: Product, active: bool, actor: Actor, note: str = "") -> InspectionRule:
    with transaction.atomic():
        rule, created = InspectionRule.objects.get_or_create(product=product, defaults={"active": active,
                                                                                          "note": note[:200]})
        if created:
            audit.record_created(rule, actor=actor, fields=["product", "active", "note"])
            return rule
        before = audit.snapshot(rule, ["active", "note"])
        rule.active, rule.note = active, note[:200]
        rule.save(update_fields=["active", "note"])
        audit.record_changes(rule, actor=actor, before=before)
        return rule


def set_putaway_rule(*, warehouse: Warehouse, zone, actor: Actor, product: Product | None = None,
                     category=None) -> PutawayRule:
    with transaction.atomic():
        if product is None and category is None:
            raise ValidationFailed(_("a putaway rule is for a product or a category"), field="product")
        if zone.warehouse_id != warehouse.pk:
            raise ValidationFailed(_("zone %(z)s is not in warehouse %(w)s") % {"z": zone.code, "w": warehouse.code},
                                   field="zone")
        rule, _created = PutawayRule.objects.update_or_create(warehouse=warehouse, product=product, category=category,
                                                              defaults={"zone": zone})
        audit.record_act(rule, actor=actor, action="wms.putaway_rule", detail=f"→ {zone.code}")
        return rule

"""The stock ledger over the API: receipts and opening stock, issues, transfers, adjustments, reversals,
reservations, levels, the move history, low-stock rules and a product's alternate units.

Quantities and money are decimal strings. Quantities may be given in an alternate unit (`unit`,
e.g. BOX for 1 箱 = 12 件); they are converted once into the base unit. Bad input → 422 naming the
field (`lines[0].sku`), not enough stock → 409 `insufficient_stock` with `available`.
"""

import datetime
from decimal import Decimal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from sihe.api.base import MAX_LINES, Strict
from sihe.api.pagination import AFTER, MAX_INT, NEXT, PAGE_HEADERS, HeadedPage, Mapped, headed_page
from sihe.api.security import authorize
from sihe.catalog import selectors as catalog
from sihe.catalog.selectors import Location, Product, Warehouse
from sihe.core import tx
from sihe.core.errors import NotFound, ValidationFailed
from sihe.core.money import round_money, text, to_decimal
from sihe.costing import services as costing
from sihe.stock import reservations, selectors
from sihe.stock import services as stock
from sihe.stock.errors import UnknownStockReference
from sihe.stock.units import parse_date, threshold_to_base, to_base

router = Router(tags=["stock"])

Num = Decimal | str | int


def money_str(value) -> str:
    return format(round_money(Decimal(value)), "f")


# -- resolving natural keys (unknown → 422 naming the field) --------------------------------------


def warehouse_of(code: str, field: str = "warehouse") -> Warehouse:
    found = catalog.find_warehouse(code)
    if found is None:
        raise UnknownStockReference(f"unknown warehouse {code}", field=field)
    return found


def product_of(sku: str, field: str) -> Product:
    found = catalog.find_product(sku)
    if found is None:
        raise UnknownStockReference(f"unknown SKU {sku}", field=field)
    return found


def location_of(warehouse: Warehouse, code: str | None, field: str) -> Location | None:
    if not code:
        return None
    found = catalog.find_location(warehouse, code)
    if found is None:
        raise UnknownStockReference(f"unknown location {code} in warehouse {warehouse.code}", field=field)
    return found


def lot_of(product: Product, number: str | None, field: str) -> selectors.Lot | None:
    if not number:
        return None
    found = selectors.find_lot(product, number)
    if found is None:
        raise UnknownStockReference(f"unknown lot {number} of {product.sku}", field=field)
    return found


def shelf_life(explicit: int | None, customer: str | None, channel: str | None) -> int | None:
    """MRSL: passed explicitly, else the customer's, else the channel's."""
    if explicit is not None:
        return explicit
    if customer:
        partner = catalog.find_partner(customer)
        if partner is None:
            raise UnknownStockReference(f"unknown customer {customer}", field="customer")
        if partner.min_shelf_life_days is not None:
            return partner.min_shelf_life_days
    if channel:
        found = catalog.find_channel(channel)
        if found is None:
            raise UnknownStockReference(f"unknown channel {channel}", field="channel")
        return found.min_shelf_life_days
    return None


def _date(value, field: str) -> datetime.date | None:
    return parse_date(value, field=field)


# -- schemas --------------------------------------------------------------------------------------


class ReceiptLineIn(Strict):
    sku: str
    qty: Num = Field(..., description="quantity, in `unit` (default: the product's base unit)")
    unit: str | None = Field(None, description="alternate unit code, e.g. BOX (1 箱 = 12 件)")
    unit_cost: Num = Field(..., description="cost per `unit`, CNY")
    lot: str | None = Field(None, description="lot or serial number")
    expiry: str | None = Field(None, description="YYYY-MM-DD, or GS1 YYMMDD (day 00 = month end)")
    production_date: str | None = None
    location: str | None = None


class ReceiptIn(Strict):
    warehouse: str
    location: str | None = Field(None, description="bin code; default: the warehouse's dock")
    reference: str = Field("", max_length=100)
    date: str | None = Field(None, description="accounting date; earlier than existing moves re-costs later ones")
    lines: list[ReceiptLineIn] = Field(..., min_length=1, max_length=MAX_LINES)


class MoveOut(Schema):
    id: int
    sku: str
    qty: str
    lot: str | None
    expiry: str | None
    location: str | None = Field(None, description="the bin stock entered (or left, for an issue)")
    from_location: str | None = Field(None, description="the bin stock left (transfers, issues)")
    unit_cost: str | None
    value: str | None


class ActOut(Schema):
    reference: str
    moves: list[MoveOut]
    recost_jobs: list[int] = Field(default_factory=list, description="a backdated act with many later moves: the "
                                   "re-costing jobs the worker runs (GET /api/v1/costing/recost-jobs/{id})")


def recost_jobs(layers) -> list[int]:
    return sorted({job for la in layers if la is not None and (job := getattr(la, "recost_job_id", None))})


def move_out(move: selectors.StockMove, layer) -> dict:
    location = move.dst_location if move.dst_location_id else move.src_location
    return {
        "id": move.pk, "sku": move.product.sku, "qty": text(move.qty),
        "lot": move.lot.number if move.lot_id else None,
        "expiry": move.lot.expiry_date.isoformat() if move.lot_id and move.lot.expiry_date else None,
        "location": location.code if location else None,
        "from_location": move.src_location.code if move.src_location_id else None,
        "unit_cost": format(layer.unit_cost.normalize(), "f") if layer is not None else None,
        "value": money_str(abs(layer.value) if layer.kind == "out" else layer.base_value) if layer is not None else None,
    }


@router.post("/stock/receipts", response={201: ActOut}, summary="Receive goods into a warehouse")
def post_receipt(request, payload: ReceiptIn):
    actor = authorize(request, "stock.move")
    warehouse = warehouse_of(payload.warehouse)
    location = location_of(warehouse, payload.location, "location")
    lines = _in_lines(warehouse, payload.lines)
    with tx.entry():
        result = costing.receive(warehouse=warehouse, lines=lines, actor=actor, reference=payload.reference,
                                 date=_date(payload.date, "date"), location=location)
    return 201, {"reference": payload.reference, "moves": [move_out(m, la) for m, la in result],
                 "recost_jobs": recost_jobs(la for _m, la in result)}


class OpeningStockIn(Strict):
    warehouse: str
    period: str = Field(..., description="the first period of the books, YYYY-MM: the stock on hand when it opens")
    location: str | None = Field(None, description="bin code; default: the warehouse's dock")
    reference: str = Field("", max_length=100, description="default OPENING-<warehouse>")
    lines: list[ReceiptLineIn] = Field(..., min_length=1, max_length=MAX_LINES)


@router.post("/stock/opening", response={201: ActOut},
             summary="期初库存: stock on hand when the books open (booked as opening balances, not a voucher)")
def post_opening(request, payload: OpeningStockIn):
    actor = authorize(request, "ledger.edit")
    warehouse = warehouse_of(payload.warehouse)
    location = location_of(warehouse, payload.location, "location")
    lines = _in_lines(warehouse, payload.lines)
    for line in lines:
        line.location = line.location or location
    with tx.entry():
        result = costing.receive_opening(warehouse=warehouse, lines=lines, actor=actor, period=payload.period,
                                         reference=payload.reference)
    return 201, {"reference": result[0][0].reference if result else payload.reference,
                 "moves": [move_out(m, la) for m, la in result]}


def _in_lines(warehouse: Warehouse, payload_lines) -> list[stock.InLine]:
    lines = []
    for i, line in enumerate(payload_lines):
        f = f"lines[{i}]"
        product = product_of(line.sku, f"{f}.sku")
        qty = to_base(product, line.qty, line.unit, field=f"{f}.qty")
        cost = to_decimal(line.unit_cost, field=f"{f}.unit_cost")
        if cost < 0:
            raise ValidationFailed("unit_cost must be 0 or more", field=f"{f}.unit_cost")
        if line.unit and line.unit != product.uom.code:
            cost = cost * to_decimal(line.qty, field=f"{f}.qty") / qty  # cost per base unit
        lines.append(stock.InLine(product=product, qty=qty, unit_cost=cost, lot=line.lot or None,
                                  expiry=_date(line.expiry, f"{f}.expiry"),
                                  production_date=_date(line.production_date, f"{f}.production_date"),
                                  location=location_of(warehouse, line.location, f"{f}.location"), field=f))
    return lines


class OutLineIn(Strict):
    sku: str
    qty: Num
    unit: str | None = None
    lot: str | None = None
    location: str | None = None


class IssueIn(Strict):
    warehouse: str
    reference: str = Field("", max_length=100, description="the document; its reservations are consumed first")
    date: str | None = None
    ship_date: str | None = Field(None, description="for the shelf-life check; default: the date")
    min_shelf_life_days: int | None = Field(None, ge=0)
    customer: str | None = Field(None, description="partner code: its minimum remaining shelf life applies")
    channel: str | None = Field(None, description="channel code: its minimum remaining shelf life applies")
    lines: list[OutLineIn] = Field(..., min_length=1, max_length=MAX_LINES)


def out_lines(warehouse: Warehouse, lines: list[OutLineIn], mrsl: int | None = None) -> list[stock.OutLine]:
    result = []
    for i, line in enumerate(lines):
        f = f"lines[{i}]"
        product = product_of(line.sku, f"{f}.sku")
        result.append(stock.OutLine(product=product, qty=to_base(product, line.qty, line.unit, field=f"{f}.qty"),
                                    lot=lot_of(product, line.lot, f"{f}.lot"),
                                    location=location_of(warehouse, line.location, f"{f}.location"), field=f,
                                    min_shelf_life_days=mrsl))
    return result


@router.post("/stock/issues", response={201: ActOut}, summary="Issue goods (FIFO/FEFO), with the lots taken and their cost")
def post_issue(request, payload: IssueIn):
    actor = authorize(request, "stock.move")
    warehouse = warehouse_of(payload.warehouse)
    mrsl = shelf_life(payload.min_shelf_life_days, payload.customer, payload.channel)
    lines = out_lines(warehouse, payload.lines, mrsl)
    with tx.entry():
        result = costing.issue(warehouse=warehouse, lines=lines, actor=actor, reference=payload.reference,
                               date=_date(payload.date, "date"), ship_date=_date(payload.ship_date, "ship_date"))
    return 201, {"reference": payload.reference, "moves": [move_out(m, la) for m, la in result],
                 "recost_jobs": recost_jobs(la for _m, la in result)}


class TransferIn(Strict):
    warehouse: str
    to_warehouse: str | None = Field(None, description="default: the same warehouse (bin → bin)")
    to_location: str | None = Field(None, description="destination bin; default: the destination's dock")
    reference: str = Field("", max_length=100)
    date: str | None = None
    lines: list[OutLineIn] = Field(..., min_length=1, max_length=MAX_LINES)


@router.post("/stock/transfers", response={201: ActOut}, summary="Move stock bin → bin or warehouse → warehouse")
def post_transfer(request, payload: TransferIn):
    actor = authorize(request, "stock.move")
    warehouse = warehouse_of(payload.warehouse)
    to_warehouse = warehouse_of(payload.to_warehouse, "to_warehouse") if payload.to_warehouse else warehouse
    to_location = location_of(to_warehouse, payload.to_location, "to_location")
    lines = out_lines(warehouse, payload.lines)
    with tx.entry():
        result = costing.transfer(warehouse=warehouse, lines=lines, to_warehouse=to_warehouse, to_location=to_location,
                                  actor=actor, reference=payload.reference, date=_date(payload.date, "date"))
    return 201, {"reference": payload.reference, "moves": [move_out(m, la) for m, la in result],
                 "recost_jobs": recost_jobs(la for _m, la in result)}


class AdjustLineIn(Strict):
    sku: str
    qty: Num = Field(..., description="signed difference: + gain, − loss")
    unit: str | None = None
    location: str | None = None
    lot: str | None = None
    expiry: str | None = None
    unit_cost: Num | None = Field(None, description="for a gain; default: the current unit cost")


class AdjustIn(Strict):
    warehouse: str
    reference: str = Field("", max_length=100)
    date: str | None = None
    lines: list[AdjustLineIn] = Field(..., min_length=1, max_length=MAX_LINES)


@router.post("/stock/adjustments", response={201: ActOut}, summary="Post counting differences (gains and losses)")
def post_adjustment(request, payload: AdjustIn):
    actor = authorize(request, "stock.move")
    warehouse = warehouse_of(payload.warehouse)
    gains, losses = [], []
    for i, line in enumerate(payload.lines):
        f = f"lines[{i}]"
        product = product_of(line.sku, f"{f}.sku")
        signed = to_decimal(line.qty, field=f"{f}.qty")
        if signed == 0:
            raise ValidationFailed("qty must not be 0", field=f"{f}.qty")
        qty = to_base(product, abs(signed), line.unit, field=f"{f}.qty")
        location = location_of(warehouse, line.location, f"{f}.location")
        if signed > 0:
            cost = None if line.unit_cost is None else to_decimal(line.unit_cost, field=f"{f}.unit_cost")
            if cost is not None and cost < 0:
                raise ValidationFailed("unit_cost must be 0 or more", field=f"{f}.unit_cost")
            gains.append(stock.InLine(product=product, qty=qty, unit_cost=cost, lot=line.lot or None,
                                      expiry=_date(line.expiry, f"{f}.expiry"), location=location, field=f))
        else:
            losses.append(stock.OutLine(product=product, qty=qty, lot=lot_of(product, line.lot, f"{f}.lot"),
                                        location=location, field=f))
    with tx.entry():
        result = costing.adjust(warehouse=warehouse, gains=gains, losses=losses, actor=actor,
                                reference=payload.reference, date=_date(payload.date, "date"))
    return 201, {"reference": payload.reference, "moves": [move_out(m, la) for m, la in result],
                 "recost_jobs": recost_jobs(la for _m, la in result)}


@router.post("/stock/moves/{move_id}/reverse", response={201: ActOut}, summary="Reverse a done move (红字冲销)")
def reverse_move(request, move_id: int):
    actor = authorize(request, "stock.move")
    move = selectors.find_move(move_id)
    if move is None:
        raise UnknownStockReference(f"no stock move {move_id}", field="move_id")
    with tx.entry():
        reversal, layer = costing.reverse(move=move, actor=actor)
    return 201, {"reference": reversal.reference, "moves": [move_out(reversal, layer)],
                 "recost_jobs": recost_jobs([layer])}


# -- reservations ---------------------------------------------------------------------------------


class ReservationIn(Strict):
    warehouse: str
    sku: str
    qty: Num
    unit: str | None = None
    reference: str = Field(..., min_length=1, max_length=100)
    lot: str | None = None
    location: str | None = None
    min_shelf_life_days: int | None = Field(None, ge=0)
    customer: str | None = None
    channel: str | None = None
    ship_date: str | None = None


class ReservedLineOut(Schema):
    lot: str | None
    expiry: str | None
    location: str
    qty: str


class ReservationOut(Schema):
    id: int
    reference: str
    sku: str
    warehouse: str
    qty: str
    state: str
    lines: list[ReservedLineOut]


def reservation_out(r) -> dict:
    return {"id": r.pk, "reference": r.reference, "sku": r.product.sku, "warehouse": r.warehouse.code,
            "qty": text(r.qty), "state": r.state,
            "lines": [{"lot": ln.quant.lot.number if ln.quant.lot_id else None,
                       "expiry": ln.quant.lot.expiry_date.isoformat() if ln.quant.lot_id and ln.quant.lot.expiry_date
                       else None, "location": ln.quant.location.code, "qty": text(ln.open_qty)}
                      for ln in r.lines.select_related("quant__lot", "quant__location").order_by("pk")]}


@router.post("/stock/reservations", response={201: ReservationOut}, summary="Reserve stock for a document")
def post_reservation(request, payload: ReservationIn):
    actor = authorize(request, "stock.reserve")
    warehouse = warehouse_of(payload.warehouse)
    product = product_of(payload.sku, "sku")
    qty = to_base(product, payload.qty, payload.unit, field="qty")
    with tx.entry():
        reservation = reservations.reserve(
            product=product, warehouse=warehouse, qty=qty, reference=payload.reference, actor=actor,
            lot=lot_of(product, payload.lot, "lot"), location=location_of(warehouse, payload.location, "location"),
            min_shelf_life_days=shelf_life(payload.min_shelf_life_days, payload.customer, payload.channel),
            ship_date=_date(payload.ship_date, "ship_date"))
    return 201, reservation_out(reservation)


@router.get("/stock/reservations", response=list[ReservationOut], summary="Reservations of a document")
def list_reservations(request, reference: str):
    authorize(request, "stock.view")
    return [reservation_out(r) for r in selectors.reservations_of(reference)]


@router.delete("/stock/reservations/{reservation_id}", response=ReservationOut, summary="Release a reservation")
def delete_reservation(request, reservation_id: int):
    actor = authorize(request, "stock.reserve")
    with tx.entry():
        reservation = reservations.release(reservation=selectors.reservation(reservation_id), actor=actor)
    return reservation_out(reservation)


@router.delete("/stock/reservations", response=list[ReservationOut], summary="Release every reservation of a document")
def delete_reservations(request, reference: str):
    actor = authorize(request, "stock.reserve")
    with tx.entry():
        released = reservations.release_reference(reference=reference, actor=actor)
    return [reservation_out(r) for r in released]


# -- levels and moves -----------------------------------------------------------------------------


class LevelsOut(Schema):
    on_hand: str
    reserved: str
    available: str
    rows: list[dict]
    next: str | None = NEXT


class LevelsPage(Schema):
    limit: int = Field(1000, ge=1, le=1000, description="rows per page, at most 1000")
    offset: int = Field(0, ge=0, le=MAX_INT, description="rows to skip (from the cursor when `after` is given)")
    after: str = AFTER


@router.get("/stock/levels", response=LevelsOut, summary="On hand, reserved, available (+ rows per warehouse, lot or location)",
            description="Totals over every row; `rows` per warehouse are paged by SKU then warehouse: `limit`/`offset`, "
                        "or follow `next` as `after` (keyset paging). Rows per lot or location (`group_by`) are one "
                        "page of at most `limit` rows.")
def get_levels(request, sku: str | None = None, warehouse: str | None = None, group_by: str | None = None,
               page: LevelsPage = Query(...)):
    authorize(request, "stock.view")
    if group_by not in (None, "", "lot", "location", "warehouse"):
        raise ValidationFailed("group_by must be lot, location or warehouse", field="group_by")
    product = product_of(sku, "sku") if sku else None
    wh = warehouse_of(warehouse) if warehouse else None
    total = selectors.totals(product=product, warehouse=wh)
    nxt = None
    if group_by in ("lot", "location"):
        grouped = selectors.grouped(product=product, warehouse=wh, group_by=group_by)
        rows = [{"sku": r["product__sku"], "warehouse": r["warehouse__code"],
                 **({"lot": r["lot__number"], "expiry": r["lot__expiry_date"].isoformat() if r["lot__expiry_date"] else None}
                    if group_by == "lot" else {"location": r["location__code"]}),
                 "on_hand": text(r["on_hand"]), "reserved": text(r["reserved"]), "available": text(r["available"])}
                for r in grouped[page.offset:page.offset + page.limit]]
    else:
        levels, nxt = selectors.LEVELS.page(selectors.levels(product=product, warehouse=wh), after=page.after,
                                            offset=page.offset, limit=page.limit)
        rows = [{"sku": lv.product.sku, "warehouse": lv.warehouse.code, "on_hand": text(lv.on_hand),
                 "reserved": text(lv.reserved), "available": text(lv.available)} for lv in levels]
    return {"on_hand": text(total["on_hand"]), "reserved": text(total["reserved"]), "available": text(total["available"]),
            "rows": rows, "next": nxt}


def _move_out(m) -> dict:
    from sihe.stock.events import move_payload

    return {**move_payload(m), "date": m.date.isoformat(), "state": m.state, "reference": m.reference,
            "reversal_of": m.reversal_of_id}


class MoveHistoryOut(Schema):
    """One stock move as its events carry it (`from`/`to`, lot, expiry, …) with its date, state and reference."""

    model_config = ConfigDict(extra="allow")
    id: int
    kind: str
    sku: str
    qty: str
    date: str
    state: str
    reference: str
    reversal_of: int | None


class MovesPage(HeadedPage):
    limit: int = Field(100, ge=-MAX_INT, le=MAX_INT, description="rows per page: 1 to 1000 (a number outside is taken "
                                                                 "as the nearest of those, as this list always did)")


@router.get("/stock/moves", response=list[MoveHistoryOut], openapi_extra=PAGE_HEADERS,
            summary="Move history (newest first)",
            description="Newest first on (date, id). An array of at most `limit` moves; when more follow, the "
                        "`X-Next-Cursor` header (and `Link` rel=\"next\") leads on: pass it as `after` (keyset paging "
                        "— every page costs the same). `X-Total-Count`: all the moves the filters select.")
def get_moves(request, response: HttpResponse, sku: str | None = None, warehouse: str | None = None,
              page: MovesPage = Query(...)):
    authorize(request, "stock.view")
    product = product_of(sku, "sku") if sku else None
    wh = warehouse_of(warehouse) if warehouse else None
    listing = Mapped(selectors.moves(product=product, warehouse=wh, limit=None), _move_out, selectors.MOVES)
    return headed_page(request, response, listing, limit=max(1, min(page.limit, 1000)), offset=page.offset,
                       after=page.after)


# -- low-stock rules (库存预警) and alternate units ------------------------------------------------


class StockRuleIn(Strict):
    sku: str = Field(..., min_length=1, max_length=64)
    warehouse: str = Field(..., min_length=1, max_length=20)
    min_qty: Num = Field(..., description="warn when available falls below this")
    max_qty: Num | None = Field(None, description="refill up to this (the suggested quantity on /stock/low/)")


class StockRuleOut(Schema):
    sku: str
    warehouse: str
    min_qty: str
    max_qty: str | None
    available: str
    low: bool


def _rule_out(row: dict) -> dict:
    rule = row["rule"]
    return {"sku": rule.product.sku, "warehouse": rule.warehouse.code, "min_qty": text(rule.min_qty),
            "max_qty": None if rule.max_qty is None else text(rule.max_qty), "available": text(row["available"]),
            "low": row["low"]}


@router.get("/stock/rules", response=list[StockRuleOut], summary="Low-stock rules (库存预警), with available and low")
def list_rules(request, sku: str | None = None, warehouse: str | None = None):
    authorize(request, "stock.view")
    product = product_of(sku, "sku") if sku else None
    wh = warehouse_of(warehouse) if warehouse else None
    return [_rule_out(row) for row in selectors.rule_rows(selectors.rules(product=product, warehouse=wh)[:5000])]


@router.put("/stock/rules", response=StockRuleOut, summary="Set the low-stock rule of a product in a warehouse")
def put_rule(request, payload: StockRuleIn):
    actor = authorize(request, "stock.move")
    product, wh = product_of(payload.sku, "sku"), warehouse_of(payload.warehouse)
    min_qty = threshold_to_base(product, payload.min_qty, field="min_qty")
    max_qty = None if payload.max_qty is None else threshold_to_base(product, payload.max_qty, field="max_qty")
    if max_qty is not None and max_qty < min_qty:
        raise ValidationFailed("max_qty must be at least min_qty", field="max_qty")
    with tx.entry():
        rule = stock.set_rule(product=product, warehouse=wh, min_qty=min_qty, max_qty=max_qty, actor=actor)
    return _rule_out(selectors.rule_rows([rule])[0])


@router.delete("/stock/rules/{warehouse}/{sku}", response={204: None}, summary="Remove a low-stock rule")
def delete_rule(request, warehouse: str, sku: str):
    actor = authorize(request, "stock.move")
    product, wh = product_of(sku, "sku"), warehouse_of(warehouse)
    with tx.entry():
        stock.remove_rule(product=product, warehouse=wh, actor=actor)
    return 204, None


class ProductUnitIn(Strict):
    unit: str = Field(..., min_length=1, max_length=20, description="unit code, e.g. BOX (case-insensitive)")
    factor: Num = Field(..., description="base units in one of this unit: 12 for 1 BOX = 12 PCS")


class ProductUnitOut(Schema):
    unit: str
    name: str
    factor: str


@router.get("/products/{sku}/units", response=list[ProductUnitOut], summary="A product's alternate units")
def list_units(request, sku: str):
    authorize(request, "stock.view")
    return [{"unit": u.uom.code, "name": u.uom.name, "factor": text(u.factor)}
            for u in selectors.product_units(product_of(sku, "sku"))]


@router.put("/products/{sku}/units", response=ProductUnitOut, summary="Set an alternate unit of a product (1 BOX = 12 PCS)")
def put_unit(request, sku: str, payload: ProductUnitIn):
    from sihe.catalog.selectors import unit_by_code

    actor = authorize(request, "catalog.edit")
    product = product_of(sku, "sku")
    try:
        uom = unit_by_code(payload.unit)
    except NotFound as exc:
        raise UnknownStockReference(f"unknown unit {payload.unit}", field="unit") from exc
    factor = to_decimal(payload.factor, field="factor")
    with tx.entry():
        unit = stock.set_unit(product=product, uom=uom, factor=factor, actor=actor)
    return {"unit": unit.uom.code, "name": unit.uom.name, "factor": text(unit.factor)}

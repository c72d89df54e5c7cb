"""Reads of the stock ledger for the API, the pages and `sihe stock check`."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _

from sihe.catalog.models import Product, Warehouse
from sihe.core.errors import NotFound, ValidationFailed
from sihe.core.keyset import Keyset
from sihe.core.money import round_qty
from sihe.stock.models import Lot, Quant, Reservation, StockLevel, StockMove


def q6(value) -> Decimal:
    """Aggregates of decimals come back as binary floats on SQLite: snap them to the stored scale."""
    return round_qty(Decimal(value or 0), 6)


MOVES = Keyset("date", "id", desc=True)  # move history, newest first (index stock_move_date_id)
LEVELS = Keyset("product__sku", "warehouse__code", "id")  # levels by SKU, then warehouse (one row per pair)


def levels(*, product: Product | None = None, warehouse: Warehouse | None = None):
    qs = StockLevel.objects.select_related("product", "product__uom", "warehouse").order_by(*LEVELS.order())
    if product is not None:
        qs = qs.filter(product=product)
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    return qs


def totals(*, product: Product | None = None, warehouse: Warehouse | None = None) -> dict:
    agg = levels(product=product, warehouse=warehouse).aggregate(on_hand=Sum("on_hand"), reserved=Sum("reserved"))
    on_hand, reserved = q6(agg["on_hand"]), q6(agg["reserved"])
    return {"on_hand": on_hand, "reserved": reserved, "available": on_hand - reserved}


def quants(*, product: Product | None = None, warehouse: Warehouse | None = None, nonzero: bool = True):
    qs = Quant.objects.select_related("product", "product__uom", "warehouse", "location", "lot").order_by(
        "product__sku", "warehouse__code", F("lot__expiry_date").asc(nulls_last=True), "location__code", "id")
    if product is not None:
        qs = qs.filter(product=product)
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    if nonzero:
        qs = qs.filter(~Q(qty=0) | ~Q(reserved=0))
    return qs


def grouped(*, product: Product | None, warehouse: Warehouse | None, group_by: str) -> list[dict]:
    """Rows per lot (summed over bins) or per location (summed over lots)."""
    key = ("lot__number", "lot__expiry_date") if group_by == "lot" else ("location__code",)
    rows = (quants(product=product, warehouse=warehouse).order_by()
            .values("product__sku", "warehouse__code", *key)
            .annotate(on_hand=Sum("qty"), reserved=Sum("reserved"))
            .order_by("product__sku", "warehouse__code", *key))
    return [{**row, "on_hand": q6(row["on_hand"]), "reserved": q6(row["reserved"]),
             "available": q6(row["on_hand"]) - q6(row["reserved"])} for row in rows]


def moves(*, product: Product | None = None, warehouse: Warehouse | None = None, limit: int | None = 200):
    """Move history, newest first (`MOVES`); `limit=None` gives the queryset to page."""
    qs = StockMove.objects.select_related("product", "lot", "src_warehouse", "src_location", "dst_warehouse",
                                          "dst_location").order_by(*MOVES.order())
    if product is not None:
        qs = qs.filter(product=product)
    if warehouse is not None:
        qs = qs.filter(Q(src_warehouse=warehouse) | Q(dst_warehouse=warehouse))
    return qs if limit is None else qs[:limit]


def low_levels():
    from sihe.stock.models import StockRule

    rules = {(r.product_id, r.warehouse_id): r for r in StockRule.objects.all()}
    rows = []
    for level in levels().filter(low=True):
        rule = rules.get((level.product_id, level.warehouse_id))
        rows.append({"level": level, "rule": rule,
                     "suggested": (rule.max_qty - level.available) if rule and rule.max_qty is not None else None})
    return rows


def rules(*, product: Product | None = None, warehouse: Warehouse | None = None):
    """Low-stock rules with their level (available now) beside them."""
    from sihe.stock.models import StockRule

    qs = StockRule.objects.select_related("product__uom", "warehouse").order_by("warehouse__code", "product__sku")
    if product is not None:
        qs = qs.filter(product=product)
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    return qs


def rule_rows(rules_) -> list[dict]:
    """Each rule with the level's available quantity and low flag (one query for all levels)."""
    rules_ = list(rules_)
    found = {(lv.product_id, lv.warehouse_id): lv for lv in StockLevel.objects.filter(
        product_id__in={r.product_id for r in rules_}, warehouse_id__in={r.warehouse_id for r in rules_})}
    rows = []
    for rule in rules_:
        level = found.get((rule.product_id, rule.warehouse_id))
        rows.append({"rule": rule, "available": level.available if level else Decimal(0),
                     "low": bool(level and level.low)})
    return rows


def product_units(product: Product):
    from sihe.stock.models import ProductUnit

    return ProductUnit.objects.filter(product=product).select_related("uom").order_by("uom__code")


def lot_by_number(product: Product, number: str, *, field: str = "lot") -> Lot:
    lot = Lot.objects.filter(product=product, number=number).first()
    if lot is None:
        raise NotFound(f"no lot {number} of {product.sku}", field=field)
    return lot


def referenced_lot(product: Product, number: str, *, field: str = "lot") -> Lot:
    """A lot named in a request body or a scan: unknown is a 422 naming the field."""
    found = Lot.objects.filter(product=product, number=number).first() if number else None
    if found is None:
        raise ValidationFailed(_("unknown lot %(lot)s of %(sku)s") % {"lot": number, "sku": product.sku},
                               field=field, code="unknown_lot")
    return found


def lots(*, product: Product | None = None):
    qs = Lot.objects.select_related("product").order_by(F("expiry_date").asc(nulls_last=True), "number")
    return qs.filter(product=product) if product is not None else qs


def reservation(pk: int) -> Reservation:
    found = Reservation.objects.select_related("product", "warehouse").filter(pk=pk).first()
    if found is None:
        raise NotFound(f"no reservation {pk}", field="id")
    return found


def expiry_status(expiry: datetime.date | None, *, today: datetime.date, warn_days: int = 30) -> str:
    if expiry is None:
        return ""
    if expiry < today:
        return "expired"
    if (expiry - today).days <= warn_days:
        return "near"
    return "ok"


# -- rebuilding the projections from the moves ----------------------------------------------------


def rebuilt_quants() -> dict[tuple, Decimal]:
    """(product_id, location_id, lot_id) → Σ done moves in − out, computed from the moves only."""
    result: dict[tuple, Decimal] = defaultdict(Decimal)
    done = StockMove.objects.filter(state=StockMove.State.DONE)
    for row in done.filter(dst_location__isnull=False).values("product_id", "dst_location_id", "lot_id").annotate(q=Sum("qty")):
        result[(row["product_id"], row["dst_location_id"], row["lot_id"])] += q6(row["q"])
    for row in done.filter(src_location__isnull=False).values("product_id", "src_location_id", "lot_id").annotate(q=Sum("qty")):
        result[(row["product_id"], row["src_location_id"], row["lot_id"])] -= q6(row["q"])
    return result


def quant_differences() -> list[dict]:
    """Every quant/level whose stored quantity differs from the moves (must be none)."""
    expected = rebuilt_quants()
    stored = {(q["product_id"], q["location_id"], q["lot_id"]): q["qty"]
              for q in Quant.objects.values("product_id", "location_id", "lot_id", "qty")}
    diffs = []
    for key in sorted(set(expected) | set(stored), key=lambda k: tuple(x or 0 for x in k)):
        want, have = expected.get(key, Decimal(0)), stored.get(key, Decimal(0))
        if want != have:
            diffs.append({"kind": "quant", "product_id": key[0], "location_id": key[1], "lot_id": key[2],
                          "stored": have, "from_moves": want})
    by_level: dict[tuple, Decimal] = defaultdict(Decimal)
    warehouse_of = dict(Quant.objects.values_list("location_id", "warehouse_id").distinct())
    from sihe.catalog.models import Location

    warehouse_of.update(dict(Location.objects.filter(pk__in=[k[1] for k in expected]).values_list("id", "warehouse_id")))
    for (product_id, location_id, _lot), qty in expected.items():
        by_level[(product_id, warehouse_of[location_id])] += qty
    stored_levels = {(lv["product_id"], lv["warehouse_id"]): lv["on_hand"]
                     for lv in StockLevel.objects.values("product_id", "warehouse_id", "on_hand")}
    for key in sorted(set(by_level) | set(stored_levels)):
        want, have = by_level.get(key, Decimal(0)), stored_levels.get(key, Decimal(0))
        if want != have:
            diffs.append({"kind": "level", "product_id": key[0], "warehouse_id": key[1], "stored": have,
                          "from_moves": want})
    reserved = defaultdict(Decimal)
    for row in Reservation.objects.filter(state=Reservation.State.ACTIVE).values(
            "lines__quant_id").annotate(q=Sum("lines__open_qty")):
        if row["lines__quant_id"]:
            reserved[row["lines__quant_id"]] += q6(row["q"])
    for quant_id, have in Quant.objects.exclude(reserved=0).values_list("id", "reserved"):
        if reserved.get(quant_id, Decimal(0)) != have:
            diffs.append({"kind": "reserved", "quant_id": quant_id, "stored": have,
                          "from_reservations": reserved.get(quant_id, Decimal(0))})
    for quant_id, want in reserved.items():
        if want and not Quant.objects.filter(pk=quant_id, reserved=want).exists():
            if not any(dd.get("quant_id") == quant_id for dd in diffs):
                diffs.append({"kind": "reserved", "quant_id": quant_id, "stored": None, "from_reservations": want})
    return diffs


# -- reads the API and the pages name by key --------------------------------------------------------


def move_kinds():
    """The kinds of stock move (receipt, issue, transfer, …) with their labels: the enum itself."""
    return StockMove.Kind


def find_move(pk) -> StockMove | None:
    """The stock move with this id, or None."""
    return StockMove.objects.filter(pk=pk).first()


def moves_by_ids(pks):
    """The stock moves with these ids (unordered), for describing many at once."""
    return StockMove.objects.filter(pk__in=pks)


def lot_moves(lot: Lot, *, limit: int = 200):
    """The moves of one lot with their bins and warehouses, newest first."""
    return lot.moves.select_related("src_location", "dst_location", "src_warehouse", "dst_warehouse").order_by(
        "-date", "-id")[:limit]


def find_lot(product: Product, number: str) -> Lot | None:
    """The lot of this product with this number, or None."""
    return Lot.objects.filter(product=product, number=number).first()


def reservations_of(reference: str):
    """The reservations made under one document's reference, oldest first, with product and warehouse."""
    return Reservation.objects.filter(reference=reference).select_related("product", "warehouse").order_by("pk")


def find_lot_by_id(pk) -> Lot | None:
    """The lot with this id, or None."""
    return Lot.objects.filter(pk=pk).first()

"""The one lock helper of the stock ledger, and the guarded updates of quants and levels.

Every act first calls `lock_levels()` for the (product, warehouse) pairs it touches: the level rows
that exist are locked in primary-key order by one statement, the missing ones then created (in product,
warehouse order) and locked (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite's IMMEDIATE transactions
already serialise writers). Quantities then change only through
guarded `UPDATE ... SET qty = qty ± x WHERE ...` statements, never read–decide–write.
"""

import datetime
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from sihe.catalog.models import Location, Product, Warehouse
from sihe.core import batch, sqlrows
from sihe.stock.models import Lot, Quant, StockLevel, StockMove, StockRule


def _level_row(product_id: int, warehouse_id: int) -> int:
    pk = StockLevel.objects.filter(product_id=product_id, warehouse_id=warehouse_id).values_list("pk", flat=True).first()
    if pk is not None:
        return pk
    try:
        with transaction.atomic():
            return StockLevel.objects.create(product_id=product_id, warehouse_id=warehouse_id).pk
    except IntegrityError:  # created by a concurrent act meanwhile
        return StockLevel.objects.get(product_id=product_id, warehouse_id=warehouse_id).pk


def lock_levels(pairs) -> dict[tuple[int, int], StockLevel]:
    """Lock the level rows of (product_id, warehouse_id) pairs in primary-key order; return them."""
    assert connection.in_atomic_block, "stock rows are locked inside the act's transaction"
    pairs = set(pairs)
    if not pairs:
        return {}
    held = batch.memo("stock.locked_levels", dict)  # within one collected act: rows it already locked
    if all(pair in held for pair in pairs):
        return {pair: held[pair] for pair in pairs}  # values as locked: re-read for current quantities
    ordered = sorted(pairs)
    locked = _locked(" OR ".join(['(l."product_id" = %s AND l."warehouse_id" = %s)'] * len(ordered)),
                     [v for pair in ordered for v in pair])  # PostgreSQL locks them in the ORDER BY's order
    missing = sorted(pairs - locked.keys())
    if missing:  # a product's first stock in a warehouse: the row made (or found, made meanwhile), then locked
        ids = [_level_row(*pair) for pair in missing]
        locked.update(_locked(f'l."id" IN ({", ".join(["%s"] * len(ids))})', ids))
    held.update(locked)
    return locked


def lock_levels_adding(deltas: dict[tuple[int, int], Decimal]) -> dict[tuple[int, int], StockLevel]:
    """`lock_levels` for the pairs goods come into, with each level's `on_hand` raised by the pair's delta: an
    increase needs no guard, so the lock's read and the level's update are one statement (`_locked_adding`).
    The rows come back as they are after it. Pairs this act locked before, or without a row yet, are locked by
    `lock_levels` and raised by `add_level`."""
    assert connection.in_atomic_block, "stock rows are locked inside the act's transaction"
    held = batch.memo("stock.locked_levels", dict)
    fresh = {pair: delta for pair, delta in deltas.items() if pair not in held}
    levels = _locked_adding(fresh) if fresh else {}
    held.update(levels)
    for pair in sorted(deltas.keys() - levels.keys()):
        level = lock_levels([pair])[pair]
        add_level(*pair, deltas[pair], guard=False)
        level.on_hand += deltas[pair]  # locked: the row holds what it held, raised
        levels[pair] = level
    return levels


def _locked_adding(deltas: dict[tuple[int, int], Decimal]) -> dict[tuple[int, int], StockLevel]:
    """on_hand += delta on the level rows of `deltas` that exist, locked in primary-key order first on PostgreSQL
    (a materialized `SELECT … FOR UPDATE` the UPDATE joins, so two acts never take the rows in opposite orders),
    returned as `_locked` reads them."""
    table, rules = StockLevel._meta.db_table, StockRule._meta.db_table
    ordered = sorted(deltas)
    rows = " UNION ALL ".join(["SELECT CAST(%s AS BIGINT) AS p, CAST(%s AS BIGINT) AS w, CAST(%s AS NUMERIC) AS d"]
                              * len(ordered))
    params = [v for pair in ordered for v in (*pair, deltas[pair])]
    level = f'"{table}"'
    match = f'{level}."product_id" = v.p AND {level}."warehouse_id" = v.w'
    back = (f'RETURNING {sqlrows.columns(StockLevel, level)}, EXISTS (SELECT 1 FROM "{rules}" r '
            f'WHERE r."product_id" = {level}."product_id" AND r."warehouse_id" = {level}."warehouse_id")')
    update = f'UPDATE {level} SET "on_hand" = {level}."on_hand" + v.d FROM ({rows}) AS v'
    if connection.features.has_select_for_update:
        sql = (f'WITH k AS MATERIALIZED (SELECT l."id" FROM {level} l JOIN ({rows}) AS v ON l."product_id" = v.p '
               f'AND l."warehouse_id" = v.w ORDER BY l."id" FOR UPDATE OF l) {update}, k '
               f'WHERE {level}."id" = k."id" AND {match} {back}')
        params = [*params, *params]
    else:
        sql = f"{update} WHERE {match} {back}"
    return {(row.product_id, row.warehouse_id): row for row in sqlrows.every(sql, params, StockLevel, extra=("has_rule",))}


def lock_levels_afresh(pairs) -> dict[tuple[int, int], StockLevel]:
    """`lock_levels`, reading the rows again even if this act locked them already (after a change of
    their rules, which the locked rows carry)."""
    held = batch.memo("stock.locked_levels", dict)
    for pair in pairs:
        held.pop(pair, None)
    return lock_levels(pairs)


def _locked(where: str, params: list) -> dict[tuple[int, int], StockLevel]:
    """The level rows matching `where` (on alias l), locked in primary-key order, each with `has_rule`: a
    minimum (StockRule) is set for it, read with the lock so that the act's low-stock check can pass over
    levels that can neither fall low nor recover. Written out once: every stock act runs it, and the ORM's
    building of it cost more than running it."""
    level, rule = StockLevel._meta.db_table, StockRule._meta.db_table
    lock = " FOR UPDATE OF l" if connection.features.has_select_for_update else ""
    sql = (f'SELECT {sqlrows.columns(StockLevel, "l")}, EXISTS (SELECT 1 FROM "{rule}" r WHERE r."product_id" = l."product_id" AND '
           f'r."warehouse_id" = l."warehouse_id") AS has_rule FROM "{level}" l WHERE {where} ORDER BY l."id"{lock}')
    return {(lv.product_id, lv.warehouse_id): lv for lv in StockLevel.objects.raw(sql, params)}


def lock_move(move_id: int) -> StockMove:
    """Lock one stock move row (a reversal takes its original first) and return it as stored."""
    assert connection.in_atomic_block, "stock rows are locked inside the act's transaction"
    qs = StockMove.objects.filter(pk=move_id).select_related("product", "lot")
    if connection.features.has_select_for_update:
        qs = qs.select_for_update(of=("self",))
    return qs.get()


def lock_existing(product_ids, warehouse_ids) -> dict[tuple[int, int], StockLevel]:
    """Lock the level rows that exist for these products in these warehouses (PK order), e.g. to plan an
    allocation across warehouses; a missing row means nothing there. Later `lock_levels` of the same
    act reuse them."""
    assert connection.in_atomic_block, "stock rows are locked inside the act's transaction"
    product_ids, warehouse_ids = list(product_ids), list(warehouse_ids)
    if not product_ids or not warehouse_ids:
        return {}
    locked = _locked(f'l."product_id" IN ({", ".join(["%s"] * len(product_ids))}) AND '
                     f'l."warehouse_id" IN ({", ".join(["%s"] * len(warehouse_ids))})', [*product_ids, *warehouse_ids])
    batch.memo("stock.locked_levels", dict).update(locked)
    return locked


def quant_for(product: Product, location: Location, lot: Lot | None, in_date: datetime.date) -> Quant:
    found = Quant.objects.filter(product=product, location=location, lot=lot).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Quant.objects.create(
                product=product, warehouse_id=location.warehouse_id, location=location, lot=lot, in_date=in_date
            )
    except IntegrityError:
        return Quant.objects.get(product=product, location=location, lot=lot)


def _add(model, column: str, where: str, params: list, delta: Decimal, guard: bool) -> int:
    """`column` += delta on the rows matching `where`; with `guard`, a decrease only where the stock not
    reserved covers it. The same SQL the ORM's F() update gave, written out once: every move runs it."""
    check = f' AND "{column}" >= ("reserved" - CAST(%s AS NUMERIC))' if guard and delta < 0 else ""
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{model._meta.db_table}" SET "{column}" = CAST(("{column}" + CAST(%s AS NUMERIC)) '
                       f'AS NUMERIC) WHERE {where}{check}', [delta, *params, *([delta] if check else [])])
        return cursor.rowcount


def add_quant(quant_id: int, delta: Decimal, *, guard: bool) -> bool:
    """qty += delta; with `guard`, only while the quant's unreserved stock covers a decrease."""
    return _add(Quant, "qty", '"id" = %s', [quant_id], delta, guard) == 1


def add_quant_at(product: Product, location: Location, lot: Lot | None, delta: Decimal, *, guard: bool,
                 in_date: datetime.date) -> bool:
    """`add_quant` on the quant of (product, location, lot), found by the UPDATE itself: a quant that is
    there costs one statement, not a SELECT and then the UPDATE. A missing quant is made first, except
    for a guarded decrease, which no new (empty) quant could cover."""
    where = '"product_id" = %s AND "location_id" = %s AND ' + ('"lot_id" IS NULL' if lot is None else '"lot_id" = %s')
    params = [product.pk, location.pk, *([] if lot is None else [lot.pk])]
    if _add(Quant, "qty", where, params, delta, guard):
        return True
    if guard and delta < 0:
        return False
    return add_quant(quant_for(product, location, lot, in_date).pk, delta, guard=False)


def add_level(product_id: int, warehouse_id: int, delta: Decimal, *, guard: bool) -> bool:
    return _add(StockLevel, "on_hand", '"product_id" = %s AND "warehouse_id" = %s', [product_id, warehouse_id],
                delta, guard) == 1


def _rows(values: list[tuple]) -> tuple[str, list]:
    """(SELECT id, d, r UNION ALL …) as a derived table both PostgreSQL and SQLite read in UPDATE … FROM."""
    one = "SELECT CAST(%s AS BIGINT) AS id, CAST(%s AS NUMERIC) AS d, CAST(%s AS NUMERIC) AS r"
    return " UNION ALL ".join([one] * len(values)), [v for row in values for v in row]


def take_quants(deltas: dict[int, list[Decimal]], *, guard: bool) -> bool:
    """qty −= taken and reserved −= unreserved for many quants in one UPDATE; with `guard`, only where the
    quant still covers what the act takes beyond its own reservations. False if a row was refused."""
    if not deltas:
        return True
    rows, params = _rows([(pk, taken, freed) for pk, (taken, freed) in sorted(deltas.items())])
    table = Quant._meta.db_table
    sql = (f'UPDATE "{table}" SET "qty" = "{table}"."qty" - v.d, "reserved" = "{table}"."reserved" - v.r '
           f'FROM ({rows}) AS v WHERE "{table}"."id" = v.id')
    if guard:
        sql += f' AND "{table}"."qty" - v.d >= "{table}"."reserved" - v.r'
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == len(deltas)


def take_levels(warehouse_id: int, deltas: dict[int, list[Decimal]], *, guard: bool) -> bool:
    """The same for the warehouse's level rows (product id → [taken, unreserved])."""
    if not deltas:
        return True
    rows, params = _rows([(pk, taken, freed) for pk, (taken, freed) in sorted(deltas.items())])
    table = StockLevel._meta.db_table
    sql = (f'UPDATE "{table}" SET "on_hand" = "{table}"."on_hand" - v.d, "reserved" = "{table}"."reserved" - v.r '
           f'FROM ({rows}) AS v WHERE "{table}"."product_id" = v.id AND "{table}"."warehouse_id" = %s')
    if guard:
        sql += f' AND "{table}"."on_hand" - v.d >= "{table}"."reserved" - v.r'
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, warehouse_id])
        return cursor.rowcount == len(deltas)


def reserve_quants(qtys: dict[int, Decimal]) -> bool:
    """reserved += qty for many quants in one UPDATE, each only while it covers it (no oversell)."""
    if not qtys:
        return True
    rows, params = _rows([(pk, qty, qty) for pk, qty in sorted(qtys.items())])
    table = Quant._meta.db_table
    sql = (f'UPDATE "{table}" SET "reserved" = "{table}"."reserved" + v.r FROM ({rows}) AS v '
           f'WHERE "{table}"."id" = v.id AND "{table}"."qty" >= "{table}"."reserved" + v.r')
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == len(qtys)


def reserve_levels(warehouse_id: int, qtys: dict[int, Decimal]) -> bool:
    """reserved += qty for the warehouse's level rows of many products (product id → qty) in one UPDATE."""
    if not qtys:
        return True
    rows, params = _rows([(pk, qty, qty) for pk, qty in sorted(qtys.items())])
    table = StockLevel._meta.db_table
    sql = (f'UPDATE "{table}" SET "reserved" = "{table}"."reserved" + v.r FROM ({rows}) AS v '
           f'WHERE "{table}"."product_id" = v.id AND "{table}"."warehouse_id" = %s '
           f'AND "{table}"."on_hand" >= "{table}"."reserved" + v.r')
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, warehouse_id])
        return cursor.rowcount == len(qtys)


def reserve_quant(quant_id: int, qty: Decimal) -> bool:
    """reserved += qty WHERE qty − reserved ≥ qty (the no-oversell guard)."""
    return Quant.objects.filter(pk=quant_id, qty__gte=F("reserved") + qty).update(reserved=F("reserved") + qty) == 1


def reserve_level(product_id: int, warehouse_id: int, qty: Decimal) -> bool:
    return (
        StockLevel.objects.filter(product_id=product_id, warehouse_id=warehouse_id, on_hand__gte=F("reserved") + qty)
        .update(reserved=F("reserved") + qty)
        == 1
    )


def unreserve(quant_id: int, product_id: int, warehouse_id: int, qty: Decimal) -> None:
    Quant.objects.filter(pk=quant_id).update(reserved=F("reserved") - qty)
    StockLevel.objects.filter(product_id=product_id, warehouse_id=warehouse_id).update(reserved=F("reserved") - qty)


def warehouse_allows_negative(warehouse: Warehouse) -> bool:
    return bool(warehouse.allow_negative_stock)

"""Putaway suggestion: where should goods on the dock go?

1. a bin that already holds the same product and lot (so a lot stays together), if it has room;
2. else an empty bin in the product's zone (a `PutawayRule` for the product, else for its category,
   else the zone where the product already lies), nearest first (aisle, position, level);
3. else any empty bin of the warehouse with room.
Room: a bin with `capacity_volume` takes goods while Σ(on hand × product volume) + the new volume
≤ capacity; a bin without capacity takes anything; products without volume take no room.
"""

from decimal import Decimal

from django.db import connection

from sihe.catalog.models import Location, Product, Warehouse
from sihe.core import sqlrows
from sihe.stock.models import Lot, Quant
from sihe.wms.inbound.models import PutawayRule

ZERO = Decimal(0)


def used_volume(location_ids) -> dict[int, Decimal]:
    used: dict[int, Decimal] = {}
    rows = Quant.objects.filter(location_id__in=list(location_ids)).exclude(qty=0).values_list(
        "location_id", "qty", "product__volume")
    for location_id, qty, volume in rows:
        used[location_id] = used.get(location_id, ZERO) + qty * (volume or ZERO)
    return used


def room_left(location: Location, used: Decimal) -> Decimal | None:
    if location.capacity_volume is None:
        return None
    return location.capacity_volume - used


def fits(location: Location, used: Decimal, need: Decimal) -> bool:
    left = room_left(location, used)
    return left is None or need <= left


def _in_bins(product: Product, warehouse: Warehouse) -> list[tuple[int, int | None, int]]:
    """(location id, lot id, zone id) of the product's stock in this warehouse's bins (every lot), most
    first: where its lot lies, and the zone the product lies in, from one read."""
    quant, location = Quant._meta.db_table, Location._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT q."location_id", q."lot_id", b."zone_id" FROM "{quant}" q JOIN "{location}" b ON b."id" = q."location_id" '
            f'WHERE {_IN_BINS_WHERE} ORDER BY q."qty" DESC, q."id"',
            {"product": product.pk, "warehouse": warehouse.pk, "bin": Location.Kind.BIN})
        return cursor.fetchall()


def _first_look_sql(exclude: bool) -> str:
    """Whether a bin already holds the product's lot, and the nearest empty bin (`_empty_bin_sql`, the zone
    where most of the product lies read inside it): one statement where no bin holds the lot yet, as for a
    lot just received at the dock."""
    quant, location = Quant._meta.db_table, Location._meta.db_table
    lies_in = (f'(SELECT b."zone_id" FROM "{quant}" q JOIN "{location}" b ON b."id" = q."location_id" '
               f'WHERE {_IN_BINS_WHERE} ORDER BY q."qty" DESC, q."id" LIMIT 1)')
    holding = (f'EXISTS (SELECT 1 FROM "{quant}" q JOIN "{location}" b ON b."id" = q."location_id" WHERE {_IN_BINS_WHERE} '
               f'AND (q."lot_id" = %(lot)s OR (q."lot_id" IS NULL AND %(no_lot)s)))')
    return (f'SELECT {holding}, e.* FROM (SELECT 1 AS one) o '
            f'LEFT JOIN ({_empty_bin_sql(exclude, lies_in)}) e ON 1 = 1')


_IN_BINS_WHERE = ('q."product_id" = %(product)s AND q."warehouse_id" = %(warehouse)s AND q."qty" > 0 '
                  'AND b."kind" = %(bin)s')


def _empty_bin_sql(exclude: bool, lies_in: str = "%(lies_in)s") -> str:
    """The nearest active empty bin with room, one in the putaway zone first: the zone of the product's
    rule, else of its category's rule, else the zone where most of the product lies (`lies_in`).
    Written out once, as the ORM's building of this statement cost more than running it."""
    location, quant, rule = Location._meta.db_table, Quant._meta.db_table, PutawayRule._meta.db_table
    zone = (f'COALESCE((SELECT r."zone_id" FROM "{rule}" r WHERE r."warehouse_id" = %(warehouse)s AND '
            f'(r."product_id" = %(product)s OR (r."category_id" = %(category)s AND r."product_id" IS NULL)) '
            f'ORDER BY r."product_id" IS NULL, r."id" LIMIT 1), {lies_in})')
    other_than = 'AND b."id" <> %(exclude)s ' if exclude else ""
    return (f'SELECT {sqlrows.columns(Location, "b")} FROM "{location}" b WHERE b."warehouse_id" = %(warehouse)s AND b."kind" = %(bin)s '
            f'AND b."active" {other_than}'
            f'AND NOT EXISTS (SELECT 1 FROM "{quant}" q WHERE q."location_id" = b."id" AND q."qty" <> 0) '
            f'AND (b."capacity_volume" IS NULL OR b."capacity_volume" >= %(need)s) '
            f'ORDER BY CASE WHEN b."zone_id" = {zone} THEN 0 ELSE 1 END, b."aisle", b."position", b."level", b."code" '
            f'LIMIT 1')


def suggest(*, product: Product, warehouse: Warehouse, qty: Decimal, lot: Lot | None = None,
            exclude: Location | None = None) -> Location | None:
    need = qty * (product.volume or ZERO)
    lot_id = lot.pk if lot else None
    params = {"warehouse": warehouse.pk, "bin": Location.Kind.BIN, "exclude": exclude.pk if exclude else None,
              "need": need, "product": product.pk, "category": product.category_id, "lot": lot_id,
              "no_lot": lot_id is None}
    with connection.cursor() as cursor:
        cursor.execute(_first_look_sql(exclude is not None), params)
        lot_in_a_bin, *empty = cursor.fetchone()
    if not lot_in_a_bin:
        return sqlrows.instance(Location, empty) if empty[0] is not None else None
    in_bins = _in_bins(product, warehouse)
    holding = [location_id for location_id, held_lot, _zone in in_bins if held_lot == lot_id]
    if holding:
        bins = Location.objects.filter(warehouse=warehouse, kind=Location.Kind.BIN, active=True, pk__in=holding)
        if exclude is not None:
            bins = bins.exclude(pk=exclude.pk)
        same = list(bins.order_by("aisle", "position", "level", "code"))
        used = used_volume(b.pk for b in same)
        for location in same:
            if fits(location, used.get(location.pk, ZERO), need):
                return location
    params["lies_in"] = in_bins[0][2] if in_bins else None
    return next(iter(Location.objects.raw(_empty_bin_sql(exclude is not None), params)), None)

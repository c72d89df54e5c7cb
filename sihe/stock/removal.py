"""Removal strategies (algorithms.md, "Removal and costing"): which quants an issue or a reservation takes.

- FIFO: oldest receipt first (lot receipt date, else the quant's first receipt), then quant id.
- FEFO (default for expiry-tracked products): earliest expiry first; ties by receipt date, lot number.
- Minimum remaining shelf life (MRSL): a lot is eligible only if (expiry − ship date) ≥ MRSL days.
  An expired lot (expiry < ship date) is never eligible. If eligible stock is short the whole
  request is refused with the shortfall (the caller back-orders it); an ineligible lot is never
  taken silently.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q
from django.utils.translation import gettext as _

from sihe.catalog.models import Location, Product, Warehouse
from sihe.core import sqlrows
from sihe.core.money import text
from sihe.stock.errors import InsufficientStock, ShortShelfLife
from sihe.stock.models import Lot, Quant

FIFO, FEFO = "fifo", "fefo"


@dataclass
class Take:
    quant: Quant
    qty: Decimal


def strategy_for(product: Product) -> str:
    return FEFO if product.is_expiry_tracked else FIFO


def candidates(product: Product, warehouse: Warehouse, *, location: Location | None = None, lot: Lot | None = None,
               strategy: str | None = None):
    qs = Quant.objects.filter(product=product, warehouse=warehouse, qty__gt=F("reserved")).select_related("lot", "location")
    if location is not None:
        qs = qs.filter(location=location)
    if lot is not None:
        qs = qs.filter(lot=lot)
    return qs.order_by(*_removal_order(strategy or strategy_for(product)))


def _removal_order(strategy: str) -> tuple:
    if strategy == FEFO:
        return (F("lot__expiry_date").asc(nulls_last=True), F("lot__receipt_date").asc(nulls_last=True),
                "lot__number", "in_date", "id")
    return F("lot__receipt_date").asc(nulls_first=True), "in_date", "lot__number", "id"


# `_removal_order` as SQL on the aliases q (quant) and l (lot), for `plan_many`'s read written out (sihe.core.sqlrows)
_REMOVAL_ORDER_SQL = {
    FEFO: 'l."expiry_date" ASC NULLS LAST, l."receipt_date" ASC NULLS LAST, l."number", q."in_date", q."id"',
    FIFO: 'l."receipt_date" ASC NULLS FIRST, q."in_date", l."number", q."id"',
}


def eligible(quant: Quant, *, ship_date: datetime.date, min_days: int) -> bool:
    if quant.lot_id is None or quant.lot.expiry_date is None:
        return True
    return (quant.lot.expiry_date - ship_date).days >= min_days and quant.lot.expiry_date >= ship_date


def plan(product: Product, warehouse: Warehouse, qty: Decimal, *, location: Location | None = None,
         lot: Lot | None = None, min_shelf_life_days: int | None = None, ship_date: datetime.date,
         strategy: str | None = None, field: str = "qty") -> list[Take]:
    """The quants to take `qty` from, in removal order, or a refusal naming the shortfall."""
    return _takes(product, warehouse, qty, candidates(product, warehouse, location=location, lot=lot,
                                                      strategy=strategy),
                  location=location, lot=lot, min_shelf_life_days=min_shelf_life_days, ship_date=ship_date,
                  field=field)


def plan_many(warehouse: Warehouse, lines: list[tuple[Product, Decimal]], *, min_shelf_life_days: int | None = None,
              ship_date: datetime.date) -> list[list[Take]]:
    """`plan` for several products of one warehouse (each once, no bin or lot asked for), their quants
    read in one statement per removal strategy, each product's in its own removal order."""
    quants: dict[int, list[Quant]] = {product.pk: [] for product, _qty in lines}
    by_strategy: dict[str, list[int]] = {}
    for product, _qty in lines:
        by_strategy.setdefault(strategy_for(product), []).append(product.pk)
    for strategy, ids in by_strategy.items():
        sql = (f'SELECT {sqlrows.columns(Quant, "q")}, {sqlrows.columns(Lot, "l")}, {sqlrows.columns(Location, "b")} '
               f'FROM "{Quant._meta.db_table}" q LEFT JOIN "{Lot._meta.db_table}" l ON l."id" = q."lot_id" '
               f'JOIN "{Location._meta.db_table}" b ON b."id" = q."location_id" '
               f'WHERE q."product_id" IN ({", ".join(["%s"] * len(ids))}) AND q."warehouse_id" = %s '
               f'AND q."qty" > q."reserved" ORDER BY q."product_id", {_REMOVAL_ORDER_SQL[strategy]}')
        for quant in sqlrows.every(sql, [*ids, warehouse.pk], Quant, related={"lot": Lot, "location": Location}):
            quants[quant.product_id].append(quant)
    return [_takes(product, warehouse, qty, quants[product.pk], min_shelf_life_days=min_shelf_life_days,
                   ship_date=ship_date, field="qty") for product, qty in lines]


def _takes(product: Product, warehouse: Warehouse, qty: Decimal, quants, *, location: Location | None = None,
           lot: Lot | None = None, min_shelf_life_days: int | None, ship_date: datetime.date,
           field: str) -> list[Take]:
    takes: list[Take] = []
    need = qty
    eligible_total = Decimal(0)
    ineligible_total = Decimal(0)
    ineligible_lots: list[str] = []
    for quant in quants:
        available = quant.qty - quant.reserved
        if not eligible(quant, ship_date=ship_date, min_days=min_shelf_life_days or 0):
            ineligible_total += available
            ineligible_lots.append(quant.lot.number)
            continue
        eligible_total += available
        if need > 0:
            take = min(need, available)
            takes.append(Take(quant, take))
            need -= take
    if need <= 0:
        return takes
    where = f"{warehouse.code}" + (f":{location.code}" if location else "") + (f" lot {lot.number}" if lot else "")
    if ineligible_total > 0 and eligible_total + ineligible_total >= qty:
        raise ShortShelfLife(
            _("%(sku)s in %(where)s: only %(eligible)s of %(qty)s have at least %(days)s days of shelf life left "
              "on %(date)s; short %(short)s (lots held back: %(lots)s)")
            % {"sku": product.sku, "where": where, "eligible": text(eligible_total), "qty": text(qty),
               "days": min_shelf_life_days or 0, "date": ship_date.isoformat(), "short": text(qty - eligible_total),
               "lots": ", ".join(sorted(set(ineligible_lots)))},
            field=field, available=text(eligible_total), shortfall=text(qty - eligible_total),
            ineligible_lots=sorted(set(ineligible_lots)), sku=product.sku, warehouse=warehouse.code,
        )
    raise InsufficientStock(
        _("%(sku)s in %(where)s: %(qty)s requested, %(available)s available")
        % {"sku": product.sku, "where": where, "qty": text(qty), "available": text(eligible_total)},
        field=field, available=text(eligible_total), shortfall=text(qty - eligible_total), sku=product.sku,
        warehouse=warehouse.code,
    )


def expiring_filter(before: datetime.date) -> Q:
    return Q(lot__expiry_date__lt=before)

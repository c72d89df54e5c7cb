"""Events of the stock ledger (payload version 1; quantities and money as decimal strings).

- stock.received / stock.issued / stock.transferred / stock.adjusted / stock.scrapped /
  stock.consumed / stock.produced / stock.reversed: `{reference, warehouse, date, moves: [MOVE]}`
  where MOVE = `{id, sku, qty, lot, expiry, from, to, kind}`.
- stock.reserved / stock.released: `{reservation, reference, sku, warehouse, qty, lines: [{lot, location, qty}]}`.
- stock.low: `{sku, warehouse, available, min}` when available falls below the warehouse minimum.
"""

from decimal import Decimal

from sihe.core.actor import Actor
from sihe.core.money import text
from sihe.core.outbox import emit

VERSION = 1

ACT_EVENTS = {
    "receipt": "stock.received",
    "issue": "stock.issued",
    "transfer": "stock.transferred",
    "adjustment": "stock.adjusted",
    "scrap": "stock.scrapped",
    "consume": "stock.consumed",
    "produce": "stock.produced",
}



def _where(warehouse, location, counterpart) -> str:
    if location is not None:
        return f"{warehouse.code}:{location.code}"
    return counterpart or ""


def move_payload(move) -> dict:
    return {
        "id": move.pk,
        "kind": move.kind,
        "sku": move.product.sku,
        "qty": text(move.qty),
        "lot": move.lot.number if move.lot_id else None,
        "expiry": move.lot.expiry_date.isoformat() if move.lot_id and move.lot.expiry_date else None,
        "from": _where(move.src_warehouse, move.src_location, move.counterpart if move.src_location_id is None else ""),
        "to": _where(move.dst_warehouse, move.dst_location, move.counterpart if move.dst_location_id is None else ""),
    }


def moves_done(event_type: str, *, moves, reference: str, warehouse: str, actor: Actor) -> None:
    emit(
        event_type,
        aggregate_type="stock_move",
        aggregate_id=moves[0].pk if moves else reference,
        payload={
            "reference": reference,
            "warehouse": warehouse,
            "date": moves[0].date.isoformat() if moves else None,
            "moves": [move_payload(m) for m in moves],
        },
        actor=actor,
        version=VERSION,
    )


def reservation_event(event_type: str, *, reservation, lines, qty: Decimal, actor: Actor) -> None:
    emit(
        event_type,
        aggregate_type="reservation",
        aggregate_id=reservation.pk,
        payload={
            "reservation": reservation.pk,
            "reference": reservation.reference,
            "sku": reservation.product.sku,
            "warehouse": reservation.warehouse.code,
            "qty": text(qty),
            "lines": lines,
        },
        actor=actor,
        version=VERSION,
    )


def low_stock(*, product, warehouse, available: Decimal, minimum: Decimal, actor: Actor) -> None:
    emit(
        "stock.low",
        aggregate_type="stock_level",
        aggregate_id=f"{product.sku}@{warehouse.code}",
        payload={"sku": product.sku, "warehouse": warehouse.code, "available": text(available), "min": text(minimum)},
        actor=actor,
        version=VERSION,
    )

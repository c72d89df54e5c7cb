"""Events of inbound warehouse work (payload version 1; quantities and money as decimal strings).

- wms.asn.expected: `{asn, number, warehouse, supplier, source_type, source_id, source_number,
  expected_date, lines: [{line, sku, qty, unit_cost, source_line_id}]}`
- wms.asn.received (one per accepted scan): `{asn, number, warehouse, source_type, source_id, status,
  held, lot, expiry, location, lines: [{line, sku, qty, received, rejected, expected, source_line_id}]}`
- wms.inspection.released / wms.inspection.rejected: `{inspection, asn, number, sku, lot, qty,
  location, source_type, source_id, source_line_id}`
- wms.putaway.done: `{putaway, warehouse, sku, lot, qty, from, to, suggested}`
"""

from sihe.core.actor import Actor
from sihe.core.money import text
from sihe.core.outbox import emit

VERSION = 1


def _line(line) -> dict:
    return {"line": line.pk, "sku": line.product.sku, "qty": text(line.qty), "unit_cost": text(line.unit_cost),
            "source_line_id": line.source_line_id}


def asn_expected(asn, lines, *, actor: Actor) -> None:
    emit("wms.asn.expected", aggregate_type="wms.asn", aggregate_id=asn.pk, actor=actor, payload={
        "asn": asn.pk, "number": asn.number, "warehouse": asn.warehouse.code,
        "supplier": asn.supplier.code if asn.supplier_id else None, "source_type": asn.source_type,
        "source_id": asn.source_id, "source_number": asn.source_number,
        "expected_date": asn.expected_date.isoformat() if asn.expected_date else None,
        "lines": [_line(line) for line in lines]})


def asn_received(asn, received, *, held: bool, lot, location, actor: Actor) -> None:
    emit("wms.asn.received", aggregate_type="wms.asn", aggregate_id=asn.pk, actor=actor, payload={
        "asn": asn.pk, "number": asn.number, "warehouse": asn.warehouse.code, "source_type": asn.source_type,
        "source_id": asn.source_id, "status": asn.status, "held": held,
        "lot": lot.number if lot else None,
        "expiry": lot.expiry_date.isoformat() if lot and lot.expiry_date else None, "location": location.code,
        "lines": [{"line": line.pk, "sku": line.product.sku, "qty": text(qty), "received": text(line.received_qty),
                   "rejected": text(line.rejected_qty), "expected": text(line.qty), "source_line_id": line.source_line_id}
                  for line, qty in received]})


def inspection_decided(event_type: str, inspection, *, actor: Actor) -> None:
    asn = inspection.asn
    emit(event_type, aggregate_type="wms.asn", aggregate_id=asn.pk, actor=actor, payload={
        "inspection": inspection.pk, "asn": asn.pk, "number": asn.number, "sku": inspection.product.sku,
        "lot": inspection.lot.number if inspection.lot_id else None, "qty": text(inspection.qty),
        "location": (inspection.released_to or inspection.location).code, "source_type": asn.source_type,
        "source_id": asn.source_id, "source_line_id": inspection.scan.line.source_line_id})


def putaway_done(putaway, *, actor: Actor) -> None:
    emit("wms.putaway.done", aggregate_type="wms.putaway", aggregate_id=putaway.pk, actor=actor, payload={
        "putaway": putaway.pk, "warehouse": putaway.warehouse.code, "sku": putaway.product.sku,
        "lot": putaway.lot.number if putaway.lot_id else None, "qty": text(putaway.qty),
        "from": putaway.from_location.code, "to": putaway.to_location.code,
        "suggested": putaway.suggested.code if putaway.suggested_id else None})

"""Lot traceability: from a lot to its receipts (supplier, PO / ASN), the bins it went through,
the shipments, orders and customers it reached; and from an order back to its lots.

Everything is read from the stock ledger (done moves carry the lot, the bins and the document
reference) and from the warehouse documents on top of it: shipments (`sihe.wms.models.Shipment`,
whose number is the issue moves' reference and whose `ShipmentPick`s name the lot), and — when the
inbound app is installed — ASNs (`wms_inbound.Asn`: supplier and PO number), found through their
receipt scans (scan → move) or by the receipt move's reference. Without it, a receipt shows its
reference and counterpart only.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext as _

from sihe.core.errors import NotFound, ValidationFailed
from sihe.core.money import text
from sihe.stock.models import Lot, Quant, StockMove
from sihe.wms.models import Shipment, ShipmentPick


def _model(label: str, name: str):
    try:
        return apps.get_model(label, name)
    except LookupError:
        return None


def _asns_for(moves: list[StockMove]) -> dict[int, object]:
    """Receipt move id → its ASN (through the receipt scan, else by reference), when inbound exists."""
    asn_model = _model("wms_inbound", "Asn")
    if asn_model is None or not moves:
        return {}
    found: dict[int, object] = {}
    scan_model = _model("wms_inbound", "ReceiptScan")
    if scan_model is not None:
        for scan in scan_model.objects.filter(move_id__in=[m.pk for m in moves]).select_related("asn", "asn__supplier"):
            found[scan.move_id] = scan.asn
    by_number = {a.number: a for a in asn_model.objects.filter(
        number__in={m.reference for m in moves if m.reference}).select_related("supplier")}
    for move in moves:
        if move.pk not in found and move.reference in by_number:
            found[move.pk] = by_number[move.reference]
    return found


def _place(warehouse, location) -> str | None:
    if location is None:
        return None
    return f"{warehouse.code}:{location.code}" if warehouse is not None else location.code


def lots_by_number(number: str, *, sku: str | None = None) -> list[Lot]:
    number = (number or "").strip()
    if not number:
        raise ValidationFailed(_("enter a lot number"), field="lot")
    qs = Lot.objects.select_related("product", "product__uom").filter(number=number)
    if sku:
        qs = qs.filter(product__sku=sku)
    lots = list(qs.order_by("product__sku"))
    if not lots:
        if sku:
            raise NotFound(_("no lot %(lot)s of %(sku)s") % {"lot": number, "sku": sku}, field="lot")
        raise NotFound(_("no lot %(lot)s") % {"lot": number}, field="lot")
    return lots


def trace_lot(lot: Lot) -> dict:
    """The whole story of one lot, oldest first."""
    moves = list(StockMove.objects.filter(lot=lot, state=StockMove.State.DONE)
                 .select_related("src_warehouse", "src_location", "dst_warehouse", "dst_location")
                 .order_by("date", "id"))
    receipt_moves = [m for m in moves if m.kind == StockMove.Kind.RECEIPT and m.counterpart == "supplier"]
    asns = _asns_for(receipt_moves)
    receipts = []
    for move in receipt_moves:
        asn = asns.get(move.pk)
        supplier = getattr(asn, "supplier", None) if asn is not None else None
        receipts.append({
            "date": move.date, "warehouse": move.dst_warehouse.code, "location": move.dst_location.code,
            "qty": text(move.qty), "reference": move.reference, "reversed": move.reversal_of_id is not None,
            "asn": asn.number if asn is not None else None,
            "po": (asn.source_number or None) if asn is not None else None,
            "supplier": supplier.code if supplier is not None else None,
            "supplier_name": supplier.name if supplier is not None else None,
        })
    path = [{"date": m.date, "kind": m.kind, "kind_label": StockMove.Kind(m.kind).label, "qty": text(m.qty), "reference": m.reference,
             "from": _place(m.src_warehouse, m.src_location) or (m.counterpart or None),
             "to": _place(m.dst_warehouse, m.dst_location) or (m.counterpart or None)} for m in moves]
    bins = []
    for m in moves:
        for place in (_place(m.src_warehouse, m.src_location), _place(m.dst_warehouse, m.dst_location)):
            if place and place not in bins:
                bins.append(place)
    on_hand = [{"warehouse": q.warehouse.code, "location": q.location.code, "qty": text(q.qty), "reserved": text(q.reserved)}
               for q in Quant.objects.filter(lot=lot).filter(~Q(qty=0) | ~Q(reserved=0))
               .select_related("warehouse", "location").order_by("warehouse__code", "location__code")]
    shipments = _shipments_of_lot(lot, moves)
    customers = sorted({s["customer"] for s in shipments if s["customer"]})
    orders = sorted({s["order"] for s in shipments if s["order"]})
    return {"lot": lot.number, "sku": lot.product.sku, "product": lot.product.name,
            "production_date": lot.production_date, "expiry_date": lot.expiry_date, "receipt_date": lot.receipt_date,
            "receipts": receipts, "moves": path, "bins": bins, "on_hand": on_hand, "shipments": shipments,
            "orders": orders, "customers": customers, **genealogy(lot, moves)}


def _lot_rows(moves) -> list[dict]:
    rows: dict[tuple, dict] = {}
    for m in moves:
        key = (m.reference, m.product_id, m.lot_id)
        row = rows.setdefault(key, {"order": m.reference, "sku": m.product.sku,
                                    "lot": m.lot.number if m.lot_id else None, "qty": Decimal(0)})
        row["qty"] += -m.qty if m.reversal_of_id else m.qty
    return [{**row, "qty": text(row["qty"])} for row in rows.values()]


def genealogy(lot: Lot, moves: list[StockMove]) -> dict:
    """A made lot back to the component lots its production order consumed (and their suppliers), and a
    component lot forward to the lots made from it (and the customers those reached). Production moves
    carry the production order's number as their reference, which ties the two sides together."""
    produced = {m.reference for m in moves if m.kind == StockMove.Kind.PRODUCE and m.counterpart == "production"}
    consumed = {m.reference for m in moves if m.kind == StockMove.Kind.CONSUME and m.counterpart == "production"
                and m.src_location_id}
    made_from = _lot_rows(StockMove.objects.filter(
        reference__in=produced, kind=StockMove.Kind.CONSUME, state=StockMove.State.DONE, src_location__isnull=False)
        .select_related("product", "lot").order_by("id")) if produced else []
    for row in made_from:
        found = Lot.objects.filter(product__sku=row["sku"], number=row["lot"]).first() if row["lot"] else None
        receipts = StockMove.objects.filter(lot=found, kind=StockMove.Kind.RECEIPT, counterpart="supplier") \
            if found is not None else StockMove.objects.none()
        asns = _asns_for(list(receipts))
        row["suppliers"] = sorted({a.supplier.name for a in asns.values() if getattr(a, "supplier", None)}
                                  | {m.reference for m in receipts if m.pk not in asns and m.reference})
    used_in = _lot_rows(StockMove.objects.filter(
        reference__in=consumed, kind=StockMove.Kind.PRODUCE, state=StockMove.State.DONE)
        .select_related("product", "lot").order_by("id")) if consumed else []
    for row in used_in:
        found = Lot.objects.filter(product__sku=row["sku"], number=row["lot"]).first() if row["lot"] else None
        issued = list(StockMove.objects.filter(lot=found, kind=StockMove.Kind.ISSUE, state=StockMove.State.DONE)) \
            if found is not None else []
        row["customers"] = sorted({s["customer"] for s in _shipments_of_lot(found, issued) if s["customer"]}) \
            if found is not None else []
    return {"made_from": made_from, "used_in": used_in}


def _shipments_of_lot(lot: Lot, moves: list[StockMove]) -> list[dict]:
    """Shipments that took the lot: by their picks, and by issue moves whose reference is a shipment.
    `shipped` is what the stock moves say left with the shipment (the fact a recall acts on); `picked`
    is what the picker scanned, which is nothing when the order shipped without a pick (from the service
    page, or a POS sale)."""
    qty: dict[int, Decimal] = defaultdict(Decimal)
    for pick in ShipmentPick.objects.filter(lot=lot).select_related("line"):
        qty[pick.line.shipment_id] += pick.qty
    issued: dict[str, Decimal] = defaultdict(Decimal)
    for move in moves:
        if move.kind == StockMove.Kind.ISSUE and move.reference:
            issued[move.reference] += -move.qty if move.reversal_of_id else move.qty
    shipments = Shipment.objects.filter(Q(pk__in=list(qty)) | Q(number__in=list(issued))).order_by("created_at", "id")
    rows = []
    for s in shipments:
        shipped = issued.get(s.number)
        rows.append({"number": s.number, "state": s.state, "state_label": Shipment.State(s.state).label,
                     "order": s.source_number or None,
                     # a walk-in buyer has no customer record: the receiver is who a recall calls
                     "customer": s.customer or s.receiver_name or None, "receiver": s.receiver_name or None,
                     "city": " ".join(x for x in (s.province, s.city, s.district) if x) or None,
                     "picked": text(qty.get(s.pk, Decimal(0))), "shipped": text(shipped) if shipped is not None else "0",
                     "shipped_at": s.shipped_at, "carrier": s.carrier or None, "tracking_no": s.tracking_no or None})
    return rows


def trace_order(source_number: str) -> dict:
    """An order (the number people see on the shipment) back to the lots it was sent from."""
    number = (source_number or "").strip()
    if not number:
        raise ValidationFailed(_("enter an order number"), field="number")
    shipments = list(Shipment.objects.filter(Q(source_number=number) | Q(number=number)).order_by("created_at", "id"))
    if not shipments:
        raise NotFound(_("no shipment for order %(number)s") % {"number": number}, field="number")
    rows = []
    picks = (ShipmentPick.objects.filter(line__shipment__in=shipments)
             .select_related("line__shipment", "line__product", "lot", "location").order_by("line__shipment_id", "id"))
    seen = set()
    for pick in picks:
        seen.add((pick.line.shipment_id, pick.line.product_id))
        rows.append({"shipment": pick.line.shipment.number, "sku": pick.line.product.sku,
                     "lot": pick.lot.number if pick.lot_id else None,
                     "expiry_date": pick.lot.expiry_date if pick.lot_id else None,
                     "location": pick.location.code, "qty": text(pick.qty), "source": "pick"})
    by_number = {s.number: s for s in shipments}
    for move in (StockMove.objects.filter(reference__in=list(by_number), kind=StockMove.Kind.ISSUE,
                                          state=StockMove.State.DONE, reversal_of__isnull=True)
                 .select_related("product", "lot", "src_location").order_by("id")):
        shipment = by_number[move.reference]
        if (shipment.pk, move.product_id) in seen:
            continue
        rows.append({"shipment": shipment.number, "sku": move.product.sku,
                     "lot": move.lot.number if move.lot_id else None,
                     "expiry_date": move.lot.expiry_date if move.lot_id else None,
                     "location": move.src_location.code if move.src_location_id else None, "qty": text(move.qty),
                     "source": "issue"})
    return {"order": number, "customer": next((s.customer for s in shipments if s.customer), None),
            "shipments": [{"number": s.number, "state": s.state, "carrier": s.carrier or None,
                           "tracking_no": s.tracking_no or None, "shipped_at": s.shipped_at} for s in shipments],
            "lots": rows}

"""Reads of inbound work for the API and the pages: expected receipts with what came, their scans,
quality inspections and their rules, and the goods waiting on the dock with a suggested bin (plain
dicts, decimals as strings)."""

from decimal import Decimal

from django.db.models import Prefetch, Q, Sum
from django.utils import timezone

from sihe.catalog.models import Warehouse
from sihe.core.errors import NotFound
from sihe.core.money import text
from sihe.wms.inbound import putaway

# re-exported: Asn.Status and Inspection.Status are part of the read surface
from sihe.wms.inbound.models import Asn, AsnLine, Inspection, InspectionRule, ReceiptScan
from sihe.wms.inbound.services import dock_stock

MAX_ID = 2**63 - 1

ZERO = Decimal(0)


def asns(*, warehouse: str | None = None, status: str | None = None, q: str | None = None, open_only=False):
    qs = Asn.objects.select_related("warehouse", "supplier").annotate(
        total_expected=Sum("lines__qty"), total_received=Sum("lines__received_qty")).order_by("-id")
    if warehouse:
        qs = qs.filter(warehouse__code=warehouse)
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=[Asn.Status.EXPECTED, Asn.Status.RECEIVING])
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(source_number__icontains=q) | Q(supplier__name__icontains=q)
                       | Q(supplier__code__icontains=q))
    return qs


def asn_summary(asn: Asn) -> dict:
    expected = getattr(asn, "total_expected", None)
    received = getattr(asn, "total_received", None)
    if expected is None:
        totals = asn.lines.aggregate(e=Sum("qty"), r=Sum("received_qty"))
        expected, received = totals["e"], totals["r"]
    return {"id": asn.pk, "number": asn.number, "warehouse": asn.warehouse.code,
            "supplier": asn.supplier.name if asn.supplier_id else None, "status": asn.status,
            "source_type": asn.source_type, "source_id": asn.source_id, "source_number": asn.source_number,
            "expected_date": asn.expected_date.isoformat() if asn.expected_date else None,
            "expected": text(expected or ZERO), "received": text(received or ZERO)}


def line_out(line: AsnLine) -> dict:
    open_qty = max(line.qty - line.counted_qty(), ZERO)
    return {"id": line.pk, "sku": line.product.sku, "name": line.product.name, "gtin": line.product.gtin,
            "expected": text(line.qty), "received": text(line.received_qty), "rejected": text(line.rejected_qty),
            "open": text(open_qty), "unit_cost": text(line.unit_cost), "source_line_id": line.source_line_id}


def inspection_out(inspection: Inspection) -> dict:
    lot = inspection.lot
    return {"id": inspection.pk, "reference": inspection.reference, "asn_id": inspection.asn_id,
            "asn": inspection.asn.number, "sku": inspection.product.sku, "name": inspection.product.name,
            "lot": lot.number if lot else None,
            "expiry": lot.expiry_date.isoformat() if lot and lot.expiry_date else None, "qty": text(inspection.qty),
            "location": inspection.location.code, "status": inspection.status,
            "released_to": inspection.released_to.code if inspection.released_to_id else None,
            "note": inspection.note, "decided_by": inspection.decided_by}


INSPECTION_RELATED = ("asn", "product", "lot", "location", "released_to")


def inspections(*, status: str | None = None, warehouse: str | None = None, asn: Asn | None = None):
    qs = Inspection.objects.select_related(*INSPECTION_RELATED).order_by("-id")
    if status:
        qs = qs.filter(status=status)
    if warehouse:
        qs = qs.filter(asn__warehouse__code=warehouse)
    if asn is not None:
        qs = qs.filter(asn=asn)
    return qs


def scan_out(scan: ReceiptScan) -> dict:
    return {"id": scan.pk, "sku": scan.product.sku, "lot": scan.lot.number if scan.lot_id else None,
            "qty": text(scan.qty), "location": scan.location.code, "held": scan.held,
            "at": timezone.localtime(scan.created_at).isoformat(timespec="seconds"),
            "at_display": timezone.localtime(scan.created_at).strftime("%Y-%m-%d %H:%M:%S"), "by": scan.created_by}


def asn_detail(asn: Asn) -> dict:
    asn = Asn.objects.select_related("warehouse", "supplier").prefetch_related(
        Prefetch("lines", queryset=AsnLine.objects.select_related("product").order_by("id"))).get(pk=asn.pk)
    lines = list(asn.lines.all())
    out = asn_summary(asn)
    out["expected"] = text(sum((ln.qty for ln in lines), ZERO))
    out["received"] = text(sum((ln.received_qty for ln in lines), ZERO))
    out["lines"] = [line_out(ln) for ln in lines]
    scans = ReceiptScan.objects.filter(asn=asn).select_related("product", "lot", "location").order_by("-id")[:200]
    out["scans"] = [scan_out(s) for s in scans]
    out["inspections"] = [inspection_out(i) for i in inspections(asn=asn)[:200]]
    return out


def dock_rows(*, warehouse: Warehouse | None = None, limit: int = 100) -> list[dict]:
    rows = []
    for quant in dock_stock(warehouse=warehouse)[:limit]:
        qty = quant.qty - quant.reserved
        suggestion = putaway.suggest(product=quant.product, warehouse=quant.warehouse, qty=qty, lot=quant.lot,
                                     exclude=quant.location)
        lot = quant.lot
        rows.append({"warehouse": quant.warehouse.code, "location": quant.location.code, "sku": quant.product.sku,
                     "name": quant.product.name, "gtin": quant.product.gtin, "lot": lot.number if lot else None,
                     "expiry": lot.expiry_date.isoformat() if lot and lot.expiry_date else None, "qty": text(qty),
                     "suggested_bin": suggestion.code if suggestion else None, "product_id": quant.product_id,
                     "lot_id": quant.lot_id})
    return rows


def asn(pk: int) -> Asn:
    """One expected receipt with its warehouse and supplier (not found is a 404 naming `asn_id`)."""
    found = Asn.objects.select_related("warehouse", "supplier").filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if found is None:
        raise NotFound(f"no expected receipt {pk}", field="asn_id")
    return found


def asn_by_reference(ref: str) -> Asn | None:
    """The expected receipt with this number, else the latest one for this PO or delivery note number."""
    return Asn.objects.filter(number=ref).first() or Asn.objects.filter(source_number=ref).order_by("-id").first()


def scans_of(item: Asn):
    """What was scanned in against an expected receipt, in order, with product and lot."""
    return ReceiptScan.objects.filter(asn=item).select_related("product", "lot").order_by("id")


def inspection(pk: int) -> Inspection:
    """One inspection with its receipt's warehouse (not found is a 404 naming `inspection_id`)."""
    found = Inspection.objects.select_related("asn__warehouse").filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if found is None:
        raise NotFound(f"no inspection {pk}", field="inspection_id")
    return found


def pending_inspections() -> int:
    """How many inspections wait for a decision."""
    return Inspection.objects.filter(status=Inspection.Status.PENDING).count()


def inspection_rules(limit: int = 1000):
    """The products received into quality hold, by SKU."""
    return InspectionRule.objects.select_related("product").order_by("product__sku")[:limit]


def returns_of(*, source_type: str, case_id: int) -> list[Asn]:
    """The expected returns of an after-sales case (one per warehouse: source id `<case>:<warehouse>`)."""
    return list(Asn.objects.filter(source_type=source_type, source_id__startswith=f"{case_id}:").order_by("id"))


def asn_actions(asn: Asn) -> list[str]:
    """What may be done to an expected receipt now, from its transition table."""
    from sihe.wms.inbound.transitions import ASN

    return ASN.allowed_actions(asn.status)

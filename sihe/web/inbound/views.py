"""Inbound pages: expected receipts, handheld receiving by scan, putaway, inspections, labels.

Handheld pages (receive, putaway) are phone-sized (375 × 667): one big scan field with autofocus,
the answer (or the refusal with its reason) on screen in the user's language, progress below.
Writes go through `sihe.wms.inbound.services` in one transaction per act.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from sihe.catalog import selectors as catalog_selectors
from sihe.catalog.selectors import Product, Warehouse
from sihe.core import tx
from sihe.core.errors import DomainError, NotFound
from sihe.core.roles import can
from sihe.stock import selectors as stock_selectors
from sihe.web.permissions import require_permission
from sihe.wms import labels
from sihe.wms.inbound import gs1, selectors, services
from sihe.wms.inbound.selectors import Asn, Inspection

BIG = 2**63


def _int(value) -> int | None:
    try:
        number = int(str(value or "").strip())
    except ValueError:
        return None
    return number if 0 < number < BIG else None


def _asn_or_404(asn_id) -> Asn:
    number = _int(asn_id)
    if number is None:
        raise Http404
    try:
        return selectors.asn(number)
    except NotFound as exc:
        raise Http404(exc.message) from exc


# -- expected receipts ----------------------------------------------------------------------------


@require_permission("purchasing.view")
def asns(request):
    status = request.GET.get("status") or ""
    if status not in Asn.Status.values:
        status = ""
    code = (request.GET.get("warehouse") or "").strip()[:20]
    q = (request.GET.get("q") or "").strip()[:64]
    rows = list(selectors.asns(warehouse=code or None, status=status or None, q=q or None)[:300])
    return render(request, "web_inbound/asns.html", {
        "rows": [selectors.asn_summary(a) for a in rows], "status": status, "statuses": Asn.Status.choices,
        "warehouse_code": code, "q": q, "warehouses": catalog_selectors.warehouses(),
        "pending": selectors.pending_inspections(),
        "can_receive": can(request.user, "wms.operate")})


@require_permission("purchasing.view")
def asn(request, asn_id: int):
    item = _asn_or_404(asn_id)
    error = None
    if request.method == "POST" and request.POST.get("act") == "close":
        if not can(request.user, "wms.plan"):
            error = _("Your role may not close expected receipts.")
        else:
            try:
                with tx.entry():
                    services.close_asn(asn=item, actor=request.actor)
                return redirect("web_inbound:asn", asn_id=item.pk)
            except DomainError as exc:
                error = exc.message
    detail = selectors.asn_detail(item)
    return render(request, "web_inbound/asn.html", {
        "asn": detail, "error": error, "can_receive": can(request.user, "wms.operate") and item.is_open,
        "can_decide": can(request.user, "wms.operate"), "can_close": can(request.user, "wms.plan") and item.is_open})


# -- handheld receiving ---------------------------------------------------------------------------


@require_permission("wms.operate")
def receive(request):
    asn_id = request.GET.get("asn") or request.POST.get("asn")
    if not asn_id:
        ref = (request.GET.get("ref") or "").strip()[:64]
        found = None
        if ref:
            found = selectors.asn_by_reference(ref)
            if found is not None:
                return redirect(f"{reverse('web_inbound:receive')}?asn={found.pk}")
        open_asns = [selectors.asn_summary(a) for a in selectors.asns(open_only=True)[:50]]
        return render(request, "web_inbound/receive_pick.html", {"rows": open_asns, "ref": ref,
                                                                   "not_found": bool(ref) and found is None})
    item = _asn_or_404(asn_id)
    result, error, barcode, qty = None, None, "", ""
    if request.method == "POST":
        barcode = (request.POST.get("barcode") or "")[:300]
        qty = (request.POST.get("qty") or "").strip()[:30]
        try:
            with tx.entry():
                result = services.receive_scan(asn=item, barcode=barcode.replace("\x00", ""), qty=qty or None,
                                               actor=request.actor)
            barcode, qty = "", ""
        except DomainError as exc:
            error = {"message": exc.message, "field": exc.field, "code": exc.code}
    detail = selectors.asn_detail(item)
    status = 200 if error is None else 422
    return render(request, "web_inbound/receive.html", {"asn": detail, "result": result, "error": error,
                                                        "barcode": barcode, "qty": qty}, status=status)


# -- handheld putaway -----------------------------------------------------------------------------


def _dock_row(warehouse: Warehouse, product_id, lot_id, location_code):
    for row in selectors.dock_rows(warehouse=warehouse, limit=500):
        if str(row["product_id"]) == str(product_id) and str(row["lot_id"] or "") == str(lot_id or "") \
                and row["location"] == location_code:
            return row
    return None


@require_permission("wms.operate")
def putaway(request):
    warehouses = list(catalog_selectors.active_warehouses())
    code = (request.GET.get("warehouse") or request.POST.get("warehouse") or "").strip()[:20]
    warehouse = next((w for w in warehouses if w.code == code), None)
    if warehouse is None and len(warehouses) == 1:
        warehouse = warehouses[0]
    context = {"warehouses": warehouses, "warehouse": warehouse, "rows": [], "row": None, "result": None,
               "error": None}
    if warehouse is None:
        return render(request, "web_inbound/putaway.html", context)
    product_id = request.GET.get("product") or request.POST.get("product")
    lot_id = request.GET.get("lot") or request.POST.get("lot") or ""
    from_code = (request.GET.get("from") or request.POST.get("from") or "")[:40]
    item = (request.GET.get("item") or "").strip()[:300]
    if item and not product_id:  # the item's label was scanned: find it on the dock
        try:
            scan = gs1.parse(item)
            product = services.product_by_gtin(scan.gtin) if scan.gtin else None
            rows = [r for r in selectors.dock_rows(warehouse=warehouse, limit=500)
                    if product is not None and r["product_id"] == product.pk
                    and (not scan.lot or r["lot"] == scan.lot)]
            if rows:
                product_id, lot_id, from_code = rows[0]["product_id"], rows[0]["lot_id"] or "", rows[0]["location"]
            else:
                context["error"] = _("This item is not waiting on the dock.")
        except DomainError as exc:
            context["error"] = exc.message
    if product_id:
        context["row"] = _dock_row(warehouse, product_id, lot_id, from_code)
    if request.method == "POST" and context["row"] is not None:
        row = context["row"]
        bin_code = (request.POST.get("bin") or "").strip()[:40]
        qty = (request.POST.get("qty") or "").strip()[:30] or row["qty"]
        target = catalog_selectors.find_location(warehouse, bin_code)
        if target is None:
            context["error"] = _("Unknown bin %(code)s: scan the bin label.") % {"code": bin_code or "—"}
        else:
            try:
                with tx.entry():
                    record = services.put_away(
                        warehouse=warehouse, product=catalog_selectors.product_by_id(row["product_id"]), qty=qty,
                        lot=stock_selectors.find_lot_by_id(row["lot_id"]) if row["lot_id"] else None,
                        from_location=catalog_selectors.location_by_code(warehouse.code, row["location"]),
                        to_location=target, actor=request.actor)
                context["result"] = record
                context["row"] = None
            except DomainError as exc:
                context["error"] = exc.message
    if context["row"] is None:
        context["rows"] = selectors.dock_rows(warehouse=warehouse, limit=100)
    status = 422 if context["error"] and request.method == "POST" else 200
    return render(request, "web_inbound/putaway.html", context, status=status)


# -- inspections ----------------------------------------------------------------------------------


@require_permission("stock.view")
def inspections(request):
    status = request.GET.get("status", "pending")
    if status not in Inspection.Status.values:
        status = ""
    rows = [selectors.inspection_out(i) for i in selectors.inspections(status=status or None)[:300]]
    return render(request, "web_inbound/inspections.html", {
        "rows": rows, "status": status, "statuses": Inspection.Status.choices,
        "can_decide": can(request.user, "wms.operate")})


@require_permission("wms.operate")
def decide(request, inspection_id: int):
    if request.method != "POST":
        return redirect("web_inbound:inspections")
    number = _int(inspection_id)
    try:
        inspection = selectors.inspection(number or 0)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    note = (request.POST.get("note") or "")[:500]
    try:
        with tx.entry():
            if request.POST.get("act") == "reject":
                services.reject_inspection(inspection=inspection, actor=request.actor, note=note)
            else:
                services.release_inspection(inspection=inspection, actor=request.actor, note=note)
    except DomainError as exc:
        from django.contrib import messages

        messages.error(request, exc.message)
    back = request.POST.get("next") or ""
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect("web_inbound:inspections")


# -- labels ---------------------------------------------------------------------------------------


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@require_permission("stock.view")
def bin_labels(request):
    code = (request.GET.get("warehouse") or "").strip()[:20]
    zone = (request.GET.get("zone") or "").strip()[:10]
    codes = [c.strip() for c in (request.GET.get("codes") or "").split(",") if c.strip()][:500]
    qs = catalog_selectors.active_locations(warehouse=code, zone=zone, codes=codes)
    rows = [labels.BinLabel(code=loc.code, warehouse=loc.warehouse.code,
                            zone=f"{loc.zone.code} {loc.zone.name}".strip()) for loc in qs[:2000]]
    return _pdf(labels.bin_labels_pdf(rows), f"bins-{code or 'all'}.pdf")


@require_permission("stock.view")
def lot_labels(request):
    """Lot labels of the lots an ASN received (?asn=id, one per scan with its quantity), or of one lot
    (?sku=…&lot=…&qty=…)."""
    rows = []
    asn_id = request.GET.get("asn")
    if asn_id:
        item = _asn_or_404(asn_id)
        for scan in selectors.scans_of(item):
            if scan.product.gtin:
                rows.append(_lot_label(scan.product, scan.lot, scan.qty))
        name = f"lots-{item.number}.pdf"
    else:
        product = catalog_selectors.find_product((request.GET.get("sku") or "")[:64])
        if product is None or not product.gtin:
            raise Http404
        lot = stock_selectors.find_lot(product, (request.GET.get("lot") or "")[:64])
        qty = _int(request.GET.get("qty"))
        copies = min(_int(request.GET.get("copies")) or 1, 200)
        rows = [_lot_label(product, lot, qty)] * copies
        name = f"lot-{product.sku}.pdf"
    return _pdf(labels.lot_labels_pdf(rows), name)


def _lot_label(product: Product, lot: stock_selectors.Lot | None, qty) -> labels.LotLabel:
    return labels.LotLabel(gtin=product.gtin, sku=product.sku, name=product.name, lot=lot.number if lot else None,
                           expiry=lot.expiry_date if lot else None,
                           production_date=lot.production_date if lot else None,
                           count=int(qty) if qty is not None and qty == int(qty) else None)

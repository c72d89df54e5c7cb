"""Outbound pages: the wave board, a pick list with its route map, and the handheld pick and
check & pack pages (phone-sized, the scan field focused, one task per screen).

Every scan is a POST that runs one act and redirects back (so a reload never scans twice); the
result is kept in the session for the next page and shown next to the scan field.
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from sihe.catalog import selectors as catalog_selectors
from sihe.core import tx
from sihe.core.errors import DomainError
from sihe.core.money import to_decimal
from sihe.web.permissions import require_permission
from sihe.wms.outbound import selectors, services
from sihe.wms.outbound.selectors import PickTask, Shipment, Wave

FLASH = "outbound_flash"
NONCE = "outbound_nonce"
BOARD_STATES = [Wave.State.RELEASED, Wave.State.PICKING, Wave.State.PICKED, Wave.State.DONE]


def _flash(request, ok: bool, message: str, code: str = "") -> None:
    request.session[FLASH] = {"ok": ok, "message": message, "code": code}


def _pop_flash(request) -> dict | None:
    return request.session.pop(FLASH, None)


def _error(request, exc: DomainError) -> None:
    _flash(request, False, exc.message, exc.code)


def _replayed(request) -> bool:
    """A form posted twice (a resend after a dropped connection) carries the same nonce: act once."""
    nonce = (request.POST.get("nonce") or "")[:64]
    if nonce and request.session.get(NONCE) == nonce:
        return True
    request.session[NONCE] = nonce
    return False


def _decimal_or_none(value, field: str) -> Decimal | None:
    text = (value or "").strip()
    return to_decimal(text, field=field) if text else None


# -- wave board -----------------------------------------------------------------------------------


@require_permission("wms.plan")
def waves(request):
    warehouses = list(catalog_selectors.active_warehouses())
    if request.method == "POST":
        code = request.POST.get("warehouse", "")
        warehouse = next((w for w in warehouses if w.code == code), None)
        try:
            if warehouse is None:
                raise DomainError(_("choose a warehouse"), field="warehouse", code="invalid")
            max_lines = int(request.POST.get("max_lines") or 20)
            if not 1 <= max_lines <= 1000:
                raise DomainError(_("cart capacity must be 1 to 1000 lines"), field="max_lines", code="invalid")
            max_volume = _decimal_or_none(request.POST.get("max_volume"), "max_volume")
            with tx.entry():
                wave = services.create_wave(warehouse=warehouse, actor=request.actor, max_lines=max_lines,
                                            max_volume=max_volume, carrier=request.POST.get("carrier", "")[:40],
                                            by_zone=request.POST.get("by_zone") == "on",
                                            pickers=re.split(r"[,，、\s]+", request.POST.get("pickers", "")[:500]))
        except ValueError:
            _flash(request, False, _("cart capacity must be a whole number"), "invalid")
            return redirect("web_outbound:waves")
        except DomainError as exc:
            _error(request, exc)
            return redirect("web_outbound:waves")
        _flash(request, True, _("wave %(number)s released") % {"number": wave.number})
        return redirect("web_outbound:wave", pk=wave.pk)
    recent = selectors.board_waves()
    progress = selectors.progress(recent)
    columns = []
    for state in BOARD_STATES:
        items = [w for w in recent if w.state == state]
        for w in items:
            w.progress = progress[w.pk]
        columns.append({"state": state, "label": Wave.State(state).label, "waves": items[:40]})
    pending = selectors.pending_per_warehouse()
    for w in warehouses:
        w.pending = pending.get(w.code, 0)
    warehouses.sort(key=lambda w: (-w.pending, w.code))
    return render(request, "web_outbound/waves.html", {
        "columns": columns, "warehouses": warehouses, "pending": pending, "flash": _pop_flash(request)})


@require_permission("wms.plan")
def wave(request, pk: int):
    try:
        item = selectors.wave(pk)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    lists = selectors.wave_picklists(item)
    entries = selectors.wave_entries(item)
    return render(request, "web_outbound/wave.html", {
        "wave": item, "picklists": lists, "entries": entries, "progress": selectors.progress([item])[item.pk],
        "flash": _pop_flash(request)})


@require_permission("wms.plan")
def picklist(request, pk: int):
    try:
        item = selectors.picklist(pk)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    tasks = list(selectors.tasks(item))
    return render(request, "web_outbound/picklist.html", {
        "pl": item, "tasks": tasks, "svg": mark_safe(selectors.picklist_svg(item)),  # noqa: S308 — built by route_svg, labels escaped
        "stops": len({t.location_id for t in tasks})})


# -- handheld: pick -------------------------------------------------------------------------------


@require_permission("wms.operate")
def pick(request):
    if request.method == "POST":
        code = (request.POST.get("barcode") or "").strip()
        found = selectors.picklist_by_number(code)
        if found is None:
            _flash(request, False, _("no pick list %(code)s") % {"code": code[:40]}, "not_found")
            return redirect("web_outbound:pick")
        return redirect("web_outbound:pick_run", pk=found.pk)
    mine = request.user.get_username()
    # a list is offered to its picker, and to every picker while nobody who can log in holds it
    open_lists = selectors.open_picklists_for(mine)
    open_lists.sort(key=lambda pl: (pl.picker != mine, pl.wave.cutoff_at is None, pl.pk))
    return render(request, "web_outbound/pick.html", {"lists": open_lists, "flash": _pop_flash(request)})


@require_permission("wms.operate")
def pick_run(request, pk: int):
    try:
        item = selectors.picklist(pk)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    if request.method == "POST":
        action = request.POST.get("action", "scan")
        if _replayed(request):
            return redirect("web_outbound:pick_run", pk=item.pk)
        try:
            with tx.entry():
                if action in ("short", "skip"):
                    task = selectors.task_on(item, request.POST.get("task") or 0) \
                        if (request.POST.get("task") or "").isdigit() else None
                    if task is None:
                        raise DomainError(_("no such stop"), field="task", code="not_found")
                if action == "skip":
                    task = services.skip_task(picklist=item, task=task, actor=request.actor)
                    _flash(request, True, _("%(bin)s moved to the end of the list") % {"bin": task.location.code}, "skip")
                elif action == "short":
                    task = services.short_pick(picklist=item, task=task, actor=request.actor,
                                               reason=request.POST.get("reason", "")[:200])
                    _flash(request, True, _("short %(qty)s × %(sku)s reported at %(bin)s")
                           % {"qty": services.q(task.short_qty), "sku": task.product.sku,
                              "bin": task.location.code}, "short")
                else:
                    result = services.scan_pick(picklist=item, barcode=request.POST.get("barcode", ""),
                                                qty=(request.POST.get("qty") or "").strip() or None,
                                                actor=request.actor)
                    message = result.message
                    if result.finished:
                        message += " · " + _("ready to check: %(numbers)s") % {"numbers": ", ".join(result.finished)}
                    _flash(request, True, message, result.kind)
        except DomainError as exc:
            _error(request, exc)
        return redirect("web_outbound:pick_run", pk=item.pk)
    tasks = list(selectors.tasks(item))
    open_tasks = [t for t in tasks if t.state == PickTask.State.OPEN
                  and t.shipment.state not in (Shipment.State.CANCELLED, Shipment.State.SHIPPED)]
    at_bin = [t for t in open_tasks if item.current_location_id and t.location_id == item.current_location_id]
    current = at_bin[0] if at_bin else (open_tasks[0] if open_tasks else None)
    return render(request, "web_outbound/pick_run.html", {
        "pl": item, "current": current, "at_bin": bool(at_bin), "done": len(tasks) - len(open_tasks),
        "total": len(tasks), "upcoming": [t for t in open_tasks if t is not current][:3],
        "flash": _pop_flash(request), "nonce": uuid.uuid4().hex})


# -- handheld: check & pack -----------------------------------------------------------------------


@require_permission("wms.operate")
def check(request):
    if request.method == "POST":
        code = (request.POST.get("barcode") or "").strip()
        try:
            shipment = selectors.shipment(code)
        except DomainError as exc:
            _error(request, exc)
            return redirect("web_outbound:check")
        return redirect("web_outbound:check_run", pk=shipment.pk)
    waiting = selectors.shipments_to_check()
    return render(request, "web_outbound/check.html", {"waiting": waiting, "flash": _pop_flash(request)})


@require_permission("wms.operate")
def check_run(request, pk: int):
    try:
        shipment = selectors.shipment_by_id(pk)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    if request.method == "POST":
        action = request.POST.get("action", "scan")
        if _replayed(request):
            return redirect("web_outbound:check_run", pk=shipment.pk)
        try:
            with tx.entry():
                if action == "pack":
                    rows = services.pack(
                        shipment=shipment, actor=request.actor, carrier=request.POST.get("carrier", "")[:40],
                        tracking_no=request.POST.get("tracking_no", "")[:56],
                        max_weight=_decimal_or_none(request.POST.get("max_weight"), "max_weight"))
                    _flash(request, True, _("%(n)s parcel(s) packed; print the labels") % {"n": len(rows)}, "pack")
                elif action == "ship":
                    done = services.ship(shipment=shipment, actor=request.actor)
                    _flash(request, True, _("%(number)s shipped with %(carrier)s %(tracking)s")
                           % {"number": done.number, "carrier": done.carrier, "tracking": done.tracking_no}, "ship")
                else:
                    line = services.check_scan(shipment=shipment, barcode=request.POST.get("barcode", ""),
                                               qty=(request.POST.get("qty") or "").strip() or None, actor=request.actor)
                    _flash(request, True, _("%(sku)s checked %(checked)s / %(picked)s")
                           % {"sku": line.product.sku, "checked": services.q(line.checked),
                              "picked": services.q(line.picked)}, "check")
        except DomainError as exc:
            _error(request, exc)
        return redirect("web_outbound:check_run", pk=shipment.pk)
    lines = services.check_progress(shipment)
    entry = selectors.wave_entry(shipment)
    return render(request, "web_outbound/check_run.html", {
        "shipment": shipment, "lines": lines, "complete": bool(lines) and all(x.done for x in lines),
        "parcels": selectors.parcels(shipment), "carrier": (entry.wave.carrier if entry else "") or shipment.carrier,
        "tote": entry.tote if entry else None, "flash": _pop_flash(request),
        "label_url": f"/api/v1/wms/shipments/{shipment.pk}/label.pdf",
        "next_url": reverse("web_outbound:check"), "nonce": uuid.uuid4().hex})

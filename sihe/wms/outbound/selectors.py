"""Reads for the outbound API and pages: waves with progress, pick lists with stops, the route map."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from sihe.core.errors import NotFound
from sihe.wms.models import Shipment
from sihe.wms.outbound.layout import layout_from_dict
from sihe.wms.outbound.models import Parcel, PickList, PickTask, Wave
from sihe.wms.route_map import route_svg
from sihe.wms.routing import Route

MAX_ID = 2**63 - 1


def wave(pk: int) -> Wave:
    found = Wave.objects.select_related("warehouse").filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if found is None:
        raise NotFound(_("no wave %(id)s") % {"id": pk}, field="id")
    return found


def picklist(pk: int) -> PickList:
    found = (PickList.objects.select_related("wave__warehouse", "zone", "current_location").filter(pk=pk).first()
             if 0 < pk <= MAX_ID else None)
    if found is None:
        raise NotFound(_("no pick list %(id)s") % {"id": pk}, field="id")
    return found


def shipment(key: str) -> Shipment:
    """A shipment by id or by number (what the label's foot barcode carries)."""
    text = (key or "").strip()
    qs = Shipment.objects.select_related("warehouse")
    found = None
    if text.isdigit() and len(text) <= 18 and 0 < int(text) <= MAX_ID:
        found = qs.filter(pk=int(text)).first()
    if found is None and 0 < len(text) <= 40:
        found = qs.filter(number=text).first()
    if found is None:
        raise NotFound(_("no shipment %(key)s") % {"key": text[:60]}, field="id")
    return found


def tasks(pl: PickList):
    return (PickTask.objects.filter(picklist=pl).select_related("product", "product__uom", "location", "lot",
                                                                 "shipment").order_by("sequence", "pk"))


def progress(waves) -> dict[int, dict]:
    """Per wave: pick lists, stops done, quantities picked of planned, shipments and shipped (one query each)."""
    ids = [w.pk for w in waves]
    out = {pk: {"picklists": 0, "stops": 0, "stops_done": 0, "qty": Decimal(0), "picked": Decimal(0),
                "shipments": 0, "shipped": 0} for pk in ids}
    for row in (PickTask.objects.filter(picklist__wave_id__in=ids).values("picklist__wave_id")
                .annotate(stops=Count("id"), done=Count("id", filter=~Q(state=PickTask.State.OPEN)),
                          qty=Sum("qty"), picked=Sum("picked_qty"), short=Sum("short_qty"))):
        entry = out[row["picklist__wave_id"]]
        entry.update(stops=row["stops"], stops_done=row["done"], qty=row["qty"] or Decimal(0),
                     picked=(row["picked"] or Decimal(0)) + (row["short"] or Decimal(0)))
    for row in PickList.objects.filter(wave_id__in=ids).values("wave_id").annotate(n=Count("id")):
        out[row["wave_id"]]["picklists"] = row["n"]
    for row in (Shipment.objects.filter(wave_entry__wave_id__in=ids).values("wave_entry__wave_id")
                .annotate(n=Count("id"), shipped=Count("id", filter=Q(state=Shipment.State.SHIPPED)))):
        out[row["wave_entry__wave_id"]].update(shipments=row["n"], shipped=row["shipped"])
    for entry in out.values():
        entry["percent"] = int(entry["picked"] * 100 / entry["qty"]) if entry["qty"] else 0
    return out


def route_of(pl: PickList) -> Route:
    from sihe.wms.outbound.layout import pick_for

    path = [(Decimal(x), Decimal(y)) for x, y in pl.path]
    stops, seen = [], set()
    for task in tasks(pl):
        if task.location.code not in seen:
            seen.add(task.location.code)
            stops.append(pick_for(task.location))
    return Route(pl.method, pl.length, stops, path)


def picklist_svg(pl: PickList) -> str:
    return route_svg(layout_from_dict(pl.layout), route_of(pl))


def parcels(s: Shipment) -> list[Parcel]:
    return list(Parcel.objects.filter(shipment=s).order_by("sequence"))

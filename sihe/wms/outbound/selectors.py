"""Reads for the outbound API and pages: waves with their progress and parts, pick lists with their
stops in route order and the route map, the shipments waiting to be waved or checked, parcels."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, Sum
from django.utils.translation import gettext as _

from sihe.core.errors import NotFound
from sihe.wms.models import Shipment  # re-exported: Shipment.State is part of the read surface
from sihe.wms.outbound.layout import layout_from_dict

# re-exported: the states of waves, pick lists and their stops are part of the read surface
from sihe.wms.outbound.models import Parcel, PickList, PickTask, Wave, WaveShipment
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


# -- waves ----------------------------------------------------------------------------------------


def waves(*, state: str | None = None, warehouse: str | None = None):
    """Waves, newest first, of one state and one warehouse (code) when given."""
    qs = Wave.objects.order_by("-pk")
    if state:
        qs = qs.filter(state=state)
    if warehouse:
        qs = qs.filter(warehouse__code=warehouse)
    return qs


def with_parts(qs):
    """Waves with their totes (shipments) and pick lists (with stop counts `n`) in three queries."""
    return qs.select_related("warehouse").prefetch_related(
        Prefetch("entries", queryset=WaveShipment.objects.select_related("shipment").order_by("tote")),
        Prefetch("picklists", queryset=PickList.objects.select_related("zone").annotate(n=Count("tasks"))
                 .order_by("pk")))


def wave_with_parts(pk: int) -> Wave:
    """One wave with its totes and pick lists (not found is a 404 naming `id`)."""
    return with_parts(Wave.objects.filter(pk=wave(pk).pk)).get()


def board_waves(limit: int = 200) -> list[Wave]:
    """The wave board: the latest waves that were not cancelled, newest first."""
    return list(Wave.objects.select_related("warehouse").exclude(state=Wave.State.CANCELLED).order_by("-pk")[:limit])


def pending_per_warehouse() -> dict[str, int]:
    """How many pending shipments of each warehouse (code) are in no wave yet."""
    return dict(Shipment.objects.filter(state=Shipment.State.PENDING)
                .exclude(pk__in=WaveShipment.objects.values("shipment_id"))
                .values("warehouse__code").annotate(n=Count("id")).values_list("warehouse__code", "n"))


def wave_picklists(w: Wave) -> list[PickList]:
    """A wave's pick lists with their zone, stops and stops done (`stops`, `done`)."""
    return list(w.picklists.select_related("zone").annotate(
        stops=Count("tasks"), done=Count("tasks", filter=~Q(tasks__state=PickTask.State.OPEN))).order_by("pk"))


def wave_entries(w: Wave) -> list[WaveShipment]:
    """A wave's totes: which shipment rides in which tote, by tote."""
    return list(w.entries.select_related("shipment").order_by("tote"))


def wave_entry(s: Shipment) -> WaveShipment | None:
    """The wave (and tote) a shipment rides in, if any."""
    return WaveShipment.objects.filter(shipment=s).select_related("wave").first()


# -- pick lists and their stops -------------------------------------------------------------------


def picklist_by_number(number: str) -> PickList | None:
    """The pick list with this number (what its sheet's barcode carries), or None."""
    return PickList.objects.filter(number=number).first() if 0 < len(number) <= 40 else None


def open_picklists_for(username: str, limit: int = 30) -> list[PickList]:
    """Open pick lists a picker may take, with stops and stops done: the picker's own, the unassigned
    ones and those held by nobody who can log in; the earliest carrier cut-off first."""
    logins = get_user_model().objects.filter(is_active=True).values("username")
    return list(PickList.objects.filter(state__in=[PickList.State.OPEN, PickList.State.PICKING])
                .filter(Q(picker="") | Q(picker=username) | ~Q(picker__in=logins))
                .select_related("wave__warehouse", "zone")
                .annotate(stops=Count("tasks"), done=Count("tasks", filter=~Q(tasks__state=PickTask.State.OPEN)))
                .order_by("wave__cutoff_at", "pk")[:limit])


def task_on(pl: PickList, pk) -> PickTask | None:
    """The stop with this id on the pick list, or None."""
    return PickTask.objects.filter(picklist=pl, pk=pk).first()


def stop(pl: PickList, sequence: int) -> PickTask:
    """The stop at this place in the pick list's route (not found is a 404 naming `stop`)."""
    found = PickTask.objects.filter(picklist=pl, sequence=sequence).first()
    if found is None:
        raise NotFound(f"no stop {sequence} on pick list {pl.number}", field="stop")
    return found


def task(pk: int) -> PickTask:
    """One stop with its product, bin, lot and shipment."""
    return PickTask.objects.select_related("product", "location", "lot", "shipment").get(pk=pk)


# -- shipments ------------------------------------------------------------------------------------


def shipments_to_check(limit: int = 30) -> list[Shipment]:
    """Picked or packed shipments waiting at the check-and-pack bench, the earliest cut-off first."""
    return list(Shipment.objects.filter(state__in=[Shipment.State.PICKED, Shipment.State.PACKED])
                .select_related("warehouse").order_by("cutoff_at", "pk")[:limit])


def shipment_by_id(pk: int) -> Shipment:
    """A shipment by its id only (not found is a 404 naming `id`)."""
    found = Shipment.objects.select_related("warehouse").filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if found is None:
        raise NotFound(_("no shipment %(key)s") % {"key": pk}, field="id")
    return found

"""Putaway suggestion: where should goods on the dock go?

1. a bin that already holds the same product and lot (so a lot stays together), if it has room;
2. else an empty bin in the product's zone (a `PutawayRule` for the product, else for its category,
   else the zone where the product already lies), nearest first (aisle, position, level);
3. else any empty bin of the warehouse with room.
Room: a bin with `capacity_volume` takes goods while Σ(on hand × product volume) + the new volume
≤ capacity; a bin without capacity takes anything; products without volume take no room.
"""

from decimal import Decimal

from django.db.models import Exists, F, Q, Subquery, Value
from django.db.models.functions import Coalesce

from sihe.catalog.models import Location, Product, Warehouse, Zone
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


def _in_bins(product: Product, warehouse: Warehouse) -> list[Quant]:
    """The product's stock in this warehouse's bins (every lot), most first, with each bin's zone: where its
    lot lies, and the zone the product lies in, from one read."""
    return list(Quant.objects.filter(product=product, warehouse=warehouse, qty__gt=0, location__kind=Location.Kind.BIN)
                .select_related("location__zone").order_by("-qty", "id"))


def _rules(product: Product, warehouse: Warehouse):
    """The putaway rules that apply, the product's own before its category's."""
    target = Q(product=product)
    if product.category_id:
        target |= Q(category_id=product.category_id, product__isnull=True)
    return PutawayRule.objects.filter(target, warehouse=warehouse).order_by(F("product_id").asc(nulls_last=True), "pk")


def zone_of(product: Product, warehouse: Warehouse, in_bins: list[Quant] | None = None) -> Zone | None:
    """The rule for the product, else for its category (one read), else the zone where most of it lies."""
    rule = _rules(product, warehouse).select_related("zone").first()
    if rule is not None:
        return rule.zone
    in_bins = _in_bins(product, warehouse) if in_bins is None else in_bins
    return in_bins[0].location.zone if in_bins else None


def suggest(*, product: Product, warehouse: Warehouse, qty: Decimal, lot: Lot | None = None,
            exclude: Location | None = None) -> Location | None:
    need = qty * (product.volume or ZERO)
    bins = Location.objects.filter(warehouse=warehouse, kind=Location.Kind.BIN, active=True)
    if exclude is not None:
        bins = bins.exclude(pk=exclude.pk)
    in_bins = _in_bins(product, warehouse)
    holding = [quant.location_id for quant in in_bins if quant.lot_id == (lot.pk if lot else None)]
    same = list(bins.filter(pk__in=holding).order_by("aisle", "position", "level", "code")) if holding else []
    if same:
        used = used_volume(b.pk for b in same)
        for location in same:
            if fits(location, used.get(location.pk, ZERO), need):
                return location
    occupied = Quant.objects.filter(warehouse=warehouse).exclude(qty=0).values("location_id")
    empty = bins.exclude(pk__in=occupied).filter(Q(capacity_volume__isnull=True) | Q(capacity_volume__gte=need))
    empty = empty.order_by("aisle", "position", "level", "code")
    # The zone (zone_of) is part of the same read: the rule's zone as a subquery, else where most of the
    # product lies, known from in_bins already.
    rule_zone = Subquery(_rules(product, warehouse).values("zone_id")[:1])
    lies_in = in_bins[0].location.zone_id if in_bins else None
    if lies_in is None:
        in_zone = empty.filter(Q(zone_id=rule_zone) | ~Exists(_rules(product, warehouse)))
    else:
        in_zone = empty.filter(zone_id=Coalesce(rule_zone, Value(lies_in)))
    return in_zone.first() or empty.first()

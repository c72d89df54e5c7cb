"""Demo outbound work (a step for `sihe demo`, after the order step that creates shipments): in each
warehouse with shipments waiting to pick, one wave released for SF (carts of 12 lines, a pick list
per zone), and the first pick list's first bin scanned by the demo's `warehouse` login, so the wave
board shows a wave in picking and that login finds it on the handheld page (the other lists are
unassigned and offered to every picker). Idempotent: a warehouse that has a wave is left alone.
"""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction

from sihe.catalog.models import Warehouse
from sihe.core.actor import Actor
from sihe.core.errors import DomainError
from sihe.wms.models import Shipment
from sihe.wms.outbound import services
from sihe.wms.outbound.models import Wave

DEMO_PICKER = "warehouse"


def warehouses_waiting() -> list[Warehouse]:
    ids = Shipment.objects.filter(state=Shipment.State.PENDING).values_list("warehouse_id", flat=True).distinct()
    return list(Warehouse.objects.filter(pk__in=list(ids)).order_by("code"))


def _picker(actor: Actor) -> Actor:
    """The demo's warehouse login, so its pick list belongs to someone who can log in."""
    user = get_user_model().objects.filter(username=DEMO_PICKER).first()
    return Actor.for_user(user, via="web") if user is not None else actor


def load_waves(*, actor: Actor, advance: Callable[[int], None]) -> int:
    created = 0
    picker = _picker(actor)
    for warehouse in warehouses_waiting():
        if not Wave.objects.filter(warehouse=warehouse).exists():
            try:
                with transaction.atomic():
                    wave = services.create_wave(warehouse=warehouse, actor=actor, max_lines=12, carrier="SF")
                    first = wave.picklists.order_by("pk").first()
                    stop = services.next_task(first)
                    services.scan_pick(picklist=first, barcode=stop.location.code, actor=picker)
                created += 1
            except DomainError:
                pass  # e.g. a shipment short of its reservation: the demo goes on without this wave
        advance(1)
    return created

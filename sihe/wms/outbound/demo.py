"""Demo outbound work (a step for `sihe demo`, after the order step that creates shipments): in each
warehouse with shipments waiting to pick, one wave released for SF (carts of 12 lines, a pick list
per zone), and the first pick list's first bin scanned, so the wave board shows a wave in picking
and the handheld page a picker on the way. Idempotent: a warehouse that has a wave is left alone.
"""

from collections.abc import Callable

from django.db import transaction

from sihe.catalog.models import Warehouse
from sihe.core.actor import Actor
from sihe.core.errors import DomainError
from sihe.wms.models import Shipment
from sihe.wms.outbound import services
from sihe.wms.outbound.models import Wave


def warehouses_waiting() -> list[Warehouse]:
    ids = Shipment.objects.filter(state=Shipment.State.PENDING).values_list("warehouse_id", flat=True).distinct()
    return list(Warehouse.objects.filter(pk__in=list(ids)).order_by("code"))


def load_waves(*, actor: Actor, advance: Callable[[int], None]) -> int:
    created = 0
    for warehouse in warehouses_waiting():
        if not Wave.objects.filter(warehouse=warehouse).exists():
            try:
                with transaction.atomic():
                    wave = services.create_wave(warehouse=warehouse, actor=actor, max_lines=12, carrier="SF")
                    first = wave.picklists.order_by("pk").first()
                    stop = services.next_task(first)
                    services.scan_pick(picklist=first, barcode=stop.location.code, actor=actor)
                created += 1
            except DomainError:
                pass  # e.g. a shipment short of its reservation: the demo goes on without this wave
        advance(1)
    return created

"""Carts: capacity in lines and in volume splits a wave into pick lists, a shipment stays on one cart
unless it alone overflows; two planners releasing at once never put a shipment in two waves."""

import threading
from decimal import Decimal as D

import pytest
from django.db import connection

from sihe.core.errors import DomainError
from sihe.wms.outbound import services
from sihe.wms.outbound.models import Wave, WaveShipment
from tests.wms_outbound.conftest import ship_order


@pytest.mark.django_db
def test_cart_capacity_in_lines_and_volume(stocked, actor):
    wh, milk, widget = stocked["wh"], stocked["milk"], stocked["widget"]
    a = ship_order(wh, [(widget, 1)], number="CAP-A", actor=actor)
    b = ship_order(wh, [(widget, 1)], number="CAP-B", actor=actor)
    c = ship_order(wh, [(milk, 25)], number="CAP-C", actor=actor)  # L1 10 + L2 15: two stops
    # when carts take 2 lines each, no zone split
    wave = services.create_wave(warehouse=wh, actor=actor, max_lines=2, by_zone=False, pickers=["li", "wang"])
    # then A and B share a cart, C (two lines) gets its own
    carts = [[t.shipment.number for t in pl.tasks.all()] for pl in wave.picklists.order_by("pk")]
    assert carts == [[a.number, b.number], [c.number, c.number]]
    # one batch per picker, dealt out in turn
    assert [pl.picker for pl in wave.picklists.order_by("pk")] == ["li", "wang"]
    # a single order bigger than a cart is split over carts
    d = ship_order(wh, [(milk, 40)], number="CAP-D", actor=actor)  # L2 5 + L3 35 over three bins
    wave = services.create_wave(warehouse=wh, actor=actor, max_lines=1, by_zone=False)
    assert [pl.tasks.count() for pl in wave.picklists.all()] == [1, 1, 1]
    assert {t.shipment_id for pl in wave.picklists.all() for t in pl.tasks.all()} == {d.pk}


@pytest.mark.django_db
def test_cart_volume(stocked, actor):
    wh, widget = stocked["wh"], stocked["widget"]
    for n in range(3):
        ship_order(wh, [(widget, 2)], number=f"VOL-{n}", actor=actor)  # 2 × 0.02 m³ each
    wave = services.create_wave(warehouse=wh, actor=actor, max_volume=D("0.08"))
    assert [pl.tasks.count() for pl in wave.picklists.order_by("pk")] == [2, 1]
    with pytest.raises(DomainError) as info:
        services.create_wave(warehouse=wh, actor=actor, max_volume=D("0"))
    assert info.value.field == "max_volume"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_planners_at_once_never_wave_a_shipment_twice(stocked, actor):
    if connection.vendor != "postgresql":
        pytest.skip("real parallel writers need PostgreSQL")
    wh = stocked["wh"]
    for n in range(4):
        ship_order(wh, [(stocked["widget"], 1)], number=f"PAR-{n}", actor=actor)
    barrier = threading.Barrier(2)
    outcomes: list = []

    def release():
        try:
            barrier.wait()
            outcomes.append(services.create_wave(warehouse=wh, actor=actor).number)
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=release) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    # one wave holds all four; the other planner found nothing left to pick
    assert WaveShipment.objects.count() == 4
    assert Wave.objects.count() == 1
    assert len(outcomes) == 2 and outcomes.count("nothing_to_pick") == 1


@pytest.mark.django_db
def test_demo_step_releases_one_wave_per_warehouse_once(stocked, actor):
    from sihe.wms.outbound import demo

    ship_order(stocked["wh"], [(stocked["widget"], 1)], number="DEMO-1", actor=actor)
    ticks: list = []
    assert demo.load_waves(actor=actor, advance=ticks.append) == 1
    assert demo.load_waves(actor=actor, advance=ticks.append) == 0
    wave = Wave.objects.get()
    assert (wave.carrier, wave.state) == ("SF", "picking")

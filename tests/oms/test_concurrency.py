"""8 parallel intakes on PostgreSQL competing for the last units never oversell."""

import threading
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.db import connection

from sihe.core.actor import Actor
from sihe.oms import services
from sihe.oms.models import Order, OrderLine
from sihe.stock.models import Reservation, StockLevel

from .world import build, dealer_order

POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not POSTGRES, reason="needs real parallel PostgreSQL connections"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
THREADS, UNITS = 8, 5


def test_parallel_intakes_for_the_last_units():
    # given 5 units in Shanghai and 8 dealer orders of 2 arriving at once on 8 connections
    world = build(stock={"SH": UNITS, "GZ": 0})
    barrier = threading.Barrier(THREADS)
    errors = []

    def intake(i):
        try:
            barrier.wait(timeout=30)
            services.receive_order(channel_code="dealer", body=dealer_order(f"P-{i}", 2),
                                   actor=Actor.system(f"t{i}"))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=intake, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    # then every order is in, exactly the 5 units are reserved, the rest is backordered
    assert errors == []
    assert Order.objects.count() == THREADS
    level = StockLevel.objects.get(product=world["tee"], warehouse=world["wh"]["SH"])
    assert (level.on_hand, level.reserved) == (D(UNITS), D(UNITS))
    allocated = sum(line.allocated_qty for line in OrderLine.objects.all())
    assert allocated == D(UNITS)
    assert sum(r.qty for r in Reservation.objects.filter(state="active")) == D(UNITS)
    assert sum(line.backorder_qty for line in OrderLine.objects.all()) == D(THREADS * 2 - UNITS)


def test_12_5_the_same_order_sent_16_times_at_once_is_one_order(parallel, make_user):
    """Issue 12.5: 115 of 320 concurrent duplicates answered 500 (IntegrityError, an HTML page)."""
    from tests.conftest import api_client

    build(stock={"SH": UNITS, "GZ": 0})
    api = api_client(make_user("service"))
    body = dealer_order("DUP-1", 1)

    def send(i):
        response = api.post("/api/v1/channels/dealer/orders", body)
        return response.status_code, response.json_body

    results = parallel(send, 16)
    statuses = sorted(status for status, _ in results)
    assert all(status in (200, 201) for status in statuses), results
    assert sum(1 for _s, b in results if b and b.get("duplicate") is False) == 1
    assert sum(1 for _s, b in results if b and b.get("duplicate") is True) == 15
    assert Order.objects.count() == 1
    assert sum(r.qty for r in Reservation.objects.filter(state="active")) == D(1)

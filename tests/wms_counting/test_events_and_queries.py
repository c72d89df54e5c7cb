"""The events counting emits (with their payloads), and the count list in a fixed number of queries."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sihe.core.models import Event
from sihe.wms.counting import services

pytestmark = pytest.mark.django_db


def test_created_and_closed_events_carry_their_payloads(store, actor):
    task = services.create_task(warehouse=store["wh"], bins=[store["a2"]], actor=actor, recount_qty=D(100),
                                recount_pct=D(100))
    created = Event.objects.get(type="wms.count.created")
    assert (created.aggregate_type, created.aggregate_id) == ("wms.count", task.number)
    assert created.payload == {"number": task.number, "warehouse": "CW", "scope": "bins", "abc_class": "",
                               "blind": True, "lines": 1}
    services.record_count(task=task, location=store["a2"], product=store["milk"], qty=D(6), actor=actor)
    services.close_task(task=task, actor=actor)
    closed = Event.objects.get(type="wms.count.closed")
    payload = closed.payload
    assert (payload["number"], payload["accuracy"], payload["lines_counted"], payload["lines_matched"]) == \
        (task.number, "0.00", 1, 0)
    assert (payload["gain_value"], payload["loss_value"]) == ("0.00", "23.08")
    assert payload["below_reserved"] == [{"location": "A-02", "sku": "MILK", "lot": None, "held": "2"}]
    assert len(payload["moves"]) == 1
    # the stock ledger's own event for the adjustment, with the count number as its reference
    assert Event.objects.filter(type="stock.adjusted", payload__reference=task.number).count() == 1


def test_count_list_takes_the_same_number_of_queries_for_1_or_6_tasks(store, actor, api_as):
    api = api_as("manager")
    services.create_task(warehouse=store["wh"], zone=store["zone_a"], actor=actor)
    api.get("/api/v1/wms/counts")  # warm up (token, user, role)
    with CaptureQueriesContext(connection) as one:
        assert api.get("/api/v1/wms/counts").json_body["count"] == 1
    for _ in range(5):
        services.create_task(warehouse=store["wh"], zone=store["zone_a"], actor=actor)
    with CaptureQueriesContext(connection) as six:
        body = api.get("/api/v1/wms/counts").json_body
    assert body["count"] == 6 and all(t["lines_total"] == 3 for t in body["items"])
    assert len(six) == len(one)

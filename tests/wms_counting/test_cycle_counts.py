"""Cycle counts by ABC class: A (first 80 % of the year's consumption value) monthly, B (next 15 %)
quarterly, C (the rest, and what is not consumed) yearly."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from sihe.core.actor import Actor
from sihe.costing import services as costing
from sihe.stock.services import InLine, OutLine
from sihe.wms.counting import services
from sihe.wms.counting.models import CountTask
from tests.wms_counting.conftest import DAY, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def consumed(store):
    """Issued in the last year at cost: GOLD 800.00, SILVER 150.00, TIN 50.00 (A, B, C); SOAP, MILK,
    JAM not issued (C)."""
    system = Actor.system("setup")
    for sku, value in (("GOLD", 800), ("SILVER", 150), ("TIN", 50)):
        product = make_product(sku)
        costing.receive(warehouse=store["wh"], actor=system, date=DAY, lines=[
            InLine(product=product, qty=D(20), unit_cost=D(value) / 10, location=store["a1"])])
        costing.issue(warehouse=store["wh"], actor=system, date=DAY, lines=[OutLine(product=product, qty=D(10))])
    return store


def test_abc_classes_by_consumption_value(consumed):
    classes = services.abc_classes(warehouse=consumed["wh"], today=DAY)
    by_sku = {p.sku: classes[p.pk] for p in [consumed["milk"], consumed["soap"], consumed["jam"]]}
    from sihe.catalog.models import Product

    by_sku.update({sku: classes[Product.objects.get(sku=sku).pk] for sku in ("GOLD", "SILVER", "TIN")})
    assert by_sku == {"GOLD": "A", "SILVER": "B", "TIN": "C", "MILK": "C", "SOAP": "C", "JAM": "C"}


def test_schedule_creates_one_task_per_class_and_counts_only_what_is_due(consumed, actor):
    wh = consumed["wh"]
    # when scheduled with nothing ever counted: everything with stock is due
    tasks = services.schedule_cycle_counts(warehouse=wh, actor=actor, today=DAY)
    assert [(t.abc_class, sorted(t.products.values_list("sku", flat=True))) for t in tasks] == [
        ("A", ["GOLD"]), ("B", ["SILVER"]), ("C", ["JAM", "MILK", "SOAP", "TIN"])]
    assert all(t.scope == CountTask.Scope.CYCLE and t.blind for t in tasks)
    # and again right away: all are in open tasks, nothing new
    assert services.schedule_cycle_counts(warehouse=wh, actor=actor, today=DAY) == []
    # when the A task is counted and closed, 31 days later A is due again but B and C are not
    a_task = tasks[0]
    gold = a_task.products.get()
    for line in a_task.lines.all():
        services.record_count(task=a_task, location=line.location, product=gold, qty=D(10), actor=actor)
    services.close_task(task=a_task, actor=actor)
    for task in tasks[1:]:
        services.cancel_task(task=task, actor=actor)
    closed_day = timezone.localdate(CountTask.objects.get(pk=a_task.pk).closed_at)
    due = services.due_for_cycle_count(warehouse=wh, today=closed_day + datetime.timedelta(days=29))
    assert "GOLD" not in [p for p in due["A"]] and due["A"] == []
    due = services.due_for_cycle_count(warehouse=wh, today=closed_day + datetime.timedelta(days=30))
    assert due["A"] == [gold.pk]


def test_schedule_api(consumed, api_as):
    response = api_as("manager").post("/api/v1/wms/counts/schedule", {"warehouse": "CW", "date": "2026-11-20"})
    assert response.status_code == 201, response.json_body
    assert [t["abc_class"] for t in response.json_body] == ["A", "B", "C"]
    bad = api_as("manager").post("/api/v1/wms/counts/schedule", {"warehouse": "CW", "date": "2026-13-40"})
    assert bad.status_code == 422 and bad.json_body["field"] == "date"

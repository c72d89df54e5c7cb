"""In-process handlers: run once per event (receipts), in their own transaction, retried on failure."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sihe.core.models import AuditEntry
from sihe.hub import dispatcher, registry
from sihe.hub.models import HandlerReceipt, HubCursor
from tests.hub.conftest import emit_event


def _note(event, text):
    AuditEntry.objects.create(
        at=timezone.now(), username="handler", via="worker", action=text,
        object_type="core.event", object_id=str(event.id),
    )


@pytest.fixture
def calls():
    seen: list[int] = []

    def on_product(event):
        seen.append(event.id)
        _note(event, "handled")

    registry.subscribe("catalog.product.*", "test.on_product")(on_product)
    yield seen
    registry.unsubscribe("test.on_product")
    registry.unsubscribe("test.flaky")


def test_a_redelivered_event_runs_the_handler_once(db, calls):
    # given two product events and one of another kind
    first = emit_event("catalog.product.created", "A")
    emit_event("catalog.partner.created", "P", aggregate_type="partner")
    second = emit_event("catalog.product.updated", "A")

    # when the handlers run, and then run again from the start (the cursor lost, as after a crash)
    assert dispatcher.run_handlers() == 3
    HubCursor.objects.filter(name="handlers").update(last_event_id=0)
    dispatcher.run_handlers()
    registry.run_handler(registry.handlers_for("catalog.product.created")[0], first)

    # then each matching event was handled exactly once
    assert calls == [first.id, second.id]
    assert AuditEntry.objects.filter(action="handled").count() == 2
    assert HandlerReceipt.objects.filter(handler="test.on_product").count() == 2
    assert HubCursor.objects.get(name="handlers").last_event_id == second.id


def test_a_failing_handler_rolls_back_holds_its_place_and_is_retried(db, calls, settings):
    # given a handler that fails the first time and writes before failing
    settings.SIHE_WEBHOOK_BACKOFF_SECONDS = 10
    failures = []

    def flaky(event):
        _note(event, "flaky")
        if not failures:
            failures.append(event.id)
            raise RuntimeError("warehouse system offline")

    registry.subscribe("catalog.product.updated", "test.flaky")(flaky)
    created = emit_event("catalog.product.created", "A")
    updated = emit_event("catalog.product.updated", "A")
    later = emit_event("catalog.product.created", "B")
    t0 = timezone.now()

    # when the handlers run
    assert dispatcher.run_handlers(now=t0) == 1

    # then the first event is done, the failing one rolled back and the cursor waits before it
    cursor = HubCursor.objects.get(name="handlers")
    assert cursor.last_event_id == created.id
    assert cursor.attempts == 1
    assert cursor.retry_at == t0 + timedelta(seconds=10)
    assert "warehouse system offline" in cursor.last_error
    assert AuditEntry.objects.filter(action="flaky").count() == 0
    assert not HandlerReceipt.objects.filter(handler="test.flaky").exists()

    # not before the back-off
    assert dispatcher.run_handlers(now=t0 + timedelta(seconds=5)) == 0

    # and after it, everything runs once, in order
    assert dispatcher.run_handlers(now=t0 + timedelta(seconds=10)) == 2
    cursor.refresh_from_db()
    assert (cursor.last_event_id, cursor.attempts, cursor.last_error) == (later.id, 0, "")
    # the other handler of the failed event had its receipt, so it did not run a second time
    assert calls == [created.id, updated.id, later.id]
    assert AuditEntry.objects.filter(action="flaky").count() == 1
    assert HandlerReceipt.objects.filter(handler="test.flaky", event_id=updated.id).count() == 1


def test_handler_names_and_patterns_are_checked():
    with pytest.raises(ValueError):
        registry.subscribe("Catalog Product", "test.bad")
    registry.subscribe("catalog.*", "test.once")(print)
    try:
        registry.subscribe("catalog.*", "test.once")(print)  # the same wiring twice is harmless
        with pytest.raises(ValueError):
            registry.subscribe("catalog.*", "test.once")(repr)
    finally:
        registry.unsubscribe("test.once")

"""Webhook delivery: signed POSTs, back-off, dead letters, manual retry, order per aggregate."""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from sihe.core.errors import Conflict
from sihe.core.models import AuditEntry
from sihe.hub import dispatcher
from sihe.hub.models import Delivery
from sihe.hub.services import create_subscription, retry_delivery, update_subscription
from tests.hub.conftest import emit_event

SECRET = "s3cret-s3cret-s3cret"


@pytest.fixture
def hub_settings(settings):
    settings.SIHE_WEBHOOK_MAX_ATTEMPTS = 3
    settings.SIHE_WEBHOOK_BACKOFF_SECONDS = 10
    settings.SIHE_WEBHOOK_TIMEOUT_SECONDS = 5
    return settings


def subscribe(url, actor, types=("catalog.*",)):
    sub, _ = create_subscription(url=url, event_types=list(types), secret=SECRET, actor=actor)
    return sub


def drain() -> str:
    out = io.StringIO()
    call_command("worker", drain=True, stdout=out)
    return out.getvalue()


def test_emit_then_worker_drain_posts_a_signed_event(receiver, actor, hub_settings):
    # given a subscription to catalog events and two events, one of another wing
    hook = receiver(secret=SECRET)
    sub = subscribe(hook.url, actor)
    product_event = emit_event("catalog.product.created", "SKU-1", payload={"sku": "SKU-1", "name": "绿茶"})
    emit_event("stock.move.done", "M-1", aggregate_type="move")

    # when the worker drains
    output = drain()

    # then exactly the catalog event arrived, signed, with the documented headers and body
    assert hook.event_ids() == [product_event.id]
    got = hook.received[0]
    assert got["signature_ok"] is True
    assert got["headers"]["X-Sihe-Event-Id"] == str(product_event.id)
    assert got["headers"]["X-Sihe-Event-Type"] == "catalog.product.created"
    assert abs(int(got["headers"]["X-Sihe-Timestamp"]) - timezone.now().timestamp()) < 600
    assert got["event"] == json.loads(json.dumps(product_event.as_dict()))
    assert got["event"]["payload"] == {"sku": "SKU-1", "name": "绿茶"}
    delivery = Delivery.objects.get(subscription=sub)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.delivered_at is not None
    assert f"#{product_event.id} catalog.product.created" in output
    assert "1 delivered, 0 failed (will retry), 0 dead" in output

    # and a second drain sends nothing again
    drain()
    assert hook.event_ids() == [product_event.id]
    assert Delivery.objects.count() == 1


def test_failures_back_off_exponentially_then_become_a_dead_letter(receiver, actor, hub_settings):
    # given a receiver that always answers 500 and 3 attempts with a 10 s first back-off
    hook = receiver(secret=SECRET, statuses=(500,))
    subscribe(hook.url, actor)
    emit_event("catalog.product.updated", "SKU-1")
    t0 = timezone.now()

    # when the worker tries at t0
    dispatcher.step(now=t0)
    delivery = Delivery.objects.get()
    # then it failed once and waits 10 s
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, 500)
    assert delivery.next_attempt_at == t0 + timedelta(seconds=10)
    assert delivery.last_error.startswith("HTTP 500")

    # not due yet at t0+9 s
    assert dispatcher.step(now=t0 + timedelta(seconds=9)).work == 0
    assert len(hook.received) == 1

    # second try at t0+10 s, then 20 s back-off
    dispatcher.step(now=t0 + timedelta(seconds=10))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert delivery.next_attempt_at == t0 + timedelta(seconds=30)

    # third and last try at t0+30 s: a dead letter
    result = dispatcher.step(now=t0 + timedelta(seconds=30))
    delivery.refresh_from_db()
    assert (result.dead, delivery.status, delivery.attempts) == (1, "dead", 3)

    # and nothing is ever tried again
    assert dispatcher.step(now=t0 + timedelta(days=1)).work == 0
    assert len(hook.received) == 3


def test_unreachable_receiver_is_a_failure_not_a_crash(actor, hub_settings):
    # given a subscription to a port where nobody listens
    hub_settings.SIHE_WEBHOOK_TIMEOUT_SECONDS = 2
    subscribe("http://127.0.0.1:9/nowhere", actor)
    emit_event("catalog.product.created", "SKU-9")

    # when the worker tries
    result = dispatcher.step()

    # then it is a failure with the connection error, to be retried
    delivery = Delivery.objects.get()
    assert (result.failed, delivery.status, delivery.attempts, delivery.last_status_code) == (1, "failed", 1, None)
    assert "ConnectionError" in delivery.last_error


def test_manual_retry_of_a_dead_letter_delivers_it(receiver, actor, hub_settings):
    # given a dead letter after one failed try
    hub_settings.SIHE_WEBHOOK_MAX_ATTEMPTS = 1
    hook = receiver(secret=SECRET, statuses=(503, 200))
    sub = subscribe(hook.url, actor)
    event = emit_event("catalog.product.created", "SKU-1")
    drain()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("dead", 1)

    # when a person retries it
    retried = retry_delivery(delivery_id=delivery.pk, actor=actor)
    assert (retried.status, retried.attempts) == ("pending", 0)
    drain()

    # then it is delivered, and the retry is in the audit trail
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert hook.event_ids() == [event.id, event.id]
    assert AuditEntry.objects.filter(action="delivery.retry", object_id=str(delivery.pk), field="status").count() == 1

    # and a delivered one cannot be retried: nothing changes
    with pytest.raises(Conflict):
        retry_delivery(delivery_id=delivery.pk, actor=actor)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    assert sub.deliveries.count() == 1


def test_a_later_event_of_the_same_aggregate_waits_for_the_earlier_one(receiver, actor, hub_settings):
    # given the first POST fails, and events A1, A2 of aggregate A and B1 of aggregate B
    hook = receiver(secret=SECRET, statuses=(500, 200))
    subscribe(hook.url, actor)
    a1 = emit_event("catalog.product.created", "A")
    a2 = emit_event("catalog.product.updated", "A")
    b1 = emit_event("catalog.product.created", "B")
    t0 = timezone.now()

    # when the worker runs: A1 fails, B1 goes through, A2 waits behind A1
    dispatcher.step(now=t0)
    assert hook.event_ids() == [a1.id, b1.id]
    assert dispatcher.step(now=t0 + timedelta(seconds=5)).work == 0
    assert Delivery.objects.get(event=a2).status == "pending"

    # then once A1 is delivered, A2 follows
    dispatcher.step(now=t0 + timedelta(seconds=10))
    dispatcher.step(now=t0 + timedelta(seconds=10))
    assert hook.event_ids() == [a1.id, b1.id, a1.id, a2.id]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}


def test_a_dead_letter_no_longer_holds_its_aggregate_back(receiver, actor, hub_settings):
    # given one attempt only and a first POST that fails
    hub_settings.SIHE_WEBHOOK_MAX_ATTEMPTS = 1
    hook = receiver(secret=SECRET, statuses=(500, 200))
    subscribe(hook.url, actor)
    a1 = emit_event("catalog.product.created", "A")
    a2 = emit_event("catalog.product.updated", "A")

    # when the worker drains
    drain()

    # then A1 is dead and A2 was delivered after it
    assert Delivery.objects.get(event=a1).status == "dead"
    assert Delivery.objects.get(event=a2).status == "delivered"
    assert hook.event_ids() == [a1.id, a2.id]


def test_an_inactive_subscription_gets_no_new_deliveries_and_its_open_ones_wait(receiver, actor, hub_settings):
    # given a subscription with one pending delivery, then deactivated
    hook = receiver(secret=SECRET)
    sub = subscribe(hook.url, actor)
    emit_event("catalog.product.created", "A")
    dispatcher.fan_out()
    update_subscription(subscription=sub, data={"active": False}, actor=actor)
    emit_event("catalog.product.created", "B")

    # when the worker drains
    drain()

    # then nothing was sent and only the first event has a (still pending) delivery
    assert hook.event_ids() == []
    assert list(Delivery.objects.values_list("aggregate_id", "status")) == [("A", "pending")]

    # and reactivated, the waiting one goes out
    update_subscription(subscription=sub, data={"active": True}, actor=actor)
    drain()
    assert len(hook.event_ids()) == 1


def test_patterns_select_events(receiver, actor, hub_settings):
    # given three subscriptions with exact, prefix and catch-all patterns
    hooks = {name: receiver(secret=SECRET) for name in ("exact", "prefix", "all")}
    subscribe(hooks["exact"].url, actor, ["catalog.product.created"])
    subscribe(hooks["prefix"].url, actor, ["stock.*"])
    subscribe(hooks["all"].url, actor, ["*"])
    created = emit_event("catalog.product.created", "A")
    updated = emit_event("catalog.product.updated", "A")
    moved = emit_event("stock.move.done", "M", aggregate_type="move")
    emit_event("stocktake.done", "C", aggregate_type="count")  # "stock.*" must not match "stocktake"

    drain()

    assert hooks["exact"].event_ids() == [created.id]
    assert hooks["prefix"].event_ids() == [moved.id]
    assert sorted(hooks["all"].event_ids()) == [created.id, updated.id, moved.id, moved.id + 1]


def test_an_expired_lease_is_claimed_again_and_a_live_one_is_not(receiver, actor, hub_settings):
    # given a delivery claimed by a worker that then vanished
    hook = receiver(secret=SECRET)
    subscribe(hook.url, actor)
    emit_event("catalog.product.created", "A")
    dispatcher.fan_out()
    t0 = timezone.now()
    claims, _ = dispatcher.claim(now=t0)
    assert len(claims) == 1

    # while the lease runs, nobody else takes it
    assert dispatcher.claim(now=t0 + timedelta(seconds=1)) == ([], [])

    # after it runs out, another worker does, and the lost worker's late answer is ignored
    later = t0 + timedelta(seconds=dispatcher.lease_seconds() + 1)
    assert dispatcher.deliver_due(now=later).delivered == 1
    assert dispatcher.record(claims[0], dispatcher.Outcome(ok=False, error="late"), now=later) is None
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 2, "")

"""The worker-kill test: `sihe worker` is killed with SIGKILL in the middle of delivering, started
again, and the receiver still gets every event: at least once, in order per aggregate, and exactly
once after de-duplicating by event id (what an idempotent receiver does)."""

import signal

import pytest

from sihe.core.actor import Actor
from sihe.hub.models import Delivery
from sihe.hub.services import create_subscription
from tests.hub.conftest import emit_event, start_worker, wait_until

SECRET = "kill-test-secret-0123456789"
AGGREGATES = [f"SKU-{n}" for n in range(6)]
EVENTS_PER_AGGREGATE = 50
KILL_ENV = {
    "SIHE_WEBHOOK_TIMEOUT_SECONDS": "1",  # the killed worker's lease (2×1+5 s) runs out soon
    "SIHE_WEBHOOK_BACKOFF_SECONDS": "0.2",
    "SIHE_WEBHOOK_MAX_ATTEMPTS": "50",
}


@pytest.mark.slow
@pytest.mark.wall_clock
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_delivery_loses_nothing_and_keeps_order(receiver, tmp_path):
    # given 300 events over 6 aggregates, interleaved, and a slow receiver
    hook = receiver(secret=SECRET, delay=0.02)
    create_subscription(url=hook.url, event_types=["*"], secret=SECRET, actor=Actor.system("test"))
    emitted = []
    for n in range(EVENTS_PER_AGGREGATE):
        for sku in AGGREGATES:
            emitted.append(emit_event("catalog.product.updated", sku, payload={"n": n}).id)
    log = tmp_path / "worker.log"

    # when a worker starts, is killed -9 while a POST is in progress, and a new one is started
    worker = start_worker(log, env=KILL_ENV)
    try:
        wait_until(lambda: len(hook.received) >= 100 and hook.in_progress > 0, seconds=120, what="100 deliveries")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        seen_before_kill = len(hook.received)
        assert seen_before_kill < len(emitted), "the worker must be killed mid-way"
        worker = start_worker(log, env=KILL_ENV)
        wait_until(
            lambda: Delivery.objects.filter(status="delivered").count() == len(emitted),
            seconds=240,
            what="every delivery to be delivered",
        )
    finally:
        worker.terminate()
        worker.wait(timeout=20)

    # then the receiver saw every event id, exactly once after de-duplication
    ids = hook.event_ids()
    assert sorted(set(ids)) == sorted(emitted)
    first_receipts = list(dict.fromkeys(ids))
    assert len(first_receipts) == len(emitted) == 300
    assert all(r["signature_ok"] for r in hook.received)
    # and per aggregate, the first receipts are in event order
    for sku in AGGREGATES:
        order = [r["event_id"] for r in hook.received if r["aggregate"] == ("product", sku)]
        firsts = list(dict.fromkeys(order))
        assert firsts == sorted(firsts)
        assert len(firsts) == EVENTS_PER_AGGREGATE
    # and the restarted worker stopped cleanly on SIGTERM
    assert worker.returncode == 0
    assert "stopped" in log.read_text()

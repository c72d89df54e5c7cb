"""Several `sihe worker` processes at once: every event delivered exactly once, in order per aggregate
(SKIP LOCKED claims on PostgreSQL, IMMEDIATE write lock on SQLite)."""

import collections

import pytest

from sihe.core.actor import Actor
from sihe.hub.models import Delivery
from sihe.hub.services import create_subscription
from tests.hub.conftest import emit_event, start_worker, wait_until

SECRET = "parallel-secret-0123456789"


@pytest.mark.slow
@pytest.mark.wall_clock
@pytest.mark.django_db(transaction=True)
def test_three_workers_send_each_event_once(receiver, tmp_path):
    # given 200 events over 8 aggregates and two subscriptions
    hooks = [receiver(secret=SECRET, delay=0.01), receiver(secret=SECRET, delay=0.01)]
    for hook in hooks:
        create_subscription(url=hook.url, event_types=["catalog.*"], secret=SECRET, actor=Actor.system("test"))
    emitted = [emit_event("catalog.product.updated", f"SKU-{n % 8}", payload={"n": n}).id for n in range(200)]
    log = tmp_path / "workers.log"

    # when three workers run side by side until all 400 deliveries are done
    workers = [start_worker(log, args=("--interval", "0.1", "--batch", "5")) for _ in range(3)]
    try:
        wait_until(
            lambda: Delivery.objects.filter(status="delivered").count() == 400, seconds=240, what="400 deliveries"
        )
    finally:
        for worker in workers:
            worker.terminate()
        codes = [worker.wait(timeout=20) for worker in workers]

    # then each receiver got every event exactly once, in order per aggregate
    for hook in hooks:
        ids = hook.event_ids()
        assert sorted(ids) == emitted
        assert [n for n, c in collections.Counter(ids).items() if c > 1] == []
        by_aggregate = collections.defaultdict(list)
        for row in hook.received:
            by_aggregate[row["aggregate"]].append(row["event_id"])
        assert len(by_aggregate) == 8
        assert all(order == sorted(order) for order in by_aggregate.values())
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}
    assert codes == [0, 0, 0]

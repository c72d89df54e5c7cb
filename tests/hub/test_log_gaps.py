"""PostgreSQL hands out event ids before commit: the fan-out must never move past an id whose act has
not committed yet, or that event would be skipped for ever. Real parallel connections."""

import pytest
from django.db import connection

from sihe.core.actor import Actor
from sihe.core.outbox import emit
from sihe.hub import dispatcher
from sihe.hub.models import Delivery, HubCursor
from sihe.hub.services import create_subscription
from tests.conftest import held_open
from tests.hub.conftest import emit_event


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_fan_out_does_not_overtake_an_event_still_being_written():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite commits writers one at a time, in id order: no gap can occur")
    # given an act that has emitted its event (a smaller id) but not committed yet
    create_subscription(url="http://127.0.0.1:9/x", event_types=["*"], actor=Actor.system("test"))

    def slow_act():
        return emit("catalog.product.created", aggregate_type="product", aggregate_id="SLOW", payload={},
                    actor=Actor.system("slow")).id

    with held_open(slow_act) as slow_id:
        # and a later act that committed a larger id
        fast = emit_event("catalog.product.created", "FAST")
        assert fast.id > slow_id

        # when the worker fans out while the slow act is still open
        passed = dispatcher.fan_out()

        # then nothing passes the unfinished id: the round is skipped
        assert passed == 0
        assert Delivery.objects.count() == 0
        assert HubCursor.objects.filter(name="webhooks", last_event_id__gt=0).count() == 0

    # and once the slow act commits, both go out, in id order
    assert dispatcher.fan_out() == 2
    assert list(Delivery.objects.order_by("event_id").values_list("event_id", flat=True)) == [slow_id, fast.id]

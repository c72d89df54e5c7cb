"""Issue 13.2: one transaction idiom. Audit rows and events an act buffers belong to the savepoint they
were written in: a refused act or attempt that the caller catches leaves none of them behind."""

import pytest
from django.db import transaction

from sihe.core import batch, outbox, tx
from sihe.core.actor import Actor
from sihe.core.errors import Conflict
from sihe.core.models import Event

ACTOR = Actor.system("test")


def _emit(name: str) -> None:
    outbox.emit(f"test.{name}", aggregate_type="test", aggregate_id=name, payload={}, actor=ACTOR)


def _refused_act(name: str) -> None:
    with tx.act():
        _emit(name)
        raise Conflict("refused", field="x")


@pytest.mark.django_db
def test_13_2_a_refused_act_inside_a_collected_block_leaves_no_events():
    with transaction.atomic(durable=True), batch.collect():
        _emit("kept-before")
        with pytest.raises(Conflict):
            _refused_act("undone")
        _emit("kept-after")
    assert sorted(Event.objects.values_list("type", flat=True)) == ["test.kept-after", "test.kept-before"]


@pytest.mark.django_db
def test_13_2_a_failed_attempt_drops_its_events_and_the_act_goes_on():
    with transaction.atomic(durable=True), batch.collect():
        with tx.act():
            _emit("start")
            for name in ("first-warehouse", "second-warehouse"):
                try:
                    with tx.attempt():
                        _emit(name)
                        if name == "first-warehouse":
                            raise Conflict("short", field="qty")
                    break
                except Conflict:
                    continue
    assert sorted(Event.objects.values_list("type", flat=True)) == ["test.second-warehouse", "test.start"]


@pytest.mark.django_db
def test_13_2_without_collecting_the_savepoint_itself_undoes_the_events():
    with transaction.atomic(durable=True):
        with pytest.raises(Conflict):
            _refused_act("undone")
        _emit("kept")
    assert list(Event.objects.values_list("type", flat=True)) == ["test.kept"]

"""Issue 13.2: one transaction idiom. Audit rows and events an act buffers belong to the savepoint they
were written in: a refused act or attempt that the caller catches leaves none of them behind."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

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


def _statements(fn) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return [query["sql"] for query in captured.captured_queries]


def _kept_act(name: str) -> None:
    with tx.act():
        _emit(name)


@pytest.mark.django_db
def test_an_entrys_first_act_joins_it_without_a_savepoint():
    def savepoints(outer) -> list[str]:
        def run():
            with outer():
                _kept_act(outer.__name__)
        return [sql.split()[0].upper() for sql in _statements(run) if "SAVEPOINT" in sql.upper()]
    # inside the test's own transaction the entry itself is a savepoint; its act adds none
    assert savepoints(tx.entry) == ["SAVEPOINT", "RELEASE"]
    assert savepoints(lambda: transaction.atomic(durable=True)) == ["SAVEPOINT", "SAVEPOINT", "RELEASE", "RELEASE"]
    assert sorted(Event.objects.values_list("type", flat=True)) == ["test.<lambda>", "test.entry"]


@pytest.mark.django_db
def test_a_refused_first_act_rolls_the_whole_entry_back():
    with pytest.raises(Conflict), tx.entry():
        _emit("before-the-act")
        _refused_act("undone")
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_a_later_act_of_an_entry_keeps_its_savepoint_so_a_caught_refusal_undoes_only_it():
    def run():
        with tx.entry():
            _kept_act("first")
            with pytest.raises(Conflict):
                _refused_act("undone")
            _emit("after")
    seen = _statements(run)
    # the entry's own (the test's transaction is around it), then the second act's, rolled back
    assert [sql.split()[0].upper() for sql in seen if "SAVEPOINT" in sql.upper()] == [
        "SAVEPOINT", "SAVEPOINT", "ROLLBACK", "RELEASE", "RELEASE"]
    assert sorted(Event.objects.values_list("type", flat=True)) == ["test.after", "test.first"]


@pytest.mark.django_db
def test_catching_a_joined_acts_refusal_and_writing_on_is_refused_by_django():
    from django.db.transaction import TransactionManagementError
    with pytest.raises(TransactionManagementError), tx.entry():
        with pytest.raises(Conflict):
            _refused_act("undone")
        _emit("too-late")
    assert not Event.objects.exists()

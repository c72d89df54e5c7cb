"""Issue 18: postings do not queue behind each other. A voucher booked in an act that collects (core.batch)
is numbered, posted and added to the balances at the end of the act, together with the act's other
vouchers (one counter update, one UPDATE, one balance upsert); the period row is held FOR SHARE by a
posting and FOR UPDATE only by a close, so postings run side by side and a close waits for them."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import OperationalError, connection, connections, transaction

from sihe.core import batch
from sihe.core.actor import Actor
from sihe.core.models import AuditEntry, Event
from sihe.ledger import balances, services
from sihe.ledger.models import Balance, Period, Voucher
from tests.conftest import held_open

DAY = datetime.date(2026, 5, 10)


def _revenue(n: str, actor: Actor):
    return services.book(rule="sales.revenue", date=DAY, amounts={"net": "100", "tax": "13", "total": "113"},
                         source_type="t", source_id=n, memo=f"销售 {n}", actor=actor, dimensions={"partner": "C1"})


def test_18_vouchers_of_a_collected_act_are_numbered_together_at_its_end(db, clock):
    from sihe.ledger.chart import seed_chart

    clock.at(2026, 5, 12)
    seed_chart()
    actor = Actor.system("t")
    with transaction.atomic(), batch.collect():
        first, second = _revenue("a", actor), _revenue("b", actor)
        # inside the act: made, not yet numbered; known by a placeholder the act's rows are rewritten from
        assert (first.number, Voucher.objects.get(pk=first.pk).status) == (None, Voucher.Status.REVIEWED)
        placeholder = first.display_number
        assert placeholder == f"记-(#{first.pk})"
        assert not Balance.objects.filter(account__code="1122").exists()
    stored = {v.pk: v for v in Voucher.objects.filter(pk__in=[first.pk, second.pk])}
    assert [(stored[v.pk].number, stored[v.pk].status) for v in (first, second)] == [
        (1, Voucher.Status.POSTED), (2, Voucher.Status.POSTED)]
    assert (first.number, first.display_number) == (1, "记-0001")
    receivable = Balance.objects.get(account__code="1122", period="2026-05", partner="C1")
    assert (receivable.debit, receivable.credit) == (Decimal("226.00"), Decimal("0.00"))
    assert balances.stored() == balances.computed_from_lines()
    # one audit row per voucher (not one per field), naming the final number; the event too
    rows = AuditEntry.objects.filter(object_type="ledger.voucher", object_id=str(first.pk))
    assert [(r.action, r.new_value, r.object_repr) for r in rows] == [("post", "记-0001", "记-0001")]
    event = Event.objects.get(type="ledger.voucher.posted", aggregate_id=str(first.pk))
    assert event.payload["number"] == "记-0001"


def test_18_a_refused_act_leaves_no_number_taken(db, clock):
    from sihe.ledger.chart import seed_chart

    clock.at(2026, 5, 12)
    seed_chart()
    actor = Actor.system("t")
    with pytest.raises(RuntimeError), transaction.atomic(), batch.collect():
        _revenue("a", actor)
        raise RuntimeError("refused later in the act")
    with transaction.atomic(), batch.collect():
        voucher = _revenue("b", actor)
    assert voucher.number == 1 and Voucher.objects.count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_18_parallel_collected_acts_keep_numbers_gapless_and_balances_exact():
    if connection.vendor != "postgresql":
        pytest.skip("needs real parallel PostgreSQL connections")
    from sihe.ledger.chart import seed_chart

    seed_chart()
    errors = []
    barrier = threading.Barrier(4)

    def worker(n):
        try:
            barrier.wait()
            for i in range(5):
                with transaction.atomic(durable=True), batch.collect():
                    _revenue(f"{n}-{i}-a", Actor.system(f"w{n}"))
                    _revenue(f"{n}-{i}-b", Actor.system(f"w{n}"))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(Voucher.objects.filter(period__code="2026-05").values_list("number", flat=True))
    assert numbers == list(range(1, 41))
    receivable = Balance.objects.get(account__code="1122", period="2026-05", partner="C1")
    assert (receivable.debit, receivable.credit) == (Decimal("4520.00"), Decimal("0.00"))
    assert balances.stored() == balances.computed_from_lines()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_18_a_posting_holds_the_period_for_share_so_others_post_and_a_close_waits():
    if connection.vendor != "postgresql":
        pytest.skip("needs real parallel PostgreSQL connections")
    from sihe.ledger.chart import seed_chart

    seed_chart()
    Period.objects.get_or_create(code="2026-05")  # the month's row exists (its first posting creates it)
    # the act goes on: its share lock held, its number not yet taken (`batch.collect` ends with it)
    with held_open(lambda: _revenue("held", Actor.system("p1")), within=batch.collect):
        with transaction.atomic(durable=True):  # another posting is not blocked by the first
            _revenue("beside", Actor.system("p2"))
        with pytest.raises(OperationalError), transaction.atomic(durable=True), connection.cursor() as cursor:
            # what a close takes: the row FOR UPDATE — it would wait for the open posting
            cursor.execute("SELECT id FROM ledger_period WHERE code = %s FOR UPDATE NOWAIT", ["2026-05"])
    assert Period.objects.get(code="2026-05").status == Period.Status.OPEN
    numbers = dict(Voucher.objects.values_list("source_id", "number"))
    assert numbers == {"beside": 1, "held": 2}  # numbered when each act ended

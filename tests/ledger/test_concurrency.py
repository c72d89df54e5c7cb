"""Gapless numbers under real parallel posting (PostgreSQL): the per (period, word) counter row is
locked, so 4 threads × 5 vouchers get 记-0001…记-0020 exactly once each; balances add up."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from sihe.core.actor import Actor
from sihe.ledger import balances, services
from sihe.ledger.models import Balance, Voucher


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_posting_keeps_numbers_gapless_and_balances_exact():
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
                with transaction.atomic(durable=True):
                    services.book(rule="sales.revenue", date=datetime.date(2026, 5, 10),
                                  amounts={"net": "100", "tax": "13", "total": "113"}, source_type="t",
                                  source_id=f"{n}-{i}", memo="", actor=Actor.system(f"w{n}"),
                                  dimensions={"partner": "C1"})
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
    assert numbers == list(range(1, 21))
    receivable = Balance.objects.get(account__code="1122", period="2026-05", partner="C1")
    assert (receivable.debit, receivable.credit) == (Decimal("2260.00"), Decimal("0.00"))
    assert balances.stored() == balances.computed_from_lines()

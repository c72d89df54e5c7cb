"""Two counters on two PostgreSQL connections: one line gets exactly one first count, and a count
closed twice at once posts its differences once."""

from decimal import Decimal as D

import pytest
from django.conf import settings
from django.db import transaction

from sihe.core.actor import Actor
from sihe.core.errors import DomainError
from sihe.stock.models import StockMove
from sihe.wms.counting import services
from sihe.wms.counting.models import CountLine, CountTask
from tests.conftest import run_parallel

POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not POSTGRES, reason="needs real parallel PostgreSQL connections"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _parallel(worker, n):
    """Each worker in its own durable transaction; a refusal answers its code."""
    def attempt(i):
        try:
            with transaction.atomic(durable=True):
                return worker(i)
        except DomainError as exc:
            return exc.code

    return run_parallel(attempt, n)


def test_one_line_counted_by_four_people_at_once(store):
    task = services.create_task(warehouse=store["wh"], bins=[store["a1"]], actor=Actor.system("boss"))
    results = _parallel(lambda i: services.record_count(
        task=task, location=store["a1"], product=store["soap"], qty=D(5), actor=Actor(None, f"c{i}")).state, 4)
    assert sorted(results, key=str) == ["already_counted"] * 3 + ["counted"]
    line = CountLine.objects.get(task=task, product=store["soap"])
    assert line.first_qty == 5 and line.first_by in {"c0", "c1", "c2", "c3"}


def test_a_count_closed_twice_at_once_posts_once(store):
    task = services.create_task(warehouse=store["wh"], bins=[store["a1"]], actor=Actor.system("boss"),
                                recount_qty=D(100), recount_pct=D(100))
    with transaction.atomic():
        services.record_count(task=task, location=store["a1"], product=store["soap"], qty=D(4), actor=Actor(None, "c"))
    results = _parallel(lambda i: services.close_task(task=task, actor=Actor(None, f"m{i}"),
                                                      skip_uncounted=True).state, 3)
    assert sorted(results) == ["closed", "invalid_transition", "invalid_transition"]
    assert CountTask.objects.get(pk=task.pk).state == "closed"
    assert StockMove.objects.filter(reference=task.number).count() == 1

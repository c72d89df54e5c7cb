"""No oversell under concurrency: ≥ 8 parallel PostgreSQL connections reserve the last N units."""

from decimal import Decimal as D

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from sihe.core.actor import Actor
from sihe.core.roles import assign_role
from sihe.costing import services as costing
from sihe.hub.tokens import create_token
from sihe.stock.models import Quant, Reservation, StockLevel
from tests.conftest import ApiClient, run_parallel
from tests.stock.conftest import TODAY, inl, make_product, make_warehouse

POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not POSTGRES, reason="needs real parallel PostgreSQL connections"),
    # committed data seen by every connection; the seeded units and posting rules are restored first
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS, LAST_UNITS = 10, 3


def test_parallel_reservations_of_the_last_units():
    # given 3 units left (on two bins) and 10 buyers on 10 connections
    wh = make_warehouse("PGW")
    p = make_product("LAST-1")
    actor = Actor.system("test")
    costing.receive(warehouse=wh, lines=[inl(p, 2, "5")], actor=actor, date=TODAY)
    costing.receive(warehouse=wh, lines=[inl(p, 1, "5", location=wh.locations.get(code="A-01-01-01"))], actor=actor,
                    date=TODAY)
    user = get_user_model().objects.create_user(username="svc", password="pw")
    assign_role(user, "service")
    _, token = create_token(user=user, name="t", actor=actor)

    def buy(i):
        response = ApiClient(token).post("/api/v1/stock/reservations", {
            "warehouse": "PGW", "sku": "LAST-1", "qty": "1", "reference": f"SO-{i}"})
        return response.status_code, response.json_body

    # when they all reserve one at the same moment
    results = run_parallel(buy, THREADS)
    # then exactly 3 win, every loser gets 409 insufficient_stock with what was available
    winners = [body for status, body in results if status == 201]
    losers = [body for status, body in results if status != 201]
    assert len(winners) == LAST_UNITS
    assert len(losers) == THREADS - LAST_UNITS
    assert all(body["code"] == "insufficient_stock" and body["available"] == "0" for body in losers)
    level = StockLevel.objects.get(product=p, warehouse=wh)
    assert (level.on_hand, level.reserved) == (D(3), D(3))
    assert Reservation.objects.filter(state="active").count() == LAST_UNITS
    assert sorted(Quant.objects.filter(product=p).values_list("reserved", flat=True)) == [D(1), D(2)]


def test_parallel_issues_never_go_negative():
    wh = make_warehouse("PGI")
    p = make_product("LAST-2")
    actor = Actor.system("test")
    costing.receive(warehouse=wh, lines=[inl(p, 5, "2")], actor=actor, date=TODAY)

    def issue(i):
        from sihe.stock.errors import InsufficientStock
        from sihe.stock.services import OutLine

        try:
            from django.db import transaction

            with transaction.atomic(durable=True):
                costing.issue(warehouse=wh, lines=[OutLine(product=p, qty=D(2))], actor=actor, date=TODAY)
            return "ok"
        except InsufficientStock:
            return "short"

    results = run_parallel(issue, 8)
    assert results.count("ok") == 2 and results.count("short") == 6
    assert StockLevel.objects.get(product=p, warehouse=wh).on_hand == 1
    assert costing.valuation(product=p)["value"] == D("2.00")


def test_a_move_is_reversed_once_whatever_the_parallel_callers(parallel, make_user):
    """Issue 11.1: 8 parallel reversals of one issue of 4 units — one wins, 7 answer already_reversed."""
    from sihe.ledger.models import Voucher
    from sihe.stock.models import StockMove
    from tests.conftest import api_client
    from tests.stock.conftest import outl

    # given 10 units received and 4 issued
    wh = make_warehouse("PGR")
    p = make_product("REV-1")
    actor = Actor.system("test")
    costing.receive(warehouse=wh, lines=[inl(p, 14, "5")], actor=actor, date=TODAY)
    [(issue, _layer)] = costing.issue(warehouse=wh, lines=[outl(p, 4)], actor=actor, reference="SO-REV", date=TODAY)
    vouchers_before = Voucher.objects.count()
    user = make_user("warehouse")

    # when 8 clients reverse the issue at the same moment
    def reverse(i):
        response = api_client(user).post(f"/api/v1/stock/moves/{issue.pk}/reverse")
        return response.status_code, response.json_body

    results = parallel(reverse, 8)
    # then one reversal, 7 refusals naming the reason, stock back to 14 once, one more voucher
    assert sorted(status for status, _ in results) == [201] + [409] * 7
    assert {body["code"] for status, body in results if status == 409} == {"already_reversed"}
    assert StockMove.objects.filter(reversal_of=issue).count() == 1
    assert StockLevel.objects.get(product=p, warehouse=wh).on_hand == D(14)
    assert Voucher.objects.count() == vouchers_before + 1


def test_18_parallel_receipts_of_two_products_add_up_and_never_deadlock():
    """Goods coming in lock and raise their levels in one statement (`locks.lock_levels_adding`): 8 connections
    receiving two products, half listing them one way round and half the other, all commit, and the levels, quants
    and valuation agree with the moves."""
    from django.db import transaction

    from sihe.costing.models import ValuationLayer

    wh = make_warehouse("PGR")
    a, b = make_product("IN-A"), make_product("IN-B")
    actor = Actor.system("test")
    costing.receive(warehouse=wh, lines=[inl(a, 1, "2"), inl(b, 1, "3")], actor=actor, date=TODAY)

    def receive(i):
        lines = [inl(a, i + 1, "2"), inl(b, 2, "3")]
        with transaction.atomic(durable=True):
            costing.receive(warehouse=wh, lines=lines if i % 2 else lines[::-1], actor=actor, date=TODAY,
                            reference=f"PO-{i}")
        return "ok"

    assert run_parallel(receive, 8) == ["ok"] * 8
    levels = dict(StockLevel.objects.filter(warehouse=wh).values_list("product__sku", "on_hand"))
    assert levels == {"IN-A": D(1 + sum(range(1, 9))), "IN-B": D(1 + 2 * 8)}
    for product in (a, b):
        assert sum(Quant.objects.filter(product=product).values_list("qty", flat=True)) == levels[product.sku]
        last = ValuationLayer.objects.filter(product=product, warehouse=wh).latest("id")
        assert last.running_qty == levels[product.sku]

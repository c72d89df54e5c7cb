"""Parallel issuers on PostgreSQL: numbers stay gapless and unique per year, and of several clerks
invoicing the same order at once exactly one succeeds; the others are told which invoice has it."""


import pytest
from django.db import connection, transaction

from sihe.core.actor import Actor
from sihe.core.errors import Conflict
from sihe.invoicing.models import Invoice, InvoiceSource
from sihe.oms import billing
from tests.conftest import run_parallel as parallel_runner


def run_parallel(target, n):
    """(results, errors): the workers' answers and, apart, what they raised."""
    answers = parallel_runner(target, n)
    return ([a for a in answers if not isinstance(a, Exception)], [a for a in answers if isinstance(a, Exception)])


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_invoices_get_gapless_numbers_and_an_order_is_invoiced_once(company, make_order):
    if connection.vendor != "postgresql":
        pytest.skip("needs real parallel PostgreSQL connections")
    orders = [make_order([("CUP-1", "1", "99.90")]) for _ in range(8)]
    shared = make_order([("TEE-1", "1", "59.00")], number="TB-SHARED")

    # when 8 clerks invoice 8 different orders at the same moment
    def issue(i):
        with transaction.atomic(durable=True):
            return billing.invoice_orders(orders=[orders[i].pk], buyer_name="甲", actor=Actor.system(f"c{i}")).number

    numbers, errors = run_parallel(issue, 8)
    assert errors == []
    assert sorted(int(n[5:]) for n in numbers) == list(range(1, 9))

    # when 4 clerks invoice the same order at the same moment
    def same(i):
        with transaction.atomic(durable=True):
            return billing.invoice_orders(orders=[shared.pk], buyer_name="乙", actor=Actor.system(f"s{i}")).number

    won, refused = run_parallel(same, 4)
    assert len(won) == 1 and len(refused) == 3
    assert all(isinstance(e, Conflict) and e.code == "already_invoiced" and won[0] in e.message for e in refused)
    assert InvoiceSource.objects.filter(source_id=str(shared.pk), active=True).count() == 1
    assert sorted(int(n[5:]) for n in Invoice.objects.values_list("number", flat=True)) == list(range(1, 10))


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_red_invoices_on_one_confirmation_number_make_one(company, make_order):
    if connection.vendor != "postgresql":
        pytest.skip("needs real parallel PostgreSQL connections")
    blues = []
    for _ in range(4):
        order = make_order([("CUP-1", "1", "99.90")])
        with transaction.atomic(durable=True):
            blues.append(billing.invoice_orders(orders=[order.pk], buyer_name="甲", actor=Actor.system("t")))

    # when 4 clerks reverse 4 invoices against the same 红字发票信息确认单 at the same moment
    def red(i):
        with transaction.atomic(durable=True):
            return billing.reverse_invoice(invoice=blues[i], confirmation_number="44030026120600000009",
                                           reason="退货", actor=Actor.system(f"r{i}")).number

    won, refused = run_parallel(red, 4)
    # then one red invoice is issued; the others are told which one used the number, and no number is lost
    assert len(won) == 1 and len(refused) == 3, refused
    assert all(isinstance(e, Conflict) and e.code == "confirmation_number_used" and e.field == "confirmation_number"
               and won[0] in e.message for e in refused)
    assert Invoice.objects.filter(kind="red").count() == 1
    assert sorted(int(n[5:]) for n in Invoice.objects.values_list("number", flat=True)) == list(range(1, 6))

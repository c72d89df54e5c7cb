"""The purchase order is the lock of its acts: parallel invoices of the last received units and
parallel approvals on real PostgreSQL connections — one wins, the others are refused cleanly."""

from decimal import Decimal as D

import pytest
from django.conf import settings
from django.db import transaction

from sihe.core.actor import Actor
from sihe.core.errors import DomainError
from sihe.purchasing import services
from sihe.purchasing.models import PurchaseApproval, PurchaseOrderLine, SupplierInvoice
from sihe.purchasing.services import InvoiceLine, OrderLine
from sihe.wms.inbound import services as inbound
from sihe.wms.inbound.models import Asn
from tests.conftest import run_parallel
from tests.purchasing.conftest import gtin13, make_product, make_supplier, quick_user
from tests.stock.conftest import make_warehouse

POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not POSTGRES, reason="needs real parallel PostgreSQL connections"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
THREADS = 8


def _parallel(worker, n=THREADS):
    """Each worker in its own durable transaction: ("ok", result) or ("refused", code)."""
    def attempt(i):
        try:
            with transaction.atomic(durable=True):
                return ("ok", worker(i))
        except DomainError as exc:
            return ("refused", exc.code)

    return run_parallel(attempt, n)


def test_parallel_invoices_of_the_same_received_units_and_parallel_approvals():
    wh, supplier = make_warehouse("PGW"), make_supplier()
    tea = make_product("TEA", gtin13("690123456790"))
    buyer = Actor.for_user(quick_user("manager", "buyer"))
    po = services.create_order(supplier=supplier, warehouse=wh, actor=buyer,
                               lines=[OrderLine(product=tea, qty="10000", price="8")])
    approvers = [Actor.for_user(quick_user("manager", f"boss{i}")) for i in range(THREADS)]

    # when 8 managers approve the same order at once: one approval, the others find it approved
    results = _parallel(lambda i: services.approve(order=po, actor=approvers[i]).status)
    assert sorted(r[0] for r in results) == ["ok"] + ["refused"] * (THREADS - 1)
    assert {r[1] for r in results if r[0] == "refused"} == {"invalid_transition"}  # already approved
    assert PurchaseApproval.objects.filter(order=po).count() == 1

    po = services.confirm(order=po, actor=buyer)
    inbound.receive_scan(asn=Asn.objects.get(pk=po.asn_id), barcode=f"(01)0{tea.gtin}", qty="100",
                         actor=Actor.system("clerk"))
    # when 8 clerks post 8 different invoices of the same 100 received units at once: one wins
    results = _parallel(lambda i: services.post_invoice(
        order=po, number=f"INV-{i}", actor=approvers[i], lines=[InvoiceLine(product=tea, qty="100", price="8")]).pk)
    assert sorted(r[0] for r in results) == ["ok"] + ["refused"] * (THREADS - 1)
    assert {r[1] for r in results if r[0] == "refused"} == {"out_of_tolerance"}
    assert SupplierInvoice.objects.count() == 1
    line = PurchaseOrderLine.objects.get()
    assert (line.invoiced_qty, line.invoiced_value) == (D(100), D("800.00"))

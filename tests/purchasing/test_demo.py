"""The purchasing demo step on top of the demo master data: three orders, idempotent."""

from decimal import Decimal

import pytest

from sihe.catalog import demo as catalog_demo
from sihe.core.actor import Actor
from sihe.purchasing.demo import load_purchasing
from sihe.purchasing.models import PurchaseOrder, SupplierInvoice

pytestmark = pytest.mark.django_db


def test_demo_orders_are_loaded_once():
    actor = Actor.system("demo")
    for loader in (catalog_demo.load_company, catalog_demo.load_warehouses, catalog_demo.load_locations,
                   catalog_demo.load_products, catalog_demo.load_partners):
        loader(actor=actor, advance=lambda n: None)
    assert load_purchasing(actor=actor, advance=lambda n: None) == 3
    assert dict(PurchaseOrder.objects.values_list("memo", "status")) == {
        "demo:approve": "draft", "demo:receive": "confirmed", "demo:paid": "received"}
    invoice = SupplierInvoice.objects.get()
    assert (invoice.status, invoice.price_variance) == ("partially_paid", Decimal("10.00"))
    assert load_purchasing(actor=actor, advance=lambda n: None) == 0
    assert PurchaseOrder.objects.count() == 3

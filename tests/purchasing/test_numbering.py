"""Issue 13.5: purchase orders are numbered by the one numbering service, gapless, and an installation
upgraded from the old scheme (PO + id) goes on after its highest number."""

import importlib

from django.apps import apps

from sihe.core.actor import Actor
from sihe.purchasing import services
from sihe.purchasing.models import PurchaseOrder

seeding = importlib.import_module("sihe.purchasing.migrations.0005_numbers_from_the_numbering_service")


def _order(wh, supplier, products):
    return services.create_order(supplier=supplier, warehouse=wh, actor=Actor.system("test"), lines=[
        services.OrderLine(product=products["TEA"], qty="1", price="1.00")])


def test_13_5_po_numbers_are_gapless_and_go_on_after_the_old_scheme(wh, supplier, products, clock):
    first, second = _order(wh, supplier, products), _order(wh, supplier, products)
    assert (first.number, second.number) == ("PO000001", "PO000002")
    # an older installation: its orders were numbered PO<id>, up to PO000041
    PurchaseOrder.objects.filter(pk=second.pk).update(number="PO000041")
    seeding.seed(apps, None)
    assert _order(wh, supplier, products).number == "PO000042"

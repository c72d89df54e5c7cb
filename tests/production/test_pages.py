"""The production pages as the plant uses them: the manager plans an order on the page, the floor releases
it, issues components by scan on the handheld (a wrong lot named), reports output and receives the cups."""

from django.test import Client

from sihe.production.models import ProductionOrder
from sihe.stock.models import Lot


def _client(make_user, role):
    client = Client()
    client.force_login(make_user(role, username=f"{role}_plant"))
    return client


def test_14_an_order_from_the_page_to_the_shelf(plant, make_user):
    manager, floor = _client(make_user, "manager"), _client(make_user, "shopfloor")
    made = manager.post("/production/", {"sku": "YOG-100G", "qty": "200", "warehouse": "FAC", "due_date": "2026-11-25"})
    order = ProductionOrder.objects.get()
    assert made.status_code == 302 and order.status == "draft"
    # a wrong SKU in the form is named, nothing made
    bad = manager.post("/production/", {"sku": "NOPE", "qty": "1", "warehouse": "FAC", "due_date": "2026-11-25"},
                       follow=True)
    assert "未知 SKU NOPE" in bad.content.decode() and ProductionOrder.objects.count() == 1
    floor.post(f"/production/orders/{order.pk}/release/")
    order.refresh_from_db()
    assert order.status == "released"
    page = floor.get(f"/production/orders/{order.pk}/").content.decode()
    assert f"/production/orders/{order.pk}/release/" not in page  # done: not offered again
    assert f"/production/orders/{order.pk}/finish/" in page
    # handheld: sugar by SKU, then a lot of milk that does not exist
    scan = floor.post(f"/production/issue/{order.pk}/", {"barcode": "SUGAR", "qty": "2", "mode": "issue"})
    assert 'id="scan-result"' in scan.content.decode() and "已发料 2 × SUGAR" in scan.content.decode()
    wrong = floor.post(f"/production/issue/{order.pk}/", {"barcode": "(01)00000000000000(10)NOLOT", "mode": "issue"})
    assert 'class="bad"' in wrong.content.decode()
    line = order.lines.get(component__sku="SUGAR")
    assert line.issued_qty == 2
    # output, then the good cups into stock
    floor.post(f"/production/orders/{order.pk}/report/", {"good": "196", "scrap": "4", "minutes": "60",
                                                          "work_centre": "FILL-1", "operator": "李师傅"})
    floor.post(f"/production/orders/{order.pk}/receive/", {"qty": "196", "lot": "Y1120"})
    order.refresh_from_db()
    assert (order.status, order.good_qty, order.received_qty) == ("in_progress", 196, 196)
    assert Lot.objects.filter(product__sku="YOG-100G", number="Y1120").exists()

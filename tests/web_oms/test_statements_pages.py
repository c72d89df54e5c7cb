"""The settlement statement pages (账单): an accountant uploads a channel's bill, sees the orders settled and the
differences with their reasons; a manager reads them; a service clerk neither."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sihe.catalog.models import Channel
from sihe.oms import services
from sihe.oms.models import Order, SettlementStatement
from tests.oms.test_platform_subsidy import jd_with_subsidy

from .conftest import text

D = Decimal
pytestmark = pytest.mark.django_db

BILL = ("单据编号,订单编号,费用项,金额,收支方向,结算时间\n"
        "JD-1,312345678901,货款,213.00,收入,2026-12-05 10:00:00\n"
        "JD-2,312345678901,佣金,10.65,支出,2026-12-05 10:00:00\n"
        "JD-3,399999999999,货款,50.00,收入,2026-12-05 10:00:00\n").encode()


def jd_shipped(world, web_as) -> Order:
    jd = Channel.objects.create(code="jd", type="jd", name="四合京东自营店")
    for sku in ("TS-001-M-BLK", "TS-001-L-BLK"):
        services.map_sku(channel=jd, channel_sku=sku, product=world["tee"], actor=world["actor"])
    order = services.receive_order(channel_code="jd", body=jd_with_subsidy(), actor=world["actor"]).order
    web_as("warehouse").post(f"/orders/{order.pk}/act/ship/", {"carrier": "JD", "tracking_no": "JD1"})
    order.refresh_from_db()
    assert order.revenue_total == D("213.00")
    return order


def test_upload_a_bill_and_read_its_differences(world, web_as):
    order = jd_shipped(world, web_as)
    accountant = web_as("accountant")
    page = text(accountant.get("/orders/statements/"))
    assert 'id="statement-upload"' in page and "结算账单" in page and "四合京东自营店" in page
    assert "经销商订货" not in page.split('id="statement-upload"')[1].split("</form>")[0]

    r = accountant.post("/orders/statements/", {"channel": "jd", "file": SimpleUploadedFile("京东结算单.csv", BILL)},
                        follow=True)
    body = text(r)
    statement = SettlementStatement.objects.get()
    assert r.redirect_chain[-1][0] == f"/orders/statements/{statement.pk}/"
    assert f"账单 #{statement.pk} 已导入" in body and 'id="matched">1<' in body
    assert 'id="differences">1<' in body
    assert "本渠道没有此订单" in body and "399999999999" in body
    assert order.number in body and "202.35" in body and "10.65" in body
    order.refresh_from_db()
    assert order.status == "completed"

    only = text(accountant.get(f"/orders/statements/{statement.pk}/?status=difference"))
    assert order.number not in only.split('id="rows"')[1]

    # the same bill again: nothing settled twice
    accountant.post("/orders/statements/", {"channel": "jd", "file": SimpleUploadedFile("京东结算单.csv", BILL)})
    again = SettlementStatement.objects.latest("pk")
    assert (again.matched, again.duplicates, again.differences) == (0, 1, 1)
    listing = text(web_as("manager").get("/orders/statements/"))
    assert f'data-statement="{again.pk}"' in listing and 'id="statement-upload"' not in listing
    english = text(web_as("accountant", "en").get(f"/orders/statements/{again.pk}/"))
    assert "settled before" in english and "no such order in this channel" in english


def test_a_bad_file_is_refused_with_its_lines(world, web_as):
    accountant = web_as("accountant")
    bad = "订单号,结算金额\n123,abc\n".encode()
    r = accountant.post("/orders/statements/", {"channel": "tb", "file": SimpleUploadedFile("x.csv", bad)}, follow=True)
    body = text(r)
    assert 'class="msg error"' in body and "结算金额" in body
    assert SettlementStatement.objects.count() == 0
    r = accountant.post("/orders/statements/", {"channel": "dealer", "file": SimpleUploadedFile("x.csv", bad)},
                        follow=True)
    assert 'class="msg error"' in text(r)


def test_who_may_see_and_import(world, web_as):
    assert web_as("service").get("/orders/statements/").status_code == 403
    manager = web_as("manager")
    r = manager.post("/orders/statements/", {"channel": "tb", "file": SimpleUploadedFile("x.csv", b"a")})
    assert r.status_code == 403
    assert manager.get("/orders/statements/999/").status_code == 404
    assert "结算账单" in text(web_as("accountant").get("/orders/"))

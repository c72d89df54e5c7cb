"""Stock pages: levels by product/bin/lot with expiry highlighted, history, 收发存汇总表 + Excel, low stock."""

import datetime
import io
from decimal import Decimal as D

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from sihe.costing import services as costing
from sihe.stock import services as stock
from tests.stock.conftest import inl, make_product, outl

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(wh, actor):
    today = timezone.localdate()
    p = make_product("PG-1", tracking="lot_expiry")
    costing.receive(warehouse=wh, actor=actor, date=today.replace(day=1), lines=[
        inl(p, 5, "2", lot="GONE", expiry=today - datetime.timedelta(days=3)),
        inl(p, 6, "2", lot="NEAR", expiry=today + datetime.timedelta(days=10)),
        inl(p, 7, "2", lot="FAR", expiry=today + datetime.timedelta(days=300))])
    costing.issue(warehouse=wh, lines=[outl(p, 2)], actor=actor, date=today)
    stock.set_rule(product=p, warehouse=wh, min_qty=D(100), max_qty=D(150), actor=actor)
    return p


def client_for(make_user, role):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_user(role))
    return client


def test_levels_by_lot_highlight_expiry(make_user, stocked):
    html = client_for(make_user, "warehouse").get("/stock/?view=lot").content.decode()
    assert 'class="expiry-expired"' in html and 'class="expiry-near"' in html
    assert html.count("expiry-") >= 3
    by_product = client_for(make_user, "service").get("/stock/?view=product&sku=PG-1").content.decode()
    assert "16" in by_product  # 18 received − 2 issued


def test_history_product_and_lot_pages(make_user, stocked):
    client = client_for(make_user, "warehouse")
    assert client.get("/stock/moves/?sku=PG-1").status_code == 200
    page = client.get("/stock/product/PG-1/").content.decode()
    assert "NEAR" in page and "GONE" in page
    assert client.get("/stock/lot/PG-1/NEAR/").status_code == 200
    assert client.get("/stock/lot/PG-1/NOPE/").status_code == 404


def test_summary_page_and_excel(make_user, stocked):
    today = timezone.localdate()
    client = client_for(make_user, "accountant")
    page = client.get(f"/stock/summary/?start={today.replace(day=1)}&end={today}").content.decode()
    assert "PG-1" in page and "36.00" in page  # 18 × 2.00 received
    response = client.get(f"/stock/summary/?start={today.replace(day=1)}&end={today}&format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    row = [c.value for c in sheet[3]]
    assert row[0] == "PG-1" and row[5:11] == [18, 36, 2, 4, 16, 32]
    # a warehouse clerk sees quantities but not the Excel with values
    clerk = client_for(make_user, "warehouse")
    assert clerk.get("/stock/summary/").status_code == 200
    assert clerk.get("/stock/summary/?format=xlsx").status_code == 403


def test_low_stock_list_and_permissions(make_user, stocked):
    page = client_for(make_user, "manager").get("/stock/low/").content.decode()
    assert "PG-1" in page and "134" in page  # suggested: max 150 − available 16
    assert client_for(make_user, "warehouse").get("/stock/ledger/").status_code == 403
    ledger = client_for(make_user, "accountant").get("/stock/ledger/?sku=PG-1&warehouse=WH1").content.decode()
    assert "36.00" in ledger
    assert Client().get("/stock/").status_code == 302  # not logged in → login page


def test_pages_speak_chinese(make_user, stocked):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(make_user("manager"))
    page = client.get("/stock/summary/").content.decode()
    assert "收发存汇总表" in page and "期初" in page
    assert "临期" in client.get("/stock/?view=lot").content.decode()


def test_list_pages_and_endpoints_do_not_grow_queries_with_rows(make_user, stocked, wh, actor, api_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(make_user, "manager")
    api = api_as("accountant")
    urls = ["/stock/?view=lot", "/stock/?view=product", "/stock/moves/", "/stock/low/"]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            result.append(len(ctx.captured_queries))
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/stock/moves?limit=500").status_code == 200
        return result + [len(ctx.captured_queries)]

    counts()  # warm up (a token's first use writes its last-used time)
    before = counts()
    today = timezone.localdate()
    more = make_product("PG-2", tracking="lot_expiry")
    costing.receive(warehouse=wh, actor=actor, date=today, lines=[
        inl(more, 1, "1", lot=f"X{i}", expiry=today + datetime.timedelta(days=i)) for i in range(1, 8)])
    stock.set_rule(product=more, warehouse=wh, min_qty=D(50), max_qty=None, actor=actor)
    assert counts() == before


def test_ledger_link_only_for_costing_roles(make_user, stocked):
    assert "/stock/ledger/" not in client_for(make_user, "warehouse").get("/stock/").content.decode()
    assert "/stock/ledger/" in client_for(make_user, "accountant").get("/stock/").content.decode()

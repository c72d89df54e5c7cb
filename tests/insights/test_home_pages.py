"""Each role's home page at `/`, its panel that htmx polls, and the drill-down page: the November of
test_kpis (the figures computed by hand there) seen by the people who use them."""

import re

import pytest

from tests.insights.test_kpis import november  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_manager_home_shows_month_to_date_kpis_with_definitions_and_links(client_as, november, clock):  # noqa: F811
    clock.at(2026, 11, 30, hour=18)
    manager = client_as("manager", language="en")
    page = manager.get("/")
    assert page.status_code == 200
    tiles = {t["code"]: t for t in page.context["tiles"]}
    assert tiles["revenue"]["display"] == "¥500.00"
    assert tiles["gross_margin"]["display"] == "72.00%"
    assert tiles["on_time_shipment"]["display"] == "50.00%"
    assert tiles["revenue"]["url"] == "/home/kpis/revenue/?from=2026-11-01&to=2026-11-30"
    body = text(page)
    assert 'title="Credits less debits on revenue (5001' in body  # the definition on hover
    assert 'hx-trigger="every 30s"' in body and "echarts-5.6.0.min.js" in body
    assert [(c["label"], c["revenue"], c["margin"]) for c in page.context["channels"]] == [
        ("抖音店", "¥300.00", "66.67%"), ("淘宝店", "¥200.00", "80.00%")]
    panel = manager.get("/home/panel/")
    assert panel.status_code == 200 and 'data-kpi="revenue"' in panel.content.decode()


def test_manager_home_in_chinese(client_as, november, clock):  # noqa: F811
    clock.at(2026, 11, 30, hour=18)
    body = text(client_as("manager").get("/"))
    assert "营业收入" in body and "期间内已过账凭证中主营业务收入" in body


def test_drill_page_lists_the_vouchers_making_the_figure(client_as, november):  # noqa: F811
    manager = client_as("manager", language="en")
    page = manager.get("/home/kpis/revenue/?from=2026-11-01&to=2026-11-30&group_by=channel&group=TB")
    assert page.status_code == 200
    body = text(page)
    assert "¥500.00" in body  # the figure
    assert [[c["value"] for c in r["cells"]] for r in page.context["rows"]] == [
        ["记-4", "2026-11-10", "O1", "", "销售 O1", "¥200.00"]]
    assert page.context["answer"]["total"] == "200.00"
    assert page.context["rows"][0]["cells"][0]["url"].startswith("/ledger/vouchers/")
    bad = manager.get("/home/kpis/revenue/?from=2026-02-30")
    assert bad.status_code == 422 and "from must be a date" in text(bad)
    assert manager.get("/home/kpis/nope/").status_code == 404
    assert client_as("warehouse").get("/home/kpis/revenue/").status_code == 403


def test_service_home_shows_its_queues_with_ages(client_as, november, clock):  # noqa: F811
    from sihe.oms.models import Order

    Order.objects.filter(number="O2").update(status="held", hold_reason="address")
    Order.objects.filter(number="O2").update(received_at=clock.now().replace(day=1))
    page = client_as("service", language="en").get("/")
    queues = {q["code"]: q for q in page.context["queues"]}
    assert queues["holds"]["count"] == 1 and queues["holds"]["oldest_text"] == "1d 0h"
    assert queues["aftersales"]["count"] == 0 and queues["intake_errors"]["count"] == 0


def test_warehouse_accountant_and_shopfloor_homes(client_as, november):  # noqa: F811
    wh = client_as("warehouse", language="en").get("/")
    assert wh.status_code == 200 and 'data-section="waves"' in wh.content.decode()
    assert [w["number"] for w in wh.context["waves"]] == ["WV1"]
    acc = client_as("accountant", language="en").get("/")
    assert acc.status_code == 200
    assert acc.context["last_closed"] == "2026-10" and acc.context["last_close_days"] == 3
    assert client_as("shopfloor", language="en").get("/").status_code == 200

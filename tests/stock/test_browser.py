"""A warehouse clerk opens the stock pages in Debian chromium: lots with expiry highlighted, then the
收发存汇总表 as an accountant. Screenshots go to artifacts/screenshots/."""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone

from sihe.core.actor import Actor
from sihe.costing import services as costing
from tests.conftest import browser_login
from tests.stock.conftest import inl, make_product, make_warehouse

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_stock_pages_in_the_browser(live_server, make_user, chromium):
    # given lots expired, near expiry and fresh (all database work before Playwright starts)
    today = timezone.localdate()
    wh = make_warehouse("BRW")
    p = make_product("BR-1", tracking="lot_expiry")
    costing.receive(warehouse=wh, actor=Actor.system("test"), date=today.replace(day=1), lines=[
        inl(p, 5, "2", lot="OLD", expiry=today - datetime.timedelta(days=2)),
        inl(p, 6, "2", lot="SOON", expiry=today + datetime.timedelta(days=12)),
        inl(p, 7, "2", lot="FRESH", expiry=today + datetime.timedelta(days=400))])
    make_user("warehouse", username="clerk", password="pw-1")
    make_user("accountant", username="acct", password="pw-2")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
            page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 860})

            def login(user, password):
                browser_login(page, live_server.url, user, password)

            # when the clerk looks at stock by lot
            login("clerk", "pw-1")
            page.goto(f"{live_server.url}/stock/?view=lot")
            # then the expired lot is red, the near one amber, in Chinese
            assert page.locator("tr.expiry-expired").count() == 1
            assert page.locator("tr.expiry-near").count() == 1
            assert "已过期" in page.locator("tr.expiry-expired").inner_text()
            assert page.locator("tr.expiry-expired td").first.evaluate("e => getComputedStyle(e).backgroundColor") \
                == "rgb(253, 226, 225)"
            page.screenshot(path=str(SHOTS / "stock-lots-zh-hans.png"), full_page=True)
            page.click(".logout button")
            # when the accountant opens the 收发存汇总表
            login("acct", "pw-2")
            page.goto(f"{live_server.url}/stock/summary/")
            assert "收发存汇总表" in page.locator("h1").inner_text()
            assert "36.00" in page.locator("table.report tfoot").inner_text()
            assert page.locator("#xlsx").count() == 1
            page.screenshot(path=str(SHOTS / "stock-summary-zh-hans.png"), full_page=True)
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

"""The B2B pages in Debian chromium: a quotation made on the page, taken to an order with one click each,
the money page and the statement; screenshots in $SIHE_VAR_DIR/screens (b2b-*.png)."""

import os
from pathlib import Path

import pytest

from sihe.oms import services
from sihe.oms.b2b import services as b2b
from sihe.oms.b2b.models import Quotation
from tests.conftest import browser_login

from .world import dealer_world

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def shots() -> Path:
    base = Path(os.environ.get("SIHE_VAR_DIR") or Path(__file__).resolve().parents[2] / "var" / "ows")
    path = base / "screens"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_quotation_on_the_page_becomes_an_order(live_server, make_user, chromium):
    world = dealer_world()
    b2b.receive_advance(partner=world["dealer"], amount="300.00", actor=world["actor"], reference="网银 0001")
    make_user("manager", username="boss", password="pw-1")
    make_user("accountant", username="acct", password="pw-2")
    out = shots()
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
            page = browser.new_page(locale="zh-CN", viewport={"width": 1366, "height": 900})
            browser_login(page, live_server.url, "boss", "pw-1")
            page.goto(f"{live_server.url}/b2b/quotations/new/")
            page.select_option("select[name=partner]", "C-DEALER-01")
            page.fill("input[name=name]", "王经理")
            page.fill("input[name=phone]", "13800000000")
            page.fill("input[name=sku_0]", "TEE-BLK-M")
            page.fill("input[name=qty_0]", "12")
            page.fill("input[name=sku_1]", "CAP-RED")
            page.fill("input[name=qty_1]", "7")
            page.click("#make-quotation")
            page.wait_for_selector("#quotation-status")
            assert page.inner_text("#total") == "743.31"
            assert "满500减30" in page.inner_text("#promotions")
            page.screenshot(path=str(out / "b2b-quotation.png"), full_page=True)
            page.click("#act-accept")
            page.wait_for_selector("#act-convert")
            page.once("dialog", lambda d: d.accept())
            page.click("#act-convert")
            page.wait_for_selector("#order-link")
            assert page.inner_text("#quotation-status") == "已转订单"
            order_number = page.inner_text("#order-link")
            page.screenshot(path=str(out / "b2b-converted.png"), full_page=True)
            page.goto(f"{live_server.url}/b2b/quotations/")
            page.screenshot(path=str(out / "b2b-quotations.png"), full_page=True)
            page.goto(f"{live_server.url}/b2b/prices/")
            page.screenshot(path=str(out / "b2b-prices.png"), full_page=True)
            order = Quotation.objects.get().order
            assert order.number == order_number
            services.ship_order(order=order, carrier="SF", tracking_no="SF1", actor=world["actor"])
            page.context.clear_cookies()
            browser_login(page, live_server.url, "acct", "pw-2")
            page.goto(f"{live_server.url}/b2b/receipts/")
            page.select_option("#receipt-form select[name=partner]", "C-DEALER-01")
            page.fill("#receipt-form input[name=amount]", "443.31")
            page.click("#record-receipt")
            page.wait_for_selector("#receipts [data-receipt]")
            page.screenshot(path=str(out / "b2b-money.png"), full_page=True)
            page.goto(f"{live_server.url}/b2b/statement/?partner=C-DEALER-01&from=2026-12-01&to=2026-12-31")
            assert page.inner_text("#closing").split()[-1] == "0.00"
            page.screenshot(path=str(out / "b2b-statement.png"), full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=str(out / "b2b-statement-phone.png"), full_page=True)
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

"""The purchasing pages in Debian chromium: a second manager approves and the buyer confirms a PO by
the buttons; the accountant sees received / ordered per line and the AP aging. Screenshots go to
var/<SIHE_VAR_DIR>/screens (looked at by hand)."""

import datetime
import os
from pathlib import Path

import pytest
from django.conf import settings

from sihe.core.actor import Actor
from sihe.purchasing import services
from sihe.purchasing.services import InvoiceLine, OrderLine
from sihe.wms.inbound import services as inbound
from sihe.wms.inbound.models import Asn
from tests.conftest import browser_login
from tests.purchasing.conftest import gtin13, make_product, make_supplier
from tests.stock.conftest import make_warehouse

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOTS = Path(os.environ.get("SIHE_VAR_DIR") or settings.BASE_DIR / "var") / "screens"


@pytest.fixture
def browser(chromium):
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def login(browser, url, username):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(90_000)  # a loaded shared machine: the live server may answer slowly
    browser_login(page, url, username, "pw-123456")
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_approve_confirm_and_follow_receipts_in_the_browser(live_server, make_user, request):
    # given (all database work before Playwright starts its event loop)
    wh = make_warehouse("WH1")
    supplier = make_supplier()
    milk = make_product("MILK", gtin13("690123456789"), tracking="lot_expiry")
    tea = make_product("TEA", gtin13("690123456790"))
    buyer = make_user("manager", "buyer", "pw-123456")
    make_user("manager", "boss", "pw-123456")
    make_user("accountant", "acc", "pw-123456")
    as_buyer = Actor.for_user(buyer)
    big = services.create_order(supplier=supplier, warehouse=wh, actor=as_buyer, expected_date=datetime.date(2026, 12, 20),
                                lines=[OrderLine(product=milk, qty="10000", price="5.20"),
                                       OrderLine(product=tea, qty="200", price="8", field="lines[1]")])
    small = services.create_order(supplier=supplier, warehouse=wh, actor=as_buyer,
                                  lines=[OrderLine(product=milk, qty="600", price="4.5"),
                                         OrderLine(product=tea, qty="100", price="8", field="lines[1]")])
    small = services.confirm(order=small, actor=as_buyer)
    asn = Asn.objects.get(pk=small.asn_id)
    inbound.receive_scan(asn=asn, barcode=f"(01)0{milk.gtin}(10)M1(17)270630", qty="600", actor=as_buyer)
    inbound.receive_scan(asn=asn, barcode=f"(01)0{tea.gtin}", qty="40", actor=as_buyer)
    services.post_invoice(order=small, number="04400001", actor=as_buyer,
                          lines=[InvoiceLine(product=milk, qty="600", price="4.52")])
    browser = request.getfixturevalue("browser")
    SHOTS.mkdir(parents=True, exist_ok=True)
    url = live_server.url

    # when the second manager opens the big order and approves it
    page = login(browser, url, "boss")
    page.goto(f"{url}/purchasing/orders/{big.pk}/")
    assert page.locator("#po-status").inner_text() == "草稿"
    page.click("#approve")
    page.wait_for_selector(".msg.success")
    assert page.locator("#po-status").inner_text() == "已审批"
    assert page.locator("#approvals tbody tr td").nth(3).inner_text() == "boss"

    # and the buyer confirms it: the warehouse gets the expected receipt
    page = login(browser, url, "buyer")
    page.goto(f"{url}/purchasing/orders/{big.pk}/")
    assert page.locator("#approve").count() == 0
    page.click("#confirm")
    page.wait_for_selector(".msg.success")
    assert page.locator("#po-status").inner_text() == "已确认"
    page.screenshot(path=str(SHOTS / "po-confirmed.png"), full_page=True)

    # then the accountant sees received / ordered per line, the invoice form and the AP aging
    page = login(browser, url, "acc")
    page.goto(f"{url}/purchasing/orders/{small.pk}/")
    assert page.locator("#po-status").inner_text() == "部分收货"
    assert page.locator("#lines .progress-text").all_inner_texts() == ["600 / 600", "40 / 100"]
    page.screenshot(path=str(SHOTS / "po-partially-received.png"), full_page=True)
    page.goto(f"{url}/purchasing/ap-aging/")
    assert page.locator("#aging tbody td").all_inner_texts() == [
        "S01", "上海乳业有限公司", "3064.56", "0.00", "0.00", "0.00", "3064.56"]
    page.screenshot(path=str(SHOTS / "ap-aging.png"), full_page=True)
    page.goto(f"{url}/purchasing/")
    assert page.locator("table.list tbody tr").count() == 2
    page.screenshot(path=str(SHOTS / "po-list.png"), full_page=True)

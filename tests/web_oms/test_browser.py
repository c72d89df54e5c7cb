"""Customer service in Debian chromium: the order list, one order with its timeline, the service queue
and a held order released with one click; then the other orders pages (desktop, phone width, English)
as screenshots in var/ows/screens/ (or $SIHE_VAR_DIR/screens)."""

import os
from pathlib import Path

import pytest

from sihe.oms import services
from tests.conftest import browser_login
from tests.oms.conftest import load
from tests.oms.world import dealer_order

from .conftest import take

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def shots() -> Path:
    base = Path(os.environ.get("SIHE_VAR_DIR") or Path(__file__).resolve().parents[2] / "var" / "ows")
    path = base / "screens"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_service_releases_a_held_order_in_the_browser(live_server, make_user, chromium, world):
    # given an allocated dealer order, one held for a bad address, a Taobao order, one refused (unknown SKU),
    # and a shipped order partly paid (all database work before Playwright starts)
    actor = world["actor"]
    ok = take(world, "D-1", 1)
    held = take(world, "D-BAD", 1, province="火星省")
    services.receive_order(channel_code="tb", body=load("taobao"), actor=actor)
    bad = dealer_order("D-NEW", 1)
    bad["lines"][0]["sku"] = "DLR-TEE-9"
    with pytest.raises(Exception):  # noqa: B017
        services.receive_order(channel_code="dealer", body=bad, actor=actor)
    from sihe.oms.models import IntakeError

    refused = IntakeError.objects.get()
    services.ship_order(order=ok, carrier="SF", tracking_no="SF1234567890", actor=actor)
    ok.refresh_from_db()
    services.record_settlement(order=ok, kind="bank", amount="20.00", actor=actor, reference="B-1")
    make_user("service", username="kefu", password="pw-1")
    make_user("accountant", username="acct", password="pw-2")
    out = shots()
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
            page = browser.new_page(locale="zh-CN", viewport={"width": 1366, "height": 900})

            def login(user, password):
                browser_login(page, live_server.url, user, password)

            # when customer service logs in and opens the orders
            login("kefu", "pw-1")
            page.click("nav.sidenav a[data-nav='web_oms:orders']")
            page.wait_for_url(f"{live_server.url}/orders/")
            # then the list shows 3 orders, the held one with its reason, in Chinese
            assert page.locator("#orders tbody tr").count() == 3
            held_row = page.locator(f"tr[data-order='{held.number}']")
            assert "已挂起" in held_row.inner_text() and "地址不完整或无法识别" in held_row.inner_text()
            page.screenshot(path=str(out / "orders-list-zh.png"), full_page=True)
            # the shipped order: lines, shipment with tracking, timeline in Chinese, vouchers
            page.click(f"tr[data-order='{ok.number}'] a")
            page.wait_for_selector("#timeline")
            assert "已分配至上海仓" in page.locator("#timeline").inner_text()
            assert "SF1234567890" in page.locator("#shipments").inner_text()
            assert page.locator("#vouchers").count() == 0  # a service clerk reads no vouchers (issue 12.8)
            assert "¥30.00" in page.locator("#outstanding").inner_text()
            page.screenshot(path=str(out / "order-detail-zh.png"), full_page=True)
            # the service queue: the held order with the fix; one click releases it
            page.click("nav.sidenav a[data-nav='web_oms:exceptions']")
            row = page.locator(f"#held tr[data-order='{held.number}']")
            assert "修改地址" in row.inner_text()
            page.screenshot(path=str(out / "service-queue-zh.png"), full_page=True)
            row.locator("button.release").click()
            page.wait_for_selector(".msg")
            assert "已放行" in page.locator(".messages").inner_text()
            page.screenshot(path=str(out / "service-queue-released-zh.png"), full_page=True)
            # the held order's page: its timeline now says it was released by a person
            page.goto(f"{live_server.url}/orders/{held.pk}/")
            assert "人工放行" in page.locator("#timeline").inner_text()
            page.screenshot(path=str(out / "order-held-released-zh.png"), full_page=True)
            # the other pages
            for name, path in (("intake-errors", "/orders/intake-errors/"), ("mappings", "/orders/mappings/"),
                               ("channels", "/orders/channels/?sku=TEE-BLK-M")):
                page.goto(f"{live_server.url}{path}")
                page.screenshot(path=str(out / f"{name}-zh.png"), full_page=True)
            assert page.locator("td.atp").count() == 4
            page.goto(f"{live_server.url}/orders/intake-errors/{refused.pk}/")
            assert "DLR-TEE-9" in page.locator("#raw").input_value()
            page.screenshot(path=str(out / "intake-error-zh.png"), full_page=True)
            page.goto(f"{live_server.url}/orders/mappings/")
            assert page.locator("tr[data-to-map='DLR-TEE-9']").count() == 1
            # English
            page.click("button[data-lang='en']")
            page.goto(f"{live_server.url}/orders/{ok.pk}/")
            assert "Allocated to" in page.locator("#timeline").inner_text()
            assert "Timeline" in page.content()
            page.screenshot(path=str(out / "order-detail-en.png"), full_page=True)
            page.goto(f"{live_server.url}/orders/")
            page.screenshot(path=str(out / "orders-list-en.png"), full_page=True)
            page.click("button[data-lang='zh-hans']")
            # a phone: the list and an order at 375 wide, nothing wider than the screen
            phone = browser.new_page(locale="zh-CN", viewport={"width": 375, "height": 667})
            phone.context.add_cookies(page.context.cookies())
            phone.goto(f"{live_server.url}/orders/{held.pk}/")
            width = phone.evaluate("document.documentElement.scrollWidth")
            phone.screenshot(path=str(out / "order-detail-375.png"), full_page=True)
            assert width <= 375, width
            phone.goto(f"{live_server.url}/orders/")
            phone.screenshot(path=str(out / "orders-list-375.png"), full_page=True)
            assert phone.evaluate("document.documentElement.scrollWidth") <= 375
            page.click(".logout button")
            # the accountant's AR aging
            login("acct", "pw-2")
            page.goto(f"{live_server.url}/orders/ar-aging/")
            assert "30.00" in page.locator("#aging-total").inner_text()
            page.screenshot(path=str(out / "ar-aging-zh.png"), full_page=True)
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

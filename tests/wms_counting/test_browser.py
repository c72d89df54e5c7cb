"""Counting in Debian chromium: a blind count on a phone (375 × 667, scan-first, autofocus), the
task closed by the manager with its vouchers and accuracy, and a lot traced to its customers.
Screenshots go to var/<SIHE_VAR_DIR>/screens (var/cnt/screens here)."""

import os
from pathlib import Path

import pytest
from django.conf import settings

from sihe.core.actor import Actor
from sihe.wms.counting import services
from tests.conftest import browser_login

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def shots() -> Path:
    path = Path(os.environ.get("SIHE_VAR_DIR", settings.BASE_DIR / "var")) / "screens"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_blind_count_on_a_phone_close_and_trace(live_server, make_user, chromium, story):
    # given a blind count of bin A-01 (3 MILK, 5 SOAP, 3 JAM of lot J-7 on record) — all database work first
    task = services.create_task(warehouse=story["wh"], bins=[story["a1"]], blind=True, recount_pct=50,
                                actor=Actor.system("boss"))
    make_user("warehouse", username="clerk", password="pw-1")
    make_user("warehouse", username="clerk2", password="pw-4")
    make_user("manager", username="boss", password="pw-2")
    make_user("service", username="svc", password="pw-3")
    from playwright.sync_api import sync_playwright

    out = shots()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=ARGS, headless=True)

            def submit(page):
                with page.expect_navigation():
                    page.click(".hh-submit")

            def login(page, user, password):
                browser_login(page, live_server.url, user, password)

            phone = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 667}, has_touch=True,
                                        is_mobile=True, device_scale_factor=2)
            page = phone.new_page()
            login(page, "clerk", "pw-1")
            # when the clerk opens the count on the phone, the bin field has the focus
            page.goto(f"{live_server.url}/counting/count/{task.pk}/")
            page.wait_for_function("document.activeElement && document.activeElement.id === 'f-location'")
            assert "已盘 0 / 3" in page.locator("#progress").inner_text()
            # and nothing on the page tells the quantity on record
            assert "账面" not in page.content()
            # scans: bin, Enter → item; GTIN, Enter → quantity
            page.keyboard.type("A-01")
            page.keyboard.press("Enter")
            page.wait_for_function("document.activeElement && document.activeElement.id === 'f-item'")
            page.keyboard.type("6901234567892")
            page.keyboard.press("Enter")
            page.wait_for_function("document.activeElement && document.activeElement.id === 'f-qty'")
            page.keyboard.type("3")
            submit(page)
            page.wait_for_selector("#message.ok")
            assert "A-01 / MILK 已盘点" in page.locator("#message").inner_text()
            # the bin stays, the item field has the focus for the next scan
            assert page.input_value("#f-location") == "A-01"
            page.wait_for_function("document.activeElement && document.activeElement.id === 'f-item'")
            page.fill("#f-item", "SOAP")
            page.fill("#f-qty", "4")
            submit(page)
            page.wait_for_selector("#message.ok")
            page.fill("#f-item", "JAM")
            page.fill("#f-lot", "J-7")
            page.fill("#f-qty", "10")  # 3 on record: +7 > 5 → recount by another person
            submit(page)
            page.wait_for_selector("#message.warn")
            assert "复盘" in page.locator("#message").inner_text()
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
            page.screenshot(path=str(out / "count-handheld-375.png"), full_page=True)
            # a wrong bin names the field
            page.fill("#f-location", "NOPE")
            page.fill("#f-item", "SOAP")
            page.fill("#f-qty", "1")
            submit(page)
            page.wait_for_selector("#message.err")
            assert page.locator("#message").get_attribute("data-field") == "location"
            page.wait_for_function("document.activeElement && document.activeElement.id === 'f-location'")
            page.screenshot(path=str(out / "count-handheld-error-375.png"), full_page=True)
            phone.close()

            # another clerk recounts JAM on a second phone: 3 after all
            second = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 667})
            page = second.new_page()
            login(page, "clerk2", "pw-4")
            page.goto(f"{live_server.url}/counting/count/{task.pk}/")
            page.fill("#f-location", "A-01")
            page.fill("#f-item", "JAM")
            page.fill("#f-lot", "J-7")
            page.fill("#f-qty", "3")
            submit(page)
            page.wait_for_selector("#message.ok")
            second.close()

            desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
            page = desk.new_page()
            login(page, "boss", "pw-2")
            page.goto(f"{live_server.url}/counting/")
            assert page.locator(f"#tasks tr[data-number='{task.number}']").count() == 1
            page.screenshot(path=str(out / "count-tasks.png"), full_page=True)
            # when the manager closes the count
            page.goto(f"{live_server.url}/counting/{task.pk}/")
            page.click("#close")
            page.wait_for_selector("#figures")
            # then: MILK and JAM match, SOAP −1 at 4.00 → 2 of 3 match (66.67 %), a 盘亏 voucher 1901 / 1405
            assert page.locator("#accuracy").inner_text() == "66.67%"
            vouchers = page.locator("#vouchers").inner_text()
            assert "1901" in vouchers and "1405" in vouchers and "4.00" in vouchers
            page.screenshot(path=str(out / "count-task-closed.png"), full_page=True)
            # and the lot trace shows supplier, PO and both customers
            page.goto(f"{live_server.url}/counting/trace/?lot=J-7&sku=JAM")
            trace = page.locator("section.trace").inner_text()
            assert "甜蜜果酱厂" in trace and "PO-2026-0077" in trace
            assert "华东超市" in trace and "西湖便利店" in trace
            assert page.locator("#customers-JAM").inner_text() == "2"
            page.screenshot(path=str(out / "lot-trace.png"), full_page=True)
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

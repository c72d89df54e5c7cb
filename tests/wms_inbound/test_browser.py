"""The handheld receiving and putaway pages on a phone (375 × 667) in Debian chromium: scan field
focused, good scans and refusals on screen in Chinese. Screenshots: var/<helper>/screens/ (or
$SIHE_VAR_DIR/screens)."""

import os
from pathlib import Path

import pytest

from .conftest import GTIN_BOLT, GTIN_MILK

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOTS = Path(os.environ.get("SIHE_VAR_DIR") or Path(__file__).resolve().parents[2] / "var" / "inb") / "screens"


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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_handheld_receiving_at_phone_size(live_server, make_user, make_asn, milk, bolt, request):
    # given an expected receipt of 100 milk and 10 bolts, and a warehouse worker (all DB work first)
    asn = make_asn((milk, 100, "4.50"), (bolt, 10, "0.20"))
    make_user("warehouse", username="wang", password="scan-pass-1")
    browser = request.getfixturevalue("browser")
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 667}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/login/?next=/inbound/receive/")
    page.fill("#id_username", "wang")
    page.fill("#id_password", "scan-pass-1")
    page.click("form[action='/login/'] button")
    page.wait_for_url("**/inbound/receive/")
    # the open receipts, the reference field focused
    page.wait_for_function("document.activeElement && document.activeElement.id === 'ref'")
    page.screenshot(path=str(SHOTS / "receive-1-pick.png"), full_page=True)
    page.click(f"a[data-asn='{asn.number}']")
    page.wait_for_selector("#barcode")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'barcode'")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # when a carton label is scanned (the scanner types it and presses Enter)
    page.fill("#barcode", f"(01)0{GTIN_MILK}(17)491231(10)LOT-2049A(37)24")
    page.press("#barcode", "Enter")
    page.wait_for_selector("#result")
    # then the result is on screen, the line shows 24 / 100, the field is ready for the next scan
    result = page.locator("#result").inner_text()
    assert "商品 MILK-1L × 24" in result and "LOT-2049A" in result and "2049-12-31" in result
    assert "24 / 100" in page.locator("tr[data-sku='MILK-1L']").inner_text()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'barcode'")
    assert page.input_value("#barcode") == ""
    page.screenshot(path=str(SHOTS / "receive-2-good-scan.png"), full_page=True)

    # when an expired lot is scanned: refused with the reason in Chinese
    page.fill("#barcode", f"(01)0{GTIN_MILK}(17)200100(10)OLD-LOT")
    page.press("#barcode", "Enter")
    page.wait_for_selector(".bad[data-code='expired']")
    assert "批次 OLD-LOT 已于 2020-01-31 过期" in page.locator(".bad").inner_text()
    assert "24 / 100" in page.locator("tr[data-sku='MILK-1L']").inner_text()
    page.screenshot(path=str(SHOTS / "receive-3-expired.png"), full_page=True)

    # a product that is not on this receipt
    page.fill("#barcode", "6901234567922")
    page.press("#barcode", "Enter")
    page.wait_for_selector(".bad[data-code='unknown_gtin']")
    page.screenshot(path=str(SHOTS / "receive-4-unknown.png"), full_page=True)

    # bolts by bare EAN-13 with the quantity typed: the receipt is complete
    page.fill("#barcode", GTIN_BOLT)
    page.fill("#qty", "10")
    page.press("#qty", "Enter")
    page.wait_for_selector("#result")
    assert "10 / 10" in page.locator("tr[data-sku='BOLT-M8']").inner_text()

    # putaway: the dock list with suggestions, the item, then the bin label
    page.goto(f"{live_server.url}/inbound/putaway/?warehouse=SH")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'item'")
    page.screenshot(path=str(SHOTS / "putaway-1-dock.png"), full_page=True)
    page.fill("#item", f"(01)0{GTIN_MILK}(10)LOT-2049A")
    page.press("#item", "Enter")
    page.wait_for_selector("#suggested")
    assert page.locator("#suggested").inner_text() == "A-01-01-01"
    page.wait_for_function("document.activeElement && document.activeElement.id === 'bin'")  # focus moves after the render
    page.screenshot(path=str(SHOTS / "putaway-2-suggested.png"), full_page=True)
    page.fill("#bin", "A-01-01-01")
    page.press("#bin", "Enter")
    page.wait_for_selector("#result")
    assert "A-01-01-01" in page.locator("#result").inner_text()
    page.screenshot(path=str(SHOTS / "putaway-3-done.png"), full_page=True)

    # the office view of the same receipt on a desktop
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/inbound/asn/{asn.pk}/")
    assert "收货中" in page.locator(".page-head").inner_text()
    page.screenshot(path=str(SHOTS / "asn-detail-desktop.png"), full_page=True)
    assert errors == []
    context.close()

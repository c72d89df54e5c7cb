"""In Debian chromium: a manager releases a wave on the board and opens the pick list with its route
map; a picker on a 375 × 667 phone scans the pick (a wrong bin and a younger lot refused in Chinese),
then checks, packs and ships at the check bench. Screenshots go to var/out/screens/ (looked at)."""

import os
from pathlib import Path

import pytest

from tests.conftest import browser_login
from tests.wms_outbound.conftest import MILK_GTIN, gs1, ship_order

SHOTS = Path(__file__).resolve().parents[2] / "var" / "out" / "screens"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PHONE = {"width": 375, "height": 667}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_wave_board_pick_list_and_handheld_pick_check_ship(live_server, stocked, actor, make_user, chromium):
    # given (all database work before Playwright starts) two orders waiting in OUT
    wh, milk, widget = stocked["wh"], stocked["milk"], stocked["widget"]
    first = ship_order(wh, [(milk, 4), (widget, 1)], number="BRW-1", actor=actor, mrsl=30)
    ship_order(wh, [(widget, 2)], number="BRW-2", actor=actor)
    make_user("manager", username="boss", password="pw-1")
    make_user("warehouse", username="picker", password="pw-2")
    number = first.number
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=ARGS, headless=True)

            def login(page, user, password):
                browser_login(page, live_server.url, user, password)

            # -- the manager at a desk: wave board → release → pick list with the route map
            desk = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 860})
            login(desk, "boss", "pw-1")
            desk.goto(f"{live_server.url}/outbound/waves/")
            assert "波次看板" in desk.locator("h1").inner_text()
            assert desk.locator("[data-warehouse=OUT]").inner_text() == "2"
            desk.fill("input[name=carrier]", "SF")
            desk.uncheck("input[name=by_zone]")
            desk.click("#release-form button[type=submit]")
            desk.wait_for_url("**/outbound/waves/*/")
            assert "已下发" in desk.locator(".flash.ok").inner_text()
            assert desk.locator("#shipments tbody tr").count() == 2
            desk.click("#picklists a")
            desk.wait_for_url("**/outbound/picklists/*/")
            picklist_url = desk.url
            assert desk.locator("#route-map svg polyline").count() == 1
            assert desk.locator("#route-map svg circle").count() == 2  # two bins, numbered in route order
            stops = desk.locator("#stops tbody tr td.mono").all_inner_texts()
            assert stops == ["A-01-03-L", "B-04-09-L", "B-04-09-L"]
            assert desk.locator("#route-length").inner_text() == "48.00"
            desk.screenshot(path=str(SHOTS / "picklist-route-zh.png"), full_page=True)
            desk.goto(f"{live_server.url}/outbound/waves/")
            assert desk.locator("[data-state=released] .wave-card").count() == 1
            desk.screenshot(path=str(SHOTS / "wave-board-zh.png"), full_page=True)

            # -- the picker on a phone
            phone = browser.new_page(locale="zh-CN", viewport=PHONE, has_touch=True, is_mobile=True)
            login(phone, "picker", "pw-2")
            phone.goto(f"{live_server.url}/outbound/pick/")
            phone.click(".choice")
            phone.wait_for_url("**/outbound/pick/*/")
            phone.wait_for_function("document.activeElement && document.activeElement.name === 'barcode'")
            assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

            def scan(code, qty=None):
                if qty is not None:
                    phone.fill("input[name=qty]", str(qty))
                phone.fill("input[name=barcode]", code)
                phone.press("input[name=barcode]", "Enter")
                phone.wait_for_load_state()

            assert phone.locator("#current-stop .bin").inner_text() == "A-01-03-L"
            scan("A-01-00-L")  # a bin with nothing on this list
            assert phone.locator(".flash.err").get_attribute("data-code") == "wrong_bin"
            assert "请去 A-01-03-L" in phone.locator(".flash.err").inner_text()
            scan("A-01-03-L")
            assert phone.locator("#current-stop.here").count() == 1
            scan(gs1(MILK_GTIN, "L3"))  # a younger lot than the reserved L2
            assert phone.locator(".flash.err").inner_text() == "✕ 批次 L3 比 L2 新，应先出 L2：请拣 L2（A-01-03-L）"
            phone.screenshot(path=str(SHOTS / "pick-younger-lot-375.png"), full_page=True)
            scan(gs1(MILK_GTIN, "L2"), 4)
            assert "已拣 4 × MILK-1L" in phone.locator(".flash.ok").inner_text()
            assert phone.locator("#current-stop .bin").inner_text() == "B-04-09-L"
            phone.screenshot(path=str(SHOTS / "pick-next-stop-375.png"), full_page=True)
            scan("B-04-09-L")
            scan("6901234567885", 1)
            scan("6901234567885", 2)
            assert phone.locator("#list-done").count() == 1
            assert "可复核" in phone.locator(".flash.ok[data-code]").inner_text()
            phone.screenshot(path=str(SHOTS / "pick-done-375.png"), full_page=True)

            # -- check and pack on the phone at the bench
            phone.goto(f"{live_server.url}/outbound/check/")
            assert phone.locator(f"[data-shipment='{number}']").count() == 1
            scan(number)
            phone.wait_for_url("**/outbound/check/*/")
            scan("6901234567885", 2)  # 1 picked for this order
            assert phone.locator(".flash.err").get_attribute("data-code") == "over_count"
            scan("6901234567885")
            scan(gs1(MILK_GTIN, "L2"), 4)
            assert phone.locator("#check-lines li.done").count() == 2
            assert phone.locator("#carrier").input_value() == "SF"
            phone.screenshot(path=str(SHOTS / "check-complete-375.png"), full_page=True)
            phone.click("#pack-form button[type=submit]")
            phone.wait_for_load_state()
            assert phone.locator("#parcels li").count() == 1
            label = phone.request.get(live_server.url + phone.locator("#label-link").get_attribute("href"))
            assert label.status == 200 and label.body().startswith(b"%PDF")
            phone.click("#ship-button")
            phone.wait_for_load_state()
            assert phone.locator("#shipment-state").get_attribute("data-state") == "shipped"
            assert "已交 SF 发货" in phone.locator(".flash.ok").inner_text()
            assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            phone.screenshot(path=str(SHOTS / "check-shipped-375.png"), full_page=True)

            # the pick list now shows every stop picked
            desk.goto(picklist_url)
            assert desk.locator("#stops tr.stop-done").count() == 3
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

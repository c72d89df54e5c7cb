"""The close page's VAT section in Chromium: the month's figures, the carry-out button, the refused close
until both VAT steps are done (screenshots into SIHE_SHOTS_DIR when set)."""

import datetime
import os

import pytest

from sihe.core.actor import Actor
from sihe.ledger import services

SHOTS = os.environ.get("SIHE_SHOTS_DIR")


@pytest.mark.browser
def test_vat_steps_on_the_close_page(transactional_db, live_server, make_user, chromium, tmp_path):
    from playwright.sync_api import sync_playwright

    from sihe.ledger.chart import seed_chart

    seed_chart()
    maker = Actor.for_user(make_user("accountant", "browser"))
    reviewer = Actor.for_user(make_user("accountant", "second"))
    lines = [{"account": "1122", "debit": "1130.00", "summary": "销售", "partner": "C001"},
             {"account": "5001", "credit": "1000.00", "summary": "销售"},
             {"account": "2221.01.06", "credit": "130.00", "summary": "销项税额"}]
    v = services.create_voucher(date=datetime.date(2026, 3, 10), lines=lines, actor=maker)
    services.review_voucher(voucher=v, actor=reviewer)
    services.post_voucher(voucher=v, actor=reviewer)
    shots = SHOTS or str(tmp_path)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{live_server.url}/login/?next=/ledger/close/%3Fperiod%3D2026-03")
        page.fill("input[name=username]", "browser")
        page.fill("input[name=password]", "pw")
        page.press("input[name=password]", "Enter")
        page.wait_for_selector("#vat-month")
        assert page.locator("td[data-vat='to-carry']").inner_text() == "130.00"
        assert "✘" in page.locator("tr[data-check='vat_carried_out']").inner_text()
        page.screenshot(path=os.path.join(shots, "vat-close-before.png"), full_page=True)
        page.click("#vat-month form[action$='/carry-out/'] button")
        page.wait_for_selector("td[data-vat='carried']:has-text('130.00')")
        page.click("#vat-month form[action$='/surcharges/'] button")
        page.wait_for_selector("tr[data-check='vat_surcharges'].ok")
        assert "✔" in page.locator("tr[data-check='vat_carried_out']").inner_text()
        page.screenshot(path=os.path.join(shots, "vat-close-after.png"), full_page=True)
        browser.close()

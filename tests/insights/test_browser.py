"""The role home pages in Debian chromium: the manager on a phone (KPI tiles, definition on hover, the revenue
chart, a tap down to the vouchers, a figure that moves without a reload), and each other role's page.
Screenshots go to /work/notes/shots/ when it exists (else $SIHE_VAR_DIR/screens)."""

import os
from pathlib import Path

import pytest

from tests.conftest import browser_login
from tests.insights.test_kpis import november  # noqa: F401  (the fixture)

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def shots() -> Path:
    notes = Path("/work/notes/shots")
    path = notes if notes.is_dir() else Path(os.environ.get("SIHE_VAR_DIR") or "var") / "screens"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_role_home_pages_in_the_browser(live_server, make_user, chromium, november, clock):  # noqa: F811
    clock.at(2026, 11, 30, hour=18)
    for role in ("manager", "service", "warehouse", "accountant", "shopfloor"):
        make_user(role, username=f"{role}_home", password="pw-1")
    out = shots()
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
            phone = browser.new_page(locale="zh-CN", viewport={"width": 390, "height": 844}, has_touch=True)
            errors: list[str] = []
            phone.on("pageerror", lambda exc: errors.append(str(exc)))
            browser_login(phone, live_server.url, "manager_home", "pw-1")
            # the manager's figures for November so far, in Chinese, two tiles a row on the phone
            revenue = phone.locator('.kpi[data-kpi="revenue"]')
            assert revenue.locator(".value").inner_text() == "¥500.00"
            assert revenue.locator(".label").inner_text().startswith("营业收入")
            assert revenue.get_attribute("title").startswith("期间内已过账凭证中主营业务收入")
            assert phone.locator('.kpi[data-kpi="gross_margin"] .value').inner_text() == "72.00%"
            first, second = (phone.locator(".kpis .kpi").nth(i).bounding_box() for i in (0, 1))
            assert first["y"] == second["y"] and first["x"] + first["width"] <= 390 and second["x"] + second["width"] <= 390
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
            phone.wait_for_selector("#chart-revenue svg")
            phone.screenshot(path=str(out / "home-manager-phone-zh.png"), full_page=True)
            # a figure moves without a reload: a new sale is booked, the panel is fetched again (as every 30 s)
            from sihe.core.actor import Actor
            from sihe.oms import books

            books.book_revenue(order=november["o1"], amounts={"total": "113.00", "net": "100.00", "tax": "13.00"},
                               actor=Actor.system("test"))
            phone.evaluate("htmx.trigger('#role-panel', 'every 30s')")
            phone.wait_for_function("document.querySelector('.kpi[data-kpi=revenue] .value').innerText === '¥600.00'")
            # one tap goes down to the vouchers behind the figure
            phone.locator('.kpi[data-kpi="revenue"]').click()
            phone.wait_for_selector("[data-section=documents]")
            assert phone.locator("[data-drill-total]").inner_text() == "¥600.00"
            assert phone.locator("[data-section=documents] tbody tr").count() == 3
            phone.screenshot(path=str(out / "home-manager-drill-phone-zh.png"), full_page=True)
            phone.close()

            for role, selector in (("service", "[data-queue=holds]"), ("warehouse", "[data-section=waves]"),
                                   ("accountant", "[data-section=close]"), ("shopfloor", "#role-panel")):
                desk = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 860})
                desk.on("pageerror", lambda exc: errors.append(str(exc)))
                browser_login(desk, live_server.url, f"{role}_home", "pw-1")
                assert desk.locator(selector).count() == 1
                desk.screenshot(path=str(out / f"home-{role}-zh.png"), full_page=True)
                desk.close()
            assert errors == []
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

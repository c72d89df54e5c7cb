"""Each role logs in with Debian chromium, sees its home page in zh-Hans and then in English, and the
navigation offers exactly what the role may use. Screenshots go to artifacts/screenshots/."""

import os
from pathlib import Path

import pytest
from django.db import transaction

from sihe.catalog import services
from sihe.core.actor import Actor
from sihe.core.roles import ROLES

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

# nav entries of the shell itself: which roles see them (entries of other wings are checked by their tests)
OWN_NAV = {
    "web:products": set(ROLES),
    "web:partners": set(ROLES),
    "web:tokens": set(ROLES),
    "web:audit": {"manager", "accountant", "admin"},
    "admin:index": {"admin"},
}
ROLE_ZH = {"manager": "经理", "warehouse": "仓库", "shopfloor": "车间", "service": "客服", "accountant": "会计",
           "admin": "管理员"}
ROLE_EN = {"manager": "Manager", "warehouse": "Warehouse", "shopfloor": "Shop floor", "service": "Customer service",
           "accountant": "Accountant", "admin": "Administrator"}


@pytest.fixture
def browser(chromium):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM is only used before it starts
    # (a query inside it would open a second connection that nobody closes).
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


@pytest.fixture
def company(masterdata):
    with transaction.atomic():
        services.set_company(data={"name": "上海四合示范贸易有限公司", "province": "上海市", "city": "上海市"},
                             actor=Actor.system("test"))


@pytest.mark.browser
# serialized_rollback: the live server needs committed rows, and the units the migrations load must
# survive the flush for the tests that run after this one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_logs_in_and_sees_its_home_in_both_languages(live_server, company, make_user, role, request):
    # given a user of that role (all database work before Playwright starts its event loop in this thread)
    make_user(role, username=f"{role}_demo", password="demo-pass-1")
    browser = request.getfixturevalue("browser")
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # when they log in (the login page is Chinese for a Chinese browser)
    page.goto(f"{live_server.url}/login/")
    assert page.locator("h1").inner_text() == "登录四合"
    page.fill("#id_username", f"{role}_demo")
    page.fill("#id_password", "demo-pass-1")
    page.click(".login-box button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    # then the home page is in Chinese with the company, the user's role and the role's navigation
    assert page.locator(".brand-name").inner_text() == "上海四合示范贸易有限公司"
    assert page.locator(".topbar .role-badge").inner_text() == ROLE_ZH[role]
    assert page.locator("h1").inner_text() == f"欢迎，{role}_demo"
    for name, roles in OWN_NAV.items():
        assert page.locator(f'.sidenav a[data-nav="{name}"]').count() == (1 if role in roles else 0), name
    if "web:audit" in [n for n, r in OWN_NAV.items() if role in r]:
        assert page.locator('.sidenav a[data-nav="web:audit"]').inner_text().strip().endswith("审计记录")
    if role == "admin":  # the administrator's home counts master data; the other roles have pages of their own
        figures = page.locator(".figure .label").all_inner_texts()
        assert figures[:6] == ["商品", "客户", "供应商", "仓库", "货位", "销售渠道"]
        assert page.locator(".figure .value").all_inner_texts()[:6] == ["1", "1", "0", "1", "1", "1"]
        page.wait_for_selector("#chart-categories svg")
        page.wait_for_selector("#chart-events svg")
    else:
        assert page.locator(f"#role-panel[data-role={role}]").count() == 1
    if role == "manager":
        page.wait_for_selector("#chart-revenue svg")
    page.screenshot(path=str(SHOTS / f"home-{role}-zh-hans.png"), full_page=True)

    # when they switch to English
    page.click('.lang-switch button[data-lang="en"]')
    page.wait_for_selector("html[lang=en]")

    # then the same page speaks English
    assert page.locator(".topbar .role-badge").inner_text() == ROLE_EN[role]
    assert page.locator("h1").inner_text() == f"Welcome, {role}_demo"
    if role == "admin":
        assert page.locator(".figure .label").all_inner_texts()[:6] == [
            "Products", "Customers", "Suppliers", "Warehouses", "Bins", "Sales channels"]
        page.wait_for_selector("#chart-categories svg")
    assert page.locator('.sidenav a[data-nav="web:products"]').inner_text().strip().endswith("Products")
    if role == "manager":
        assert page.locator('.kpi[data-kpi="revenue"] .label').inner_text().startswith("Revenue")
        page.wait_for_selector("#chart-revenue svg")
    page.screenshot(path=str(SHOTS / f"home-{role}-en.png"), full_page=True)

    if role == "manager":
        # a phone: the menu hides behind the button and opens on tap
        page.set_viewport_size({"width": 390, "height": 844})
        assert not page.locator(".sidenav").is_visible()
        page.click(".nav-button")
        assert page.locator(".sidenav").is_visible()
        page.screenshot(path=str(SHOTS / "home-manager-en-phone.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 860})
        page.goto(f"{live_server.url}/products/")
        # the search narrows the list as one types (HTMX swaps the results, no page load)
        page.fill("input[name=q]", "zzz")
        page.wait_for_selector("#results .empty")
        assert page.locator("#results [data-count]").get_attribute("data-count") == "0"
        page.fill("input[name=q]", "milk")
        page.wait_for_selector("#results >> text=MILK-1L")
        assert "/products/?q=milk" in page.url
        page.click("text=MILK-1L")
        assert page.locator("#audit-trail").is_visible()
        page.screenshot(path=str(SHOTS / "product-detail-manager-en.png"), full_page=True)
        # a wrong check digit is refused next to the GTIN field
        page.click(".page-head a.btn:not(.secondary)")
        page.fill("#id_gtin", "6901234567893")
        page.click("form.card button[type=submit]")
        assert page.locator('[data-field-error="gtin"]').inner_text() == "wrong GS1 check digit"
        page.screenshot(path=str(SHOTS / "product-edit-error-manager-en.png"), full_page=True)
    assert errors == []
    context.close()

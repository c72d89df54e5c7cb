"""The approvals inbox on a phone (390×844) and the modules settings page, in Debian chromium. Screenshots
go to /work/notes/shots (or var/screens) and were looked at by hand."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from sihe.catalog import services as catalog
from sihe.catalog.models import Partner
from sihe.core.actor import Actor
from sihe.oms import services as oms
from sihe.purchasing import services as purchasing
from sihe.purchasing.models import PurchaseOrder
from tests.conftest import browser_login
from tests.oms.world import build, dealer_order
from tests.purchasing.test_browser import browser  # noqa: F401  (chromium through Playwright)

_notes = Path("/work/notes/shots")
SHOTS = _notes if _notes.is_dir() else Path(os.environ.get("SIHE_VAR_DIR") or settings.BASE_DIR / "var") / "screens"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_manager_approves_on_the_phone_and_the_admin_turns_modules_off(live_server, make_user, request):
    world = build(stock={"SH": 10})
    buyer = make_user("manager", "buyer", "pw-123456")
    make_user("manager", "boss", "pw-123456")
    make_user("admin", "root", "pw-123456")
    system = world["actor"]
    with transaction.atomic():
        catalog.update_partner(partner=world["dealer"], data={"credit_limit": "50"}, actor=system)
        oms.receive_order(channel_code="dealer", body=dealer_order("D-1", 2), actor=system)
        supplier = Partner.objects.create(code="S01", name="上海乳业有限公司", kind="supplier", province="上海市",
                                          city="上海市")
        po = purchasing.create_order(supplier=supplier, warehouse=world["wh"]["SH"], actor=Actor.for_user(buyer),
                                     lines=[purchasing.OrderLine(product=world["tee"], qty="10000", price="8")])
        purchasing.submit(order=po, actor=Actor.for_user(buyer))
    chrome = request.getfixturevalue("browser")
    SHOTS.mkdir(parents=True, exist_ok=True)

    phone = chrome.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.set_default_timeout(90_000)
    browser_login(page, live_server.url, "boss", "pw-123456")
    page.wait_for_selector(".approvals-badge .count")
    assert page.inner_text(".approvals-badge .count") == "2"
    page.click(".approvals-badge")
    page.wait_for_selector("#inbox")
    assert page.locator("article.card-item").count() == 2
    page.wait_for_selector(".approvals-badge .count")
    page.screenshot(path=str(SHOTS / "approvals-phone.png"), full_page=True)
    # the approve button is big enough to hit with a thumb and nothing runs off the screen
    box = page.locator("article[data-kind=purchase_order] button[data-act=approve]").bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    card = page.locator("article[data-kind=purchase_order]")
    card.locator("textarea").fill("同意，按合同价")
    card.locator("button[data-act=approve]").click()
    page.wait_for_selector(".msg.success")
    assert page.locator("article.card-item").count() == 1
    assert PurchaseOrder.objects.get(pk=po.pk).status == "approved"
    # refusing without a note is refused by the browser itself (the note is needed) — then with one
    page.locator("article[data-kind=credit_hold] textarea").fill("先回款再发货")
    page.locator("article[data-kind=credit_hold] button[data-act=refuse]").click()
    page.wait_for_selector(".msg.success")
    assert page.locator("article.card-item").count() == 0
    page.screenshot(path=str(SHOTS / "approvals-phone-empty.png"), full_page=True)
    phone.close()

    desk = chrome.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    page.set_default_timeout(90_000)
    browser_login(page, live_server.url, "root", "pw-123456")
    page.goto(f"{live_server.url}/settings/modules/")
    # production is needed by the shop floor: refused with the reason
    page.click(".module-row[data-module=production] button")
    page.wait_for_selector(".msg.error")
    assert "车间" in page.inner_text(".msg.error")
    page.click(".module-row[data-module=shopfloor] button")
    page.wait_for_selector(".module-row[data-module=shopfloor][data-enabled='0']")
    assert page.locator("[data-nav='web_mes:board']").count() == 0
    page.goto(f"{live_server.url}/settings/modules/")
    page.screenshot(path=str(SHOTS / "modules-settings.png"), full_page=True)
    page.goto(f"{live_server.url}/mes/board/")
    assert "已关闭" in page.inner_text("h1")
    page.screenshot(path=str(SHOTS / "module-off-page.png"))
    desk.close()

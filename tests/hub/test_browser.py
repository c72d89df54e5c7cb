"""An admin, in Debian chromium, adds a webhook (secret shown once), retries a dead letter and reads
the event log, in Chinese and in English. Screenshots go to artifacts/screenshots/hub-*.png."""

import os
from pathlib import Path

import pytest

from sihe.core.actor import Actor
from sihe.hub import dispatcher
from sihe.hub.models import Delivery
from sihe.hub.services import create_subscription
from tests.hub.conftest import emit_event

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


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
def test_admin_manages_webhooks_and_retries_a_dead_letter(live_server, make_user, receiver, settings, request):
    # given (all database work before Playwright starts) an admin and a dead letter
    settings.SIHE_WEBHOOK_MAX_ATTEMPTS = 1
    make_user("admin", username="hub_admin", password="demo-pass-1")
    hook = receiver(statuses=(500,))
    create_subscription(url=hook.url, event_types=["catalog.*"], description="ERP 对接", actor=Actor.system("test"))
    event = emit_event("catalog.product.created", "MILK-1L", payload={"sku": "MILK-1L", "name": "全脂牛奶 1L"})
    dispatcher.step()
    dead = Delivery.objects.get()
    assert dead.status == "dead"
    browser = request.getfixturevalue("browser")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "hub_admin")
    page.fill("#id_password", "demo-pass-1")
    page.click(".login-box button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    # when the admin adds a webhook on the page
    page.goto(f"{live_server.url}/hub/webhooks/")
    assert page.locator("h1").inner_text() == "Webhook"
    page.fill("#id_url", "https://wms.example.com/hooks/sihe")
    page.fill("#id_event_types", "stock.* catalog.product.created")
    page.fill("#id_description", "仓储系统")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#new-secret")

    # then its secret is shown once, and it is listed beside the first one
    secret = page.locator("[data-secret]").inner_text().strip()
    assert secret.startswith("whsec_")
    assert page.locator("tr[data-webhook-id]").count() == 2
    assert "stock.* catalog.product.created" in page.locator("tr[data-webhook-id]").nth(1).inner_text()
    page.screenshot(path=str(SHOTS / "hub-webhooks-zh-hans.png"), full_page=True)
    page.goto(f"{live_server.url}/hub/webhooks/")
    assert page.locator("#new-secret").count() == 0

    # when the admin opens the deliveries page: the dead letter is there, with a Retry button
    page.goto(f"{live_server.url}/hub/deliveries/")
    row = page.locator(f'tr[data-delivery-id="{dead.pk}"]')
    assert row.get_attribute("data-status") == "dead"
    assert "死信" in row.inner_text()
    page.screenshot(path=str(SHOTS / "hub-deliveries-zh-hans.png"), full_page=True)
    row.locator("button[type=submit]").click()
    page.wait_for_selector(".msg.success")

    # then it left the failures list and waits, pending, for the worker
    assert page.locator(f'tr[data-delivery-id="{dead.pk}"]').count() == 0
    page.goto(f"{live_server.url}/hub/deliveries/?status=pending")
    assert page.locator(f'tr[data-delivery-id="{dead.pk}"]').get_attribute("data-status") == "pending"

    # and the event log shows the event, in English too
    page.goto(f"{live_server.url}/hub/events/")
    assert page.locator(f'tr[data-event-id="{event.pk}"]').count() == 1
    page.screenshot(path=str(SHOTS / "hub-events-zh-hans.png"), full_page=True)
    page.click('.lang-switch button[data-lang="en"]')
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").inner_text() == "Event log"
    assert "catalog.product.created" in page.locator(f'tr[data-event-id="{event.pk}"]').inner_text()
    page.screenshot(path=str(SHOTS / "hub-events-en.png"), full_page=True)
    page.goto(f"{live_server.url}/hub/deliveries/?status=")
    assert page.locator("h1").inner_text() == "Deliveries"
    page.screenshot(path=str(SHOTS / "hub-deliveries-en.png"), full_page=True)
    assert errors == []

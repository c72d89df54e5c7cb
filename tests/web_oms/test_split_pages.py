"""拆单 on the order page: a link from the order, a quantity per line, both parts to check, confirm, the
split listed with its undo; in Chinese and English; and in Debian chromium (screenshots in
$SIHE_VAR_DIR/screens)."""

import os
from decimal import Decimal

import pytest

from sihe.oms.splitting.models import Split
from sihe.wms.models import Shipment
from tests.conftest import browser_login

from .conftest import take, text
from .test_browser import ARGS, shots

D = Decimal


def pending(order) -> list[list[Decimal]]:
    return [[ln.qty for ln in s.lines.order_by("pk")] for s in
            Shipment.objects.filter(source_id=str(order.pk), state="pending").order_by("pk")]


@pytest.mark.django_db
def test_split_from_the_order_page_with_a_check_step_and_undo(world, web_as):
    order = take(world, "D-931", 3)
    service = web_as("service")
    page = text(service.get(f"/orders/{order.pk}/"))
    assert f"/orders/{order.pk}/split/" in page and "拆单" in page
    form = text(service.get(f"/orders/{order.pk}/split/"))
    source = Shipment.objects.get(source_id=str(order.pk))
    assert source.number in form and "单独发货数量" in form and 'name="qty_1"' in form

    # step 1: both parts shown, nothing changed yet
    r = service.post(f"/orders/{order.pk}/split/", {"shipment": source.number, "qty_1": "1"})
    body = text(r)
    assert r.status_code == 200 and "确认拆单" in body and "第 2 部分：其余商品" in body
    assert Split.objects.count() == 0 and pending(order) == [[D(3)]]
    # step 2: confirmed
    r = service.post(f"/orders/{order.pk}/split/", {"shipment": source.number, "qty_1": "1", "confirm": "1"})
    assert r.status_code == 302 and r["Location"] == f"/orders/{order.pk}/"
    split = Split.objects.get()
    assert pending(order) == [[D(1)], [D(2)]]
    listed = text(service.get(f"/orders/{order.pk}/split/"))
    assert split.number in listed and "撤销拆单（合回）" in listed
    # undo: one shipment again
    r = service.post(f"/orders/{order.pk}/split/{split.pk}/undo/")
    assert r.status_code == 302
    assert Split.objects.get().status == "undone" and pending(order) == [[D(3)]]


@pytest.mark.django_db
def test_the_whole_shipment_or_nothing_is_refused_on_the_page(world, web_as):
    order = take(world, "D-932", 2)
    service = web_as("service", "en")
    source = Shipment.objects.get(source_id=str(order.pk))
    form = text(service.get(f"/orders/{order.pk}/split/"))
    assert "Ship separately" in form and "Check the two parts" in form
    for qty, message in (("2", "that is the whole shipment"), ("0", "choose at least one line"),
                         ("x", "must be a whole number")):
        r = service.post(f"/orders/{order.pk}/split/", {"shipment": source.number, "qty_1": qty}, follow=True)
        assert message in text(r), qty
    assert Split.objects.count() == 0 and pending(order) == [[D(2)]]
    # a packer sees the order but may not split it
    assert "/split/" not in text(web_as("warehouse").get(f"/orders/{order.pk}/"))
    assert web_as("warehouse").post(f"/orders/{order.pk}/split/", {"shipment": source.number,
                                                                   "qty_1": "1"}).status_code == 403


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_split_in_the_browser(live_server, make_user, chromium, world):
    order = take(world, "D-933", 3)
    make_user("service", username="kefu", password="pw-1")
    out = shots()
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
        page = browser.new_page(locale="zh-CN", viewport={"width": 1366, "height": 900})
        browser_login(page, live_server.url, "kefu", "pw-1")
        page.goto(f"{live_server.url}/orders/{order.pk}/")
        page.click("#split-link")
        page.fill("input[name=qty_1]", "1")
        page.screenshot(path=str(out / "split-1-form.png"), full_page=True)
        page.click("#split-check-1")
        page.wait_for_selector("#split-confirm")
        page.screenshot(path=str(out / "split-2-confirm.png"), full_page=True)
        assert Split.objects.count() == 0
        page.click("#split-go")
        page.wait_for_url(f"{live_server.url}/orders/{order.pk}/")
        page.screenshot(path=str(out / "split-3-order.png"), full_page=True)
        assert "已拆单" in page.inner_text("body")
        page.goto(f"{live_server.url}/orders/{order.pk}/split/")
        page.screenshot(path=str(out / "split-4-list.png"), full_page=True)
        assert Split.objects.get().number in page.inner_text("#splits")
        browser.close()
    assert pending(order) == [[D(1)], [D(2)]]

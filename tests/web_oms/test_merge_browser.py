"""合单 in Debian chromium: tick two orders on the order list, choose 合单, confirm, see the result per order;
the 合单 page with the merge and its undo button (screenshots in $SIHE_VAR_DIR/screens)."""

import os

import pytest

from sihe.oms.merging.models import Merge
from tests.conftest import browser_login

from .conftest import take
from .test_browser import ARGS, shots


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bulk_merge_from_the_order_list(live_server, make_user, chromium, world):
    a, b = take(world, "D-901", 1), take(world, "D-902", 2)
    take(world, "D-903", 1, city="宁波市")
    make_user("service", username="kefu", password="pw-1")
    out = shots()
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
        page = browser.new_page(locale="zh-CN", viewport={"width": 1366, "height": 900})
        browser_login(page, live_server.url, "kefu", "pw-1")
        page.goto(f"{live_server.url}/orders/")
        page.check(f"input[name=order][value='{a.pk}']")
        page.check(f"input[name=order][value='{b.pk}']")
        page.select_option("#bulk-act", "merge")
        page.screenshot(path=str(out / "merge-1-orders.png"), full_page=True)
        page.click("#bulk-next")
        page.wait_for_selector("#bulk-confirm")
        page.screenshot(path=str(out / "merge-2-confirm.png"), full_page=True)
        assert Merge.objects.count() == 0
        page.click("#bulk-go")
        page.wait_for_selector("#bulk-result")
        assert "完成：2；被拒：0。" in page.inner_text("#bulk-result")
        page.screenshot(path=str(out / "merge-3-done.png"), full_page=True)
        page.goto(f"{live_server.url}/orders/merges/")
        page.screenshot(path=str(out / "merge-4-page.png"), full_page=True)
        assert Merge.objects.get().number in page.inner_text("#merges")
        browser.close()

"""The order page shows a platform subsidy (平台补贴) next to what the buyer paid, per order and per line, and
the platform's settlement of buyer's payment + subsidy (less its fee) completes the order from the page."""

from decimal import Decimal

import pytest

from sihe.catalog.models import Channel
from sihe.oms import services
from tests.oms.test_platform_subsidy import jd_with_subsidy

from .conftest import text

D = Decimal
pytestmark = pytest.mark.django_db


def test_order_page_shows_the_subsidy_and_settles_it(world, web_as):
    jd = Channel.objects.create(code="jd", type="jd", name="四合京东自营店")
    for sku in ("TS-001-M-BLK", "TS-001-L-BLK"):
        services.map_sku(channel=jd, channel_sku=sku, product=world["tee"], actor=world["actor"])
    order = services.receive_order(channel_code="jd", body=jd_with_subsidy(), actor=world["actor"]).order
    service = web_as("service")
    page = text(service.get(f"/orders/{order.pk}/"))
    amounts = page.split('id="amounts"')[1].split("</section>")[0]
    assert "<dt>平台补贴</dt><dd>20.00</dd>" in amounts
    assert "<b>193.00</b>" in amounts  # paid by the buyer
    lines = page.split('id="lines"')[1].split("</table>")[0]
    assert "平台补贴 +13.33" in lines and "平台补贴 +6.67" in lines
    english = text(web_as("service", "en").get(f"/orders/{order.pk}/"))
    assert "<dt>Platform subsidy</dt><dd>20.00</dd>" in english

    web_as("warehouse").post(f"/orders/{order.pk}/act/ship/", {"carrier": "JD", "tracking_no": "JD1"})
    accountant = web_as("accountant")
    assert 'id="outstanding">¥213.00' in text(accountant.get(f"/orders/{order.pk}/"))
    r = accountant.post(f"/orders/{order.pk}/act/settle/",
                        {"kind": "platform", "amount": "202.35", "fee": "10.65", "reference": "JD-BILL-1"}, follow=True)
    assert 'class="msg error"' not in text(r)
    order.refresh_from_db()
    assert (order.status, order.revenue_total, order.settled_total) == ("completed", D("213.00"), D("213.00"))
    assert 'id="outstanding">¥0.00' in text(r)

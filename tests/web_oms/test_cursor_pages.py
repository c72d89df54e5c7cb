"""The orders page leads on by cursor (issue 18): following "Next" gives every order once, newest first on
(received_at, id) — orders received at the same instant told apart by id — and a deep page costs the statements
of page 2 (an index range, not OFFSET). `?page=N` links still work; a stale cursor shows the first page."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sihe.oms.models import Order

from .conftest import take

pytestmark = pytest.mark.django_db


def test_18_the_orders_page_leads_on_by_cursor_with_ties_on_the_time(world, web_as, monkeypatch):
    from sihe.web.oms import views

    monkeypatch.setattr(views, "PER_PAGE", 3)
    orders = [take(world, f"D-{n}", 1) for n in range(10)]
    # given 5 of them received at one instant (a channel pull hands over a batch at once)
    Order.objects.filter(pk__in=[o.pk for o in orders[2:7]]).update(received_at=orders[2].received_at)
    client = web_as("service")
    client.get("/orders/")
    # when "Next" is followed to the end
    seen, costs, link = [], [], "/orders/"
    while link:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(link)
        assert response.status_code == 200
        costs.append(len(queries.captured_queries))
        seen += [o.pk for o in response.context["rows"]]
        found = re.search(r'rel="next" href="([^"]+)"', response.content.decode())
        link = "/orders/" + html.unescape(found.group(1)) if found else None
    # then every order comes once, newest first, ties by id
    assert seen == list(Order.objects.order_by("-received_at", "-id").values_list("pk", flat=True))
    assert len(seen) == 10 and len(costs) == 4
    # and pages 3 and 4, read by cursor, cost what page 2 costs
    assert len(set(costs[1:])) == 1, costs
    # and the filters travel with the cursor; old ?page= links work; a stale cursor is the first page
    filtered = client.get("/orders/?channel=dealer&page=2")
    assert [o.pk for o in filtered.context["rows"]] == seen[3:6]
    assert "channel=dealer&after=" in filtered.content.decode()
    stale = client.get("/orders/?after=bm90LWEtY3Vyc29y")
    assert stale.status_code == 200 and [o.pk for o in stale.context["rows"]] == seen[:3]

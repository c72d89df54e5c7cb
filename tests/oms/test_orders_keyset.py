"""GET /api/v1/orders follows a keyset cursor: `next` of one page as `after` gives the next page, the pages
together are every order once in the list's order, and a deep page costs the statements of the first."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sihe.oms import services
from tests.oms.world import build, dealer_order


def test_18_orders_page_by_cursor_and_every_page_costs_the_same(db, clock, api_as):
    clock.at(2026, 11, 26)
    world = build(stock={"SH": 100})
    for i in range(7):
        clock.advance(seconds=1)
        services.receive_order(channel_code="dealer", body=dealer_order(f"K-{i:03d}", 1), actor=world["actor"])
    service = api_as("service")
    everything = service.get("/api/v1/orders?limit=100").json_body
    assert everything["count"] == 7 and everything["next"] is None
    seen, after, costs = [], "", []
    while True:
        with CaptureQueriesContext(connection) as page_queries:
            page = service.get(f"/api/v1/orders?limit=3&after={after}").json_body
        costs.append(len(page_queries.captured_queries))
        assert page["count"] == 7
        seen += [o["number"] for o in page["items"]]
        if page["next"] is None:
            break
        after = page["next"]
    assert seen == [o["number"] for o in everything["items"]]  # each order once, newest first
    assert len(costs) == 3 and costs[1] == costs[2]
    refused = service.get("/api/v1/orders?after=not-a-cursor")
    assert (refused.status_code, refused.json_body["field"], refused.json_body["code"]) == (422, "after", "invalid_cursor")

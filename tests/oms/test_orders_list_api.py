"""GET /api/v1/orders pages in the database (the load test found it built up to 5,000 summaries per call
and could not reach orders past 5,000): every page reachable, the count exact, and the statements a
page costs do not grow with the number of orders."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sihe.oms import services
from tests.oms.world import build, dealer_order


def _orders(world, start, n):
    for i in range(start, start + n):
        services.receive_order(channel_code="dealer", body=dealer_order(f"L-{i:03d}", 1), actor=world["actor"])


def test_18_the_order_list_pages_in_the_database(db, clock, api_as):
    clock.at(2026, 11, 26)
    world = build(stock={"SH": 100})
    service = api_as("service")
    _orders(world, 0, 3)
    service.get("/api/v1/orders?limit=1")  # the token's first use is noted once: not part of a page's cost
    with CaptureQueriesContext(connection) as few:
        small = service.get("/api/v1/orders?limit=2&offset=0").json_body
    _orders(world, 3, 27)
    with CaptureQueriesContext(connection) as many:
        page = service.get("/api/v1/orders?limit=2&offset=0").json_body
    assert (small["count"], page["count"]) == (3, 30)
    assert len(many.captured_queries) == len(few.captured_queries)  # O(page), not O(orders)
    # the page is cut in the database (one row more than asked tells whether there is a `next` page)
    assert any("LIMIT 3" in q["sql"] for q in many.captured_queries)
    last = service.get("/api/v1/orders?limit=5&offset=28").json_body
    everything = service.get("/api/v1/orders?limit=30&offset=0").json_body["items"]
    assert len(everything) == 30 and [o["number"] for o in last["items"]] == [o["number"] for o in everything[28:]]

"""GET /api/v1/stock/moves and /stock/levels page by cursor: walking `next` gives every row once in the list's
order (moves newest first on (date, id), many on one date; levels by SKU then warehouse, several warehouses per
SKU), a page costs the same statements however deep, and a cursor the list did not give is a 422 naming `after`."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sihe.stock.models import StockMove
from tests.stock.conftest import make_product, make_warehouse

pytestmark = pytest.mark.django_db
BAD_CURSORS = ["not-a-cursor", "WyJ4Il0", "WyIyMDI2LTEzLTAxIiwxXQ", "WyIyMDI2LTAxLTAxIiwieCJd", "WzEsMl0",
               "WyIyMDI2LTAxLTAxIiwxMDAwMDAwMDAwMDAwMDAwMDAwMDAwMF0", "WyJBXHUwMDAwIiwiQiIsMV0"]


def _walk(api, url: str, key: str, limit: int) -> tuple[list, list[int]]:
    seen, after, costs = [], "", []
    while True:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"{url}{'&' if '?' in url else '?'}limit={limit}&after={after}")
        assert response.status_code == 200, response.json_body
        costs.append(len(queries.captured_queries))
        if key is None:  # the moves: an array, the next page's cursor in a header
            seen += response.json_body
            if "X-Next-Cursor" not in response:
                return seen, costs
            after = response["X-Next-Cursor"]
            continue
        seen += response.json_body[key]
        if response.json_body["next"] is None:
            return seen, costs
        after = response.json_body["next"]


@pytest.fixture
def stocked(api_as, clock):
    """4 products received into 2 warehouses in 3 receipts on 2 days: 16 moves, 8 levels."""
    clock.at(2026, 11, 24)
    make_warehouse("WH1"), make_warehouse("WH2")
    for sku in ("K-4", "K-1", "K-3", "K-2"):
        make_product(sku)
    api = api_as("manager")
    for day, refs in ((24, ("R-1", "R-2")), (25, ("R-3", "R-4"))):
        clock.at(2026, 11, day)
        for ref, wh in zip(refs, ("WH1", "WH2"), strict=True):
            r = api.post("/api/v1/stock/receipts", {"warehouse": wh, "reference": ref, "lines": [
                {"sku": sku, "qty": "2", "unit_cost": "3"} for sku in ("K-4", "K-1", "K-3", "K-2")]})
            assert r.status_code == 201, r.json_body
    return api


def test_18_moves_page_by_cursor_newest_first_with_ties_on_the_date(stocked):
    # when the history is walked 3 at a time
    seen, costs = _walk(stocked, "/api/v1/stock/moves", None, 3)
    # then every move comes once, newest first on (date, id): 8 moves share each date
    expected = list(StockMove.objects.order_by("-date", "-id").values_list("id", flat=True))
    assert [m["id"] for m in seen] == expected and len(expected) == 16
    assert [m["date"] for m in seen] == ["2026-11-25"] * 8 + ["2026-11-24"] * 8
    # and every page (6 of them) costs the same statements: the token, the ids, their rows, the count
    assert len(costs) == 6 and len(set(costs)) == 1 and costs[0] >= 3, costs
    # and offset paging and the filters still work
    page = stocked.get("/api/v1/stock/moves?limit=4&offset=2")
    assert (page["X-Total-Count"], [m["id"] for m in page.json_body]) == ("16", expected[2:6])
    # and a limit beyond 1000 is taken as 1000, as this list always did
    assert [m["id"] for m in stocked.get("/api/v1/stock/moves?limit=5000").json_body] == expected
    by_sku, _ = _walk(stocked, "/api/v1/stock/moves?sku=K-3", None, 3)
    assert [m["id"] for m in by_sku] == [i for i in expected if StockMove.objects.get(pk=i).product.sku == "K-3"]
    by_wh, _ = _walk(stocked, "/api/v1/stock/moves?warehouse=WH2", None, 3)
    assert [m["id"] for m in by_wh] == [i for i in expected if StockMove.objects.get(pk=i).dst_warehouse.code == "WH2"]
    assert len(by_wh) == 8


def test_18_levels_page_by_cursor_by_sku_then_warehouse(stocked):
    # when the levels are walked 3 rows at a time
    seen, costs = _walk(stocked, "/api/v1/stock/levels", "rows", 3)
    # then each (SKU, warehouse) comes once, by SKU then warehouse, with the totals of all rows on every page
    assert [(r["sku"], r["warehouse"], r["on_hand"]) for r in seen] == [
        (sku, wh, "4") for sku in ("K-1", "K-2", "K-3", "K-4") for wh in ("WH1", "WH2")]
    assert stocked.get("/api/v1/stock/levels?limit=3").json_body["on_hand"] == "32"
    assert len(costs) == 3 and len(set(costs)) == 1
    # and the old answer (every row, no paging asked) is unchanged: 8 rows, no next
    everything = stocked.get("/api/v1/stock/levels").json_body
    assert len(everything["rows"]) == 8 and everything["next"] is None
    assert stocked.get("/api/v1/stock/levels?limit=2&offset=6").json_body["rows"] == seen[6:]


@pytest.mark.parametrize("path", ["/api/v1/stock/moves", "/api/v1/stock/levels"])
@pytest.mark.parametrize("cursor", BAD_CURSORS)
def test_18_a_cursor_the_stock_lists_did_not_give_is_a_422_naming_after(api_as, wh, path, cursor):
    refused = api_as("manager").get(f"{path}?after={cursor}")
    assert (refused.status_code, refused.json_body["field"], refused.json_body["code"]) == (422, "after", "invalid_cursor")


def test_18_a_page_deep_in_the_history_costs_what_the_first_costs(stocked, clock):
    # given the history grows by 40 more moves on later days
    for day in range(26, 30):
        clock.at(2026, 11, day)
        stocked.post("/api/v1/stock/receipts", {"warehouse": "WH1", "reference": f"R-{day}", "lines": [
            {"sku": sku, "qty": "1", "unit_cost": "3"} for sku in ("K-1", "K-2")] * 5})
    # when the first page and the last pages are read by cursor
    _, costs = _walk(stocked, "/api/v1/stock/moves", None, 5)
    # then each costs the same
    assert len(costs) == 12 and len(set(costs)) == 1, costs
    assert StockMove.objects.filter(date=datetime.date(2026, 11, 29)).count() == 10


def test_18_the_moves_page_leads_on_by_cursor_and_a_deep_page_costs_what_page_two_costs(stocked, client_page,
                                                                                           monkeypatch):
    import html
    import re

    from sihe.web.stock import views

    monkeypatch.setattr(views, "MOVES_PER_PAGE", 3)
    client_page.get("/stock/moves/")
    seen, costs, link = [], [], "/stock/moves/"
    while link:
        with CaptureQueriesContext(connection) as queries:
            response = client_page.get(link)
        assert response.status_code == 200
        costs.append(len(queries.captured_queries))
        seen += [m.pk for m in response.context["rows"]]
        found = re.search(r'rel="next" href="([^"]+)"', response.content.decode())
        link = "/stock/moves/" + html.unescape(found.group(1)) if found else None
    # every move once, newest first on (date, id) — 8 moves on each of the two dates
    assert seen == list(StockMove.objects.order_by("-date", "-id").values_list("pk", flat=True)) and len(seen) == 16
    assert len(costs) == 6 and len(set(costs[1:])) == 1, costs
    # filtered by product, the cursor keeps the filter
    k3 = client_page.get("/stock/moves/?sku=K-3")
    assert [m.product.sku for m in k3.context["rows"]] == ["K-3"] * 3 and "sku=K-3&after=" in k3.content.decode()


@pytest.fixture
def client_page(make_user):
    from django.test import Client

    client = Client()
    client.force_login(make_user("manager", username="stock_web"))
    return client

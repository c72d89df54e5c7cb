"""GET /api/v1/ledger/vouchers pages by cursor (an array, as it always answered; the next page's cursor in the
`X-Next-Cursor` header): walking it gives every voucher of the period once, in book order
(word, number; drafts without a number first, tied on number and told apart by id); a page costs the same
statements however deep; a cursor the list did not give is a 422 naming `after`."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sihe.core.actor import Actor
from sihe.ledger import services

DAY = datetime.date(2026, 3, 5)
BAD_CURSORS = ["not-a-cursor", "WyJ4Il0", "WyJcdThiYjAiLCAieCIsIDFd", "WyJcdThiYjAiLCAwLCBudWxsXQ",
               "W251bGwsbnVsbCxudWxsXQ", "x" * 150]


def _capital(amount: str) -> list[dict]:
    return [{"account": "1002", "debit": amount, "summary": "收到投资款", "cash_flow_item": 15},
            {"account": "3001", "credit": amount, "summary": "收到投资款", "partner": "INV1"}]


def _walk(api, url: str, limit: int) -> tuple[list, list[int]]:
    api.get(url)  # the token's first use of the day is written once; pages are counted after it
    seen, after, costs = [], "", []
    while True:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"{url}&limit={limit}&after={after}")
        costs.append(len(queries.captured_queries))
        seen += response.json_body
        if "X-Next-Cursor" not in response:
            return seen, costs
        after = response["X-Next-Cursor"]
        assert f"after={after}" in response["Link"] and response["Link"].endswith('rel="next"')


@pytest.mark.django_db
def test_18_vouchers_page_by_cursor_in_book_order_with_drafts_tied(api_as, maker, reviewer):
    # given 7 posted vouchers (记-1 … 记-7), 4 drafts (no number: tied) and 2 收 vouchers in March
    for n in range(7):
        services.book(rule="sales.revenue", date=DAY, amounts={"net": "100", "tax": "13", "total": "113"},
                      source_type="t", source_id=str(n), memo="", actor=Actor.system("t"))
    drafts = [services.create_voucher(date=DAY, lines=_capital(f"{n + 1}00"), actor=maker) for n in range(4)]
    for _ in range(2):
        v = services.create_voucher(date=DAY, lines=_capital("50"), actor=maker, word="收")
        services.review_voucher(voucher=v, actor=reviewer)
        services.post_voucher(voucher=v, actor=reviewer)
    api = api_as("accountant")
    # when the list is walked 3 at a time by cursor
    seen, costs = _walk(api, "/api/v1/ledger/vouchers?period=2026-03", 3)
    # then each voucher comes once, in book order: 收-1, 收-2, then of 记 the drafts (no number yet) by id, then
    # 记-1 … 记-7
    assert [v["display"] for v in seen[:2]] == ["收-0001", "收-0002"]
    assert [v["id"] for v in seen[2:6]] == [d.pk for d in drafts] and {v["status"] for v in seen[2:6]} == {"draft"}
    assert [v["display"] for v in seen[6:]] == [f"记-{n:04d}" for n in range(1, 8)]
    everything = api.get("/api/v1/ledger/vouchers?period=2026-03")
    assert everything["X-Total-Count"] == "13" and "X-Next-Cursor" not in everything and everything.json_body == seen
    # and a page costs the same however deep (5 pages: the first, three middle ones and the last)
    assert len(costs) == 5 and len(set(costs)) == 1
    # and offset paging still works (the old way), also counted from a cursor
    assert api.get("/api/v1/ledger/vouchers?period=2026-03&limit=2&offset=4").json_body == seen[4:6]
    # (a page of 3 from the cursor after the first page, skipping 1: rows 5 and 6)
    first = api.get("/api/v1/ledger/vouchers?period=2026-03&limit=3")
    assert api.get(f"/api/v1/ledger/vouchers?period=2026-03&limit=2&offset=1&after={first['X-Next-Cursor']}"
                   ).json_body == seen[4:6]
    # and a status filter pages the same way
    posted, _ = _walk(api, "/api/v1/ledger/vouchers?period=2026-03&status=posted", 4)
    assert [v["display"] for v in posted] == [v["display"] for v in seen[:2] + seen[6:]]


@pytest.mark.django_db
@pytest.mark.parametrize("cursor", BAD_CURSORS)
def test_18_a_cursor_the_voucher_list_did_not_give_is_a_422_naming_after(api_as, cursor):
    refused = api_as("accountant").get(f"/api/v1/ledger/vouchers?period=2026-03&after={cursor}")
    assert (refused.status_code, refused.json_body["field"], refused.json_body["code"]) == (422, "after", "invalid_cursor")


def walk_pages(client, url: str) -> tuple[list, list[int]]:
    """Follow a list page's "Next" links to the end: the rows of every page and the statements each page cost."""
    client.get(url)
    rows, costs, link = [], [], url
    while link:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(link)
        assert response.status_code == 200
        costs.append(len(queries.captured_queries))
        page = response.context["page"]
        rows += list(page.object_list)
        found = re.search(r'rel="next" href="([^"]+)"', response.content.decode())
        link = (url.split("?")[0] + html.unescape(found.group(1))) if found else None
    return rows, costs


@pytest.mark.django_db
def test_18_the_vouchers_page_leads_on_by_cursor_and_a_deep_page_costs_what_page_two_costs(
        client, make_user, maker, reviewer, monkeypatch):
    from sihe.web.ledger import views

    monkeypatch.setattr(views, "VOUCHERS_PER_PAGE", 3)
    for n in range(8):
        services.book(rule="sales.revenue", date=DAY, amounts={"net": "100", "tax": "13", "total": "113"},
                      source_type="t", source_id=str(n), memo="", actor=Actor.system("t"))
    drafts = [services.create_voucher(date=DAY, lines=_capital("100"), actor=maker) for _ in range(3)]
    client.force_login(make_user("accountant", username="ledger_web"))
    # when the page's Next links are followed
    rows, costs = walk_pages(client, "/ledger/?period=2026-03")
    # then every voucher comes once in book order (the 3 drafts tied without a number, by id), with its total
    assert [v.pk for v in rows[:3]] == [d.pk for d in drafts]
    assert [v.display_number for v in rows[3:]] == [f"记-{n:04d}" for n in range(1, 9)]
    assert [v.total for v in rows[3:]] == [Decimal("113.00")] * 8
    # and pages 2, 3 and 4 (by cursor) cost the same statements
    assert len(costs) == 4 and len(set(costs[1:])) == 1, costs
    # and the old links still work, "Previous" from a cursor page goes back, a bad cursor shows the first page
    second = client.get("/ledger/?period=2026-03&page=2")
    assert [v.pk for v in second.context["page"].object_list] == [v.pk for v in rows[3:6]]
    after = client.get(f"/ledger/?period=2026-03&after={second.context['page'].next_cursor}&n=3")
    back = re.search(r'rel="prev" href="([^"]+)"', after.content.decode()).group(1)
    assert [v.pk for v in client.get("/ledger/" + html.unescape(back)).context["page"].object_list] == [
        v.pk for v in rows[3:6]]
    stale = client.get("/ledger/?period=2026-03&after=not-a-cursor")
    assert stale.status_code == 200 and [v.pk for v in stale.context["page"].object_list] == [v.pk for v in rows[:3]]

"""The one pagination of list endpoints: `limit` (≤ 1000) and `offset`, answering `{items, count}`; lists that
grow without bound (orders, vouchers, stock moves, stock levels) page by cursor too (`after` → `next`).

Two lists answered a bare array before they were paged (`GET /ledger/vouchers`, `GET /stock/moves`); they still do,
and carry the paging in headers (`X-Total-Count`, `X-Next-Cursor`, `Link: <…>; rel="next"`, as GitHub's API does)
so that a program written against the array keeps working (`headed_page`).

Both are bounded so that a huge number is a 422 naming the parameter, not a database overflow (500).
"""

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

from sihe.core.keyset import Keyset

MAX_INT = 2**31 - 1


class Page(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000, description="page size, at most 1000")
        offset: int = Field(0, ge=0, le=MAX_INT)


class Mapped:
    """A queryset whose rows are shown through `show(row)`: the paginator counts the queryset and slices
    it in the database, and only the page's rows are turned into answers. With a `keyset` (the queryset's own
    order, `sihe.core.keyset.Keyset`) the list pages by cursor too (`KeysetPage`)."""

    def __init__(self, queryset, show, keyset: Keyset | None = None):
        self.queryset, self.show, self.keyset = queryset, show, keyset

    def all(self):
        return self.queryset.all()

    def __len__(self):
        return self.queryset.count()

    def __getitem__(self, window: slice):
        return [self.show(row) for row in self.queryset[window]]


AFTER = Field("", max_length=200, description="the `next` cursor of the previous page (keyset paging); a cursor this "
                                              "list did not give is a 422 `invalid_cursor` naming `after`")
NEXT = Field(None, description="cursor of the page after this one (pass it as `after`); none on the last page")


class KeysetPage(LimitOffsetPagination):
    """`limit`/`offset` as `Page`, plus `after`: the `next` cursor of the previous page. With `after` the page
    starts right after that row by an index range on the list's keyset (orders: newest first on
    (received_at, id)), so page 10,000 costs what page 1 costs; `offset` then counts from the cursor.
    Answers `{items, count, next}`. The view returns a `Mapped` with its keyset."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000, description="page size, at most 1000")
        offset: int = Field(0, ge=0, le=MAX_INT, description="rows to skip (from the cursor when `after` is given)")
        after: str = AFTER

    class Output(Schema):
        items: list
        count: int
        next: str | None = NEXT

    items_attribute = "items"

    def paginate_queryset(self, queryset: Mapped, pagination: Input, **params):
        count = len(queryset)
        rows, nxt = queryset.keyset.page(queryset.queryset, after=pagination.after, offset=pagination.offset,
                                         limit=pagination.limit)
        return {"items": [queryset.show(row) for row in rows], "count": count, "next": nxt}


class HeadedPage(Schema):
    """The paging of a list that answers a bare array (`headed_page`)."""

    limit: int = Field(1000, ge=1, le=1000, description="rows per page, at most 1000; when more rows follow, the "
                                                        "`X-Next-Cursor` header holds the cursor of the next page")
    offset: int = Field(0, ge=0, le=MAX_INT, description="rows to skip (from the cursor when `after` is given)")
    after: str = Field("", max_length=200, description="the `X-Next-Cursor` of the previous page (keyset paging); a "
                                                      "cursor this list did not give is a 422 `invalid_cursor`")


# the response headers of a `headed_page` list, for the OpenAPI schema (`openapi_extra=PAGE_HEADERS`)
PAGE_HEADERS = {"responses": {200: {"headers": {
    "X-Total-Count": {"description": "rows the list holds with these filters", "schema": {"type": "integer"}},
    "X-Next-Cursor": {"description": "cursor of the next page, to pass as `after`; absent on the last page",
                      "schema": {"type": "string"}},
    "Link": {"description": "the next page's address, `<…>; rel=\"next\"`; absent on the last page",
             "schema": {"type": "string"}},
}}}}


def headed_page(request, response, listing: Mapped, *, limit: int, offset: int, after: str) -> list:
    """One page of `listing` as a bare array; the total in `X-Total-Count` and, when more rows follow, the next
    page's cursor in `X-Next-Cursor` and its address in `Link` (rel="next")."""
    rows, nxt = listing.keyset.page(listing.queryset, after=after, offset=offset, limit=limit)
    response["X-Total-Count"] = str(len(listing))
    if nxt:
        query = request.GET.copy()
        query["after"] = nxt
        query.pop("offset", None)
        response["X-Next-Cursor"] = nxt
        response["Link"] = f'<{request.path}?{query.urlencode()}>; rel="next"'
    return [listing.show(row) for row in rows]

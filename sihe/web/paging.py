"""Pages of long lists (orders, vouchers, stock moves) that page by cursor: "Next" and "Previous" carry the cursor of
the page's last (first) row (`?after=` / `?before=`), so a deep page reads an index range instead of skipping
every row before it (OFFSET). `?page=N` still works as before (it is how old links and bookmarks read), and its
links lead on by cursor. The page number shown travels along in `n` (it is display only).

`CursorPage` answers what `web/_pager.html` and the list templates read of Django's `Page`: `object_list`,
`number`, `paginator.count`, `paginator.num_pages`, `has_next`, `has_previous`, plus the links' query strings.
A cursor this list did not give answers the first page (a page is a view: no error page for a stale link).
"""

from urllib.parse import urlencode

from django.core.paginator import Paginator

from sihe.core.keyset import BadCursor, Keyset

CURSOR_PARAMS = ("page", "after", "before", "n")


class _Count:
    def __init__(self, queryset, per_page: int):
        self.queryset, self.per_page = queryset, per_page

    @property
    def count(self) -> int:
        if not hasattr(self, "_count"):
            self._count = self.queryset.count()
        return self._count

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))


class CursorPage:
    def __init__(self, rows, number: int, paginator, *, next_cursor=None, previous_cursor=None, previous_page=None):
        self.object_list, self.number, self.paginator = rows, number, paginator
        self.next_cursor, self.previous_cursor, self.previous_page = next_cursor, previous_cursor, previous_page

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self) -> bool:
        return self.next_cursor is not None

    def has_previous(self) -> bool:
        return self.previous_cursor is not None or self.previous_page is not None

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return max(1, self.number - 1)

    @property
    def next_query(self) -> str:
        return urlencode({"after": self.next_cursor, "n": self.number + 1})

    @property
    def previous_query(self) -> str:
        if self.previous_cursor is None:
            return urlencode({"page": self.previous_page})
        return urlencode({"before": self.previous_cursor, "n": self.number - 1})


def _number(request) -> int:
    try:
        return max(1, min(int(request.GET.get("n") or 1), 10**9))
    except ValueError:
        return 1


def cursor_page(request, queryset, keyset: Keyset, per_page: int) -> CursorPage:
    """One page of `queryset` (ordered by `keyset`): by cursor when the link carries one, else by `?page=N`."""
    counter = _Count(queryset, per_page)
    after, before = request.GET.get("after") or "", request.GET.get("before") or ""
    try:
        if after:
            rows, nxt = keyset.page(queryset, after=after, limit=per_page)
            return CursorPage(rows, max(2, _number(request)), counter, next_cursor=nxt,
                              previous_cursor=keyset.cursor(rows[0]) if rows else None)
        if before:
            rows, prev = keyset.page_before(queryset, before=before, limit=per_page)
            number = _number(request) if prev else 1
            return CursorPage(rows, number, counter, next_cursor=keyset.cursor(rows[-1]) if rows else None,
                              previous_cursor=prev)
    except BadCursor:
        pass
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    more = page.has_next()
    return CursorPage(rows, page.number, page.paginator, next_cursor=keyset.cursor(rows[-1]) if more and rows else None,
                      previous_page=page.number - 1 if page.has_previous() else None)


def querystring(request, **extra) -> str:
    """The list's filters for its pager links (without the paging parameters)."""
    return urlencode([(k, v) for k, v in request.GET.items() if k not in CURSOR_PARAMS and v] + list(extra.items()))

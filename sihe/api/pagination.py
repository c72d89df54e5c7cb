"""The one pagination of list endpoints: `limit` (≤ 1000) and `offset`, answering `{items, count}`.

Both are bounded so that a huge number is a 422 naming the parameter, not a database overflow (500).
"""

import base64
import datetime

from django.db.models import Q
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

from sihe.core.errors import ValidationFailed

MAX_INT = 2**31 - 1


class Page(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000, description="page size, at most 1000")
        offset: int = Field(0, ge=0, le=MAX_INT)


class Mapped:
    """A queryset whose rows are shown through `show(row)`: the paginator counts the queryset and slices
    it in the database, and only the page's rows are turned into answers."""

    def __init__(self, queryset, show):
        self.queryset, self.show = queryset, show

    def all(self):
        return self.queryset.all()

    def __len__(self):
        return self.queryset.count()

    def __getitem__(self, window: slice):
        return [self.show(row) for row in self.queryset[window]]


class KeysetPage(LimitOffsetPagination):
    """`limit`/`offset` as `Page`, plus `after`: the `next` cursor of the previous page. With `after` the page
    starts right after that row by an index range (newest first on (received_at, id)), so page 10,000 costs
    what page 1 costs; `offset` then counts from the cursor. Answers `{items, count, next}`."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000, description="page size, at most 1000")
        offset: int = Field(0, ge=0, le=MAX_INT, description="rows to skip (from the cursor when `after` is given)")
        after: str = Field("", max_length=200, description="the `next` cursor of the previous page (keyset paging)")

    class Output(Schema):
        items: list
        count: int
        next: str | None = Field(None, description="cursor of the page after this one; none on the last page")

    items_attribute = "items"

    def paginate_queryset(self, queryset, pagination: Input, **params):
        limit, offset = pagination.limit, pagination.offset
        count = len(queryset)
        if pagination.after:
            at, pk = _decode(pagination.after)
            queryset = Mapped(queryset.queryset.filter(Q(received_at__lt=at) | Q(received_at=at, id__lt=pk)),
                              queryset.show)
        rows = queryset[offset:offset + limit + 1]
        more = len(rows) > limit
        rows = rows[:limit]
        nxt = _encode(rows[-1]["received_at"], rows[-1]["id"]) if more and rows else None
        return {"items": rows, "count": count, "next": nxt}


def _encode(received_at: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{received_at}|{pk}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime.datetime, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, pk = text.rsplit("|", 1)
        return datetime.datetime.fromisoformat(at), int(pk)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed("after: not a cursor this list gave", field="after", code="invalid_cursor") from exc

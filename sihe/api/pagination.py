"""The one pagination of list endpoints: `limit` (≤ 1000) and `offset`, answering `{items, count}`.

Both are bounded so that a huge number is a 422 naming the parameter, not a database overflow (500).
"""

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

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

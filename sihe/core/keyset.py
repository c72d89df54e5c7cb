"""Keyset paging: a list ordered by a few columns that end with a unique one (`id`) is read page after page by
"the rows after this one" instead of "skip N rows", so page 10,000 costs what page 1 costs (an index range, not
a scan of everything before it).

A `Keyset` names the order — all columns ascending or all descending, the last one unique — and turns the last
row of a page into an opaque cursor (`next`) and a cursor back into a filter `(a, b, id) > (x, y, z)` (a row-value
comparison that PostgreSQL and SQLite answer from a composite index on the same columns). A cursor that this list
did not give is refused as a `BadCursor`: 422, field `after`, code `invalid_cursor` — never a 500.

    MOVES = Keyset("date", "id", desc=True)
    page = MOVES.page(selectors.moves(...), after=cursor, offset=0, limit=100)   # rows, next cursor
"""

import base64
import datetime
import json
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection
from django.db.models import F, Q
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

from sihe.core.errors import ValidationFailed

MAX_CURSOR = 200


class BadCursor(ValidationFailed):
    code = "invalid_cursor"


def _refuse() -> BadCursor:
    return BadCursor("after: not a cursor this list gave (pass the `next` of the previous page)", field="after")


class Keyset:
    def __init__(self, *fields: str, desc: bool = False, types: dict | None = None):
        assert fields and fields[-1].endswith("id"), "the last column of a keyset is unique"
        self.fields, self.desc = fields, desc
        self.types = types or {}  # the type of an annotated column (not a model field), e.g. {"number_key": int}

    def order(self) -> list:
        """The `order_by` of the list (the keyset's own order)."""
        return [f"-{f}" if self.desc else f for f in self.fields]

    # -- cursors --------------------------------------------------------------------------------------

    def cursor(self, row) -> str:
        """The cursor after `row` (a model instance, or a dict of `values()` keyed by the keyset's columns)."""
        values = [_plain(_value(row, name)) for name in self.fields]
        return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")

    def decode(self, cursor: str, model) -> list:
        if len(cursor) > MAX_CURSOR:
            raise _refuse()
        try:
            values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
        except (ValueError, UnicodeDecodeError) as exc:
            raise _refuse() from exc
        if not isinstance(values, list) or len(values) != len(self.fields):
            raise _refuse()
        out = []
        for name, value in zip(self.fields, values, strict=True):
            if value is None or isinstance(value, dict | list | bool):
                raise _refuse()
            if isinstance(value, str) and "\x00" in value:
                raise _refuse()
            field = _field(model, name)
            try:
                if name in self.types:
                    parsed = self.types[name](value)
                elif field is not None:
                    parsed = field.to_python(value)
                else:
                    raise _refuse()
            except (ValidationError, TypeError, ValueError, OverflowError) as exc:
                raise _refuse() from exc
            if isinstance(parsed, int) and not -(2**63) <= parsed < 2**63:
                raise _refuse()
            if isinstance(parsed, datetime.datetime) and parsed.tzinfo is None:
                raise _refuse()
            out.append(parsed)
        return out

    # -- queries --------------------------------------------------------------------------------------

    def after(self, queryset, cursor: str, *, size: int | None = None):
        """The rows of `queryset` that come after the cursor's row in the keyset order (`size`: how many of them
        the caller reads at most — SQLite needs it, see `_seek`)."""
        return self._seek(queryset, self.decode(cursor, queryset.model), forward=True, size=size)

    def before(self, queryset, cursor: str, *, size: int | None = None):
        """The rows of `queryset` that come before the cursor's row, nearest first (the keyset order reversed)."""
        return self._seek(queryset, self.decode(cursor, queryset.model), forward=False, size=size).reverse()

    def _seek(self, queryset, values: list, *, forward: bool, size: int | None):
        """PostgreSQL: one row-value comparison `(a, b, id) > (x, y, z)`, an index range on the same columns.
        SQLite range-scans a row value only on plain columns in index order (not an expression such as the
        vouchers' COALESCE(number, 0), nor after an equality on a column outside the row): there the rows after
        the cursor are the union of the segments `a = x AND b = y AND id > z`, `a = x AND b > y`, `a > x`, each
        a scalar index range read `size` rows deep — a page costs len(keyset) short ranges, never the rows
        before it."""
        greater = forward != self.desc
        if size is None or connection.vendor != "sqlite":
            lookup = TupleGreaterThan if greater else TupleLessThan
            bound = {f"{self.fields[0]}__{'gte' if greater else 'lte'}": values[0]}
            return queryset.filter(lookup(Tuple(*(F(f) for f in self.fields)), tuple(values)), **bound)
        ordered = queryset if forward else queryset.reverse()
        segments = Q()
        for k in range(len(self.fields)):
            equal = dict(zip(self.fields[:k], values[:k], strict=True))
            beyond = {f"{self.fields[k]}__{'gt' if greater else 'lt'}": values[k]}
            segments |= Q(pk__in=ordered.filter(**equal, **beyond).values("pk")[:size])
        return queryset.filter(segments)

    def page_before(self, queryset, *, before: str, limit: int = 100) -> tuple[list, str | None]:
        """The page that ends right before the cursor's row, in the keyset order, and the cursor that reads the
        page before it (None on the first page)."""
        rows = _rows(queryset, self.before(queryset, before, size=limit + 1), 0, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit][::-1]
        return rows, (self.cursor(rows[0]) if more and rows else None)

    def page(self, queryset, *, after: str = "", offset: int = 0, limit: int = 100) -> tuple[list, str | None]:
        """One page of rows (from the cursor when given, then `offset`) and the cursor of the next page (None on
        the last). Two queries whatever the depth: the page's ids (limit + 1 of them, to know whether there is
        more) from the list's own table and index, then those rows with what they show (`select_related`)."""
        window = self.after(queryset, after, size=offset + limit + 1) if after else queryset
        rows = _rows(queryset, window, offset, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        return rows, (self.cursor(rows[-1]) if more and rows else None)


def _rows(queryset, window, offset: int, count: int) -> list:
    """The rows of `window` (the list, maybe from a cursor) at offset … offset+count, in its order: the ids first
    (no joins but those the filters and the order need: a planner then walks the list's index, not a join), then
    the rows of those ids."""
    ids = list(window.values_list("pk", flat=True)[offset:offset + count])
    found = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)} if ids else {}
    return [found[pk] for pk in ids]


def _value(row, name: str):
    if isinstance(row, dict):
        return row[name]
    for part in name.split("__"):
        row = getattr(row, part)
    return row


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _field(model, name: str):
    """The model field behind `a__b__c` (to parse a cursor's value), or None for an annotation."""
    try:
        for part in name.split("__")[:-1]:
            model = model._meta.get_field(part).related_model
        field = model._meta.get_field(name.split("__")[-1])
    except (FieldDoesNotExist, AttributeError):
        return None
    return field.target_field if field.is_relation else field

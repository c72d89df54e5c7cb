"""The one numbering service: gapless numbers per series (and period) for every document.

    number = numbering.next_number("production.order", period="202612")   # 1, 2, 3 … per month
    order.number = f"MO{202612}-{number:05d}"

The counter row moves by one guarded `UPDATE … RETURNING` inside the caller's transaction: a refused
act rolls its number back with it (no gap), and two acts at once queue on the row (no duplicate). The
first number of a new series/period creates the row (a concurrent creator is caught by the unique
constraint and takes the next number instead).
"""

from django.db import IntegrityError, transaction

from sihe.core import sqlrows
from sihe.core.models import NumberSeries

_TABLE = NumberSeries._meta.db_table
_SQL = f'UPDATE "{_TABLE}" SET "last" = "last" + 1 WHERE "series" = %s AND "period" = %s RETURNING "last"'

_SQL_MANY = f'UPDATE "{_TABLE}" SET "last" = "last" + %s WHERE "series" = %s AND "period" = %s RETURNING "last"'


def next_number(series: str, *, period: str = "") -> int:
    connection = transaction.get_connection()
    assert connection.in_atomic_block, "numbers are given inside the act's transaction"
    with connection.cursor() as cursor:
        cursor.execute(_SQL, [series, period])
        row = cursor.fetchone()
        if row is not None:
            return int(row[0])
    try:
        with transaction.atomic():
            NumberSeries.objects.create(series=series, period=period, last=1)
        return 1
    except IntegrityError:  # created meanwhile by a concurrent act
        with connection.cursor() as cursor:
            cursor.execute(_SQL, [series, period])
            return int(cursor.fetchone()[0])


def next_numbers(series: str, *, period: str = "", count: int = 1) -> int:
    """Take `count` numbers at once (one counter update); returns the last, so they are last-count+1 … last."""
    connection = transaction.get_connection()
    assert connection.in_atomic_block, "numbers are given inside the act's transaction"
    if count == 1:
        return next_number(series, period=period)
    with connection.cursor() as cursor:
        cursor.execute(_SQL_MANY, [count, series, period])
        row = cursor.fetchone()
        if row is not None:
            return int(row[0])
    next_number(series, period=period)  # creates the row (or finds the one a concurrent act made)
    with connection.cursor() as cursor:
        cursor.execute(_SQL_MANY, [count - 1, series, period])
        return int(cursor.fetchone()[0])


_SQL_TAKE = (f'INSERT INTO "{_TABLE}" ("series", "period", "last") VALUES (%s, %s, %s) ON CONFLICT ("series", "period") '
             f'DO UPDATE SET "last" = "{_TABLE}"."last" + excluded."last" RETURNING "last"')


def number_rows(series: str, *, period: str, model, field: str, ids: list[int], same: dict,
                inserting: list = ()) -> dict[int, int] | None:
    """On PostgreSQL: the next len(ids) numbers of the series written into `field` of rows `ids` (in that order,
    the first the lowest), `same` set on each, by one statement that moves the counter (made if the series has
    none yet) and updates the rows (a data-modifying WITH): {id: number}. `inserting`: new instances of one
    model (the lines of the vouchers numbered) inserted by the same statement, each given its id. None, with
    nothing changed, on SQLite, or when `inserting` cannot go in with them: the caller inserts, takes
    `next_numbers` and writes them itself."""
    connection = transaction.get_connection()
    assert connection.in_atomic_block, "numbers are given inside the act's transaction"
    if connection.vendor != "postgresql" or not ids:
        return None
    insert = sqlrows.insert_statement(list(inserting)) if inserting else ("", [])
    if insert is None:
        return None
    meta = model._meta
    table, column, key = meta.db_table, meta.get_field(field).column, meta.pk.column
    sets, params = [f'"{column}" = n."last" - x.back'], [series, period, len(ids), *insert[1]]
    for name, value in same.items():
        other = meta.get_field(name)
        sets.append(f'"{other.column}" = %s')
        params.append(other.get_db_prep_save(value, connection))
    rows = " UNION ALL ".join(["SELECT CAST(%s AS BIGINT) AS id, CAST(%s AS BIGINT) AS back"] * len(ids))
    params += [value for i, pk in enumerate(ids) for value in (pk, len(ids) - 1 - i)]
    inserted = (f', w AS ({insert[0]})', f' UNION ALL SELECT 1, "{type(inserting[0])._meta.pk.column}", NULL FROM w'
                ) if inserting else ("", "")
    with connection.cursor() as cursor:
        cursor.execute(f'WITH n AS ({_SQL_TAKE}){inserted[0]}, v AS (UPDATE "{table}" SET {", ".join(sets)} FROM n, '
                       f'({rows}) AS x WHERE "{table}"."{key}" = x.id RETURNING "{table}"."{key}", "{table}"."{column}") '
                       f'SELECT 0, "{key}", "{column}" FROM v{inserted[1]}', params)
        got, ids_back = {}, []
        for part, pk, number in cursor.fetchall():
            if part == 0:
                got[pk] = number
            else:
                ids_back.append(pk)
    if len(got) != len(ids):  # the counter moved for rows that are not there: a gap, so the act must not commit
        raise RuntimeError(f"{series} {period}: numbered {len(got)} of {len(ids)} rows")
    if inserting:
        sqlrows.given_ids(list(inserting), ids_back)
    return got


def peek(series: str, *, period: str = "") -> int:
    """The last number given (0 when none yet): for reports and checks, never for numbering."""
    return NumberSeries.objects.filter(series=series, period=period).values_list("last", flat=True).first() or 0


def seed(series: str, *, period: str = "", last: int) -> None:
    """Start a series after numbers given elsewhere before (a data migration moving a counter here)."""
    NumberSeries.objects.update_or_create(series=series, period=period, defaults={"last": last})

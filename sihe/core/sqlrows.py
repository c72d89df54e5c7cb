"""Hot reads written out as SQL once and turned back into model instances the way the ORM would: every
value through the ORM's own converters, the related rows attached as `select_related` attaches them.

For the few statements that every scan or API call runs (issue 18): there, Django's building of the
query costs more than the database's running of it. Everything else uses the ORM.

    sql = f'SELECT {columns(Product, "p")}, {columns(Uom, "u")} FROM … p JOIN … u ON … WHERE …'
    product = first(sql, params, Product, related={"uom": Uom})
"""

from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model


@cache
def _fields(model: type[Model]) -> tuple:
    return tuple(model._meta.concrete_fields)


@cache
def width(model: type[Model]) -> int:
    """How many values `columns(model, …)` reads."""
    return len(_fields(model))


def columns(model: type[Model], alias: str) -> str:
    """The model's columns in the order `first` reads them back."""
    return ", ".join(f'{alias}."{field.column}"' for field in _fields(model))


def _steps(model: type[Model], field) -> tuple:
    """(column, the ORM's converters of the field's values on this connection)."""
    column = field.get_col(model._meta.db_table)
    return column, connection.ops.get_db_converters(column) + field.get_db_converters(connection)


def _converters(model: type[Model]) -> list:
    found = []
    for i, field in enumerate(_fields(model)):
        column, steps = _steps(model, field)
        if steps:
            found.append((i, column, steps))
    return found


_CONVERTERS: dict[tuple[str, type[Model]], list] = {}


def _instance(model: type[Model], values: list) -> Model:
    key = (connection.vendor, model)
    if key not in _CONVERTERS:
        _CONVERTERS[key] = _converters(model)
    for i, column, steps in _CONVERTERS[key]:
        for step in steps:
            values[i] = step(values[i], column, connection)
    return model.from_db(connection.alias, [field.attname for field in _fields(model)], values)


def instance(model: type[Model], row) -> Model:
    """A `model` instance from the values of its `columns`, as the ORM would build it from the row."""
    return _instance(model, list(row))


_FIELD_CONVERTERS: dict[tuple[str, type[Model], str], tuple] = {}


def value(model: type[Model], name: str, raw):
    """One column's raw value as the ORM gives the field `name` back (its converters: a Decimal on SQLite);
    for reading a long list as plain values, where building an instance a row costs more than the rest."""
    key = (connection.vendor, model, name)
    if key not in _FIELD_CONVERTERS:
        _FIELD_CONVERTERS[key] = _steps(model, model._meta.get_field(name))
    column, steps = _FIELD_CONVERTERS[key]
    for step in steps:
        raw = step(raw, column, connection)
    return raw


def first(sql: str, params, model: type[Model], *, related: dict[str, type[Model]] | None = None,
          alongside: dict[str, type[Model]] | None = None, extra: tuple[str, ...] = ()) -> Model | None:
    """The first row of `sql` as a `model` instance, or None. The row holds the model's `columns`, then
    those of each `related` model (by field name, or a path through one named before it as "quant__lot"; a
    NULL key gives None), then those of each `alongside`
    model (a row read in the same statement that is no field of `model`, set on the instance under its name;
    None when its id is NULL), then one value per `extra` name, set on the instance as it is (an annotation)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else _built(row, model, related, alongside, extra)


def build(row, model: type[Model], *, related: dict[str, type[Model]] | None = None,
          alongside: dict[str, type[Model]] | None = None, extra: tuple[str, ...] = ()) -> Model:
    """A `model` instance from a row already read, laid out as `first` reads one."""
    return _built(row, model, related, alongside, extra)


def every(sql: str, params, model: type[Model], *, related: dict[str, type[Model]] | None = None,
          alongside: dict[str, type[Model]] | None = None, extra: tuple[str, ...] = ()) -> list[Model]:
    """Every row of `sql` as `first` builds one."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [_built(row, model, related, alongside, extra) for row in rows]


def prefetched(instance: Model, name: str, rows: list[Model]) -> None:
    """Hold `rows` as `instance.<name>.all()` (a reverse foreign key), as `prefetch_related` holds what it read:
    later `.all()` calls answer from memory, and each row knows `instance` without reading it."""
    manager = getattr(instance, name)
    for row in rows:
        manager.field.set_cached_value(row, instance)
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    queryset = manager.get_queryset()
    queryset._result_cache, queryset._prefetch_done = rows, True
    instance._prefetched_objects_cache[manager.field.remote_field.cache_name] = queryset


def _built(row, model, related, alongside, extra) -> Model:
    width = len(_fields(model))
    instance = _instance(model, list(row[:width]))
    for path, other in (related or {}).items():
        part = list(row[width:width + len(_fields(other))])
        width += len(part)
        *through, name = path.split("__")  # "quant__lot": the lot of the quant attached before it
        owner = instance
        for step in through:
            owner = getattr(owner, step) if owner is not None else None
        if owner is None:
            continue
        field = type(owner)._meta.get_field(name)
        field.set_cached_value(owner, _instance(other, part) if getattr(owner, field.attname) is not None else None)
    for name, other in (alongside or {}).items():
        part = list(row[width:width + len(_fields(other))])
        width += len(part)
        setattr(instance, name, _instance(other, part) if part[0] is not None else None)
    for name, value in zip(extra, row[width:], strict=True):
        setattr(instance, name, value)
    return instance


def _cast_type(field) -> str:
    if field.get_internal_type() == "DecimalField":
        return "NUMERIC"
    if field.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
                                     "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField",
                                     "PositiveBigIntegerField"):
        return "BIGINT"
    # SQLite's CAST of a text to a type it does not know reads a number prefix ('2026-11-26' → 2026)
    raise TypeError(f"update_each takes numeric columns only, not {field.name} ({field.get_internal_type()})")


def update_each(model: type[Model], field: str, values: dict, *, add: bool = False, same: dict | None = None,
                copy: dict[str, str] | None = None) -> int:
    """One UPDATE for many rows, each its own value: `field` = value (`add`: `field` + value) for each row
    id → value; `same` sets one value on every row; `copy` sets a column to another column of its row
    (`{"shipped_qty": "qty"}`). The rows go in as a derived table (`UPDATE … FROM (SELECT … UNION ALL …)`,
    which PostgreSQL and SQLite ≥ 3.33 both read), not as `CASE WHEN id = … THEN …`, whose building by the
    ORM costs twenty times the statement's running (1.0 ms against 0.05 ms for three rows on SQLite).
    Returns the number of rows updated."""
    if not values:
        return 0
    sql, params = update_each_statement(model, field, values, add=add, same=same, copy=copy)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def update_each_statement(model: type[Model], field: str, values: dict, *, add: bool = False,
                          same: dict | None = None, copy: dict[str, str] | None = None) -> tuple[str, list]:
    """(sql, params) of `update_each`'s UPDATE (`values` not empty), to send with others (`write_together`)."""
    meta = model._meta
    table, target = meta.db_table, meta.get_field(field)
    key = meta.pk
    one = f"SELECT CAST(%s AS {_cast_type(key)}) AS id, CAST(%s AS {_cast_type(target)}) AS v"
    params = []
    for pk, value in values.items():
        params += [key.get_db_prep_save(pk, connection), target.get_db_prep_save(value, connection)]
    column = f'"{target.column}"'
    sets = [f'{column} = "{table}".{column} + x.v' if add else f"{column} = x.v"]
    head = []
    for name, value in (same or {}).items():
        other = meta.get_field(name)
        sets.append(f'"{other.column}" = %s')
        head.append(other.get_db_prep_save(value, connection))
    for name, source in (copy or {}).items():
        sets.append(f'"{meta.get_field(name).column}" = "{table}"."{meta.get_field(source).column}"')
    sql = (f'UPDATE "{table}" SET {", ".join(sets)} FROM ({" UNION ALL ".join([one] * len(values))}) AS x '
           f'WHERE "{table}"."{key.column}" = x.id')
    return sql, head + params


_PLAIN = {"CharField": str, "TextField": str, "SlugField": str, "BigIntegerField": int, "IntegerField": int,
          "PositiveIntegerField": int, "PositiveSmallIntegerField": int, "SmallIntegerField": int}


@cache
def _insert_fields(model: type[Model]) -> tuple:
    """(field, the type its value is sent as it is when it has it, or None) for the columns an INSERT names."""
    meta = model._meta
    return tuple((f, _PLAIN.get(f.get_internal_type()) if not f.is_relation else None) for f in meta.concrete_fields
                 if f is not meta.auto_field and not getattr(f, "generated", False))


@cache
def _has_relations(model: type[Model]) -> bool:
    return any(f.is_relation for f in model._meta.concrete_fields)


@cache
def _insert_into(model: type[Model]) -> str:
    """`INSERT INTO "table" ("column", …)` naming the columns `_sent` gives values for, in that order."""
    names = ", ".join(f'"{field.column}"' for field, _plain in _insert_fields(model))
    return f'INSERT INTO "{model._meta.db_table}" ({names})'


@cache
def _insert_sql(vendor: str, model: type[Model], rows: int, unless_taken: str = "") -> str:
    meta = model._meta
    one = "(" + ", ".join(["%s"] * len(_insert_fields(model))) + ")"
    conflict = f' ON CONFLICT ("{meta.get_field(unless_taken).column}") DO NOTHING' if unless_taken else ""
    return f'{_insert_into(model)} VALUES {", ".join([one] * rows)}{conflict} RETURNING "{meta.pk.column}"'


def _sent(rows: list[Model]) -> list | None:
    """The INSERT's parameters for `rows` (new instances of one model), every value through its field as
    `bulk_create` sends it; None when `bulk_create` itself must write them (no auto id to get back, an id
    given, a value that is an expression)."""
    model = type(rows[0])
    conn = connections[DEFAULT_DB_ALIAS]
    if (model._meta.auto_field is None or not conn.features.can_return_rows_from_bulk_insert
            or any(row.pk is not None for row in rows)):
        return None
    fields = _insert_fields(model)
    related = _has_relations(model)
    values = []
    for row in rows:
        if related:
            row._prepare_related_fields_for_save(operation_name="bulk_create")
        for field, plain in fields:
            value = field.pre_save(row, True)
            if plain is not None and type(value) is plain:
                values.append(value)
                continue
            if hasattr(value, "resolve_expression"):
                return None
            values.append(field.get_db_prep_save(value, conn))
    return values


def insert_statement(rows: list[Model]) -> tuple[str, list] | None:
    """(sql, params) of the `INSERT … RETURNING id` of new instances of one model as `insert_rows` sends it, to go
    inside another statement (a data-modifying WITH; give the ids back with `given_ids`, in the order the rows
    were given); None when `insert_rows` would hand them to `bulk_create` or they bind more than a statement
    may."""
    values = _sent(rows)
    if values is None or len(values) > _PG_PARAMS // 2:
        return None
    return _insert_sql(connections[DEFAULT_DB_ALIAS].vendor, type(rows[0]), len(rows)), values


def given_ids(rows: list[Model], ids) -> None:
    """The ids an INSERT gave back set on its instances (in the order they were sent), as `bulk_create` sets them."""
    for row, pk in zip(rows, ids, strict=True):
        row.pk = pk
        row._state.adding, row._state.db = False, DEFAULT_DB_ALIAS


def insert_rows(rows: list[Model]) -> None:
    """`bulk_create` of new instances of one model (the act's audit rows, events, timeline), with the statement's
    text kept per model and row count instead of built by the ORM's compiler each time (three audit rows on
    SQLite: 0.42 ms by `bulk_create`, 0.20 ms here). Every value goes through the field as `bulk_create` sends it
    (`pre_save`, `get_db_prep_save`; a text or an integer of a plain column as it is, which is what those give)
    and each instance gets its id, as there. Instances with an id, or a value that is an expression, go to
    `bulk_create` itself."""
    if not rows:
        return
    model = type(rows[0])
    values = _sent(rows)
    if values is None:
        model.objects.bulk_create(rows)
        return
    conn = connections[DEFAULT_DB_ALIAS]
    width = len(_insert_fields(model))
    limit = conn.features.max_query_params or 65535  # SQLite: 999 as Django counts; psycopg: 65,535
    size = max(1, min(len(rows), limit // max(1, width)))
    with conn.cursor() as cursor:
        for start in range(0, len(rows), size):
            part = rows[start:start + size]
            cursor.execute(_insert_sql(conn.vendor, model, len(part)),
                           values[start * width:(start + len(part)) * width])
            given_ids(part, [pk for (pk,) in cursor.fetchall()])


def insert_unless_taken(row: Model, field: str) -> bool:
    """Insert one new instance unless a row already holds its value of the unique `field` (INSERT … ON CONFLICT
    (field) DO NOTHING, PostgreSQL and SQLite alike): True with its id set, False with nothing written. One
    statement where a look and an insert take two, and no IntegrityError when another act took the value
    meanwhile (PostgreSQL waits for that act: taken if it commits, free if it rolls back)."""
    model = type(row)
    values = _sent([row])
    if values is None:  # as `insert_rows` would: the ORM writes it
        if model._default_manager.filter(**{field: getattr(row, field)}).exists():
            return False
        row.save(force_insert=True)
        return True
    conn = connections[DEFAULT_DB_ALIAS]
    with conn.cursor() as cursor:
        cursor.execute(_insert_sql(conn.vendor, model, 1, field), values)
        got = cursor.fetchall()
    if got:
        given_ids([row], [got[0][0]])
    return bool(got)


def upsert_statement(row: Model, *, conflict: str, add: tuple[str, ...] = (),
                     replace: tuple[str, ...] = ()) -> tuple[str, list]:
    """(sql, params) of the INSERT of new instance `row` or, when a row holds its value of the unique `conflict`,
    of that row's `add` columns increased by the new row's values and its `replace` columns set to them (INSERT …
    ON CONFLICT DO UPDATE, PostgreSQL and SQLite alike): a counter row kept in one statement, for running now or
    at the act's end (`batch.write_later`)."""
    values = _sent([row])
    if values is None:
        raise TypeError("upsert_statement takes a new instance with plain values")
    meta = type(row)._meta
    table = meta.db_table

    def column(name: str) -> str:
        return f'"{meta.get_field(name).column}"'

    sets = [f'{column(n)} = "{table}".{column(n)} + excluded.{column(n)}' for n in add]
    sets += [f"{column(n)} = excluded.{column(n)}" for n in replace]
    sql = (f'{_insert_into(type(row))} VALUES ({", ".join(["%s"] * len(values))}) '
           f'ON CONFLICT ({column(conflict)}) DO UPDATE SET {", ".join(sets)}')
    return sql, values


def save_statement(instance: Model, fields: list[str]) -> tuple[str, list]:
    """(sql, params) of `instance.save(update_fields=fields)`'s UPDATE (values through their fields as `save`
    sends them), to send with others (`write_together`)."""
    meta = instance._meta
    conn = connections[DEFAULT_DB_ALIAS]
    targets = [meta.get_field(name) for name in fields]
    sets = ", ".join(f'"{field.column}" = %s' for field in targets)
    params = [field.get_db_prep_save(field.pre_save(instance, False), conn) for field in targets]
    return f'UPDATE "{meta.db_table}" SET {sets} WHERE "{meta.pk.column}" = %s', [*params, instance.pk]


_PG_PARAMS = 65535


def _run_each(writes) -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        for sql, params in writes:
            cursor.execute(sql, params)


def write_together(writes: list[tuple[str, list]]) -> None:
    """Statements whose outcome is not read and that touch different tables, sent now: one statement on
    PostgreSQL (each a data-modifying WITH, all seeing the same snapshot), one after the other on SQLite."""
    insert_groups([], writes=writes)


def insert_groups(groups: list[list[Model]], *, writes: list[tuple[str, list]] = ()) -> None:
    """`insert_rows` for the rows of several models (an act's audit rows, events and timeline at its end), and
    `writes` — statements whose outcome is not read (sql, params) — sent first. On PostgreSQL in one statement:
    each write and each model's INSERT a data-modifying WITH, the INSERTs' RETURNING ids back in one UNION ALL,
    so an act's end costs one round trip, not one a table; each instance gets its id. SQLite has no INSERT
    inside WITH: there, each write, then one `insert_rows` a model; rows `insert_rows` would hand to
    `bulk_create` go that way everywhere."""
    groups = [rows for rows in groups if rows]
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor != "postgresql" or len(groups) + len(writes) < 2:
        _run_each(writes)
        for rows in groups:
            insert_rows(rows)
        return
    params = [value for _sql, write_params in writes for value in write_params]
    if len(params) > _PG_PARAMS:  # each on its own: together they would bind more than a statement may
        _run_each(writes)
        writes, params = [], []
    together = []
    for rows in groups:
        values = _sent(rows)
        if values is None or len(params) + len(values) > _PG_PARAMS:
            insert_rows(rows)
            continue
        together.append(rows)
        params += values
    parts = [f"s{i} AS ({sql})" for i, (sql, _params) in enumerate(writes)]
    parts += [f"w{i} AS ({_insert_sql(conn.vendor, type(rows[0]), len(rows))})" for i, rows in enumerate(together)]
    back = " UNION ALL ".join(f'SELECT {i} AS g, "{type(rows[0])._meta.pk.column}" FROM w{i}'
                              for i, rows in enumerate(together)) or "SELECT 0 AS g, 0"
    with conn.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} {back}", params)
        ids: dict[int, list] = {}
        for group, pk in cursor.fetchall():
            ids.setdefault(group, []).append(pk)
    for i, rows in enumerate(together):
        given_ids(rows, ids.get(i, []))

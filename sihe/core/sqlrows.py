"""Hot reads written out as SQL once and turned back into model instances the way the ORM would: every
value through the ORM's own converters, the related rows attached as `select_related` attaches them.

For the few statements that every scan or API call runs (issue 18): there, Django's building of the
query costs more than the database's running of it. Everything else uses the ORM.

    sql = f'SELECT {columns(Product, "p")}, {columns(Uom, "u")} FROM … p JOIN … u ON … WHERE …'
    product = first(sql, params, Product, related={"uom": Uom})
"""

from functools import cache

from django.db import connection
from django.db.models import Model


@cache
def _fields(model: type[Model]) -> tuple:
    return tuple(model._meta.concrete_fields)


@cache
def columns(model: type[Model], alias: str) -> str:
    """The model's columns in the order `first` reads them back."""
    return ", ".join(f'{alias}."{field.column}"' for field in _fields(model))


def _converters(model: type[Model]) -> list:
    found = []
    for i, field in enumerate(_fields(model)):
        column = field.get_col(model._meta.db_table)
        steps = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
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


def first(sql: str, params, model: type[Model], *, related: dict[str, type[Model]] | None = None,
          extra: tuple[str, ...] = ()) -> Model | None:
    """The first row of `sql` as a `model` instance, or None. The row holds the model's `columns`, then
    those of each `related` model (by field name; a NULL key gives None), then one value per `extra`
    name, set on the instance as it is (an annotation)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    width = len(_fields(model))
    instance = _instance(model, list(row[:width]))
    for name, other in (related or {}).items():
        part = list(row[width:width + len(_fields(other))])
        width += len(part)
        field = model._meta.get_field(name)
        field.set_cached_value(instance, _instance(other, part) if getattr(instance, field.attname) is not None else None)
    for name, value in zip(extra, row[width:], strict=True):
        setattr(instance, name, value)
    return instance

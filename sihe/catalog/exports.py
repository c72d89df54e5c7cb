"""Exporting master data to Excel, in the same columns the import reads (so a file round-trips),
and empty templates with the header row and a drop-down list on every choice column.

Cells are written by `excel.safe_cell`: user text never runs as a formula and characters Excel
cannot hold never stop an export."""

from sihe.catalog.excel import COLUMNS, Column, build_workbook, check_kind
from sihe.catalog.models import Location, Partner, Product

# Column field -> the query path of its value (references export their codes).
PATHS = {"uom": "uom__code", "category": "category__code", "warehouse": "warehouse__code", "zone": "zone__code"}
QUERIES = {
    "products": lambda: Product.objects.order_by("sku"),
    "partners": lambda: Partner.objects.order_by("code"),
    "locations": lambda: Location.objects.order_by("warehouse__code", "code"),
}


def export_rows(kind: str):
    """The rows of one kind as value lists in COLUMNS[kind] order, streamed from the database."""
    check_kind(kind)
    paths = [PATHS.get(c.field, c.field) for c in COLUMNS[kind]]
    return QUERIES[kind]().values_list(*paths).iterator(chunk_size=2000)


def export_workbook(*, kind: str, language: str = "zh-hans") -> bytes:
    return build_workbook(kind, export_rows(kind), language=language)


def template_workbook(*, kind: str, language: str = "zh-hans", columns: list[Column] | None = None) -> bytes:
    """The header row only, with the choices of each choice column offered as a drop-down (in Chinese
    for zh). `columns` is given for kinds defined above the catalog (stock rules, alternate units)."""
    if columns is None:
        check_kind(kind)
    return build_workbook(kind, [], language=language, columns=columns, drop_downs=True)


def file_name(kind: str, *, template: bool = False) -> str:
    return f"sihe-{kind}-template.xlsx" if template else f"sihe-{kind}.xlsx"

"""Excel sheets of master data: which columns each kind has, how headers are recognised, reading
rows from and writing rows to .xlsx files (openpyxl).

A header cell may be the field name (`sku`, `tax_rate`), the English header (`Tax rate`) or the
Chinese label (`税率`); case and surrounding spaces do not matter. Choice cells accept the stored
code (`lot_expiry`) or the Chinese word people type (`批次+效期`).
"""

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from sihe.core.errors import ValidationFailed

KINDS = ("products", "partners", "locations")


@dataclass(frozen=True)
class Column:
    field: str
    english: str
    chinese: str
    aliases: tuple = ()
    values: dict = field(default_factory=dict)  # what people type -> stored code
    text: bool = False  # written as text so that leading zeros and long digit strings survive

    def names(self) -> set[str]:
        return {norm(n) for n in (self.field, self.english, self.chinese, *self.aliases)}


def norm(text: str) -> str:
    return " ".join(str(text).replace("（", "(").replace("）", ")").split()).lower()


TRACKING_WORDS = {"无": "none", "不追踪": "none", "批次": "lot", "批次+效期": "lot_expiry", "批次效期": "lot_expiry",
                  "序列号": "serial"}
COSTING_WORDS = {"移动加权平均": "moving_average", "移动平均": "moving_average", "先进先出": "fifo"}
PARTNER_KIND_WORDS = {"客户": "customer", "供应商": "supplier"}
LOCATION_KIND_WORDS = {"货位": "bin", "收货区": "dock", "发货暂存区": "staging", "质检区": "quality"}
SIDE_WORDS = {"左": "L", "右": "R", "left": "L", "right": "R"}
ACTIVE = Column("active", "Active", "启用", ("是否启用", "有效"))

COLUMNS: dict[str, list[Column]] = {
    "products": [
        Column("sku", "SKU", "SKU", ("货号", "商品编码", "物料编码"), text=True),
        Column("name", "Name", "名称", ("商品名称", "中文名称", "name (chinese)")),
        Column("name_en", "English name", "英文名称", ("name (english)",)),
        Column("gtin", "GTIN", "条码", ("条形码", "barcode", "商品条码"), text=True),
        Column("uom", "Unit", "单位", ("计量单位", "unit of measure")),
        Column("category", "Category", "分类", ("类别", "商品分类")),
        Column("weight", "Weight (kg)", "重量(kg)", ("重量", "weight")),
        Column("volume", "Volume (m³)", "体积(m³)", ("体积", "volume", "volume (m3)", "体积(m3)")),
        Column("tracking", "Tracking", "追踪方式", ("批次管理",), values=TRACKING_WORDS),
        Column("shelf_life_days", "Shelf life (days)", "保质期(天)", ("保质期",)),
        Column("tax_rate", "Tax rate", "税率"),
        Column("tax_code", "Tax classification code", "税收分类编码", ("税收编码",), text=True),
        Column("tax_short_name", "Tax short name", "税收分类简称"),
        Column("costing_method", "Costing method", "计价方法", ("成本计价方法",), values=COSTING_WORDS),
        Column("list_price", "List price", "标价", ("价格", "售价")),
        ACTIVE,
    ],
    "partners": [
        Column("code", "Code", "编码", ("客商编码", "partner code"), text=True),
        Column("name", "Name", "名称", ("客商名称",)),
        Column("kind", "Kind", "类型", ("type", "客商类型"), values=PARTNER_KIND_WORDS),
        Column("province", "Province", "省", ("省份",)),
        Column("city", "City", "市", ("城市",)),
        Column("district", "District", "区", ("区县", "区/县")),
        Column("address", "Address", "地址", ("详细地址",)),
        Column("phone", "Phone", "电话", ("联系电话", "手机"), text=True),
        Column("tax_id", "Tax id", "税号", ("统一社会信用代码", "纳税人识别号"), text=True),
        Column("contact", "Contact", "联系人"),
        Column("min_shelf_life_days", "Minimum remaining shelf life (days)", "最短剩余保质期(天)"),
        ACTIVE,
    ],
    "locations": [
        Column("warehouse", "Warehouse", "仓库", ("仓库编码",), text=True),
        Column("code", "Code", "货位编码", ("货位", "location", "bin"), text=True),
        Column("zone", "Zone", "区域", ("库区",), text=True),
        Column("kind", "Kind", "类型", ("货位类型",), values=LOCATION_KIND_WORDS),
        Column("aisle", "Aisle", "巷道", ("通道",)),
        Column("position", "Position", "位置", ("列",)),
        Column("side", "Side", "侧", ("方向",), values=SIDE_WORDS),
        Column("level", "Level", "层"),
        Column("capacity_volume", "Capacity (m³)", "容量(m³)", ("容量", "capacity", "capacity (m3)")),
        ACTIVE,
    ],
}

# The natural key of each kind: the fields that identify a row.
KEYS = {"products": ("sku",), "partners": ("code",), "locations": ("warehouse", "code")}


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValidationFailed(
            _("unknown kind %(kind)s; choose one of %(kinds)s") % {"kind": kind, "kinds": ", ".join(KINDS)},
            field="kind",
        )
    return kind


def column_by_header(kind: str) -> dict[str, Column]:
    out = {}
    for column in COLUMNS[kind]:
        for name in column.names():
            out.setdefault(name, column)
    return out


@dataclass
class Sheet:
    """The header and the data rows of the first worksheet; rows are (excel row number, cells)."""

    headers: list  # the header cells as written
    rows: Iterator[tuple[int, tuple]]
    total_rows: int
    workbook: object

    def close(self) -> None:
        self.workbook.close()


def open_sheet(source) -> Sheet:
    """`source` is a path or a binary file object. Raises ValidationFailed (field `file`) if it is no .xlsx."""
    if hasattr(source, "seek"):
        source.seek(0)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, SyntaxError,
            IndexError, AttributeError) as exc:  # openpyxl's ways of saying "this is no workbook"
        raise ValidationFailed(
            _("not an Excel .xlsx file (%(reason)s)") % {"reason": exc.__class__.__name__}, field="file",
            code="invalid_file", errors=[],
        ) from None
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        workbook.close()
        raise ValidationFailed(_("the workbook has no worksheet"), field="file", code="invalid_file", errors=[])
    rows = sheet.iter_rows(values_only=True)
    headers = list(next(rows, None) or ())
    while headers and headers[-1] is None:
        headers.pop()
    total = sheet.max_row - 1 if sheet.max_row else _count_row_tags(sheet)
    return Sheet(headers=headers, rows=((n, cells) for n, cells in enumerate(rows, start=2)), total_rows=max(total, 0),
                 workbook=workbook)


ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>]")


def _count_row_tags(sheet) -> int:
    """Rows of a sheet written without its dimension (openpyxl's write-only mode, some exporters):
    count the <row> tags in the raw XML — a byte scan, far cheaper than parsing every cell twice."""
    try:
        source = sheet._get_source()
    except (AttributeError, KeyError):
        return sum(1 for _ in sheet.iter_rows(min_row=2, values_only=True))
    count, tail = 0, b""
    with source:
        while piece := source.read(1 << 20):
            block = tail + piece
            count += len(ROW_TAG.findall(block))
            tail = block[-16:]
            count -= len(ROW_TAG.findall(tail))
    count += len(ROW_TAG.findall(tail))
    return max(count - 1, 0)


def count_rows(source) -> int:
    """Data rows (below the header) as the file declares them; cheap, used to choose the background path."""
    sheet = open_sheet(source)
    try:
        return sheet.total_rows
    finally:
        sheet.close()


def letter(index: int) -> str:
    return get_column_letter(index + 1)


# -- writing ---------------------------------------------------------------------------------------


def header_labels(kind: str, language: str) -> list[str]:
    """Chinese labels for zh users, field names for everyone else (both are read back)."""
    if language.lower().startswith("zh"):
        return [c.chinese for c in COLUMNS[kind]]
    return [c.field for c in COLUMNS[kind]]


def _cell(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 10**15 else float(value)
    return value


def build_workbook(kind: str, rows, *, language: str) -> bytes:
    """An .xlsx of `rows` (lists of values in COLUMNS[kind] order) with a bold header row."""
    columns = COLUMNS[kind]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=kind)
    for index, column in enumerate(columns):
        sheet.column_dimensions[letter(index)].width = max(10, len(column.english) + 4)
    sheet.freeze_panes = "A2"
    header = []
    for label in header_labels(kind, language):
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    text_columns = [i for i, c in enumerate(columns) if c.text]
    for values in rows:
        out = [_cell(v) for v in values]
        for i in text_columns:
            if out[i] is not None:
                out[i] = str(out[i])
        sheet.append(out)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

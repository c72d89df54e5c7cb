"""Excel sheets of master data: which columns each kind has, how headers are recognised, reading
rows from and writing rows to .xlsx files (openpyxl).

A header cell may be the field name (`sku`, `tax_rate`), the English header (`Tax rate`) or the
Chinese label (`税率`); case and surrounding spaces do not matter. Choice cells accept the stored
code (`lot_expiry`), the English label (`lot + expiry`) or the Chinese label (`批次 + 效期`, also
`批次+效期`), in any case and spacing — people type what the drop-down of the template showed them,
or what another system exported.

The sheet's `<dimension>` is never trusted: some programs write `A1:K2` above 3,000 rows, and
openpyxl's read-only mode would stop after row 2. Written cells never run as formulas (a name like
`=HYPERLINK(...)` is text) and never carry characters Excel cannot hold.
"""

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from sihe.catalog.models import Location, Partner, Product
from sihe.core.errors import ValidationFailed

KINDS = ("products", "partners", "locations")


@dataclass(frozen=True)
class Column:
    field: str
    english: str
    chinese: str
    aliases: tuple = ()
    values: dict = field(default_factory=dict)  # more words people type -> stored code
    text: bool = False  # written as text so that leading zeros and long digit strings survive
    choices: type | None = None  # the model's TextChoices: every code and label of it is read
    flag: bool = False  # yes/no (是/否)

    def names(self) -> set[str]:
        return {norm(n) for n in (self.field, self.english, self.chinese, *self.aliases)}

    def words(self) -> dict[str, str]:
        """Every way of writing a choice (folded by `word_key`) -> its stored code. Codes win over
        labels, labels over the extra words, so no label can hide another choice's code."""
        out: dict[str, str] = {}
        options = self.choices.choices if self.choices else []
        for code, _label in options:
            out.setdefault(word_key(code), code)
        for language in ("en", "zh-hans"):
            with translation.override(language):
                for code, label in options:
                    out.setdefault(word_key(str(label)), code)
        for word, code in self.values.items():
            out.setdefault(word_key(word), code)
        return out

    def options(self, language: str) -> list[str]:
        """What a template's drop-down offers: the Chinese labels for zh, the stored codes otherwise
        (the codes are what an English export writes, so both kinds of file read back)."""
        chinese = language.lower().startswith("zh")
        if self.flag:
            return ["是", "否"] if chinese else ["true", "false"]
        if self.choices is None:
            return []
        if not chinese:
            return list(self.choices.values)
        with translation.override("zh-hans"):
            return [str(label) for _code, label in self.choices.choices]

    def described(self) -> str:
        """The choices in the reader's language, for an error message: `批次 + 效期 (lot_expiry), ...`."""
        parts = []
        for code, label in self.choices.choices if self.choices else []:
            text = str(label)
            parts.append(text if text.lower() == code.lower() else f"{text} ({code})")
        return ", ".join(parts)


def norm(text: str) -> str:
    return " ".join(str(text).replace("（", "(").replace("）", ")").split()).lower()


def word_key(text: str) -> str:
    """A choice as people type it, folded: case, spaces and full-width signs do not matter
    (`批次 + 效期` = `批次+效期`, `Lot + Expiry` = `lot+expiry`)."""
    return "".join(norm(text).replace("＋", "+").split())


TRACKING_WORDS = {"无": "none", "不追踪": "none", "批次": "lot", "批次+效期": "lot_expiry", "批次效期": "lot_expiry",
                  "序列号": "serial"}
COSTING_WORDS = {"移动加权平均": "moving_average", "移动平均": "moving_average", "先进先出": "fifo"}
PARTNER_KIND_WORDS = {"客户": "customer", "供应商": "supplier"}
LOCATION_KIND_WORDS = {"货位": "bin", "收货区": "dock", "发货暂存区": "staging", "质检区": "quality"}
SIDE_WORDS = {"左": "L", "右": "R", "left": "L", "right": "R"}
ACTIVE = Column("active", "Active", "启用", ("是否启用", "有效"), flag=True)

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
        Column("tracking", "Tracking", "追踪方式", ("批次管理",), values=TRACKING_WORDS,
               choices=Product.Tracking),
        Column("shelf_life_days", "Shelf life (days)", "保质期(天)", ("保质期",)),
        Column("tax_rate", "Tax rate", "税率"),
        Column("tax_code", "Tax classification code", "税收分类编码", ("税收编码",), text=True),
        Column("tax_short_name", "Tax short name", "税收分类简称"),
        Column("costing_method", "Costing method", "计价方法", ("成本计价方法",), values=COSTING_WORDS,
               choices=Product.CostingMethod),
        Column("list_price", "List price", "标价", ("价格", "售价")),
        ACTIVE,
    ],
    "partners": [
        Column("code", "Code", "编码", ("客商编码", "partner code"), text=True),
        Column("name", "Name", "名称", ("客商名称",)),
        Column("kind", "Kind", "类型", ("type", "客商类型"), values=PARTNER_KIND_WORDS,
               choices=Partner.Kind),
        Column("province", "Province", "省", ("省份",)),
        Column("city", "City", "市", ("城市",)),
        Column("district", "District", "区", ("区县", "区/县")),
        Column("address", "Address", "地址", ("详细地址",)),
        Column("phone", "Phone", "电话", ("联系电话", "手机"), text=True),
        Column("tax_id", "Tax id", "税号", ("统一社会信用代码", "纳税人识别号"), text=True),
        Column("contact", "Contact", "联系人"),
        Column("min_shelf_life_days", "Minimum remaining shelf life (days)", "最短剩余保质期(天)"),
        Column("credit_limit", "Credit limit", "信用额度", ("信用额度(元)", "credit limit (CNY)")),
        ACTIVE,
    ],
    "locations": [
        Column("warehouse", "Warehouse", "仓库", ("仓库编码",), text=True),
        Column("code", "Code", "货位编码", ("货位", "location", "bin"), text=True),
        Column("zone", "Zone", "区域", ("库区",), text=True),
        Column("kind", "Kind", "类型", ("货位类型",), values=LOCATION_KIND_WORDS,
               choices=Location.Kind),
        Column("aisle", "Aisle", "巷道", ("通道",)),
        Column("position", "Position", "位置", ("列",)),
        Column("side", "Side", "侧", ("方向",), values=SIDE_WORDS, choices=Location.Side),
        Column("level", "Level", "层"),
        Column("capacity_volume", "Capacity (m³)", "容量(m³)", ("容量", "capacity", "capacity (m3)")),
        ACTIVE,
    ],
}

# The natural key of each kind: the fields that identify a row.
KEYS = {"products": ("sku",), "partners": ("code",), "locations": ("warehouse", "code")}


def check_kind(kind: str, kinds: tuple = KINDS) -> str:
    if kind not in kinds:
        raise ValidationFailed(
            _("unknown kind %(kind)s; choose one of %(kinds)s") % {"kind": kind, "kinds": ", ".join(kinds)},
            field="kind",
        )
    return kind


def column_by_header(kind: str, columns: list[Column] | None = None) -> dict[str, Column]:
    out = {}
    for column in columns or COLUMNS[kind]:
        for name in column.names():
            out.setdefault(name, column)
    return out


@dataclass
class Sheet:
    """The header and the data rows of the first worksheet; rows are (excel row number, cells)."""

    headers: list  # the header cells as written
    rows: Iterator[tuple[int, tuple]]
    worksheet: object
    workbook: object

    @property
    def total_rows(self) -> int:
        """<row> elements below the header, counted in the file (never taken from its <dimension>)."""
        return _count_row_tags(self.worksheet)

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
    # Read-only mode stops at the rows and columns the sheet's <dimension> declares, and writers get
    # it wrong (A1:K2 above 3,000 rows): forget it, so every row and cell in the file is read.
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()
    rows = sheet.iter_rows(values_only=True)
    headers = list(next(rows, None) or ())
    while headers and headers[-1] is None:
        headers.pop()
    return Sheet(headers=headers, rows=((n, cells) for n, cells in enumerate(rows, start=2)), worksheet=sheet,
                 workbook=workbook)


ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>]")


def _count_row_tags(sheet) -> int:
    """Rows below the header as the file holds them: count the <row> tags in the raw XML — a byte scan,
    far cheaper than parsing every cell twice, and true whatever the sheet's <dimension> claims."""
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
    """Data rows (below the header) in the file; cheap, used to choose the background path and to size
    progress bars (blank rows count here, so the real number comes from reading)."""
    sheet = open_sheet(source)
    try:
        return sheet.total_rows
    finally:
        sheet.close()


def letter(index: int) -> str:
    return get_column_letter(index + 1)


# Excel's escape of a character XML cannot carry (_x000B_ for a vertical tab): what openpyxl returns
# for a control character typed or pasted into a cell.
ESCAPED_CONTROL = re.compile(r"_x(00[01][0-9A-Fa-f])_")
TAB_LF_CR = {0x09, 0x0A, 0x0D}


def control_character(text: str) -> str | None:
    """The first control character Excel cannot store (as U+000B), raw or escaped, or None.
    Tab, line feed and carriage return are ordinary text."""
    raw = ILLEGAL_CHARACTERS_RE.search(text)
    if raw:
        return f"U+{ord(raw.group()):04X}"
    for match in ESCAPED_CONTROL.finditer(text):
        if int(match.group(1), 16) not in TAB_LF_CR:
            return f"U+{match.group(1).upper()}"
    return None


# -- reading rows ----------------------------------------------------------------------------------

MAX_ROWS = 500_000
CHUNK = 1000


class ImportRejected(ValidationFailed):
    """The file has problems; `errors` lists every one and nothing was written."""

    code = "invalid_file"


def cell_error(row, index, header, field_name, message) -> dict:
    """One problem of a file, as every entry point shows it: row, column letter, header, field, reason."""
    return {"row": row, "column": letter(index) if index is not None else None,
            "header": None if header is None else str(header), "field": field_name, "message": str(message)}


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def rejected(errors: list[dict]) -> ImportRejected:
    errors.sort(key=lambda e: (e["row"] or 0, e["column"] is None, len(e["column"] or ""), e["column"] or ""))
    return ImportRejected(
        _("%(n)s problems in the file; nothing was imported") % {"n": len(errors)}, field="file", errors=errors
    )


def cell_text(value) -> str:
    """A cell as text: 101 typed as a number is the code "101"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class Names:
    """Rows of a small table found by code or by name, as people write them: codes exactly or, where
    `fold_case`, in any case (pcs = PCS); then names (件 = PCS) when exactly one row has that name."""

    def __init__(self, pairs, *, fold_case: bool):
        self.fold_case = fold_case
        self.codes: dict[str, str] = {}
        self.names: dict[str, list[str]] = {}
        for code, name in pairs:
            self.codes[code.upper() if fold_case else code] = code
            self.names.setdefault(norm(name), []).append(code)
        self.known = set(self.codes.values())

    def find(self, text: str) -> tuple[str | None, list[str]]:
        """(the code, []) when found; (None, codes) when the name is ambiguous; (None, []) when unknown."""
        code = self.codes.get(text.upper() if self.fold_case else text)
        if code is not None:
            return code, []
        matches = self.names.get(norm(text), [])
        return (matches[0], []) if len(matches) == 1 else (None, sorted(matches))

    def __contains__(self, code) -> bool:
        return code in self.known


class Header:
    """Which column of the sheet carries which field; header problems are row 1."""

    def __init__(self, columns: list[Column], keys: tuple, headers: list):
        self.all_columns = columns
        self.headers = headers
        self.errors: list[dict] = []
        self.columns: list[tuple[int, Column]] = []
        self.index_of: dict[str, int] = {}
        by_header = column_by_header("", columns)
        for index, header in enumerate(headers):
            if blank(header):
                continue
            column = by_header.get(norm(header))
            if column is None:
                self.errors.append(cell_error(1, index, header, None, _("unknown column %(header)s; known columns: %(known)s")
                                              % {"header": header, "known": ", ".join(c.chinese for c in columns)}))
            elif column.field in self.index_of:
                self.errors.append(cell_error(1, index, header, column.field, _("column %(field)s appears twice (also column %(other)s)")
                                              % {"field": column.field, "other": letter(self.index_of[column.field])}))
            else:
                self.index_of[column.field] = index
                self.columns.append((index, column))
        for name in keys:
            if name not in self.index_of:
                column = next(c for c in columns if c.field == name)
                self.errors.append(cell_error(1, None, column.chinese, name, _("the key column %(en)s / %(zh)s is missing")
                                              % {"en": column.english, "zh": column.chinese}))
        self.words = {c.field: c.words() for _, c in self.columns if c.choices or c.values}
        self.key_missing = any(name not in self.index_of for name in keys)

    @property
    def fields(self) -> list[str]:
        return [c.field for _, c in self.columns]

    def header_of(self, field_name: str):
        index = self.index_of.get(field_name)
        if index is not None:
            return index, self.headers[index]
        column = next((c for c in self.all_columns if c.field == field_name), None)
        return None, (column.chinese if column else field_name)

    def error(self, row: int, field_name: str, message) -> dict:
        index, head = self.header_of(field_name)
        return cell_error(row, index, head, field_name, message)

    def read(self, row: int, cells: tuple) -> tuple[dict, list[dict]]:
        data, errors = {}, []
        for index, column in self.columns:
            value = cells[index] if index < len(cells) else None
            if isinstance(value, str):
                value = value.strip()
                reason = control_character(value)
                if reason:  # refused here: such a value could never be exported again
                    errors.append(cell_error(row, index, self.headers[index], column.field,
                                             _("contains the control character %(char)s, which Excel cannot hold; "
                                               "remove it") % {"char": reason}))
                    value = ESCAPED_CONTROL.sub("", ILLEGAL_CHARACTERS_RE.sub("", value))
                words = self.words.get(column.field)
                if words:
                    value = words.get(word_key(value), value)
            data[column.field] = value
        for index in range(len(cells)):
            if (index >= len(self.headers) or blank(self.headers[index])) and not blank(cells[index]):
                errors.append(cell_error(row, index, None, None, _("a value in a column without a header")))
        return data, errors

    def explain(self, problems: list, data: dict) -> list:
        """A choice nobody recognised is explained with the choices in the reader's language
        (`批次 + 效期 (lot_expiry), ...`) rather than the bare codes the cleaner lists."""
        out = []
        for name, reason in problems:
            column = next((c for _, c in self.columns if c.field == name and c.choices), None)
            if column is not None and not blank(data.get(name)):
                reason = _("%(value)s is not one of: %(choices)s") % {"value": data[name], "choices": column.described()}
            out.append((name, reason))
        return out


class SheetReader:
    """The data rows of an uploaded file, chunk by chunk, as dicts of field -> cell value (choice words
    already turned into codes). Problems of the header and of single cells collect in `errors`;
    `read` counts the non-blank rows really read, whatever the sheet declares about its size."""

    def __init__(self, source, columns: list[Column], keys: tuple):
        self.sheet = open_sheet(source)
        self.header = Header(columns, keys, self.sheet.headers)
        self.errors: list[dict] = list(self.header.errors)
        self.read = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.sheet.close()

    def chunks(self, size: int = CHUNK) -> Iterator[list[tuple[int, dict]]]:
        chunk: list[tuple[int, dict]] = []
        try:
            for row, cells in self.sheet.rows:
                if all(blank(c) for c in cells):
                    continue
                data, row_errors = self.header.read(row, cells)
                self.errors += row_errors
                chunk.append((row, data))
                self.read += 1
                if self.read > MAX_ROWS:
                    raise ImportRejected(_("a file may have at most %(n)s rows") % {"n": MAX_ROWS}, field="file",
                                         errors=[])
                if len(chunk) == size:
                    yield chunk
                    chunk = []
        except (ValueError, KeyError, TypeError, SyntaxError, OSError) as exc:  # a damaged worksheet
            raise ImportRejected(_("the worksheet cannot be read (%(reason)s)") % {"reason": exc.__class__.__name__},
                                 field="file", errors=[]) from None
        if chunk:
            yield chunk
        if not self.read:
            self.errors.append(cell_error(2, None, None, None, _("the file has no data rows below the header")))


# -- writing ---------------------------------------------------------------------------------------


def header_labels(kind: str, language: str, columns: list[Column] | None = None) -> list[str]:
    """Chinese labels for zh users, field names for everyone else (both are read back)."""
    columns = columns or COLUMNS[kind]
    if language.lower().startswith("zh"):
        return [c.chinese for c in columns]
    return [c.field for c in columns]


def _number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 10**15 else float(value)
    return value


# OWASP's list for CSV/Excel injection: a cell starting with one of these may run as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(sheet, value):
    """A value as it may be written: characters Excel cannot hold become spaces (a name with a pasted
    vertical tab would otherwise stop every export with IllegalCharacterError), and text that Excel
    could run as a formula is written as literal text with the quote prefix — the cell Excel makes
    when one types a leading apostrophe. The text itself is unchanged, so the file still round-trips.
    Numbers, negative ones included, stay numbers."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub(" ", value)
    if not value.startswith(FORMULA_START):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # openpyxl would store "=..." as a formula
    cell.quotePrefix = True
    return cell


LAST_ROW = 1_048_576


def _drop_downs(sheet, columns: list[Column], language: str) -> None:
    """A list validation per choice column below the header, so people pick 批次 + 效期 instead of
    typing it. A warning, not a stop: the codes and English labels are still accepted on import."""
    for index, column in enumerate(columns):
        options = column.options(language)
        formula = '"' + ",".join(o.replace('"', '""') for o in options) + '"'
        if not options or len(formula) > 257:  # Excel's limit for an inline list is 255 characters
            continue
        rule = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                              errorStyle="warning")
        rule.add(f"{letter(index)}2:{letter(index)}{LAST_ROW}")
        sheet.data_validations.append(rule)


def build_workbook(kind: str, rows, *, language: str, columns: list[Column] | None = None,
                   drop_downs: bool = False) -> bytes:
    """An .xlsx of `rows` (lists of values in column order) with a bold header row; `drop_downs` adds
    the choice lists (templates)."""
    columns = columns or COLUMNS[kind]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=kind)
    for index, column in enumerate(columns):
        sheet.column_dimensions[letter(index)].width = max(10, len(column.english) + 4)
    sheet.freeze_panes = "A2"
    if drop_downs:
        _drop_downs(sheet, columns, language)
    header = []
    for label in header_labels(kind, language, columns):
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    text_columns = {i for i, c in enumerate(columns) if c.text}
    for values in rows:
        out = []
        for i, value in enumerate(values):
            value = _number(value)
            if i in text_columns and value is not None:
                value = str(value)
            out.append(safe_cell(sheet, value))
        sheet.append(out)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

"""Reading a bank statement file (CSV in UTF-8 or GBK, or .xlsx) into plain lines with a layout."""

import csv
import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from sihe.cashbank.layouts import LAYOUTS, REQUIRED
from sihe.core.errors import ValidationFailed

HEADER_ROWS = 30


@dataclass
class Line:
    row: int
    date: datetime.date
    amount_in: Decimal
    amount_out: Decimal
    balance: Decimal | None
    reference: str
    summary: str
    counterparty: str
    counterparty_account: str


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 reads every GBK file
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed(_("the file is neither UTF-8 nor GBK text"), field="file", code="bad_encoding")


def rows_of(data: bytes, name: str) -> list[list]:
    if data[:2] == b"PK" or name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception as exc:  # a damaged workbook is the user's file, not our error
            raise ValidationFailed(_("the Excel file cannot be read: %(e)s") % {"e": exc}, field="file",
                                   code="bad_file") from exc
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise ValidationFailed(_("old .xls workbooks are not read: save the statement as .xlsx or CSV"),
                               field="file", code="xls_not_supported")
    text = _decode(data)
    dialect = csv.excel_tab if text.count("\t") > text.count(",") else csv.excel
    return [[cell.strip().strip("\t") for cell in row] for row in csv.reader(io.StringIO(text), dialect)]


def _clean(value) -> str:
    return "" if value is None else str(value).strip().lstrip("'").strip()


def _header(rows: list[list], layout: dict) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows[:HEADER_ROWS]):
        cells = [_clean(c) for c in row]
        found = {}
        for field, names in layout["columns"].items():
            for name in names:
                if name in cells:
                    found[field] = cells.index(name)
                    break
        if all(field in found for field in REQUIRED):
            return index, found
    return None


def detect(rows: list[list]) -> str | None:
    for key, layout in LAYOUTS.items():
        if _header(rows, layout) is not None:
            return key
    return None


def _date(value, row: int) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _clean(value)
    match = re.match(r"^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})", text)
    if not match:
        return None
    try:
        return datetime.date(*(int(x) for x in match.groups()))
    except ValueError as exc:
        raise ValidationFailed(_("row %(r)s: %(v)r is not a date") % {"r": row, "v": text}, field="file",
                               code="bad_date") from exc


def _amount(value, row: int, field: str) -> Decimal:
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value)).quantize(Decimal("0.01"))
    text = _clean(value).replace(",", "").replace("¥", "").replace("￥", "")
    if text in ("", "-", "--"):
        return Decimal("0.00")
    try:
        return Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise ValidationFailed(_("row %(r)s: %(field)s %(v)r is not an amount") % {"r": row, "field": field, "v": text},
                               field="file", code="bad_amount") from exc


def read(data: bytes, name: str, layout_key: str | None = None) -> tuple[str, list[Line]]:
    """The layout used and the statement's lines in file order."""
    rows = rows_of(data, name)
    key = layout_key or detect(rows)
    if key not in LAYOUTS:
        raise ValidationFailed(_("the file's columns match none of the bank layouts (%(k)s)")
                               % {"k": ", ".join(LAYOUTS)}, field="file", code="unknown_layout")
    found = _header(rows, LAYOUTS[key])
    if found is None:
        raise ValidationFailed(_("no header row with the %(bank)s columns in the first %(n)s rows")
                               % {"bank": LAYOUTS[key]["bank"], "n": HEADER_ROWS}, field="file", code="no_header")
    start, columns = found
    lines = []
    for offset, row in enumerate(rows[start + 1:], start=start + 2):
        def cell(field, row=row):
            index = columns.get(field)
            return row[index] if index is not None and index < len(row) else None

        date = _date(cell("date"), offset)
        if date is None:  # 合计 rows, blank rows and notes after the table
            continue
        amount_in, amount_out = _amount(cell("in"), offset, "in"), _amount(cell("out"), offset, "out")
        if amount_in < 0 and not amount_out:  # some exports sign a reversal instead of moving it across
            amount_in, amount_out = Decimal("0.00"), -amount_in
        if amount_out < 0 and not amount_in:
            amount_in, amount_out = -amount_out, Decimal("0.00")
        if amount_in and amount_out:
            raise ValidationFailed(_("row %(r)s has money both in and out") % {"r": offset}, field="file",
                                   code="both_sides")
        if not amount_in and not amount_out:
            continue
        balance = cell("balance")
        lines.append(Line(
            row=offset, date=date, amount_in=amount_in, amount_out=amount_out,
            balance=_amount(balance, offset, "balance") if _clean(balance) else None,
            reference=_clean(cell("reference"))[:60], summary=_clean(cell("summary"))[:200],
            counterparty=_clean(cell("counterparty"))[:100],
            counterparty_account=_clean(cell("counterparty_account"))[:40],
        ))
    if not lines:
        raise ValidationFailed(_("the statement has no lines with money"), field="file", code="empty")
    return key, lines

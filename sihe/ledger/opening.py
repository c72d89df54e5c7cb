"""期初余额 from Excel: one sheet, a header row naming the columns (Chinese or English), one row
per leaf account (and dimension). `read_workbook` only parses; `import_opening_balances` checks
the trial balance and saves."""

import io

from django.utils.translation import gettext as _

from sihe.core.errors import ValidationFailed

HEADERS = {
    "account": ("科目编码", "account", "code"),
    "debit": ("借方", "期初借方", "debit"),
    "credit": ("贷方", "期初贷方", "credit"),
    "partner": ("往来单位", "partner"),
    "department": ("部门", "department"),
    "project": ("项目", "project"),
    "warehouse": ("仓库", "warehouse"),
}


def read_workbook(data: bytes) -> list[dict]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a file that is not xlsx
        raise ValidationFailed(_("not an Excel (.xlsx) file: %(reason)s") % {"reason": exc}, field="file",
                               code="bad_file") from exc
    rows = sheet.iter_rows(values_only=True)
    header = [str(h or "").strip() for h in next(rows, ())]
    columns = {}
    for key, names in HEADERS.items():
        for index, name in enumerate(header):
            if name.lower() in names or name in names:
                columns[key] = index
    if "account" not in columns or ("debit" not in columns and "credit" not in columns):
        raise ValidationFailed(_("the first row must name the columns 科目编码, 借方, 贷方"), field="file",
                               code="bad_header")
    result = []
    for row in rows:
        if not row or all(v in (None, "") for v in row):
            continue
        record = {key: row[index] if index < len(row) else None for key, index in columns.items()}
        record["account"] = str(record["account"] or "").strip()
        for key in ("debit", "credit"):
            value = record.get(key)
            record[key] = str(value) if value not in (None, "") else "0"
        result.append(record)
    return result


def template_rows() -> list[list]:
    return [["科目编码", "科目名称", "借方", "贷方", "往来单位", "部门", "项目", "仓库"],
            ["1002", "银行存款", "100000.00", "", "", "", "", ""],
            ["3001", "实收资本", "", "100000.00", "INV1", "", "", ""]]

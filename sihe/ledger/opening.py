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
    "year_start_debit": ("年初借方", "year_start_debit"),
    "year_start_credit": ("年初贷方", "year_start_credit"),
    "ytd_debit": ("本年累计借方", "累计借方", "ytd_debit"),
    "ytd_credit": ("本年累计贷方", "累计贷方", "ytd_credit"),
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
    for _skip in range(4):  # the downloaded template has a title and a subtitle above the header
        if set(header) & set(HEADERS["account"]):
            break
        header = [str(h or "").strip() for h in next(rows, ())]
    columns = {}
    for key, names in HEADERS.items():
        for index, name in enumerate(header):
            if name.lower() in names or name in names:
                columns[key] = index
    if "account" not in columns or not {"debit", "credit", "year_start_debit", "year_start_credit"} & set(columns):
        raise ValidationFailed(_("the first row must name the columns 科目编码, 借方, 贷方"), field="file",
                               code="bad_header")
    result = []
    for row in rows:
        if not row or all(v in (None, "") for v in row):
            continue
        record = {key: row[index] if index < len(row) else None for key, index in columns.items()}
        record["account"] = str(record["account"] or "").strip()
        for key in ("debit", "credit", "year_start_debit", "year_start_credit", "ytd_debit", "ytd_credit"):
            value = record.get(key)
            # an empty cell is "not given": 期初 follows from 年初 + 本年累计 when only those are filled
            record[key] = str(value) if value not in (None, "") else None
        result.append(record)
    return result


def template_rows() -> list[list]:
    """期初 (借方/贷方) alone for books that start in January; a company starting mid-year fills 年初 and
    本年累计 (期初 then follows) — 损益类 rows only 本年累计 (实际发生额)."""
    return [["科目编码", "科目名称", "年初借方", "年初贷方", "本年累计借方", "本年累计贷方", "借方", "贷方",
             "往来单位", "部门", "项目", "仓库"],
            ["1002", "银行存款", "100000.00", "", "150000.00", "150000.00", "", "", "", "", "", ""],
            ["3001", "实收资本", "", "100000.00", "", "", "", "", "INV1", "", "", ""],
            ["3103", "本年利润", "", "", "20000.00", "20000.00", "", "", "", "", "", ""],
            ["5001", "主营业务收入", "", "", "", "20000.00", "", "", "", "", "", ""],
            ["5602.05", "管理费用—办公费", "", "", "20000.00", "", "", "", "", "", "", ""]]


CASH_FLOW_HEADERS = ("现金流量项目行次", "cash_flow_line")


def read_cash_flows(data: bytes) -> dict[str, str]:
    """The optional second sheet: 现金流量项目行次 and 本年累计金额 of the months before the books."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    if len(book.worksheets) < 2:
        return {}
    rows = book.worksheets[1].iter_rows(values_only=True)
    next(rows, None)
    return {str(line).strip(): str(amount) for line, amount, *_rest in rows
            if line not in (None, "") and amount not in (None, "")}

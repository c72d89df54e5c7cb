"""Excel (openpyxl) and PDF (reportlab, built-in CID font STSong-Light for Chinese) of the reports.

Each report is first turned into a `Table` (title, subtitle, headers, rows); one writer per format.
"""

import io
from dataclasses import dataclass, field
from decimal import Decimal

from sihe.core.money import round_money

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


@dataclass
class Table:
    title: str
    subtitle: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    numeric_from: int = 2  # columns from this index on are amounts
    note: str = ""


def _cell(value):
    if isinstance(value, Decimal):
        return round_money(value) + Decimal("0.00")
    return "" if value is None else value


def to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = table.title[:31]
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([table.subtitle])
    sheet.append(table.headers)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in table.rows:
        sheet.append([_cell(v) for v in row])
    for row in sheet.iter_rows(min_row=4, min_col=table.numeric_from + 1):
        for cell in row:
            if isinstance(cell.value, Decimal | int | float):
                cell.number_format = "#,##0.00"
    for index, header in enumerate(table.headers, start=1):
        width = 46 if index == 2 and table.numeric_from >= 2 else max(12, len(str(header)) * 2 + 4)
        sheet.column_dimensions[sheet.cell(row=3, column=index).column_letter].width = width
    if table.note:
        sheet.append([])
        sheet.append([table.note])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fmt(value) -> str:
    if isinstance(value, Decimal):
        return f"{round_money(value) + Decimal('0.00'):,.2f}"
    return "" if value is None else str(value)


def to_pdf(table: Table) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    wide = len(table.headers) > 5
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4) if wide else A4, title=table.title,
                            leftMargin=28, rightMargin=28, topMargin=28, bottomMargin=28)
    title_style = ParagraphStyle("t", fontName=font, fontSize=16, leading=20, alignment=1)
    small = ParagraphStyle("s", fontName=font, fontSize=9, leading=12)
    cell = ParagraphStyle("c", fontName=font, fontSize=8, leading=10)
    data = [table.headers] + [
        [Paragraph(_fmt(v), cell) if i < table.numeric_from else _fmt(v) for i, v in enumerate(row)]
        for row in table.rows
    ]
    width = doc.width
    widths = None
    if len(table.headers) == 4 and table.headers[1] == "行次":  # a statement: the item wide, 行次 narrow
        widths = [width * 0.52, width * 0.08, width * 0.2, width * 0.2]
    grid = PdfTable(data, repeatRows=1, colWidths=widths)
    grid.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("ALIGN", (table.numeric_from, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    # the heading parts (表号, 编制单位, period, 单位) spread across the page as the printed forms have them
    parts = [p for p in table.subtitle.split("    ") if p]
    # each part as wide as its words (a long company name must not wrap under equal columns), the rest shared
    natural = [stringWidth(p, font, small.fontSize) + 8 for p in parts]
    spare = width - sum(natural)
    widths = ([n + spare / len(parts) for n in natural] if spare >= 0
              else [width * n / sum(natural) for n in natural])
    heading = PdfTable([[Paragraph(p, small) for p in parts]], colWidths=widths or None)
    heading.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("ALIGN", (-1, 0), (-1, 0), "RIGHT")]))
    story = [Paragraph(table.title, title_style), Spacer(1, 6), heading, Spacer(1, 8), grid]
    if table.note:
        story += [Spacer(1, 8), Paragraph(table.note, small)]
    doc.build(story)
    return out.getvalue()


# -- adapters -------------------------------------------------------------------------------------


def statement_period(report: dict) -> str:
    """The date line of a statement: 2026年12月31日 for the balance sheet, 2026年12月 for the others."""
    from sihe.ledger.close import last_day

    year, month = report["period"][:4], int(report["period"][5:7])
    if report["statement"] == "balance-sheet":
        return f"{year}年{month}月{last_day(report['period']).day}日"
    return f"{year}年{month}月"


def statement_table(report: dict, *, company: str = "") -> Table:
    """The statement as the form prints it: 编制单位, period and 单位：元 in the heading, the columns in
    the appendix's order (01表 期末/年初; 02/03表 本年累计/本月)."""
    cols = report["column_names_zh"]
    order = report.get("column_order", ["current", "comparative"])
    rows = []
    for line in report["lines"]:
        if line.get("section"):
            rows.append([line["section"], "", None, None])
        rows.append([line["name"], line["line_no"], *(line[k] for k in order)])
    return Table(
        title=report["title"],
        subtitle=f"{report['form']}    编制单位：{company or '—'}    {statement_period(report)}    单位：元",
        headers=["项目", "行次", *(cols[k] for k in order)], rows=rows,
    )


def trial_balance_table(report: dict) -> Table:
    rows = [
        [r["code"], ("  " * (r["level"] - 1)) + r["name"], r["opening_debit"], r["opening_credit"], r["debit"],
         r["credit"], r["closing_debit"], r["closing_credit"], r["ytd_debit"], r["ytd_credit"]]
        for r in report["rows"]
    ]
    t = report["totals"]
    rows.append(["", "合计", t["opening_debit"], t["opening_credit"], t["debit"], t["credit"], t["closing_debit"],
                 t["closing_credit"], t["ytd_debit"], t["ytd_credit"]])
    return Table(
        title="科目余额表", subtitle=f"期间：{report['period']}    单位：元",
        headers=["科目编码", "科目名称", "期初借方", "期初贷方", "本期借方", "本期贷方", "期末借方", "期末贷方",
                 "本年累计借方", "本年累计贷方"],
        rows=rows,
    )


def general_ledger_table(report: dict) -> Table:
    account = report["account"]
    rows = [["", "年初余额", None, None, report["opening_side"], report["opening"]]]
    for r in report["rows"]:
        if r["kind"] == "before_books":
            rows.append([r["period"], "建账前本年累计", r["debit"], r["credit"], r["side"], r["balance"]])
            continue
        rows.append([r["period"], "本月合计", r["debit"], r["credit"], r["side"], r["balance"]])
        rows.append([r["period"], "本年累计", r["ytd_debit"], r["ytd_credit"], r["side"], r["balance"]])
    return Table(title="总账", subtitle=f"科目：{account.code} {account.name}    {report['year']}年    单位：元",
                 headers=["期间", "摘要", "借方", "贷方", "方向", "余额"], rows=rows)


def detail_ledger_table(report: dict) -> Table:
    account = report["account"]
    rows = [["", "", "期初余额", None, None, report["opening_side"], report["opening"]]]
    for r in report["rows"]:
        if r["kind"] == "line":
            rows.append([r["date"].isoformat(), r["voucher"], r["summary"], r["debit"], r["credit"], r["side"],
                         r["balance"]])
        else:
            rows.append([r["period"], "", r["summary"], r["debit"], r["credit"], r["side"], r["balance"]])
    return Table(
        title="明细账", subtitle=f"科目：{account.code} {account.name}    {report['from']} — {report['to']}    单位：元",
        headers=["日期", "凭证字号", "摘要", "借方", "贷方", "方向", "余额"], rows=rows, numeric_from=3,
    )


def multi_column_table(report: dict) -> Table:
    account = report["account"]
    names = [c.name.split("—")[-1] if c.pk != account.pk else c.name for c in report["columns"]]
    rows = []
    for r in report["rows"]:
        head = ([r["date"].isoformat(), r["voucher"], r["summary"]] if r["kind"] == "line"
                else [r["period"], "", r["summary"]])
        rows.append([*head, r["debit"], r["credit"], *r["columns"]])
    rows.append(["", "", "合计", None, None, *report["total"]])
    return Table(
        title="多栏式明细账", subtitle=f"科目：{account.code} {account.name}    {report['from']} — {report['to']}    单位：元",
        headers=["日期", "凭证字号", "摘要", "借方", "贷方", *names], rows=rows, numeric_from=3,
    )

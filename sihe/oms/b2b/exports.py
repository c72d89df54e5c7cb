"""The customer statement (对账单) as files: an Excel workbook (openpyxl) and a PDF (reportlab, the
STSong-Light CID font the 数电发票 PDF uses), both from `selectors.statement`'s dict, so the page, the
JSON, the workbook and the PDF show the same lines and balances."""

from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

CJK = "STSong-Light"
HEAD = ["日期", "凭证号", "类型", "摘要", "借方（应收增加）", "贷方（收款/冲减）", "余额"]


def _title(report: dict) -> str:
    return f"客户对账单 {report['partner']['name']}（{report['partner']['code']}）"


def xlsx(report: dict, *, company: str = "") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "对账单"
    ws.append([_title(report)])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"期间 {report['from']} 至 {report['to']}", "", "", company])
    ws.append(HEAD)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    ws.append([report["from"], "", "", "期初余额", None, None, Decimal(report["opening"])])
    for row in report["lines"]:
        ws.append([row["date"], row["voucher"], row["kind_display"], row["description"], Decimal(row["debit"]),
                   Decimal(row["credit"]), Decimal(row["balance"])])
    ws.append([report["to"], "", "", "本期合计 / 期末余额", Decimal(report["debit_total"]),
               Decimal(report["credit_total"]), Decimal(report["closing"])])
    for row in ws.iter_rows(min_row=4, min_col=5, max_col=7):
        for cell in row:
            cell.number_format = "#,##0.00"
            cell.alignment = Alignment(horizontal="right")
    for col, width in zip("ABCDEFG", (12, 12, 10, 44, 18, 18, 16), strict=True):
        ws.column_dimensions[col].width = width
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _font() -> str:
    if CJK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK))
    return CJK


def pdf(report: dict, *, company: str = "") -> bytes:
    font = _font()
    out = BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    c.setTitle(_title(report))
    width, height = A4
    cols = [15 * mm, 37 * mm, 60 * mm, 76 * mm, 136 * mm, 161 * mm, 186 * mm]  # right edges for money
    y = height - 20 * mm

    def header():
        nonlocal y
        c.setFont(font, 14)
        c.drawString(15 * mm, y, _title(report))
        y -= 7 * mm
        c.setFont(font, 9)
        c.drawString(15 * mm, y, f"期间 {report['from']} 至 {report['to']}    {company}")
        y -= 7 * mm
        for i, title in enumerate(HEAD):
            if i >= 4:
                c.drawRightString(cols[i] + (0 if i < 6 else 8 * mm), y, title[:6])
            else:
                c.drawString(cols[i], y, title)
        y -= 2 * mm
        c.line(15 * mm, y, width - 15 * mm, y)
        y -= 5 * mm

    def row(values):
        nonlocal y
        if y < 20 * mm:
            c.showPage()
            y = height - 20 * mm
            header()
        c.setFont(font, 8)
        for i, value in enumerate(values):
            if value is None:
                continue
            if i >= 4:
                c.drawRightString(cols[i] + (0 if i < 6 else 8 * mm), y, value)
            else:
                c.drawString(cols[i], y, str(value)[:40 if i == 3 else 14])
        y -= 5 * mm

    header()
    row([report["from"], "", "", "期初余额", None, None, report["opening"]])
    for line in report["lines"]:
        row([line["date"], line["voucher"], line["kind_display"], line["description"], line["debit"],
             line["credit"], line["balance"]])
    c.line(15 * mm, y + 3 * mm, width - 15 * mm, y + 3 * mm)
    row([report["to"], "", "", "本期合计 / 期末余额", report["debit_total"], report["credit_total"], report["closing"]])
    c.showPage()
    c.save()
    return out.getvalue()

"""AP aging (应付账款账龄) as an Excel workbook (openpyxl): one row per supplier, then the open invoices."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font


def aging_xlsx(report: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("AP aging")[:31]
    basis = _("by invoice date") if report["basis"] == "invoice_date" else _("by due date")
    ws.append([_("Accounts payable aging as of %(d)s (%(basis)s)") % {"d": report["as_of"].isoformat(), "basis": basis}])
    ws["A1"].font = Font(bold=True, size=13)
    buckets = report["buckets"]
    ws.append([_("Supplier"), _("Name"), *[_("%(b)s days") % {"b": b} for b in buckets], _("Total")])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in report["rows"]:
        ws.append([row["supplier"], row["name"], *[row[b] for b in buckets], row["total"]])
    ws.append([_("Total"), "", *[report["totals"][b] for b in buckets], report["totals"]["total"]])
    ws[ws.max_row][0].font = Font(bold=True)
    for row in ws.iter_rows(min_row=3):
        for cell in row[2:]:
            cell.number_format = "#,##0.00"
    for column, width in zip("ABCDEFG", (14, 30, 14, 14, 14, 14, 16), strict=True):
        ws.column_dimensions[column].width = width
    detail = wb.create_sheet(_("Open invoices")[:31])
    detail.append([_("Supplier"), _("Invoice"), _("Invoice date"), _("Due date"), _("Days"), _("Bucket"), _("Open")])
    for cell in detail[1]:
        cell.font = Font(bold=True)
    for inv in report["invoices"]:
        detail.append([inv["supplier"], inv["number"], inv["invoice_date"], inv["due_date"], inv["days"],
                       inv["bucket"], inv["open"]])
        detail.cell(row=detail.max_row, column=3).number_format = "yyyy-mm-dd"
        detail.cell(row=detail.max_row, column=4).number_format = "yyyy-mm-dd"
        detail.cell(row=detail.max_row, column=7).number_format = "#,##0.00"
    for column, width in zip("ABCDEFG", (14, 20, 12, 12, 8, 10, 14), strict=True):
        detail.column_dimensions[column].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

"""Reports over the valuation layers: 收发存汇总表 (summary) and 存货明细账 (product ledger), and Excel."""

import datetime
import io
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from sihe.catalog.models import Product, Warehouse
from sihe.core.money import round_money, text
from sihe.costing.models import ValuationLayer
from sihe.stock.selectors import q6

ZERO = Decimal(0)


def summary(*, start: datetime.date, end: datetime.date, warehouse: Warehouse | None = None) -> list[dict]:
    """Per product: opening, receipts (in), issues (out), closing — quantity and value."""
    qs = ValuationLayer.objects.filter(date__lte=end)
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    before, within = Q(date__lt=start), Q(date__gte=start)
    rows = (qs.values("product_id").annotate(
        opening_qty=Sum("qty", filter=before), opening_value=Sum("value", filter=before),
        in_qty=Sum("qty", filter=within & Q(kind="in")), in_value=Sum("value", filter=within & Q(kind="in")),
        out_qty=Sum("qty", filter=within & Q(kind="out")), out_value=Sum("value", filter=within & Q(kind="out")),
    ).order_by("product_id"))
    products = {p.pk: p for p in Product.objects.select_related("uom").filter(pk__in=[r["product_id"] for r in rows])}
    result = []
    for row in rows:
        product = products[row["product_id"]]
        o_q, o_v = q6(row["opening_qty"]), round_money(Decimal(row["opening_value"] or 0))
        i_q, i_v = q6(row["in_qty"]), round_money(Decimal(row["in_value"] or 0))
        x_q, x_v = -q6(row["out_qty"]), -round_money(Decimal(row["out_value"] or 0))
        result.append({"sku": product.sku, "name": product.name, "uom": product.uom.code,
                       "opening_qty": o_q, "opening_value": o_v, "in_qty": i_q, "in_value": i_v,
                       "out_qty": x_q, "out_value": x_v, "closing_qty": o_q + i_q - x_q, "closing_value": o_v + i_v - x_v})
    result.sort(key=lambda r: r["sku"])
    return result


def product_ledger(*, product: Product, warehouse: Warehouse, start: datetime.date, end: datetime.date) -> list[dict]:
    """存货明细账: the opening balance, each layer in the period with its running balance, the closing."""
    qs = ValuationLayer.objects.filter(product=product, warehouse=warehouse)
    opening = qs.filter(date__lt=start).order_by("-date", "-id").first()
    rows = [{"date": start, "kind": "opening", "reference": "", "lot": "", "qty": None, "unit_cost": None,
             "value": None, "balance_qty": opening.running_qty if opening else ZERO,
             "balance_value": opening.running_value if opening else ZERO}]
    for layer in qs.filter(date__gte=start, date__lte=end).select_related("move", "move__lot").order_by("date", "id"):
        kind = layer.move.kind if layer.move_id else ("revaluation" if layer.is_revaluation else layer.kind)
        rows.append({"date": layer.date, "kind": kind,
                     "direction": layer.kind, "reference": layer.move.reference if layer.move_id else layer.memo,
                     "lot": layer.move.lot.number if layer.move_id and layer.move.lot_id else "",
                     "qty": layer.qty, "unit_cost": layer.unit_cost, "value": layer.value,
                     "balance_qty": layer.running_qty, "balance_value": layer.running_value})
    last = rows[-1]
    rows.append({"date": end, "kind": "closing", "reference": "", "lot": "", "qty": None, "unit_cost": None,
                 "value": None, "balance_qty": last["balance_qty"], "balance_value": last["balance_value"]})
    return rows


def _m(value) -> str:
    return format(round_money(value), "f")


def row_as_strings(row: dict) -> dict:
    return {k: (_m(v) if k.endswith("_value") else text(v)) if isinstance(v, Decimal) else v for k, v in row.items()}


def ledger_row_as_strings(row: dict) -> dict:
    out = {}
    for key, value in row.items():
        if isinstance(value, Decimal):
            out[key] = _m(value) if "value" in key else text(value)
        elif isinstance(value, datetime.date):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out


def summary_xlsx(rows: list[dict], *, start: datetime.date, end: datetime.date, warehouse: Warehouse | None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Stock summary")[:31]
    title = _("Stock receipts, issues and balances %(start)s – %(end)s") % {"start": start.isoformat(), "end": end.isoformat()}
    ws.append([title + (f" · {warehouse.code}" if warehouse else "")])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([_("SKU"), _("Name"), _("Unit"), _("Opening qty"), _("Opening value"), _("Receipts qty"),
               _("Receipts value"), _("Issues qty"), _("Issues value"), _("Closing qty"), _("Closing value")])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    totals = [ZERO] * 8
    for row in rows:
        numbers = [row["opening_qty"], row["opening_value"], row["in_qty"], row["in_value"], row["out_qty"],
                   row["out_value"], row["closing_qty"], row["closing_value"]]
        totals = [a + b for a, b in zip(totals, numbers, strict=True)]
        ws.append([row["sku"], row["name"], row["uom"], *numbers])
    ws.append([_("Total"), "", "", *totals])
    ws[ws.max_row][0].font = Font(bold=True)
    for row in ws.iter_rows(min_row=3):
        for index, cell in enumerate(row):
            if index >= 3:
                cell.number_format = "#,##0.00" if index % 2 == 0 else "#,##0.######"
    for column, width in zip("ABCDEFGHIJK", (16, 28, 8, 12, 14, 12, 14, 12, 14, 12, 14), strict=True):
        ws.column_dimensions[column].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

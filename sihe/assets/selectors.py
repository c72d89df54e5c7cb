"""Reads of fixed assets: the register (卡片账) at a month's end and one asset's depreciation schedule."""

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from sihe.assets import periods
from sihe.assets.models import Asset, Category, DepreciationLine, DepreciationRun, Method, Use, Workload  # noqa: F401
from sihe.assets.services import first_period, in_service, month_amount
from sihe.core.errors import NotFound
from sihe.core.money import round_money

ZERO = Decimal("0.00")


def categories():
    return Category.objects.order_by("code")


def category(code_or_id) -> Category:
    text = str(code_or_id)
    found = Category.objects.filter(code=text).first() or (
        Category.objects.filter(pk=int(text)).first() if text.isdigit() and len(text) < 19 else None)
    if found is None:
        raise NotFound(_("no asset category %(c)s") % {"c": text}, field="category")
    return found


def asset(code_or_id) -> Asset:
    text = str(code_or_id)
    query = Asset.objects.select_related("category")
    found = query.filter(code=text).first() or (
        query.filter(pk=int(text)).first() if text.isdigit() and len(text) < 19 else None)
    if found is None:
        raise NotFound(_("no fixed asset %(c)s") % {"c": text}, field="asset")
    return found


def runs():
    return DepreciationRun.objects.order_by("-period")


def run(period: str) -> DepreciationRun | None:
    return DepreciationRun.objects.filter(period=period).first()


def existing_run(period: str) -> DepreciationRun:
    found = run(period)
    if found is None:
        raise NotFound(_("no depreciation run for %(p)s") % {"p": period}, field="period")
    return found


def run_lines(period: str):
    return DepreciationLine.objects.filter(period=period).select_related("asset").order_by("asset__code")


def register(period: str) -> dict:
    """卡片账 at the end of `period`: every asset acquired by then with its original cost, accumulated
    depreciation and net value; disposed assets show until the month of their disposal."""
    taken = dict(DepreciationLine.objects.filter(period__lte=period).values("asset_id")
                 .annotate(s=Sum("amount")).values_list("asset_id", "s"))
    this_month = dict(DepreciationLine.objects.filter(period=period).values_list("asset_id", "amount"))
    rows, totals = [], {"cost": ZERO, "accumulated": ZERO, "net": ZERO, "month": ZERO}
    for item in Asset.objects.select_related("category").order_by("code"):
        if periods.of(item.acquired_on) > period:
            continue
        if item.disposed_on and periods.of(item.disposed_on) < period:
            continue
        acc = round_money(Decimal(taken.get(item.pk) or ZERO))
        row = {"asset": item, "cost": item.cost, "accumulated": acc, "net": item.cost - acc,
               "month": this_month.get(item.pk) or ZERO,
               "expense_account": item.category.expense_account(item.use)}
        rows.append(row)
        for key in totals:
            totals[key] += row[key]
    return {"period": period, "rows": rows, "totals": totals}


def schedule(item: Asset) -> list[dict]:
    """折旧计划: the months booked (with their workload) and, for straight-line, the months to come."""
    booked = {line.period: line for line in DepreciationLine.objects.filter(asset=item).order_by("period")}
    workloads = {w.period: w.quantity for w in Workload.objects.filter(asset=item)}
    rows, taken, worked = [], ZERO, Decimal(0)
    month = first_period(item)
    while taken < item.depreciable and in_service(item, month) and len(rows) < 1200:
        line = booked.get(month)
        if line is not None:
            amount, planned = line.amount, False
        elif item.method == Method.STRAIGHT_LINE:
            amount, planned = month_amount(item, month, taken=taken), True
        elif month in workloads:
            amount = month_amount(item, month, taken=taken, workload=workloads[month], worked_before=worked)
            planned = True
        else:
            break  # a workload asset's future depends on work not done yet
        taken += amount
        worked += workloads.get(month) or Decimal(0)
        rows.append({"period": month, "workload": workloads.get(month), "amount": amount, "accumulated": taken,
                     "net": item.cost - taken, "planned": planned})
        month = periods.add(month, 1)
    return rows

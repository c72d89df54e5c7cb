"""The acts of fixed assets. Keyword-only verbs, the actor explicit, each one `tx.act()`; vouchers go
through `sihe.ledger.services.post_lines` (the lines are worked out here: depreciation grouped by
department, disposal through 1606 固定资产清理).

Depreciation per 小企业会计准则 第二十九条: monthly, from the month after acquisition, until the
accumulated depreciation reaches cost − residual value; an asset disposed of in a month still takes that
month's depreciation. Straight-line (年限平均法): (cost − residual) ÷ life, rounded to the fen, the last
month takes what is left so the total is exact. Workload (工作量法): (cost − residual) × this month's
workload ÷ total workload, rounded to the fen, capped at what is left; the month the workload reaches
the total takes the rest.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from sihe.assets import periods
from sihe.assets.models import Asset, Category, DepreciationLine, DepreciationRun, Method, Use, Workload
from sihe.core import audit, numbering, outbox, tx
from sihe.core.actor import Actor
from sihe.core.errors import Conflict, ValidationFailed
from sihe.core.money import money, round_money, to_decimal
from sihe.ledger.close import last_day
from sihe.ledger.models import Account
from sihe.ledger.services import parse_period, period_of, post_lines

ZERO = Decimal("0.00")
SOURCE_TYPE = "fixed_asset"
CASH_FLOW_PURCHASE = "12"  # 购建固定资产、无形资产和其他非流动资产支付的现金
CASH_FLOW_DISPOSAL = "10"  # 处置固定资产、无形资产和其他非流动资产收回的现金净额
GAIN_ACCOUNT = "5301"  # 营业外收入 (its sub-account of role disposal_gain: 5301.02 非流动资产处置净收益)
LOSS_ACCOUNT = "5711"  # 营业外支出 (its sub-account of role disposal_loss: 5711.06 非流动资产处置净损失)
CLEARING_ACCOUNT = "1606"  # 固定资产清理
DEPRECIATION = "depreciation"  # the role suffix of the expense sub-accounts 5601.06 / 5602.06 折旧费


def _leaf(code, field: str, role: str = "") -> Account:
    """The account of `code`; one with sub-accounts (5602 管理费用) stands for its sub-account whose role ends
    with `role` (5602.06 折旧费, role admin_depreciation), so a category saved as 5602 still books."""
    code = str(code or "").strip()
    account = Account.objects.filter(code=code).first()
    if account is None:
        raise ValidationFailed(_("%(field)s: unknown account %(code)r") % {"field": field, "code": code}, field=field,
                               code="unknown_account")
    if not account.is_leaf and role:
        account = (Account.objects.filter(code__startswith=f"{code}.", role__endswith=role, is_leaf=True, active=True)
                   .order_by("code").first() or account)
    if not account.is_leaf or not account.active:
        raise ValidationFailed(_("%(field)s: %(code)s %(name)s is not an active leaf account")
                               % {"field": field, "code": code, "name": account.name}, field=field, code="not_leaf")
    return account


def _text(value, field: str, limit: int, *, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationFailed(_("%(field)s is required") % {"field": field}, field=field, code="required")
    if len(text) > limit:
        raise ValidationFailed(_("%(field)s: at most %(n)s characters") % {"field": field, "n": limit}, field=field)
    return text


def _date(value, field: str) -> datetime.date:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationFailed(_("%(field)s must be a date (YYYY-MM-DD)") % {"field": field}, field=field) from exc


def _positive(value, field: str, *, allow_zero: bool = False) -> Decimal:
    amount = money(value if value not in (None, "") else 0, field=field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationFailed(_("%(field)s must be greater than zero") % {"field": field}, field=field,
                               code="not_positive")
    return amount


def _life(value, field: str) -> int:
    try:
        months = int(str(value))
    except ValueError as exc:
        raise ValidationFailed(_("%(field)s must be a whole number of months") % {"field": field}, field=field) from exc
    if not 1 <= months <= 1200:
        raise ValidationFailed(_("%(field)s must be between 1 and 1200 months") % {"field": field}, field=field)
    return months


# -- categories -----------------------------------------------------------------------------------


def save_category(*, code: str, name: str, life_months, residual_rate, method: str, actor: Actor,
                  asset_account: str = "1601", depreciation_account: str = "1602", expense_manufacturing: str = "4101",
                  expense_admin: str = "5602", expense_selling: str = "5601") -> Category:
    """A category with its defaults; saved again under the same code it changes (cards keep their own
    life, residual value and method: they were fixed when the asset came in)."""
    code = _text(code, "code", 20)
    rate = to_decimal(residual_rate, field="residual_rate")
    if not Decimal(0) <= rate < Decimal(1):
        raise ValidationFailed(_("residual_rate is a fraction between 0 and 1, e.g. 0.05"), field="residual_rate")
    if method not in Method.values:
        raise ValidationFailed(_("method must be one of %(m)s") % {"m": ", ".join(Method.values)}, field="method")
    values = {
        "name": _text(name, "name", 60), "life_months": _life(life_months, "life_months"),
        "residual_rate": rate.quantize(Decimal("0.0001")), "method": method,
        "asset_account": _leaf(asset_account, "asset_account").code,
        "depreciation_account": _leaf(depreciation_account, "depreciation_account").code,
        "expense_manufacturing": _leaf(expense_manufacturing, "expense_manufacturing", DEPRECIATION).code,
        "expense_admin": _leaf(expense_admin, "expense_admin", DEPRECIATION).code,
        "expense_selling": _leaf(expense_selling, "expense_selling", DEPRECIATION).code,
    }
    with tx.act():
        category = Category.objects.select_for_update().filter(code=code).first()
        if category is None:
            category = Category.objects.create(code=code, **values)
            audit.record_created(category, actor=actor, fields=list(values))
            return category
        before = audit.snapshot(category, list(values))
        for key, value in values.items():
            setattr(category, key, value)
        category.save()
        audit.record_changes(category, actor=actor, before=before)
        return category


# -- acquisition ----------------------------------------------------------------------------------


def first_period(asset: Asset) -> str:
    """当月增加，下月起计提."""
    return periods.add(periods.of(asset.acquired_on), 1)


def acquire(*, name: str, category: Category, department: str, use: str, acquired_on, cost, actor: Actor,
            paid_from: str, partner: str = "", input_tax=0, residual_value=None, life_months=None,
            method: str | None = None, total_workload=None, workload_unit: str = "", code: str = "") -> Asset:
    """购入固定资产: the card and its voucher Dr 1601 (Dr 进项税额 for deductible VAT) / Cr `paid_from`
    (银行存款 or 应付账款 with the supplier). Life, residual and method default from the category."""
    name = _text(name, "name", 100)
    department = _text(department, "department", 40)
    if use not in Use.values:
        raise ValidationFailed(_("use must be one of %(u)s") % {"u": ", ".join(Use.values)}, field="use")
    acquired_on = _date(acquired_on, "acquired_on")
    cost = _positive(cost, "cost")
    tax = _positive(input_tax, "input_tax", allow_zero=True)
    residual = (round_money(cost * category.residual_rate) if residual_value in (None, "")
                else _positive(residual_value, "residual_value", allow_zero=True))
    if residual >= cost:
        raise ValidationFailed(_("the residual value must be less than the cost"), field="residual_value")
    life = _life(life_months if life_months not in (None, "") else category.life_months, "life_months")
    method = method or category.method
    if method not in Method.values:
        raise ValidationFailed(_("method must be one of %(m)s") % {"m": ", ".join(Method.values)}, field="method")
    workload = None
    if method == Method.WORKLOAD:
        workload = to_decimal(total_workload if total_workload not in (None, "") else 0, field="total_workload")
        if workload <= 0:
            raise ValidationFailed(_("the workload method needs the total workload over the asset's life"),
                                   field="total_workload", code="required")
    counter = _leaf(paid_from, "paid_from")
    partner = _text(partner, "partner", 40, required=False)
    if "partner" in counter.dimensions and not partner:
        raise ValidationFailed(_("%(code)s %(name)s needs the supplier") % {"code": counter.code, "name": counter.name},
                               field="partner", code="required")
    first = periods.add(periods.of(acquired_on), 1)
    if DepreciationRun.objects.filter(period__gte=first).exists():
        raise Conflict(_("depreciation for %(p)s or later has already been run; an asset acquired on %(d)s would "
                         "have been depreciated in it") % {"p": first, "d": acquired_on}, field="acquired_on",
                       code="depreciation_already_run")
    with tx.act():
        code = _text(code, "code", 30, required=False) or f"FA-{numbering.next_number('assets.asset'):05d}"
        if Asset.objects.filter(code=code).exists():
            raise Conflict(_("asset number %(c)s is taken") % {"c": code}, field="code", code="duplicate")
        asset = Asset.objects.create(
            code=code, name=name, category=category, department=department, use=use, acquired_on=acquired_on,
            cost=cost, residual_value=residual, life_months=life, method=method, total_workload=workload,
            workload_unit=_text(workload_unit, "workload_unit", 20, required=False), created_by=actor.username,
            created_at=actor.at,
        )
        summary = f"购入固定资产 {code} {name}"[:200]
        lines = [{"account": _leaf(category.asset_account, "asset_account"), "debit": cost, "summary": summary}]
        if tax:
            vat = Account.objects.filter(role="vat_input", is_leaf=True).first()
            if vat is None:
                raise ValidationFailed(_("no input-VAT account (role vat_input) in the chart"), field="input_tax")
            lines.append({"account": vat, "debit": tax, "summary": summary})
        credit = {"account": counter, "credit": cost + tax, "summary": summary}
        if "partner" in counter.dimensions:
            credit["partner"] = partner
        if counter.is_cash:
            credit["cash_flow_item"] = CASH_FLOW_PURCHASE
        lines.append(credit)
        voucher = post_lines(date=acquired_on, lines=lines, word="记", memo=summary, source_type=SOURCE_TYPE,
                             source_id=code, actor=actor, approved_by=f"assets:acquire {code} ({actor.username})")
        asset.acquisition_voucher_id = voucher.pk
        asset.save(update_fields=["acquisition_voucher_id"])
        audit.record_created(asset, actor=actor, fields=["code", "name", "category", "department", "use", "acquired_on",
                                                         "cost", "residual_value", "life_months", "method"])
        outbox.emit("assets.asset.acquired", aggregate_type="fixed_asset", aggregate_id=code, actor=actor,
                    payload={"asset": asset.pk, "code": code, "cost": str(cost), "voucher": voucher.pk})
        return asset


def record_workload(*, asset: Asset, period: str, quantity, actor: Actor) -> Workload:
    """本月工作量 of a workload-method asset, changeable until that month's depreciation is run."""
    period = parse_period(period)
    if asset.method != Method.WORKLOAD:
        raise ValidationFailed(_("%(c)s is depreciated straight-line; it has no workload") % {"c": asset.code},
                               field="asset", code="not_workload")
    quantity = to_decimal(quantity, field="quantity")
    if quantity < 0:
        raise ValidationFailed(_("quantity must not be negative"), field="quantity")
    if period < first_period(asset):
        raise ValidationFailed(_("%(c)s is depreciated from %(p)s on") % {"c": asset.code, "p": first_period(asset)},
                               field="period", code="before_depreciation")
    with tx.act():
        if DepreciationRun.objects.filter(period=period).exists():
            raise Conflict(_("depreciation for %(p)s has been run; the workload can no longer change")
                           % {"p": period}, field="period", code="depreciation_already_run")
        row, created = Workload.objects.select_for_update().get_or_create(
            asset=asset, period=period,
            defaults={"quantity": quantity, "entered_by": actor.username, "entered_at": actor.at})
        if not created:
            before = audit.snapshot(row, ["quantity"])
            row.quantity, row.entered_by, row.entered_at = quantity, actor.username, actor.at
            row.save()
            audit.record_changes(row, actor=actor, before=before)
        else:
            audit.record_created(row, actor=actor, fields=["period", "quantity"])
        return row


# -- depreciation ---------------------------------------------------------------------------------


def accumulated(asset: Asset, *, before: str | None = None, through: str | None = None) -> Decimal:
    rows = DepreciationLine.objects.filter(asset=asset)
    if before:
        rows = rows.filter(period__lt=before)
    if through:
        rows = rows.filter(period__lte=through)
    return round_money(Decimal(rows.aggregate(s=Sum("amount"))["s"] or ZERO))


def in_service(asset: Asset, period: str) -> bool:
    """The asset takes depreciation in `period` (before knowing whether anything is left to take)."""
    if period < first_period(asset):
        return False
    return asset.disposed_on is None or period <= periods.of(asset.disposed_on)


def month_amount(asset: Asset, period: str, *, taken: Decimal, workload: Decimal | None = None,
                 worked_before: Decimal = ZERO) -> Decimal:
    """What `asset` depreciates in `period`, `taken` being its depreciation before it."""
    left = asset.depreciable - taken
    if left <= 0:
        return ZERO
    if asset.method == Method.STRAIGHT_LINE:
        index = len(periods.between(first_period(asset), period))
        monthly = round_money(asset.depreciable / asset.life_months)
        return left if index >= asset.life_months or monthly > left else monthly
    quantity = workload or Decimal(0)
    if worked_before + quantity >= asset.total_workload:
        return left
    return min(left, round_money(asset.depreciable * quantity / asset.total_workload))


def _taken_before(period: str) -> dict[int, Decimal]:
    rows = DepreciationLine.objects.filter(period__lt=period).values("asset_id").annotate(s=Sum("amount"))
    return {asset_id: round_money(Decimal(total)) for asset_id, total in rows.values_list("asset_id", "s")}


def due(period: str) -> list[Asset]:
    """Assets that take depreciation in `period` and still have some left to take."""
    taken = _taken_before(period)
    first_day = datetime.date(int(period[:4]), int(period[5:7]), 1)
    candidates = (Asset.objects.select_related("category").filter(acquired_on__lt=first_day)
                  .exclude(disposed_on__lt=first_day).order_by("code"))
    return [a for a in candidates if in_service(a, period) and taken.get(a.pk, ZERO) < a.depreciable]


def _missing_runs(assets: list[Asset], period: str) -> list[str]:
    done = set(DepreciationRun.objects.filter(period__lt=period).values_list("period", flat=True))
    missing = set()
    for asset in assets:
        for month in periods.between(first_period(asset), periods.add(period, -1)):
            if month not in done and in_service(asset, month):
                missing.add(month)
    return sorted(missing)


def run_depreciation(*, period: str, actor: Actor) -> DepreciationRun:
    """计提折旧 for `period`: one voucher dated the month's last day, Dr the expense account of each
    department's use (制造费用/管理费用/销售费用 with the department) / Cr 累计折旧. Idempotent: the run of a
    period already made is returned as it is. Earlier months must have been run first."""
    period = parse_period(period)
    with tx.act():
        found = DepreciationRun.objects.select_for_update().filter(period=period).first()
        if found is not None:
            return found
        assets = due(period)
        missing = _missing_runs(assets, period)
        if missing:
            raise Conflict(_("run the depreciation of %(p)s first") % {"p": missing[0]}, field="period",
                           code="earlier_period_not_run")
        workloads = {w.asset_id: w.quantity for w in Workload.objects.filter(period=period, asset__in=assets)}
        lacking = [a.code for a in assets if a.method == Method.WORKLOAD and a.pk not in workloads]
        if lacking:
            raise ValidationFailed(_("enter the %(p)s workload of %(codes)s first")
                                   % {"p": period, "codes": ", ".join(lacking)}, field="workload",
                                   code="workload_missing")
        try:
            with transaction.atomic():  # a run made meanwhile by someone else wins: return it
                run = DepreciationRun.objects.create(period=period, total=ZERO, run_by=actor.username,
                                                     run_at=actor.at)
        except IntegrityError:
            return DepreciationRun.objects.get(period=period)
        rows, debits, credits = [], defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)
        taken = _taken_before(period)
        worked = dict(Workload.objects.filter(period__lt=period, asset__in=assets).values("asset_id")
                      .annotate(s=Sum("quantity")).values_list("asset_id", "s"))
        expense_leaves: dict[str, str] = {}
        for asset in assets:
            amount = month_amount(asset, period, taken=taken.get(asset.pk, ZERO), workload=workloads.get(asset.pk),
                                  worked_before=worked.get(asset.pk) or Decimal(0))
            expense = asset.category.expense_account(asset.use)
            if expense not in expense_leaves:  # a category saved as 5602 books to 5602.06 折旧费
                expense_leaves[expense] = _leaf(expense, "expense_account", DEPRECIATION).code
            expense = expense_leaves[expense]
            rows.append(DepreciationLine(run=run, asset=asset, period=period, amount=amount,
                                         workload=workloads.get(asset.pk), expense_account=expense))
            debits[(expense, asset.department)] += amount
            credits[asset.category.depreciation_account] += amount
        DepreciationLine.objects.bulk_create(rows)
        run.total = sum((r.amount for r in rows), ZERO)
        if run.total:
            summary = f"计提{period[:4]}年{int(period[5:])}月折旧"
            lines = []
            for (expense, department), amount in sorted(debits.items()):
                if amount:
                    account = _leaf(expense, "expense_account")
                    line = {"account": account, "debit": amount, "summary": f"{summary} {department}"[:200]}
                    if "department" in account.dimensions:
                        line["department"] = department
                    lines.append(line)
            for code, amount in sorted(credits.items()):
                if amount:
                    lines.append({"account": _leaf(code, "depreciation_account"), "credit": amount, "summary": summary})
            voucher = post_lines(date=last_day(period), lines=lines, word="记", memo=summary,
                                 source_type="depreciation_run", source_id=period, actor=actor,
                                 approved_by=f"assets:depreciation {period} ({actor.username})")
            run.voucher_id = voucher.pk
        run.save(update_fields=["total", "voucher_id"])
        audit.record_act(run, actor=actor, action="run_depreciation",
                         detail=f"{period}: {len(rows)} assets, {run.total}")
        outbox.emit("assets.depreciation.run", aggregate_type="depreciation_run", aggregate_id=period, actor=actor,
                    payload={"period": period, "total": str(run.total), "voucher": run.voucher_id,
                             "assets": len(rows)})
        return run


def depreciation_done(period: str) -> tuple[bool, str]:
    """The month-end check: a month with assets to depreciate has its depreciation run."""
    run = DepreciationRun.objects.filter(period=period).first()
    if run is not None:
        return True, _("run: %(n)s assets, %(total)s") % {"n": run.lines.count(), "total": run.total}
    assets = due(period)
    if assets:
        return False, _("%(n)s assets to depreciate (%(codes)s) and no depreciation run for %(p)s") % {
            "n": len(assets), "codes": ", ".join(a.code for a in assets[:5]), "p": period}
    return True, _("no asset to depreciate")


# -- disposal -------------------------------------------------------------------------------------


def dispose(*, asset: Asset, date, actor: Actor, proceeds=0, costs=0, counter_account: str = "", reason: str = ""
            ) -> Asset:
    """固定资产清理: the net value, proceeds and clearing costs through 1606, the balance to 营业外收入 (a gain)
    or 营业外支出 (a loss), in one voucher. The month's depreciation must be run first (当月减少当月照提)."""
    date = _date(date, "date")
    proceeds = _positive(proceeds, "proceeds", allow_zero=True)
    costs = _positive(costs, "costs", allow_zero=True)
    counter = _leaf(counter_account, "counter_account") if (proceeds or costs) else None
    reason = _text(reason, "reason", 100, required=False) or "出售"
    with tx.act():
        asset = Asset.objects.select_for_update().select_related("category").get(pk=asset.pk)
        if asset.status == Asset.Status.DISPOSED:
            raise Conflict(_("%(c)s has already been disposed of") % {"c": asset.code}, field="asset",
                           code="already_disposed")
        if date < asset.acquired_on:
            raise ValidationFailed(_("the disposal date is before the acquisition"), field="date")
        period = period_of(date)
        if DepreciationRun.objects.filter(period__gt=period).exists():
            raise Conflict(_("depreciation after %(p)s has been run; dispose of the asset in the latest month")
                           % {"p": period}, field="date", code="depreciation_already_run")
        if (in_service(asset, period) and accumulated(asset, before=period) < asset.depreciable
                and not DepreciationRun.objects.filter(period=period).exists()):
            raise Conflict(_("run the depreciation of %(p)s first: an asset disposed of in a month is depreciated "
                             "that month") % {"p": period}, field="date", code="depreciation_not_run")
        taken = accumulated(asset)
        net = asset.cost - taken
        category = asset.category
        summary = f"{reason} {asset.code} {asset.name}"[:200]
        clearing = _leaf(CLEARING_ACCOUNT, "clearing_account")
        lines = [{"account": clearing, "debit": net, "summary": f"转入清理 {asset.code}"}] if net else []
        if taken:
            lines.append({"account": _leaf(category.depreciation_account, "depreciation_account"), "debit": taken,
                          "summary": f"转入清理 {asset.code}"})
        lines.append({"account": _leaf(category.asset_account, "asset_account"), "credit": asset.cost,
                      "summary": f"转入清理 {asset.code}"})
        if proceeds:
            lines.append({"account": counter, "debit": proceeds, "summary": f"清理收入 {asset.code}",
                          "cash_flow_item": CASH_FLOW_DISPOSAL if counter.is_cash else None})
            lines.append({"account": clearing, "credit": proceeds, "summary": f"清理收入 {asset.code}"})
        if costs:
            lines.append({"account": clearing, "debit": costs, "summary": f"清理费用 {asset.code}"})
            lines.append({"account": counter, "credit": costs, "summary": f"清理费用 {asset.code}",
                          "cash_flow_item": CASH_FLOW_DISPOSAL if counter.is_cash else None})
        gain = proceeds - net - costs
        if gain > 0:
            lines.append({"account": clearing, "debit": gain, "summary": f"清理净收益 {asset.code}"})
            lines.append({"account": _leaf(GAIN_ACCOUNT, "gain_account", "disposal_gain"), "credit": gain,
                          "summary": f"清理净收益 {asset.code}"})
        elif gain < 0:
            lines.append({"account": _leaf(LOSS_ACCOUNT, "loss_account", "disposal_loss"), "debit": -gain,
                          "summary": f"清理净损失 {asset.code}"})
            lines.append({"account": clearing, "credit": -gain, "summary": f"清理净损失 {asset.code}"})
        for line in lines:
            if line.get("cash_flow_item") is None:
                line.pop("cash_flow_item", None)
        voucher = post_lines(date=date, lines=lines, word="记", memo=summary, source_type=SOURCE_TYPE,
                             source_id=asset.code, actor=actor, approved_by=f"assets:dispose {asset.code} "
                                                                            f"({actor.username})")
        before = audit.snapshot(asset, ["status", "disposed_on"])
        asset.status, asset.disposed_on, asset.disposal_voucher_id = Asset.Status.DISPOSED, date, voucher.pk
        asset.disposal_proceeds, asset.disposal_costs, asset.disposal_gain = proceeds, costs, gain
        asset.save()
        audit.record_changes(asset, actor=actor, before=before, action="dispose")
        outbox.emit("assets.asset.disposed", aggregate_type="fixed_asset", aggregate_id=asset.code, actor=actor,
                    payload={"asset": asset.pk, "code": asset.code, "gain": str(gain), "voucher": voucher.pk})
        return asset


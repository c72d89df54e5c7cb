"""Fixed-asset pages: the register (卡片账) with the month's depreciation run, a new card, categories, and
one card with its schedule, workload entry and disposal. Reads via sihe.assets.selectors, writes via its
services."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from sihe.assets import selectors, services
from sihe.core import clock, tx
from sihe.core.errors import DomainError
from sihe.core.roles import can
from sihe.ledger.services import parse_period, period_of
from sihe.web.permissions import require_permission


def _period(request) -> str:
    value = request.GET.get("period") or request.POST.get("period") or period_of(clock.today())
    try:
        return parse_period(value)
    except DomainError:
        return period_of(clock.today())


@require_permission("ledger.view")
def register(request):
    period = _period(request)
    return render(request, "web_assets/register.html", {
        "period": period, "register": selectors.register(period), "run": selectors.run(period),
        "can_edit": can(request.user, "ledger.edit"), "due": services.due(period),
    })


@require_permission("ledger.edit")
def depreciation(request):
    period = _period(request)
    if request.method == "POST":
        try:
            with tx.entry():
                run = services.run_depreciation(period=period, actor=request.actor)
            messages.success(request, _("Depreciation for %(p)s: %(total)s") % {"p": period, "total": run.total})
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect(f"{reverse('web_assets:register')}?period={period}")


@require_permission("ledger.edit")
def acquire(request):
    error, values = None, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            category = selectors.category(values.get("category", ""))
            with tx.entry():
                asset = services.acquire(
                    code=values.get("code", ""), name=values.get("name", ""), category=category,
                    department=values.get("department", ""), use=values.get("use", ""),
                    acquired_on=values.get("acquired_on", ""), cost=values.get("cost", ""),
                    input_tax=values.get("input_tax") or 0, paid_from=values.get("paid_from", ""),
                    partner=values.get("partner", ""), residual_value=values.get("residual_value") or None,
                    life_months=values.get("life_months") or None, method=values.get("method") or None,
                    total_workload=values.get("total_workload") or None, workload_unit=values.get("workload_unit", ""),
                    actor=request.actor)
            messages.success(request, _("Asset %(c)s added and its voucher posted.") % {"c": asset.code})
            return redirect("web_assets:card", code=asset.code)
        except DomainError as exc:
            error = exc
    return render(request, "web_assets/new.html", {
        "categories": selectors.categories(), "uses": selectors.Use.choices, "methods": selectors.Method.choices,
        "values": values, "error": error, "today": clock.today().isoformat(),
    }, status=422 if error else 200)


@require_permission("ledger.view")
def categories(request):
    error, values = None, {}
    if request.method == "POST":
        values = request.POST
        if not can(request.user, "ledger.edit"):
            return redirect("web_assets:categories")
        try:
            with tx.entry():
                services.save_category(
                    code=values.get("code", ""), name=values.get("name", ""), life_months=values.get("life_months", ""),
                    residual_rate=values.get("residual_rate", ""), method=values.get("method", ""),
                    expense_manufacturing=values.get("expense_manufacturing") or "4101",
                    expense_admin=values.get("expense_admin") or "5602",
                    expense_selling=values.get("expense_selling") or "5601", actor=request.actor)
            messages.success(request, _("Category saved."))
            return redirect("web_assets:categories")
        except DomainError as exc:
            error = exc
    return render(request, "web_assets/categories.html", {
        "categories": selectors.categories(), "methods": selectors.Method.choices, "error": error, "values": values,
        "can_edit": can(request.user, "ledger.edit"),
    }, status=422 if error else 200)


@require_permission("ledger.view")
def card(request, code):
    asset = selectors.asset(code)
    error = None
    if request.method == "POST" and can(request.user, "ledger.edit"):
        act = request.POST.get("act")
        try:
            with tx.entry():
                if act == "workload":
                    services.record_workload(asset=asset, period=request.POST.get("period", ""),
                                             quantity=request.POST.get("quantity", ""), actor=request.actor)
                    messages.success(request, _("Workload saved."))
                elif act == "dispose":
                    services.dispose(asset=asset, date=request.POST.get("date", ""),
                                     proceeds=request.POST.get("proceeds") or 0, costs=request.POST.get("costs") or 0,
                                     counter_account=request.POST.get("counter_account", ""),
                                     reason=request.POST.get("reason", ""), actor=request.actor)
                    messages.success(request, _("Asset disposed of; the voucher is posted."))
            return redirect("web_assets:card", code=asset.code)
        except DomainError as exc:
            error = exc
    taken = services.accumulated(asset)
    return render(request, "web_assets/card.html", {
        "a": asset, "accumulated": taken, "net": asset.cost - taken, "schedule": selectors.schedule(asset),
        "expense_account": asset.category.expense_account(asset.use), "error": error,
        "can_edit": can(request.user, "ledger.edit"), "period": period_of(clock.today()),
        "today": clock.today().isoformat(),
    }, status=422 if error else 200)

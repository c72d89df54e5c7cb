"""The role home pages (manager, service, warehouse lead, accountant, shop floor) and the KPI drill-down.

`/` (sihe.web.views.home) hands a role with a page here; the page's figures sit in a panel that htmx fetches
again every 30 s (`panel/`), so the numbers move without a reload. Figures come from sihe.insights, the same
functions the API answers with.
"""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from sihe.core import clock
from sihe.core.errors import DomainError
from sihe.core.money import format_cny
from sihe.core.roles import can, role_of
from sihe.insights import home, kpis
from sihe.mes import selectors as mes_selectors
from sihe.web.permissions import require_permission

ROLE_PAGES = ("manager", "service", "warehouse", "accountant", "shopfloor")
POLL_SECONDS = 30
# the manager's tiles, in the order a manager reads them on a phone
MANAGER_KPIS = ("revenue", "gross_margin", "gross_profit", "stock_value", "receivables_overdue", "on_time_shipment",
                "order_cycle_time", "handoff_latency", "inventory_accuracy", "days_of_stock", "inventory_turnover",
                "picking_rate", "walking_saved", "days_to_close", "oee", "yield")
UNITS = {
    "percent": "%", "hours": pgettext_lazy("unit", "h"), "seconds": pgettext_lazy("unit", "s"),
    "days": pgettext_lazy("unit", "days"), "times": pgettext_lazy("unit", "×"),
    "lines_per_hour": pgettext_lazy("unit", "lines/h"), "metres": pgettext_lazy("unit", "m"),
}
QUEUE_TITLES = {
    "aftersales": (gettext_lazy("After-sales cases"), "web_oms:aftersales"),
    "intake_errors": (gettext_lazy("Intake errors"), "web_oms:intake_errors"),
    "holds": (gettext_lazy("Orders on hold"), "web_oms:exceptions"),
}
EXCEPTION_TITLES = {
    "held": (gettext_lazy("Orders on hold"), "web_oms:exceptions"),
    "late": (gettext_lazy("Orders past their promised ship time"), "web_oms:orders"),
    "alarms": (gettext_lazy("Open line alarms"), "web_mes:alarms"),
}


def _url(name, *args, query: str = "") -> str | None:
    try:
        return reverse(name, args=args) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return None


def display(value, unit: str) -> str:
    """A figure as people read it: ¥1,234.56, 72.00%, 15.50 h; — when there is nothing to measure."""
    if value in (None, "", "None"):
        return "—"
    if unit == "CNY":
        return format_cny(Decimal(value))
    suffix = UNITS.get(unit, "")
    return f"{value}{suffix}" if unit == "percent" else f"{value} {suffix}".strip()


def age_text(a: dict | None) -> str:
    if a is None:
        return "—"
    if a["days"]:
        return _("%(d)sd %(h)sh") % {"d": a["days"], "h": a["hours"]}
    if a["hours"]:
        return _("%(h)sh %(m)smin") % {"h": a["hours"], "m": a["minutes"]}
    return _("%(m)smin") % {"m": a["minutes"]}


def _tile(figure: dict, period: kpis.Period) -> dict:
    query = f"from={period.start}&to={period.end}"
    return {**figure, "display": display(figure["value"], figure["unit"]),
            "url": _url("web_insights:drill", figure["code"], query=query)}


def _month_to_date() -> kpis.Period:
    today = clock.today()
    return kpis.Period(today.replace(day=1), today)


def _manager(user) -> dict:
    period = _month_to_date()
    tiles = [_tile(f, period) for f in kpis.figures(period, codes=kpis.enabled(MANAGER_KPIS))]
    yesterday = kpis.Period(period.end.fromordinal(period.end.toordinal() - 1), period.end.fromordinal(
        period.end.toordinal() - 1))
    y = {f["code"]: _tile(f, yesterday) for f in kpis.figures(yesterday, codes=["revenue", "gross_margin"])}
    by_channel = kpis.figure("gross_margin", period, group_by="channel")["groups"]
    revenue_by_channel = {g["key"]: g["value"] for g in kpis.figure("revenue", period, group_by="channel")["groups"]}
    exceptions = [{**e, "label": EXCEPTION_TITLES[e["code"]][0], "url": _url(EXCEPTION_TITLES[e["code"]][1])}
                  for e in home.exceptions()]
    approvals = None
    try:
        if can(user, "approvals.view"):
            approvals = _url("web_approvals:inbox")
    except KeyError:  # the approvals wing is not there (yet)
        approvals = None
    return {"period": period, "tiles": tiles, "yesterday": y, "exceptions": exceptions, "approvals": approvals,
            "channels": [{**g, "revenue": display(revenue_by_channel.get(g["key"]), "CNY"),
                          "margin": display(g["value"], "percent")} for g in by_channel],
            "trend": home.revenue_per_day(30)}


def _service() -> dict:
    queues = []
    for q in home.service_queues():
        title, url = QUEUE_TITLES[q["code"]]
        queues.append({**q, "title": title, "url": _url(url), "oldest_text": age_text(q["oldest"]),
                       "items": [{**i, "age_text": age_text(i["age"])} for i in q["items"]]})
    return {"queues": queues}


def _warehouse() -> dict:
    floor = home.warehouse_floor()
    for w in floor["waves"]:
        w["age_text"] = age_text(w["age"])
        w["url"] = _url("web_outbound:wave", w["id"])
    for b in floor["backlog"]:
        b["oldest_text"] = age_text(b["oldest"])
    today = kpis.Period(clock.today(), clock.today())
    floor["tiles"] = [_tile(f, today) for f in kpis.figures(today, codes=["picking_rate", "walking_saved",
                                                                          "on_time_shipment"])]
    return floor


def _accountant() -> dict:
    data = home.close_progress()
    period = _month_to_date()
    data["tiles"] = [_tile(f, period) for f in kpis.figures(period, codes=["revenue", "gross_margin",
                                                                          "receivables_overdue", "days_to_close"])]
    data["unreconciled_text"] = format_cny(data["unreconciled_amount"])
    return data


def _shopfloor() -> dict:
    today = kpis.Period(clock.today(), clock.today())
    oee = {g["key"]: g["value"] for g in kpis.figure("oee", today, group_by="line")["groups"]}
    yields = {g["key"]: g["value"] for g in kpis.figure("yield", today, group_by="line")["groups"]}
    lines = [{**ln, "oee": display(oee.get(ln["code"]), "percent"), "yield": display(yields.get(ln["code"]), "percent")}
             for ln in mes_selectors.board()]
    return {"lines": lines}


BUILDERS = {"service": _service, "warehouse": _warehouse, "accountant": _accountant, "shopfloor": _shopfloor}


def context_for(role: str, user) -> dict:
    data = _manager(user) if role == "manager" else BUILDERS[role]()
    return {"role": role, "poll": POLL_SECONDS, "now": clock.now(), **data}


def role_home(request, role: str):
    """The home page of a role with one (called by sihe.web.views.home)."""
    return render(request, "web_insights/home.html", {**context_for(role, request.user), "today": clock.today()})


@login_required
def panel(request):
    role = role_of(request.user)
    if role not in ROLE_PAGES:
        raise Http404
    return render(request, f"web_insights/_{role}.html", context_for(role, request.user))


@require_permission("dashboard.view")
def kpi_list(request):
    try:
        period = kpis.period_of(request.GET.get("from"), request.GET.get("to"))
    except DomainError as exc:
        return render(request, "web_insights/kpis.html", {"error": exc.message, "tiles": []}, status=exc.status)
    return render(request, "web_insights/kpis.html", {
        "period": period, "tiles": [_tile(f, period) for f in kpis.figures(period)]})


HIDDEN_COLUMNS = {"type", "id", "source_type", "source_id"}
NUMERIC_COLUMNS = {"amount", "qty", "counted", "matched", "lines", "minutes", "naive", "routed", "days",
                   "availability", "performance", "quality", "oee", "good", "total"}
COLUMN_LABELS = {
    "number": pgettext_lazy("document", "number"), "date": gettext_lazy("Date"), "memo": gettext_lazy("Memo"),
    "order": gettext_lazy("Order"), "shipment": gettext_lazy("Shipment"), "amount": gettext_lazy("Amount"),
    "product": gettext_lazy("Product"), "name": gettext_lazy("Name"), "warehouse": gettext_lazy("Warehouse"),
    "qty": gettext_lazy("Quantity"), "counted": gettext_lazy("Lines counted"), "matched": gettext_lazy("Lines matched"),
    "channel": gettext_lazy("Channel"), "promised": gettext_lazy("Promised ship time"),
    "shipped": gettext_lazy("Shipped at"), "on_time": gettext_lazy("On time"), "paid": gettext_lazy("Paid at"),
    "received": gettext_lazy("Received in Sihe"), "customer": gettext_lazy("Customer"),
    "days": gettext_lazy("Days"), "picker": gettext_lazy("Picker"), "lines": gettext_lazy("Lines"),
    "minutes": pgettext_lazy("picking", "Minutes"), "naive": gettext_lazy("Unrouted length (m)"),
    "routed": gettext_lazy("Routed length (m)"), "period_end": gettext_lazy("Period end"),
    "closed": gettext_lazy("Closed on"), "closed_by": gettext_lazy("Closed by"),
    "availability": gettext_lazy("Availability"), "performance": gettext_lazy("Performance"),
    "quality": gettext_lazy("Quality"), "oee": gettext_lazy("OEE"), "good": gettext_lazy("Good"),
    "total": gettext_lazy("Total"),
}
DOCUMENT_URLS = {"voucher": "web_ledger:voucher", "order": "web_oms:order", "count_task": "web_counting:task",
                 "picklist": "web_outbound:picklist", "period": None, "line": None, "stock": None}


@require_permission("dashboard.view")
def kpi_drill(request, code):
    try:
        period = kpis.period_of(request.GET.get("from"), request.GET.get("to"))
        group_by, group = request.GET.get("group_by") or None, request.GET.get("group") or None
        offset = max(int(request.GET.get("offset") or 0), 0)
        figure = kpis.figure(code, period, group_by=group_by)
        answer = kpis.drill(code, period, group_by=group_by, group=group, offset=offset, limit=100)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        return render(request, "web_insights/drill.html", {"error": exc.message}, status=exc.status)
    except ValueError:
        return render(request, "web_insights/drill.html", {"error": _("offset must be a number")}, status=422)
    keys = [c for c in (answer["rows"][0].keys() if answer["rows"] else []) if c not in HIDDEN_COLUMNS]
    rows = []
    for row in answer["rows"]:
        name = DOCUMENT_URLS.get(row.get("type"))
        links = {"number": _url(name, row["id"]) if name and row.get("id") else None}
        if row.get("order") and row.get("source_type") == "oms.order":
            links["order"] = _url("web_oms:order", row["source_id"])
        cells = []
        for key in keys:
            value = row.get(key)
            if key == "amount" and figure["unit"] == "CNY" and value is not None:
                value = format_cny(Decimal(value))
            elif isinstance(value, bool):
                value = _("yes") if value else _("no")
            cells.append({"value": value, "url": links.get(key), "num": key in NUMERIC_COLUMNS})
        rows.append({"cells": cells})
    columns = [{"key": k, "label": COLUMN_LABELS.get(k, k)} for k in keys]
    query = f"from={period.start}&to={period.end}"
    group_links = [{**g, "display": display(g["value"], figure["unit"]),
                    "url": _url("web_insights:drill", code, query=f"{query}&group_by={figure['grouped_by']}&group={g['key']}")}
                   for g in figure["groups"]]
    groupings = [{"key": g, "url": _url("web_insights:drill", code, query=f"{query}&group_by={g}")}
                 for g in figure["group_by"]]
    return render(request, "web_insights/drill.html", {
        "figure": {**figure, "display": display(figure["value"], figure["unit"])}, "answer": answer, "rows": rows,
        "columns": columns, "groups": group_links, "groupings": groupings, "period": period,
        "total_display": display(answer.get("total"), figure["unit"]),
        "next": _url("web_insights:drill", code, query=f"{request.GET.urlencode()}&offset={offset + 100}")
        if answer["count"] > offset + 100 else None})

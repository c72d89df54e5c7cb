"""Shop-floor pages: the line board for a big screen (live from `board.json`), alarms with acknowledgement,
work orders (list, dispatch, the page with its acts, metric chart and timeline), the operator's phone page
(badge, then work order: clock on; badge again or 下班: clock off), the labour report and OEE."""

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from sihe.core import clock, tx
from sihe.core.errors import DomainError, ValidationFailed
from sihe.core.roles import can
from sihe.mes import selectors, work_orders
from sihe.production import selectors as production
from sihe.web.audit_labels import user_label
from sihe.web.permissions import require_permission

# the models' names as the selectors module holds them (the edges import no models)
WorkOrder = selectors.WorkOrder
S = WorkOrder.Status
# the acts of the work-order page and the permission each needs
ACTS = {"start": "mes.operate", "pause": "mes.operate", "resume": "mes.supervise", "complete": "mes.operate"}
ACT_LABELS = {"start": pgettext_lazy("work order", "Start"), "pause": pgettext_lazy("work order", "Pause"),
              "resume": pgettext_lazy("work order", "Resume"), "complete": pgettext_lazy("work order", "Complete")}
STATES = dict(selectors.MachineState.State.choices)
EVENTS = {
    "mes.work_order.dispatched": pgettext_lazy("work order event", "Dispatched"),
    "mes.work_order.started": pgettext_lazy("work order event", "Started"),
    "mes.work_order.paused": pgettext_lazy("work order event", "Paused"),
    "mes.work_order.resumed": pgettext_lazy("work order event", "Resumed"),
    "mes.work_order.completed": pgettext_lazy("work order event", "Completed"),
    "mes.work_order.cancelled": pgettext_lazy("work order event", "Cancelled"),
    "mes.operator.clocked_on": pgettext_lazy("work order event", "Clocked on"),
    "mes.operator.clocked_off": pgettext_lazy("work order event", "Clocked off"),
    "mes.alarm.raised": pgettext_lazy("work order event", "Alarm"),
    "mes.alarm.acknowledged": pgettext_lazy("work order event", "Alarm acknowledged"),
}
LOSSES = [("breakdowns", gettext_lazy("Breakdowns")), ("setup_adjustments", gettext_lazy("Setup and adjustments")),
          ("small_stops", gettext_lazy("Small stops")), ("reduced_speed", gettext_lazy("Reduced speed")),
          ("startup_rejects", gettext_lazy("Start-up rejects")),
          ("production_rejects", gettext_lazy("Production rejects"))]
SESSION_BADGE = "mes_operator_badge"
# the shop floor's own system actor (the collector raises alarms and pauses work orders by rule)
ACTORS = {"collector": pgettext_lazy("actor", "data collector")}


def _by(username: str) -> str:
    return str(ACTORS.get(username) or user_label(username or ""))


def _error(request, exc: DomainError) -> None:
    messages.error(request, exc.message)


def _moment(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


def _date(value, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str(value or "").strip()[:10]) if value else default
    except ValueError:
        return default


def _wo(pk: int) -> WorkOrder:
    try:
        return work_orders.work_order(pk)
    except DomainError as exc:
        raise Http404(exc.message) from exc


def _midnight(day: datetime.date) -> datetime.datetime:
    return clock.local(datetime.datetime.combine(day, datetime.time.min))


@require_permission("mes.view")
def index(request):
    return redirect("web_mes:board")


# -- line board -------------------------------------------------------------------------------------


def _board_lines() -> list[dict]:
    """The board's lines, with labels for people: machine states, this hour's counts, who acknowledged."""
    now = clock.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    lines = selectors.board()
    by_code = {ln.code: ln for ln in selectors.lines()}
    for ln in lines:
        for m in ln["machines"]:
            m["state_label"] = str(STATES.get(m["state"], m["state"]))
        wo = ln["work_order"]
        if wo:
            qty = float(wo["qty"]) or 1.0
            wo["progress"] = min(round(100 * (float(wo["good"]) + float(wo["scrap"])) / qty, 1), 100)
            acked = (selectors.alarms().filter(work_order_id=wo["id"], acknowledged_at__isnull=False)
                     .order_by("-acknowledged_at").first())
            wo["acknowledged_by"] = acked.acknowledged_by if acked and wo["status"] == S.PAUSED else ""
        rows = selectors.yield_per_hour(line=by_code[ln["code"]], since=hour, until=now + datetime.timedelta(minutes=1))
        ln["hour"] = rows[0] if rows else {"good": "0", "scrap": "0", "yield": None}
        if ln["hour"]["yield"] is not None:
            ln["hour"]["yield_pct"] = round(ln["hour"]["yield"] * 100, 1)
        for a in ln["alarms"]:
            a["raised"] = _moment(a["raised_at"])
    return lines


@require_permission("mes.view")
def board(request):
    return render(request, "web_mes/board.html", {"lines": _board_lines(), "now": clock.now()})


@require_permission("mes.view")
def board_json(request):
    """The board's data and its tiles as HTML: the page swaps the tiles when they change (no reload)."""
    lines = _board_lines()
    html = render_to_string("web_mes/_tiles.html", {"lines": lines}, request=request)
    for ln in lines:
        for a in ln["alarms"]:
            a.pop("raised", None)
    now = clock.now()
    return JsonResponse({"at": now.isoformat(), "clock": f"{clock.local(now):%Y-%m-%d %H:%M:%S}", "lines": lines,
                         "html": html})


# -- alarms -----------------------------------------------------------------------------------------


@require_permission("mes.view")
def alarm_list(request):
    line = (request.GET.get("line") or "").strip()[:40]
    open_only = request.GET.get("open") == "1"
    qs = selectors.alarms(line_code=line, open_only=open_only).order_by(
        F("acknowledged_at").desc(nulls_first=True), "-id")
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(request, "web_mes/alarms.html", {
        "page": page, "rows": page.object_list, "line": line, "open_only": open_only, "lines": selectors.lines(),
        "querystring": f"line={line}&open={'1' if open_only else ''}",
        "can_supervise": can(request.user, "mes.supervise")})


@require_permission("mes.supervise")
def alarm_acknowledge(request, pk: int):
    if request.method == "POST":
        try:
            with tx.entry():
                alarm = work_orders.acknowledge(alarm=selectors.alarm(pk), note=(request.POST.get("note") or "")[:300],
                                                actor=request.actor)
            messages.success(request, _("Alarm acknowledged: %(m)s") % {"m": alarm.message})
        except DomainError as exc:
            _error(request, exc)
    back = request.POST.get("next") or ""
    return redirect(back if back.startswith("/mes/") else "web_mes:alarms")


# -- work orders ------------------------------------------------------------------------------------


@require_permission("mes.view")
def work_order_list(request):
    line = (request.GET.get("line") or "").strip()[:40]
    status = request.GET.get("status") if request.GET.get("status") in S.values else ""
    form = {}
    if request.method == "POST":
        if not can(request.user, "mes.operate"):
            return render(request, "web/forbidden.html", {"permission": "mes.operate"}, status=403)
        form = {k: (request.POST.get(k) or "").strip()[:40] for k in ("order", "line")}
        try:
            if not form["order"]:
                raise ValidationFailed(_("choose a production order"), field="order")
            with tx.entry():
                order = production.order(form["order"])
                wo = work_orders.dispatch(order=order, line=selectors.line(form["line"]), actor=request.actor)
            messages.success(request, _("Work order %(n)s dispatched to line %(line)s.") % {
                "n": wo.number, "line": wo.line.code})
            return redirect("web_mes:work_order", pk=wo.pk)
        except DomainError as exc:
            _error(request, exc)
    page = Paginator(selectors.work_orders(line_code=line, status=status), 50).get_page(request.GET.get("page"))
    return render(request, "web_mes/work_orders.html", {
        "page": page, "rows": page.object_list, "line": line, "status": status, "statuses": S.choices,
        "lines": selectors.lines(), "querystring": f"line={line}&status={status}", "form": form,
        "can_operate": can(request.user, "mes.operate"), "orders": production.working_orders()[:200]})


def _window(wo: WorkOrder) -> tuple[datetime.datetime, datetime.datetime]:
    until = wo.finished_at or clock.now()
    since = wo.started_at or (until - datetime.timedelta(hours=1))
    return max(since - datetime.timedelta(minutes=5), until - datetime.timedelta(hours=12)), until


def _metrics(wo: WorkOrder, since, until) -> list[dict]:
    return selectors.chart_metrics(wo, since, until)


@require_permission("mes.view")
def work_order_page(request, pk: int):
    wo = _wo(pk)
    data = selectors.work_order_out(wo)
    since, until = _window(wo)
    metrics = _metrics(wo, since, until)
    chosen = next((m for m in metrics if m["has_data"]), metrics[0] if metrics else None)
    timeline = [{**e, "label": EVENTS.get(e["type"], e["type"]), "when": _moment(e["at"]), "by": _by(e["by"])}
                for e in data["timeline"]]
    alarms = [{**a, "raised": _moment(a["raised_at"]), "acked": _moment(a["acknowledged_at"])}
              for a in data["alarms"]]
    now = clock.now()
    on = [{"badge": e.operator.badge, "name": e.operator.name, "since": e.on_at,
           "minutes": round((now - e.on_at).total_seconds() / 60, 1)} for e in selectors.open_clock_entries(wo)]
    entries = wo.clock_entries.filter(off_at__isnull=False).select_related("operator").order_by("-on_at")[:50]
    acts = [(name, ACT_LABELS[name]) for name in data["allowed_actions"]
            if name in ACTS and can(request.user, ACTS[name])]
    qty = float(wo.qty) or 1.0
    return render(request, "web_mes/work_order.html", {
        "wo": wo, "d": data, "acts": acts, "timeline": timeline, "alarms": alarms, "on": on, "entries": entries,
        "metrics": metrics, "chosen": chosen, "progress": min(round(100 * float(wo.good + wo.scrap) / qty, 1), 100),
        "run_minutes": round(float(wo.run_seconds) / 60, 1), "show_order": can(request.user, "production.view"),
        "can_supervise": can(request.user, "mes.supervise"),
        "chart": {"url": f"/mes/work-orders/{wo.pk}/series.json", "metrics": metrics, "chosen": chosen,
                  "labels": {"threshold": _("Limit"), "none": _("No readings in this window.")}}})


@require_permission("mes.view")
def work_order_series(request, pk: int):
    wo = _wo(pk)
    since, until = _window(wo)
    machine = selectors.machine_on_line(wo.line_id, (request.GET.get("machine") or "")[:40])
    metric = (request.GET.get("metric") or "")[:60]
    if machine is None or not metric:
        return JsonResponse({"points": [], "limits": []})
    points = selectors.series(machine=machine, metric=metric, since=since, until=until)
    limits = [{"value": float(r.value), "op": r.op, "kind": r.get_kind_display()}
              for r in selectors.rules(wo.line.code).filter(metric=metric, active=True, kind__in=["threshold", "duration"])]
    return JsonResponse({"machine": machine.code, "metric": metric, "points": points, "limits": limits,
                         "from": since.isoformat(), "to": until.isoformat()})


@require_permission("mes.operate")
def work_order_act(request, pk: int, act: str):
    wo = _wo(pk)
    if request.method != "POST" or act not in ACTS:
        return redirect("web_mes:work_order", pk=pk)
    if not can(request.user, ACTS[act]):
        return render(request, "web/forbidden.html", {"permission": ACTS[act]}, status=403)
    try:
        with tx.entry():
            if act == "start":
                work_orders.start(wo=wo, actor=request.actor)
            elif act == "pause":
                work_orders.pause(wo=wo, reason=request.POST.get("reason") or "", actor=request.actor)
            elif act == "resume":
                work_orders.resume(wo=wo, note=request.POST.get("note") or "", actor=request.actor)
            else:
                work_orders.complete(wo=wo, actor=request.actor)
        messages.success(request, _("Done: %(n)s.") % {"n": wo.number})
    except DomainError as exc:
        _error(request, exc)
    return redirect("web_mes:work_order", pk=pk)


# -- operator's phone page ------------------------------------------------------------------------


def _badge(code: str):
    """The active operator of this badge, or None."""
    try:
        return work_orders.operator_by_badge(code) if code else None
    except DomainError:
        return None


def _open_entry(operator):
    if operator is None:
        return None
    return (operator.entries.filter(off_at__isnull=True)
            .select_related("work_order__production_order__product", "work_order__line").first())


@require_permission("mes.operate")
def operator(request):
    badge = request.session.get(SESSION_BADGE) or ""
    who = _badge(badge)
    result = None
    if request.method == "POST":
        scan = (request.POST.get("scan") or "").strip()[:40]
        action = request.POST.get("action") or ""
        try:
            if action == "leave":
                request.session.pop(SESSION_BADGE, None)
                who = None
            elif action == "off":
                if who is None:
                    raise ValidationFailed(_("scan your badge first"), field="badge")
                result = _clock_off(request, who)
            elif not scan:
                raise ValidationFailed(_("nothing was scanned"), field="scan")
            else:
                scanned = _badge(scan)
                if scanned is not None and who is not None and scanned.pk == who.pk and _open_entry(who):
                    result = _clock_off(request, who)  # the badge again: off the order
                elif scanned is not None:
                    who = scanned
                    request.session[SESSION_BADGE] = who.badge
                    result = {"ok": True, "text": _("Hello %(name)s: now scan the work order.") % {"name": who.name}}
                elif who is None:
                    raise ValidationFailed(_("unknown badge %(badge)s") % {"badge": scan}, field="badge")
                else:
                    with tx.entry():
                        entry = work_orders.clock_on(operator=who, wo=work_orders.work_order(scan),
                                                     actor=request.actor)
                    result = {"ok": True, "text": _("%(name)s clocked on %(n)s.") % {
                        "name": who.name, "n": entry.work_order.number}}
        except DomainError as exc:
            result = {"ok": False, "text": exc.message}
    entry = _open_entry(who)
    minutes = round((clock.now() - entry.on_at).total_seconds() / 60, 1) if entry else None
    return render(request, "web_mes/operator.html", {"who": who, "entry": entry, "minutes": minutes,
                                                     "result": result})


def _clock_off(request, who) -> dict:
    with tx.entry():
        done = work_orders.clock_off(operator=who, actor=request.actor)
    return {"ok": True, "text": _("%(name)s clocked off %(n)s after %(m)s minutes.") % {
        "name": who.name, "n": done.work_order.number, "m": done.minutes}}


# -- labour and OEE ---------------------------------------------------------------------------------


@require_permission("mes.view")
def labour(request):
    today = clock.today()
    until = _date(request.GET.get("to"), today)
    since = _date(request.GET.get("from"), until - datetime.timedelta(days=6))
    if since > until:
        since, until = until, since
    since = max(since, until - datetime.timedelta(days=366))
    rows = selectors.labour_report(since=since, until=until)
    rows.sort(key=lambda r: (r["day"], r["badge"]))
    for r in rows:
        r["hours"] = round(float(r["minutes"]) / 60, 2)
    total = sum(float(r["minutes"]) for r in rows)
    return render(request, "web_mes/labour.html", {
        "rows": rows, "since": since, "until": until, "total_minutes": round(total, 2),
        "total_hours": round(total / 60, 2), "total_cost": sum(float(r["labour_cost"]) for r in rows),
        "show_costs": can(request.user, "costing.view")})


@require_permission("mes.view")
def oee_page(request):
    lines = list(selectors.lines())
    code = (request.GET.get("line") or "").strip()[:40] or (lines[0].code if lines else "")
    today = clock.today()
    until_day = _date(request.GET.get("to"), today)
    since_day = _date(request.GET.get("from"), until_day)
    if since_day > until_day:
        since_day, until_day = until_day, since_day
    since_day = max(since_day, until_day - datetime.timedelta(days=366))
    figures, hours, error = None, [], ""
    if code:
        try:
            line = selectors.line(code)
            since = _midnight(since_day)
            until = min(_midnight(until_day + datetime.timedelta(days=1)), clock.now())
            if until > since:
                figures = selectors.oee_for(line=line, since=since, until=until)
                figures["losses_list"] = [(label, round(figures["losses"][key] / 60, 1)) for key, label in LOSSES]
                for k in ("availability", "performance", "quality", "oee"):
                    figures[f"{k}_pct"] = round(figures[k] * 100, 1)
                figures["planned_minutes"] = round(figures["planned_seconds"] / 60, 1)
                figures["run_minutes"] = round(figures["run_seconds"] / 60, 1)
                hours = selectors.yield_per_hour(line=line, since=since, until=until)
                for h in hours:
                    h["when"] = _moment(h["hour"])
                    h["yield_pct"] = None if h["yield"] is None else round(h["yield"] * 100, 1)
        except DomainError as exc:
            error = exc.message
    return render(request, "web_mes/oee.html", {
        "lines": lines, "line": code, "since": since_day, "until": until_day, "f": figures, "hours": hours,
        "error": error})

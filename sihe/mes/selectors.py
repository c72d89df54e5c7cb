"""Reads of the shop floor for the API and the pages: a work order whole (with alarms and timeline), the
line board, OEE from the recorded states and counts, yield per hour, the labour report, and the
dispatched schedule in the shape of ISA-95's ProductionSchedule."""

import datetime
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import TruncHour
from django.utils.translation import gettext as _

from sihe.core import clock
from sihe.core.errors import NotFound, ValidationFailed
from sihe.core.models import Event
from sihe.core.money import text
from sihe.mes import oee
from sihe.mes.models import (
    Alarm,
    ClockEntry,
    Line,
    LineCount,
    Machine,
    MachineState,
    MinuteRollup,
    PlannedStop,
    Reading,
    Rule,
    Shift,
    WorkOrder,
)
from sihe.mes.transitions import LIFE, ON_LINE

S = WorkOrder.Status


def lines():
    return Line.objects.select_related("work_centre").filter(active=True).order_by("code")


def line(code) -> Line:
    found = Line.objects.select_related("work_centre").filter(code=str(code or "").strip()).first() if code else None
    if found is None:
        raise NotFound(_("no line %(code)s") % {"code": code}, field="line", code="line_not_found")
    return found


def rules(line_code: str = ""):
    qs = Rule.objects.select_related("line").order_by("line__code", "id")
    return qs.filter(line__code=line_code) if line_code else qs


def shift(code) -> Shift:
    found = Shift.objects.filter(code=str(code or "").strip()).first()
    if found is None:
        raise ValidationFailed(_("unknown shift %(code)s") % {"code": code}, field="shift", code="unknown_shift")
    return found


def alarms(*, line_code: str = "", open_only: bool = False):
    qs = Alarm.objects.select_related("line", "machine", "work_order", "rule").order_by("-id")
    if line_code:
        qs = qs.filter(line__code=line_code)
    if open_only:
        qs = qs.filter(acknowledged_at__isnull=True)
    return qs


def alarm(alarm_id: int) -> Alarm:
    found = alarms().filter(pk=alarm_id).first() if 0 < alarm_id < 2**63 else None
    if found is None:
        raise NotFound(_("no alarm %(id)s") % {"id": alarm_id}, field="id", code="alarm_not_found")
    return found


def work_orders(*, line_code: str = "", status: str = ""):
    qs = WorkOrder.objects.select_related("line", "work_centre", "production_order__product").order_by("-id")
    if line_code:
        qs = qs.filter(line__code=line_code)
    if status:
        if status not in S.values:
            raise ValidationFailed(_("unknown status %(s)s") % {"s": status}, field="status")
        qs = qs.filter(status=status)
    return qs


def alarm_out(a: Alarm) -> dict:
    return {"id": a.pk, "line": a.line.code, "machine": a.machine.code if a.machine_id else "",
            "metric": a.metric, "value": a.value, "message": a.message, "paused": a.paused,
            "rule": a.rule_id, "kind": a.rule.kind if a.rule_id else "",
            "work_order": a.work_order.number if a.work_order_id else "",
            "reading_at": a.reading_at.isoformat(), "raised_at": a.raised_at.isoformat(),
            "acknowledged_at": a.acknowledged_at.isoformat() if a.acknowledged_at else None,
            "acknowledged_by": a.acknowledged_by, "note": a.note}


def timeline(wo: WorkOrder) -> list[dict]:
    """The work order's life in order: its events (dispatched, started, paused with the reason, resumed,
    operators on and off, completed) and the alarms raised on it while it ran, with who acknowledged."""
    rows = [{"type": e.type, "at": e.occurred_at, "by": (e.actor or {}).get("username", ""),
             "reason": e.payload.get("reason", ""), "note": e.payload.get("note", ""),
             "badge": e.payload.get("badge", ""), "name": e.payload.get("name", ""),
             "minutes": e.payload.get("minutes", "")}
            for e in Event.objects.filter(aggregate_type="work_order", aggregate_id=wo.number).order_by("id")]
    for a in Alarm.objects.filter(work_order=wo).order_by("id"):
        rows.append({"type": "mes.alarm.raised", "at": a.raised_at, "by": "", "reason": a.message, "note": "",
                     "badge": "", "name": "", "minutes": ""})
        if a.acknowledged_at:
            rows.append({"type": "mes.alarm.acknowledged", "at": a.acknowledged_at, "by": a.acknowledged_by,
                         "reason": a.message, "note": a.note, "badge": "", "name": "", "minutes": ""})
    order = {"mes.alarm.raised": 0, "mes.work_order.paused": 1, "mes.alarm.acknowledged": 2}
    rows.sort(key=lambda r: (r["at"], order.get(r["type"], 1)))
    return [{**r, "at": r["at"].isoformat()} for r in rows]


def work_order_out(wo: WorkOrder) -> dict:
    return {
        "id": wo.pk, "number": wo.number, "status": wo.status, "status_label": str(wo.get_status_display()),
        "pause_reason": wo.pause_reason, "production_order": wo.production_order.number,
        "production_order_id": wo.production_order_id, "sku": wo.production_order.product.sku,
        "product": wo.production_order.product.name, "operation": wo.operation_seq,
        "work_centre": wo.work_centre.code, "line": wo.line.code if wo.line_id else "", "qty": text(wo.qty),
        "good": text(wo.good), "scrap": text(wo.scrap), "reported_good": text(wo.reported_good),
        "reported_scrap": text(wo.reported_scrap), "run_seconds": text(wo.run_seconds),
        "dispatched_at": wo.dispatched_at.isoformat() if wo.dispatched_at else None,
        "started_at": wo.started_at.isoformat() if wo.started_at else None,
        "finished_at": wo.finished_at.isoformat() if wo.finished_at else None,
        "allowed_actions": LIFE.allowed_actions(wo.status),
        "alarms": [alarm_out(a) for a in alarms().filter(work_order=wo)],
        "timeline": timeline(wo),
    }


def board() -> list[dict]:
    """Each line: its work order on the line, machines and their states, open alarms (red when any)."""
    out = []
    for ln in lines().prefetch_related("machines"):
        wo = work_orders(line_code=ln.code).filter(status__in=ON_LINE).first()
        queued = list(work_orders(line_code=ln.code).filter(status=S.DISPATCHED).order_by("dispatched_at", "id")[:5])
        open_alarms = list(alarms(line_code=ln.code, open_only=True)[:10])
        out.append({
            "code": ln.code, "name": ln.name, "work_centre": ln.work_centre.code,
            "red": bool(open_alarms) or (wo is not None and wo.status == S.PAUSED),
            "work_order": None if wo is None else {
                "id": wo.pk, "number": wo.number, "status": wo.status, "status_label": str(wo.get_status_display()),
                "sku": wo.production_order.product.sku, "product": wo.production_order.product.name,
                "qty": text(wo.qty), "good": text(wo.good), "scrap": text(wo.scrap), "pause_reason": wo.pause_reason},
            "queued": [{"id": q.pk, "number": q.number, "sku": q.production_order.product.sku, "qty": text(q.qty)}
                       for q in queued],
            "machines": [{"code": m.code, "name": m.name, "state": m.state,
                          "last_seen": m.last_seen.isoformat() if m.last_seen else None}
                         for m in ln.machines.all()],
            "alarms": [alarm_out(a) for a in open_alarms],
        })
    return out


def readings(*, machine: Machine, metric: str = "", since=None, until=None, limit: int = 5000) -> list[tuple]:
    """Raw readings of a machine as (ts, metric, value), oldest first (one metric, or all)."""
    qs = Reading.objects.filter(machine=machine)
    if metric:
        qs = qs.filter(values__has_key=metric)
    if since is not None:
        qs = qs.filter(ts__gte=since)
    if until is not None:
        qs = qs.filter(ts__lt=until)
    out = []
    for ts, values in qs.order_by("ts", "id").values_list("ts", "values")[:limit]:
        out += [(ts, name, value) for name, value in sorted(values.items()) if not metric or name == metric]
    return out


def series(*, machine: Machine, metric: str, since: datetime.datetime, until: datetime.datetime) -> list:
    """A metric's points for a chart: raw readings where kept, per-minute averages before that."""
    raw = [(ts, value) for ts, _name, value in readings(machine=machine, metric=metric, since=since, until=until)]
    first_raw = raw[0][0].replace(second=0, microsecond=0) if raw else until  # minutes before the raw ones
    minutes = [(m, total / n) for m, total, n in MinuteRollup.objects.filter(
        machine=machine, metric=metric, minute__gte=since, minute__lt=first_raw).order_by("minute")
        .values_list("minute", "total", "n") if n]
    return [[t.isoformat(), v] for t, v in minutes + raw]


def machine_on_line(line_id: int | None, code: str) -> Machine | None:
    return Machine.objects.filter(line_id=line_id, code=code).first() if line_id and code else None


def chart_metrics(wo: WorkOrder, since: datetime.datetime, until: datetime.datetime) -> list[dict]:
    """What a work order's chart can show: each machine of its line with the metrics it reported in the
    window (every reading is in a minute roll-up), its counters and the metrics the line's rules watch."""
    if not wo.line_id:
        return []
    machines = list(Machine.objects.filter(line_id=wo.line_id).order_by("code"))
    seen: dict[int, set] = {m.pk: set() for m in machines}
    for mid, metric in (MinuteRollup.objects.filter(machine_id__in=list(seen), minute__gte=since.replace(
            second=0, microsecond=0), minute__lt=until).values_list("machine_id", "metric").distinct()):
        seen[mid].add(metric)
    watched = {r.metric for r in rules(wo.line.code)}
    out = []
    for m in machines:
        names = seen[m.pk] | watched | {n for n in (m.good_metric, m.scrap_metric) if n}
        for name in sorted(names, key=lambda n: (n not in watched, n)):
            out.append({"machine": m.code, "metric": name, "has_data": name in seen[m.pk]})
    return out


# -- OEE -------------------------------------------------------------------------------------------


def _overlap(a0, a1, b0, b1) -> float:
    return max((min(a1, b1) - max(a0, b0)).total_seconds(), 0.0)


def _merge(intervals: list[tuple]) -> list[tuple]:
    out: list[list] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [tuple(i) for i in out]


def shift_windows(shift: Shift, since: datetime.datetime, until: datetime.datetime) -> list[tuple]:
    """The stretches of [since, until) that fall in the shift (local time; a shift may run past midnight)."""
    tz = clock.SHANGHAI
    day = (since - datetime.timedelta(days=1)).astimezone(tz).date()
    out = []
    while datetime.datetime.combine(day, shift.start, tz) < until:
        start = datetime.datetime.combine(day, shift.start, tz)
        end_day = day if shift.end > shift.start else day + datetime.timedelta(days=1)
        end = datetime.datetime.combine(end_day, shift.end, tz)
        lo, hi = max(start, since), min(end, until)
        if lo < hi:
            out.append((lo, hi))
        day += datetime.timedelta(days=1)
    return out


def oee_for(*, line: Line, since: datetime.datetime, until: datetime.datetime, shift: Shift | None = None) -> dict:
    """OEE of a line over [since, until) (or the parts of it in one shift), from the machine states and
    the counts the line recorded; planned stops are outside planned time."""
    windows = shift_windows(shift, since, until) if shift else [(since, until)]
    stops = _merge([(max(p.start, since), min(p.end, until))
                    for p in PlannedStop.objects.filter(line=line, start__lt=until, end__gt=since)])

    def in_plan(start, end) -> float:
        total = sum(_overlap(start, end, w0, w1) for w0, w1 in windows)
        return total - sum(_overlap(start, end, max(s0, w0), min(s1, w1))
                           for s0, s1 in stops for w0, w1 in windows if s0 < w1 and w0 < s1)

    planned = sum(in_plan(w0, w1) for w0, w1 in windows)
    by_state: dict[str, list] = {"down": [], "changeover": [], "idle": []}
    for st in MachineState.objects.filter(machine__line=line, start__lt=until).exclude(end__lte=since):
        if st.state in by_state:
            by_state[st.state].append((max(st.start, since), min(st.end or until, until)))
    seconds = {state: sum(in_plan(a, b) for a, b in _merge(ivs)) for state, ivs in by_state.items()}
    total = good = Decimal(0)
    ideal = 0.0
    for row in (LineCount.objects.filter(line=line, minute__gte=since, minute__lt=until)
                .values("work_order").annotate(good=Sum("good"), scrap=Sum("scrap"))):
        wo = WorkOrder.objects.select_related("production_order__bom").get(pk=row["work_order"])
        in_windows = LineCount.objects.filter(work_order_id=row["work_order"], line=line)
        counted = Decimal(0)
        for w0, w1 in windows:
            agg = in_windows.filter(minute__gte=w0, minute__lt=w1).aggregate(g=Sum("good"), s=Sum("scrap"))
            counted_good, counted_scrap = agg["g"] or 0, agg["s"] or 0
            good += counted_good
            counted += counted_good + counted_scrap
        total += counted
        ideal += float(counted) * ideal_cycle(line, wo)
    figures = oee.OeeFigures(planned_seconds=planned, breakdown_seconds=seconds["down"],
                             changeover_seconds=seconds["changeover"], small_stop_seconds=seconds["idle"],
                             total=float(total), good=float(good), ideal_seconds=ideal)
    return {"line": line.code, "from": since.isoformat(), "to": until.isoformat(),
            "shift": shift.code if shift else "", **oee.compute(figures)}


def ideal_cycle(line: Line, wo: WorkOrder) -> float:
    """Seconds per unit at best: the line's own figure, or the operation's minutes per unit."""
    if line.ideal_cycle_seconds:
        return float(line.ideal_cycle_seconds)
    op = wo.production_order.bom.operations.filter(seq=wo.operation_seq).first()
    return float(op.minutes_per_unit) * 60 if op else 0.0


def yield_per_hour(*, line: Line, since: datetime.datetime, until: datetime.datetime) -> list[dict]:
    """良品率 per hour: good ÷ (good + scrap) of what the line counted."""
    rows = (LineCount.objects.filter(line=line, minute__gte=since, minute__lt=until)
            .annotate(hour=TruncHour("minute")).values("hour").annotate(good=Sum("good"), scrap=Sum("scrap"))
            .order_by("hour"))
    return [{"hour": r["hour"].isoformat(), "good": text(r["good"]), "scrap": text(r["scrap"]),
             "yield": round(float(r["good"] / (r["good"] + r["scrap"])), 4) if r["good"] + r["scrap"] else None}
            for r in rows]


def labour_report(*, since: datetime.date, until: datetime.date) -> list[dict]:
    """Minutes per operator and day (clocked off entries), with the work orders they were on."""
    rows: dict[tuple, dict] = {}
    entries = (ClockEntry.objects.filter(off_at__isnull=False, on_at__date__gte=since, on_at__date__lte=until)
               .select_related("operator", "work_order", "report").order_by("on_at"))
    for e in entries:
        key = (e.on_at.date().isoformat(), e.operator.badge)
        row = rows.setdefault(key, {"day": key[0], "badge": e.operator.badge, "name": e.operator.name,
                                    "minutes": Decimal(0), "labour_cost": Decimal(0), "work_orders": []})
        row["minutes"] += e.minutes
        row["labour_cost"] += e.report.labour_cost if e.report_id else Decimal(0)
        if e.work_order.number not in row["work_orders"]:
            row["work_orders"].append(e.work_order.number)
    return [{**r, "minutes": text(r["minutes"]), "labour_cost": text(r["labour_cost"], places=2)}
            for r in rows.values()]


def open_clock_entries(wo: WorkOrder):
    return ClockEntry.objects.filter(work_order=wo, off_at__isnull=True).select_related("operator")


# -- ISA-95 ---------------------------------------------------------------------------------------


def schedule(line_code: str = "") -> dict:
    """The dispatched work orders in the shape of B2MML's ProductionSchedule (ERP → MES)."""
    qs = work_orders(line_code=line_code).filter(status__in=[S.DISPATCHED, S.RUNNING, S.PAUSED]).order_by(
        "dispatched_at", "id")
    requests = []
    for wo in qs.prefetch_related("production_order__lines__component"):
        po = wo.production_order
        requests.append({
            "ID": wo.number,
            "Description": f"{po.number} {po.product.name}",
            "HierarchyScope": {"EquipmentID": wo.line.code if wo.line_id else "", "EquipmentElementLevel": "ProductionLine"},
            "StartTime": wo.dispatched_at.isoformat() if wo.dispatched_at else None,
            "EndTime": po.due_date.isoformat(),
            "RequestState": wo.status,
            "SegmentRequirement": [{
                "ID": f"{wo.number}-{wo.operation_seq}",
                "ProcessSegmentID": f"{po.bom_id}-{wo.operation_seq}",
                "EquipmentRequirement": [{"EquipmentID": wo.work_centre.code}],
                "MaterialProducedRequirement": [{"MaterialDefinitionID": po.product.sku, "Quantity": {
                    "QuantityString": text(wo.qty), "UnitOfMeasure": po.product.uom_id and po.product.uom.code}}],
                "MaterialConsumedRequirement": [{"MaterialDefinitionID": ln.component.sku, "Quantity": {
                    "QuantityString": text(ln.required_qty)}} for ln in po.lines.all()],
            }],
        })
    return {"ProductionSchedule": {"ID": f"SIHE-{line_code or 'ALL'}", "HierarchyScope": {
        "EquipmentID": line_code or "*"}, "ProductionRequest": requests}}

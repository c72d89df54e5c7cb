"""The acts of a work order on the floor: dispatch to a line (计划下发), start, pause (by a person or by a
rule), resume with a note, complete; alarms raised and acknowledged; counts from the machine counters;
operators clocking on and off. Each is one act (durable at the edge).

What reaches the books goes through the production order's own 报工 (`production.orders.report`):
- an operator clocking off reports the clocked minutes as labour (`costs="labour"`), with their name;
- completing a work order reports the good and scrap not yet reported and the run minutes as machine
  hours (`costs="machine"`, overhead), which backflushes the components and costs the order.
"""

import datetime
from decimal import Decimal

from django.db.models import F
from django.utils.translation import gettext as _

from sihe.core import audit, clock, numbering, tx
from sihe.core.actor import Actor
from sihe.core.errors import Conflict, NotFound, ValidationFailed
from sihe.core.money import round_money, to_decimal
from sihe.mes import events
from sihe.mes.models import Alarm, ClockEntry, Line, LineCount, Machine, Operator, Rule, WorkOrder
from sihe.mes.transitions import LIFE, ON_LINE
from sihe.production import orders as production
from sihe.production.models import ProductionOrder
from sihe.production.transitions import WORKING

S = WorkOrder.Status
ZERO = Decimal(0)
SIXTY = Decimal(60)
MICRO = Decimal("0.000001")
DONE = {"dispatch": "dispatched", "start": "started", "pause": "paused", "resume": "resumed",
        "complete": "completed", "cancel": "cancelled"}


def _locked(wo: WorkOrder) -> WorkOrder:
    return (WorkOrder.objects.select_for_update(of=("self",))
            .select_related("line", "work_centre", "production_order__product").get(pk=wo.pk))


def _move(wo: WorkOrder, action: str, actor: Actor, *, event_extra: dict | None = None, **stamps) -> WorkOrder:
    target = LIFE.check(wo.status, action)
    before = {"status": wo.status, **{k: getattr(wo, k) for k in stamps if k in ("pause_reason", "line_id")}}
    wo.status = target
    for name, value in stamps.items():
        setattr(wo, name, value)
    wo.save(update_fields=["status", *stamps])
    audit.record_changes(wo, actor=actor, before=before, action=f"mes.work_order.{action}")
    events.work_order_event(f"mes.work_order.{DONE[action]}", wo, actor=actor, **(event_extra or {}))
    return wo


def _run_until(wo: WorkOrder, now: datetime.datetime) -> Decimal:
    """Run seconds including the stretch since the order last started or resumed."""
    if wo.running_since is None:
        return wo.run_seconds
    return wo.run_seconds + Decimal(str(max((now - wo.running_since).total_seconds(), 0)))


def dispatch(*, order: ProductionOrder, line: Line, actor: Actor) -> WorkOrder:
    """计划下发: the order's operations become work orders (once); the one at the line's work centre
    goes to the line. An order whose BOM has no routing is one work order at the line's centre."""
    with tx.act():
        order = ProductionOrder.objects.select_for_update(of=("self",)).select_related("bom").get(pk=order.pk)
        if order.status not in WORKING:
            raise Conflict(_("production order %(n)s is %(s)s: release it before dispatching") % {
                "n": order.number, "s": order.get_status_display()}, field="status", code="not_released")
        operations = list(order.bom.operations.select_related("work_centre").order_by("seq"))
        steps = [(op.seq, op.work_centre) for op in operations] or [(1, line.work_centre)]
        existing = {wo.operation_seq: wo for wo in order.work_orders.all()}
        for seq, centre in steps:
            if seq not in existing:
                number = numbering.next_number("mes.work_order", period=clock.day_of(actor.at).strftime("%Y%m"))
                existing[seq] = WorkOrder.objects.create(
                    number=f"WO{clock.day_of(actor.at):%Y%m}-{number:05d}", production_order=order,
                    operation_seq=seq, work_centre=centre, qty=order.qty)
                audit.record_created(existing[seq], actor=actor, fields=["number", "production_order",
                                                                         "operation_seq", "work_centre", "qty"])
        here = [existing[seq] for seq, centre in steps if centre.pk == line.work_centre_id]
        if not here:
            raise ValidationFailed(
                _("line %(line)s belongs to work centre %(centre)s, which no operation of %(n)s uses") % {
                    "line": line.code, "centre": line.work_centre.code, "n": order.number},
                field="line", code="wrong_work_centre")
        pending = [wo for wo in here if wo.status in (S.PLANNED, S.DISPATCHED)]
        if not pending:
            raise Conflict(_("the work orders of %(n)s at this work centre are already under way") % {
                "n": order.number}, field="line", code="already_dispatched")
        wo = _locked(pending[0])
        return _move(wo, "dispatch", actor, line=line, dispatched_at=actor.at)


def start(*, wo: WorkOrder, actor: Actor) -> WorkOrder:
    with tx.act():
        wo = _locked(wo)
        LIFE.check(wo.status, "start")
        busy = WorkOrder.objects.filter(line=wo.line, status__in=ON_LINE).exclude(pk=wo.pk).first()
        if busy is not None:
            raise Conflict(_("line %(line)s is working on %(n)s: complete or pause it there first") % {
                "line": wo.line.code, "n": busy.number}, field="line", code="line_busy")
        return _move(wo, "start", actor, started_at=wo.started_at or actor.at, running_since=actor.at)


def pause(*, wo: WorkOrder, reason: str, actor: Actor) -> WorkOrder:
    with tx.act():
        wo = _locked(wo)
        reason = str(reason or "").strip()[:300]
        if not reason:
            raise ValidationFailed(_("say why the work order pauses"), field="reason")
        LIFE.check(wo.status, "pause")
        return _move(wo, "pause", actor, event_extra={"reason": reason}, pause_reason=reason,
                     run_seconds=_run_until(wo, actor.at), running_since=None)


def paused_by(actor: Actor) -> str:
    """The reason a pause gives when the person gave none."""
    return _("paused by %(who)s") % {"who": actor.username}


def resume(*, wo: WorkOrder, note: str, actor: Actor) -> WorkOrder:
    """Resume a paused work order with a note; the alarms that paused it are acknowledged with it."""
    with tx.act():
        wo = _locked(wo)
        note = str(note or "").strip()[:300]
        if not note:
            raise ValidationFailed(_("a note is needed to resume (what was done)"), field="note")
        LIFE.check(wo.status, "resume")
        for alarm in Alarm.objects.filter(work_order=wo, acknowledged_at__isnull=True).select_related("line"):
            acknowledge(alarm=alarm, note=note, actor=actor)
        return _move(wo, "resume", actor, event_extra={"note": note, "reason": wo.pause_reason}, pause_reason="",
                     running_since=actor.at)


def complete(*, wo: WorkOrder, actor: Actor) -> WorkOrder:
    """Done on the line: what was made and not yet reported, and the run minutes, go to the order."""
    with tx.act():
        wo = _locked(wo)
        LIFE.check(wo.status, "complete")
        for entry in ClockEntry.objects.filter(work_order=wo, off_at__isnull=True).select_related("operator"):
            clock_off(operator=entry.operator, actor=actor)
        wo.refresh_from_db()
        run = _run_until(wo, actor.at)
        wo = _move(wo, "complete", actor, run_seconds=run, running_since=None, finished_at=actor.at)
        _report(wo, actor, minutes=round_money(run / SIXTY))
        return wo


def cancel(*, wo: WorkOrder, actor: Actor) -> WorkOrder:
    with tx.act():
        return _move(_locked(wo), "cancel", actor)


def _report(wo: WorkOrder, actor: Actor, *, minutes: Decimal, external_id: str = "") -> None:
    good, scrap = wo.good - wo.reported_good, wo.scrap - wo.reported_scrap
    if good <= 0 and scrap <= 0 and minutes <= 0:
        return
    production.report(order=wo.production_order, actor=actor, good=max(good, ZERO), scrap=max(scrap, ZERO),
                      minutes=minutes, work_centre=wo.work_centre, operator=wo.line.code if wo.line_id else "",
                      external_id=external_id, costs="machine")
    WorkOrder.objects.filter(pk=wo.pk).update(reported_good=F("reported_good") + max(good, ZERO),
                                              reported_scrap=F("reported_scrap") + max(scrap, ZERO))


# -- counts ----------------------------------------------------------------------------------------


def add_counts(*, wo: WorkOrder, good=0, scrap=0, at: datetime.datetime, actor: Actor) -> None:
    """Units counted on the line (a machine counter's increase or an operator's count)."""
    good = to_decimal(good or 0, field="good").quantize(MICRO)
    scrap = to_decimal(scrap or 0, field="scrap").quantize(MICRO)
    if good < 0 or scrap < 0:
        raise ValidationFailed(_("counts must be 0 or more"), field="good" if good < 0 else "scrap")
    if good == 0 and scrap == 0:
        return
    with tx.act():
        WorkOrder.objects.filter(pk=wo.pk).update(good=F("good") + good, scrap=F("scrap") + scrap)
        minute = at.replace(second=0, microsecond=0)
        updated = LineCount.objects.filter(line_id=wo.line_id, work_order=wo, minute=minute).update(
            good=F("good") + good, scrap=F("scrap") + scrap)
        if not updated:
            LineCount.objects.create(line_id=wo.line_id, work_order=wo, minute=minute, good=good, scrap=scrap)


def running_on(line: Line) -> WorkOrder | None:
    return (WorkOrder.objects.select_related("line", "work_centre", "production_order__product")
            .filter(line=line, status__in=ON_LINE).first())


# -- alarms ----------------------------------------------------------------------------------------


def raise_alarm(*, line: Line, machine: Machine | None, rule: Rule | None, metric: str, value: float,
                message: str, reading_at: datetime.datetime, actor: Actor) -> Alarm:
    """An alarm on the line; a pause rule also pauses the work order running there, with the reason."""
    with tx.act():
        wo = running_on(line)
        pauses = rule is not None and rule.action == Rule.Action.PAUSE and wo is not None and wo.status == S.RUNNING
        alarm = Alarm.objects.create(line=line, machine=machine, work_order=wo, rule=rule, metric=metric,
                                     value=value, message=message[:300], paused=pauses, reading_at=reading_at,
                                     raised_at=actor.at)
        events.alarm_event("mes.alarm.raised", alarm, actor=actor, machine=machine.code if machine else "",
                           metric=metric, value=value, rule=rule.pk if rule else None,
                           kind=rule.kind if rule else "", message=alarm.message,
                           work_order=wo.number if wo else "", paused=pauses)
        if pauses:
            pause(wo=wo, reason=_("alarm: %(message)s") % {"message": alarm.message}, actor=actor)
        return alarm


def acknowledge(*, alarm: Alarm, note: str, actor: Actor) -> Alarm:
    with tx.act():
        alarm = Alarm.objects.select_for_update(of=("self",)).select_related("line").get(pk=alarm.pk)
        if alarm.acknowledged_at is not None:
            raise Conflict(_("the alarm was acknowledged by %(who)s") % {"who": alarm.acknowledged_by},
                           field="alarm", code="already_acknowledged")
        alarm.acknowledged_at, alarm.acknowledged_by, alarm.note = actor.at, actor.username, str(note or "")[:300]
        alarm.save(update_fields=["acknowledged_at", "acknowledged_by", "note"])
        audit.record_changes(alarm, actor=actor, before={"acknowledged_by": ""}, action="mes.alarm.acknowledge")
        events.alarm_event("mes.alarm.acknowledged", alarm, actor=actor, by=actor.username, note=alarm.note)
        return alarm


# -- operators -------------------------------------------------------------------------------------


def operator_by_badge(badge) -> Operator:
    found = Operator.objects.filter(badge=str(badge or "").strip(), active=True).first() if badge else None
    if found is None:
        raise ValidationFailed(_("unknown badge %(badge)s") % {"badge": badge}, field="badge", code="unknown_badge")
    return found


def clock_on(*, operator: Operator, wo: WorkOrder, actor: Actor) -> ClockEntry:
    """An operator starts on a work order (leaving the one they were on, if any)."""
    with tx.act():
        wo = _locked(wo)
        if wo.status not in ON_LINE and wo.status != S.DISPATCHED:
            raise Conflict(_("work order %(n)s is %(s)s: nobody can clock on") % {
                "n": wo.number, "s": wo.get_status_display()}, field="work_order", code="not_on_line")
        current = ClockEntry.objects.filter(operator=operator, off_at__isnull=True).first()
        if current is not None:
            if current.work_order_id == wo.pk:
                return current
            clock_off(operator=operator, actor=actor)
        entry = ClockEntry.objects.create(operator=operator, work_order=wo, on_at=actor.at)
        events.work_order_event("mes.operator.clocked_on", wo, actor=actor, badge=operator.badge, name=operator.name)
        return entry


def clock_off(*, operator: Operator, actor: Actor) -> ClockEntry:
    """The operator leaves the work order: the minutes on it cost the production order's labour."""
    with tx.act():
        entry = (ClockEntry.objects.select_for_update(of=("self",))
                 .select_related("work_order__production_order__product", "work_order__work_centre",
                                 "work_order__line")
                 .filter(operator=operator, off_at__isnull=True).first())
        if entry is None:
            raise Conflict(_("%(name)s is not clocked on any work order") % {"name": operator.name},
                           field="badge", code="not_clocked_on")
        entry.off_at = actor.at
        entry.minutes = round_money(Decimal(str(max((actor.at - entry.on_at).total_seconds(), 0))) / SIXTY)
        wo = entry.work_order
        if entry.minutes > 0:
            entry.report = production.report(
                order=wo.production_order, actor=actor, good=0, scrap=0, minutes=entry.minutes,
                work_centre=wo.work_centre, operator=f"{operator.badge} {operator.name}"[:150], backflush=False,
                costs="labour")
        entry.save(update_fields=["off_at", "minutes", "report"])
        events.work_order_event("mes.operator.clocked_off", wo, actor=actor, badge=operator.badge,
                                name=operator.name, minutes=str(entry.minutes))
        return entry


def work_order(key) -> WorkOrder:
    qs = WorkOrder.objects.select_related("line", "work_centre", "production_order__product")
    key = str(key).strip()
    found = qs.filter(pk=int(key)).first() if key.isdigit() and len(key) < 19 else None
    found = found or qs.filter(number=key).first()
    if found is None:
        raise NotFound(_("no work order %(key)s") % {"key": key}, field="id", code="work_order_not_found")
    return found

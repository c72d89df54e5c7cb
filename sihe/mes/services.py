"""Master data of the shop floor: lines (of a work centre) and their machines, rules on metrics,
operators with badges, OPC UA signals, shifts and planned stops. Each verb is one act, audited."""

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from sihe.core import audit, tx
from sihe.core.actor import Actor
from sihe.core.errors import ValidationFailed
from sihe.core.money import to_decimal
from sihe.core.outbox import emit
from sihe.mes.models import Line, Machine, Operator, PlannedStop, Rule, Shift, Signal
from sihe.production.models import WorkCentre

METRIC_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:")


def _text(data: dict, name: str, *, required: bool = False, limit: int = 100) -> str:
    value = data.get(name)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise ValidationFailed(_("%(field)s is required") % {"field": name}, field=name)
    if len(value) > limit:
        raise ValidationFailed(_("%(field)s is longer than %(n)s characters") % {"field": name, "n": limit}, field=name)
    if "\x00" in value:
        raise ValidationFailed(_("%(field)s contains a NUL character") % {"field": name}, field=name)
    return value


def _code(data: dict, name: str = "code", limit: int = 40) -> str:
    """Codes travel in MQTT topics: no '/', '+', '#' or spaces."""
    value = _text(data, name, required=True, limit=limit)
    if any(c in value for c in "/+# ") or not value.isprintable():
        raise ValidationFailed(_("%(field)s may not contain '/', '+', '#' or spaces") % {"field": name}, field=name)
    return value


def metric_name(value, field: str = "metric") -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationFailed(_("%(field)s is required") % {"field": field}, field=field)
    if len(text) > 60 or not set(text) <= METRIC_CHARS:
        raise ValidationFailed(_("%(field)s must be up to 60 letters, digits and _-./:") % {"field": field},
                               field=field)
    return text


def line_by_code(code, field: str = "line") -> Line:
    found = Line.objects.select_related("work_centre").filter(code=str(code or "").strip()).first() if code else None
    if found is None:
        raise ValidationFailed(_("unknown line %(code)s") % {"code": code}, field=field, code="unknown_line")
    return found


def create_line(*, data: dict, actor: Actor) -> Line:
    with tx.act():
        code = _code(data)
        if Line.objects.filter(code=code).exists():
            raise ValidationFailed(_("line %(code)s already exists") % {"code": code}, field="code", code="duplicate")
        centre_code = _text(data, "work_centre", required=True, limit=40)
        centre = WorkCentre.objects.filter(code=centre_code).first()
        if centre is None:
            raise ValidationFailed(_("unknown work centre %(code)s") % {"code": centre_code}, field="work_centre",
                                   code="unknown_work_centre")
        cycle = to_decimal(data.get("ideal_cycle_seconds") or 0, field="ideal_cycle_seconds")
        if cycle < 0 or cycle >= 10**6:
            raise ValidationFailed(_("ideal_cycle_seconds must be 0 or more"), field="ideal_cycle_seconds")
        idle_after = to_decimal(data.get("idle_after_seconds") or 10, field="idle_after_seconds")
        if not 0 < idle_after <= 86400:
            raise ValidationFailed(_("idle_after_seconds must be between 1 and 86400"), field="idle_after_seconds")
        line = Line.objects.create(code=code, name=_text(data, "name", required=True), work_centre=centre,
                                   ideal_cycle_seconds=cycle, idle_after_seconds=int(idle_after),
                                   opcua_endpoint=_text(data, "opcua_endpoint", limit=200))
        audit.record_created(line, actor=actor, fields=["code", "name", "work_centre", "ideal_cycle_seconds"])
        emit("mes.line.created", aggregate_type="mes_line", aggregate_id=code, actor=actor,
             payload={"code": code, "work_centre": centre.code})
        for machine in data.get("machines") or []:
            add_machine(line=line, data=machine if isinstance(machine, dict) else {"code": machine}, actor=actor)
        return line


def add_machine(*, line: Line, data: dict, actor: Actor) -> Machine:
    with tx.act():
        code = _code(data)
        if Machine.objects.filter(line=line, code=code).exists():
            raise ValidationFailed(_("machine %(code)s already exists on this line") % {"code": code}, field="code",
                                   code="duplicate")
        good = data.get("good_metric")
        scrap = data.get("scrap_metric")
        machine = Machine.objects.create(
            line=line, code=code, name=_text(data, "name"),
            good_metric=metric_name(good, "good_metric") if good else "",
            scrap_metric=metric_name(scrap, "scrap_metric") if scrap else "")
        audit.record_created(machine, actor=actor, fields=["line", "code", "name", "good_metric", "scrap_metric"])
        return machine


def machine_of(line: Line, code: str, *, create: bool = False) -> Machine | None:
    machine = Machine.objects.filter(line=line, code=code).first()
    if machine is None and create:
        machine, _created = Machine.objects.get_or_create(line=line, code=code)
    return machine


def add_signal(*, machine: Machine, metric: str, node_id: str, actor: Actor) -> Signal:
    with tx.act():
        node = _text({"node_id": node_id}, "node_id", required=True, limit=200)
        signal, _created = Signal.objects.update_or_create(machine=machine, metric=metric_name(metric),
                                                           defaults={"node_id": node})
        audit.record_created(signal, actor=actor, fields=["metric", "node_id"])
        return signal


RULE_KINDS = {k.value for k in Rule.Kind}
RULE_ACTIONS = {a.value for a in Rule.Action}


def create_rule(*, data: dict, actor: Actor) -> Rule:
    """A rule on one metric of a line: threshold, duration (`seconds` beyond the value), rate (per second)
    or stall (a counter not rising by more than `value` for `seconds`)."""
    with tx.act():
        line = line_by_code(data.get("line"))
        metric = metric_name(data.get("metric"))
        kind = _text(data, "kind", required=True, limit=10)
        if kind not in RULE_KINDS:
            raise ValidationFailed(_("kind must be one of %(kinds)s") % {"kinds": ", ".join(sorted(RULE_KINDS))},
                                   field="kind")
        op = _text(data, "op") or ">"
        if op not in (">", "<"):
            raise ValidationFailed(_("op must be > or <"), field="op")
        raw_value = data.get("value")
        if raw_value is None or raw_value == "":
            if kind != "stall":
                raise ValidationFailed(_("%(field)s is required") % {"field": "value"}, field="value")
            raw_value = 0
        value = to_decimal(raw_value, field="value")
        if abs(value) >= Decimal(10) ** 14:
            raise ValidationFailed(_("value is out of range"), field="value")
        seconds = data.get("seconds")
        seconds = None if seconds in (None, "") else to_decimal(seconds, field="seconds")
        if kind in ("duration", "stall") and seconds is None:
            raise ValidationFailed(_("a %(kind)s rule needs seconds") % {"kind": kind}, field="seconds")
        if seconds is not None and not 0 < seconds <= 86400:
            raise ValidationFailed(_("seconds must be between 0 and 86400"), field="seconds")
        action = _text(data, "action") or "alarm"
        if action not in RULE_ACTIONS:
            raise ValidationFailed(_("action must be alarm or pause"), field="action")
        rule = Rule.objects.create(line=line, metric=metric, kind=kind, op=op, value=value, seconds=seconds,
                                   action=action, created_by=actor.username)
        audit.record_created(rule, actor=actor, fields=["line", "metric", "kind", "op", "value", "seconds", "action"])
        emit("mes.rule.created", aggregate_type="mes_line", aggregate_id=line.code, actor=actor,
             payload={"rule": rule.pk, "line": line.code, "metric": metric, "kind": kind, "op": op,
                      "value": str(value), "seconds": None if seconds is None else str(seconds), "action": action})
        return rule


def set_rule_active(*, rule: Rule, active: bool, actor: Actor) -> Rule:
    with tx.act():
        before = {"active": rule.active}
        rule.active = bool(active)
        rule.save(update_fields=["active"])
        audit.record_changes(rule, actor=actor, before=before, action="mes.rule.update")
        return rule


def create_operator(*, data: dict, actor: Actor) -> Operator:
    with tx.act():
        badge = _code(data, "badge")
        if Operator.objects.filter(badge=badge).exists():
            raise ValidationFailed(_("badge %(badge)s is already given") % {"badge": badge}, field="badge",
                                   code="duplicate")
        operator = Operator.objects.create(badge=badge, name=_text(data, "name", required=True))
        audit.record_created(operator, actor=actor, fields=["badge", "name"])
        return operator


def _time(value, field: str) -> datetime.time:
    try:
        return datetime.time.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(_("%(field)s must be a time like 08:00") % {"field": field}, field=field) from None


def create_shift(*, data: dict, actor: Actor) -> Shift:
    with tx.act():
        code = _code(data, limit=20)
        if Shift.objects.filter(code=code).exists():
            raise ValidationFailed(_("shift %(code)s already exists") % {"code": code}, field="code", code="duplicate")
        start, end = _time(data.get("start"), "start"), _time(data.get("end"), "end")
        if start == end:
            raise ValidationFailed(_("a shift cannot end when it starts"), field="end")
        shift = Shift.objects.create(code=code, name=_text(data, "name", required=True, limit=60), start=start, end=end)
        audit.record_created(shift, actor=actor, fields=["code", "name", "start", "end"])
        return shift


def add_planned_stop(*, line: Line, start: datetime.datetime, end: datetime.datetime, reason: str,
                     actor: Actor) -> PlannedStop:
    with tx.act():
        if end <= start:
            raise ValidationFailed(_("a planned stop must end after it starts"), field="end")
        stop = PlannedStop.objects.create(line=line, start=start, end=end, reason=reason[:200])
        audit.record_created(stop, actor=actor, fields=["line", "start", "end", "reason"])
        return stop

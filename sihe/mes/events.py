"""Events of the shop floor (payload version 1; quantities as decimal strings).

- mes.work_order.dispatched / started / paused / resumed / completed / cancelled:
  `{work_order, number, production_order, line, status, reason?, note?, good, scrap}`
- mes.alarm.raised: `{alarm, line, machine, metric, value, rule, kind, message, work_order, paused}`
- mes.alarm.acknowledged: `{alarm, line, by, note}`
- mes.operator.clocked_on / clocked_off: `{work_order, number, badge, name, minutes?}`
"""

from sihe.core.actor import Actor
from sihe.core.money import text
from sihe.core.outbox import emit

VERSION = 1


def work_order_event(event_type: str, wo, *, actor: Actor, **extra):
    return emit(event_type, aggregate_type="work_order", aggregate_id=wo.number, actor=actor, version=VERSION,
                payload={"work_order": wo.pk, "number": wo.number, "production_order": wo.production_order.number,
                         "line": wo.line.code if wo.line_id else "", "status": wo.status, "good": text(wo.good),
                         "scrap": text(wo.scrap), **extra})


def alarm_event(event_type: str, alarm, *, actor: Actor, **extra):
    return emit(event_type, aggregate_type="mes_line", aggregate_id=alarm.line.code, actor=actor, version=VERSION,
                payload={"alarm": alarm.pk, "line": alarm.line.code, **extra})

"""The shop floor over the API: lines and rules, dispatching production orders to a line, the work
order's acts (start, pause, resume, complete), alarms, operators clocking on and off, OEE, and the open
interface for an outside MES: the dispatched schedule shaped after ISA-95/B2MML ProductionSchedule and
ProductionPerformance reports taken once per report id (docs/design/mes.md has examples)."""

import datetime
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import ValidationError as PydanticValidationError

from sihe.api.base import Strict
from sihe.api.security import authorize
from sihe.core import clock, tx
from sihe.core.errors import ValidationFailed
from sihe.mes import isa95, selectors, services, work_orders
from sihe.production import selectors as production_selectors

router = Router(tags=["shop floor"])
Num = Decimal | str | int | float


class MesMachineIn(Strict):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field("", max_length=100)
    good_metric: str = Field("", max_length=60, description="counter metric of good units, e.g. good")
    scrap_metric: str = Field("", max_length=60, description="counter metric of scrap units")


class MesLineIn(Strict):
    code: str = Field(..., min_length=1, max_length=40, examples=["PK-1"])
    name: str = Field(..., min_length=1, max_length=100, examples=["包装线1"])
    work_centre: str = Field(..., min_length=1, max_length=40)
    ideal_cycle_seconds: Num | None = Field(None, description="seconds per unit at best (OEE performance)")
    idle_after_seconds: int | None = Field(None, ge=1, le=86400)
    opcua_endpoint: str = Field("", max_length=200, examples=["opc.tcp://127.0.0.1:4840/line"])
    machines: list[MesMachineIn] = Field(default_factory=list, max_length=200)


class MesCreatedOut(Schema):
    id: int


@router.post("/mes/lines", response={201: MesCreatedOut}, summary="Create a line of a work centre")
def create_line(request, payload: MesLineIn):
    actor = authorize(request, "mes.manage")
    with tx.entry():
        line = services.create_line(data=payload.model_dump(), actor=actor)
    return 201, {"id": line.pk}


@router.get("/mes/lines", response=list[dict], summary="Lines with their work order, machines and open alarms")
def board(request):
    authorize(request, "mes.view")
    return selectors.board()


class SignalIn(Strict):
    machine: str = Field(..., min_length=1, max_length=40)
    metric: str = Field(..., min_length=1, max_length=60)
    node_id: str = Field(..., min_length=1, max_length=200, examples=["ns=2;s=Filler.Temperature"])


@router.post("/mes/lines/{code}/signals", response={201: MesCreatedOut}, summary="Subscribe a machine metric to an OPC UA node")
def add_signal(request, code: str, payload: SignalIn):
    actor = authorize(request, "mes.manage")
    with tx.entry():
        line = selectors.line(code)
        machine = services.machine_of(line, payload.machine)
        if machine is None:
            raise ValidationFailed(_("unknown machine %(code)s") % {"code": payload.machine}, field="machine",
                                   code="unknown_machine")
        signal = services.add_signal(machine=machine, metric=payload.metric, node_id=payload.node_id, actor=actor)
    return 201, {"id": signal.pk}


class RuleIn(Strict):
    line: str = Field(..., min_length=1, max_length=40)
    metric: str = Field(..., min_length=1, max_length=60, examples=["temp"])
    kind: Literal["threshold", "duration", "rate", "stall"]
    op: Literal[">", "<"] = ">"
    value: Num | None = Field(None, description="the limit (rate: per second; stall: the rise that counts)")
    seconds: Num | None = Field(None, description="duration and stall rules: how long")
    action: Literal["alarm", "pause"] = "alarm"


@router.post("/mes/rules", response={201: MesCreatedOut},
             summary="A rule on a line's metric: threshold, duration, rate of change or count stall")
def create_rule(request, payload: RuleIn):
    actor = authorize(request, "mes.manage")
    with tx.entry():
        rule = services.create_rule(data=payload.model_dump(), actor=actor)
    return 201, {"id": rule.pk}


@router.get("/mes/rules", response=list[dict], summary="Rules, by line")
def list_rules(request, line: str = ""):
    authorize(request, "mes.view")
    return [{"id": r.pk, "line": r.line.code, "metric": r.metric, "kind": r.kind, "op": r.op, "value": str(r.value),
             "seconds": None if r.seconds is None else str(r.seconds), "action": r.action, "active": r.active}
            for r in selectors.rules(line)]


class DispatchIn(Strict):
    line: str = Field(..., min_length=1, max_length=40)


class DispatchOut(Schema):
    work_order_id: int
    number: str


@router.post("/production-orders/{order_id}/dispatch", response={201: DispatchOut},
             summary="计划下发: the production order's operation at the line's work centre goes to the line")
def dispatch(request, order_id: str, payload: DispatchIn):
    actor = authorize(request, "mes.operate")
    with tx.entry():
        order = production_selectors.order(order_id)
        line = services.line_by_code(payload.line)
        wo = work_orders.dispatch(order=order, line=line, actor=actor)
    return 201, {"work_order_id": wo.pk, "number": wo.number}


@router.get("/mes/work-orders", response=list[dict], summary="Work orders, newest first")
def list_work_orders(request, line: str = "", status: str = ""):
    authorize(request, "mes.view")
    return [selectors.work_order_out(wo) for wo in selectors.work_orders(line_code=line, status=status)[:200]]


@router.get("/mes/work-orders/{wo_id}", response=dict,
            summary="One work order: status, pause reason, alarms, good and scrap, timeline")
def get_work_order(request, wo_id: str):
    authorize(request, "mes.view")
    return selectors.work_order_out(work_orders.work_order(wo_id))


class PauseIn(Strict):
    reason: str = Field("", max_length=300, description="why; empty: 'paused by <user>'")


class ResumeIn(Strict):
    note: str = Field(..., min_length=1, max_length=300)


def _act(request, wo_id: str, permission: str, verb, **kwargs) -> dict:
    actor = authorize(request, permission)
    with tx.entry():
        wo = verb(wo=work_orders.work_order(wo_id), actor=actor, **kwargs)
    return selectors.work_order_out(work_orders.work_order(wo.pk))


@router.post("/mes/work-orders/{wo_id}/start", response=dict, summary="Start the work order on its line")
def start(request, wo_id: str):
    return _act(request, wo_id, "mes.operate", work_orders.start)


@router.post("/mes/work-orders/{wo_id}/pause", response=dict, summary="Pause, with the reason")
def pause(request, wo_id: str, payload: PauseIn | None = None):
    actor = authorize(request, "mes.operate")
    reason = (payload.reason.strip() if payload else "") or work_orders.paused_by(actor)
    return _act(request, wo_id, "mes.operate", work_orders.pause, reason=reason)


@router.post("/mes/work-orders/{wo_id}/resume", response=dict,
             summary="Resume with a note; the alarms that paused it are acknowledged")
def resume(request, wo_id: str, payload: ResumeIn):
    return _act(request, wo_id, "mes.supervise", work_orders.resume, note=payload.note)


@router.post("/mes/work-orders/{wo_id}/complete", response=dict,
             summary="Complete: unreported good/scrap and the machine hours go to the production order")
def complete(request, wo_id: str):
    return _act(request, wo_id, "mes.operate", work_orders.complete)


class WorkOrderCountIn(Strict):
    good: Num = "0"
    scrap: Num = "0"


@router.post("/mes/work-orders/{wo_id}/counts", response=dict, summary="An operator's count of good and scrap")
def add_counts(request, wo_id: str, payload: WorkOrderCountIn):
    actor = authorize(request, "mes.operate")
    with tx.entry():
        wo = work_orders.work_order(wo_id)
        if wo.status not in ("running", "paused"):
            raise ValidationFailed(_("counts are taken while the work order is on the line"), field="status",
                                   code="not_on_line")
        work_orders.add_counts(wo=wo, good=payload.good, scrap=payload.scrap, at=actor.at, actor=actor)
    return selectors.work_order_out(work_orders.work_order(wo_id))


@router.get("/mes/alarms", response=list[dict], summary="Alarms, newest first")
def list_alarms(request, line: str = "", open: bool = False):
    authorize(request, "mes.view")
    return [selectors.alarm_out(a) for a in selectors.alarms(line_code=line, open_only=open)[:500]]


class AckIn(Strict):
    note: str = Field("", max_length=300)


@router.post("/mes/alarms/{alarm_id}/acknowledge", response=dict, summary="A supervisor acknowledges an alarm")
def acknowledge(request, alarm_id: int, payload: AckIn | None = None):
    actor = authorize(request, "mes.supervise")
    with tx.entry():
        alarm = work_orders.acknowledge(alarm=selectors.alarm(alarm_id), note=payload.note if payload else "",
                                        actor=actor)
    return selectors.alarm_out(selectors.alarm(alarm.pk))


class OperatorIn(Strict):
    badge: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=100)


@router.post("/mes/operators", response={201: MesCreatedOut}, summary="An operator and their badge")
def create_operator(request, payload: OperatorIn):
    actor = authorize(request, "mes.manage")
    with tx.entry():
        operator = services.create_operator(data=payload.model_dump(), actor=actor)
    return 201, {"id": operator.pk}


class ClockIn(Strict):
    badge: str = Field(..., min_length=1, max_length=40)
    work_order: str = Field("", max_length=30, description="the work order's number or id (clock on)")


@router.post("/mes/clock-on", response=dict, summary="An operator scans badge and work order: on")
def clock_on(request, payload: ClockIn):
    actor = authorize(request, "mes.operate")
    with tx.entry():
        operator = work_orders.operator_by_badge(payload.badge)
        if not payload.work_order:
            raise ValidationFailed(_("scan the work order"), field="work_order")
        entry = work_orders.clock_on(operator=operator, wo=work_orders.work_order(payload.work_order), actor=actor)
    return {"badge": operator.badge, "work_order": entry.work_order.number, "on_at": entry.on_at.isoformat()}


@router.post("/mes/clock-off", response=dict, summary="An operator clocks off: the minutes cost labour")
def clock_off(request, payload: ClockIn):
    actor = authorize(request, "mes.operate")
    with tx.entry():
        entry = work_orders.clock_off(operator=work_orders.operator_by_badge(payload.badge), actor=actor)
    return {"badge": payload.badge, "work_order": entry.work_order.number, "minutes": str(entry.minutes),
            "labour_cost": str(entry.report.labour_cost) if entry.report_id else "0.00"}


def _moment(value: str, field: str, *, end: bool = False) -> datetime.datetime | None:
    """A date (local midnight; as an end, the midnight after it) or a date and time (local when naive)."""
    if not value:
        return None
    try:
        if len(value) == 10:
            day = datetime.date.fromisoformat(value)
            moment = datetime.datetime.combine(day + datetime.timedelta(days=1 if end else 0), datetime.time.min)
        else:
            moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("%(field)s must be a date or time like 2026-12-06T08:00") % {"field": field},
                               field=field) from None
    return clock.local(moment) if moment.tzinfo is None else moment


def _midnight() -> datetime.datetime:
    return clock.local(datetime.datetime.combine(clock.today(), datetime.time.min))


class OeeOut(Schema):
    line: str
    shift: str
    availability: float
    performance: float
    quality: float
    oee: float
    planned_seconds: float
    run_seconds: float
    total: float
    good: float
    losses: dict


@router.get("/mes/oee", response=OeeOut,
            summary="OEE of a line: availability × performance × quality, with the six big losses")
def get_oee(request, line: str, shift: str = "", date_from: str = Query("", alias="from"),
            date_to: str = Query("", alias="to")):
    """`from`/`to` are dates (to inclusive) or date-times; by default today so far. With `shift`, only the
    parts of the window in that shift count."""
    authorize(request, "mes.view")
    now = clock.now()
    since = _moment(date_from, "from") or _midnight()
    until = _moment(date_to, "to", end=True) or now
    if until <= since:
        raise ValidationFailed(_("to must be after from"), field="to")
    if (until - since).days > 366:
        raise ValidationFailed(_("at most a year at a time"), field="to")
    return selectors.oee_for(line=selectors.line(line), since=since, until=until,
                             shift=selectors.shift(shift) if shift else None)


@router.get("/mes/yield", response=list[dict], summary="良品率 per hour of a line")
def get_yield(request, line: str, date_from: str = Query("", alias="from"), date_to: str = Query("", alias="to")):
    authorize(request, "mes.view")
    since = _moment(date_from, "from") or _midnight()
    until = _moment(date_to, "to", end=True) or clock.now()
    return selectors.yield_per_hour(line=selectors.line(line), since=since, until=until)


@router.get("/mes/labour", response=list[dict], summary="Minutes and labour cost per operator and day")
def labour(request, date_from: datetime.date = Query(..., alias="from"), date_to: datetime.date = Query(..., alias="to")):
    authorize(request, "mes.view")
    if date_to < date_from:
        raise ValidationFailed(_("to must not be before from"), field="to")
    return selectors.labour_report(since=date_from, until=date_to)


@router.get("/mes/schedule", response=dict,
            summary="Dispatched work orders shaped after ISA-95/B2MML ProductionSchedule (ERP → MES)")
def schedule(request, line: str = ""):
    authorize(request, "mes.view")
    if line:
        selectors.line(line)
    return selectors.schedule(line)


class QuantityIn(Strict):
    QuantityString: Num
    UnitOfMeasure: str = Field("", max_length=20)


class MaterialActualIn(Strict):
    MaterialDefinitionID: str = Field(..., min_length=1, max_length=64)
    MaterialLotID: str = Field("", max_length=64)
    Quantity: QuantityIn
    MaterialUse: Literal["Produced", "Consumed", "Scrap"] = "Produced"


class PersonnelActualIn(Strict):
    PersonID: str = Field(..., min_length=1, max_length=40, description="badge")
    Quantity: QuantityIn = Field(..., description="hours")


class EquipmentActualIn(Strict):
    EquipmentID: str = Field(..., min_length=1, max_length=40)
    Quantity: QuantityIn = Field(..., description="hours")


class SegmentResponseIn(Strict):
    ID: str = Field("", max_length=100)
    MaterialProducedActual: list[MaterialActualIn] = Field(default_factory=list, max_length=100)
    MaterialConsumedActual: list[MaterialActualIn] = Field(default_factory=list, max_length=500)
    PersonnelActual: list[PersonnelActualIn] = Field(default_factory=list, max_length=100)
    EquipmentActual: list[EquipmentActualIn] = Field(default_factory=list, max_length=100)


class ProductionResponseIn(Strict):
    ID: str = Field(..., min_length=1, max_length=100, description="the report id: a report is taken once")
    ProductionRequestID: str = Field(..., min_length=1, max_length=30, description="the work order number")
    SegmentResponse: list[SegmentResponseIn] = Field(..., min_length=1, max_length=50)


class PerformanceIn(Strict):
    ProductionPerformance: dict = Field(..., description="{ID, ProductionResponse: [...]} (B2MML)")


@router.post("/mes/performance", response=dict,
             summary="ProductionPerformance from an outside MES: good, scrap, hours, consumed lots; once per id")
def performance(request, payload: PerformanceIn):
    actor = authorize(request, "mes.operate")
    body = payload.ProductionPerformance
    responses = body.get("ProductionResponse")
    if not isinstance(responses, list) or not responses:
        raise ValidationFailed(_("ProductionPerformance.ProductionResponse must list at least one response"),
                               field="ProductionPerformance.ProductionResponse")
    if len(responses) > 50:
        raise ValidationFailed(_("at most 50 responses a report"), field="ProductionPerformance.ProductionResponse")
    parsed = []
    for i, raw in enumerate(responses):
        try:
            parsed.append(ProductionResponseIn.model_validate(raw))
        except PydanticValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValidationFailed(f"{first['msg']}", field=f"ProductionPerformance.ProductionResponse[{i}].{where}"
                                   ) from None
    with tx.entry():
        results = [isa95.take_response(response, actor=actor, field=f"ProductionPerformance.ProductionResponse[{i}]")
                   for i, response in enumerate(parsed)]
    return {"ID": str(body.get("ID", ""))[:100], "responses": results}

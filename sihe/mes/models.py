"""The shop floor: lines and machines of a work centre, rules on their metrics, work orders dispatched to
a line, alarms, operators clocking on and off, and the machine readings (raw, per-minute roll-ups, and
the machine states derived from them)."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sihe.production.models import OutputReport, ProductionOrder, WorkCentre

QTY = {"max_digits": 20, "decimal_places": 6}
ZERO = Decimal(0)


class Line(models.Model):
    """产线: where a work centre's operations run; its machines report the metrics the rules watch."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    work_centre = models.ForeignKey(WorkCentre, on_delete=models.PROTECT, related_name="lines",
                                    verbose_name=_("work centre"))
    # the fastest a unit can be made (OEE performance); 0: the operation's minutes per unit
    ideal_cycle_seconds = models.DecimalField(_("ideal cycle (s)"), max_digits=12, decimal_places=4, default=ZERO)
    # a counter standing still this long means the line is idle (a short stop), not running
    idle_after_seconds = models.PositiveIntegerField(_("idle after (s)"), default=10)
    opcua_endpoint = models.CharField(_("OPC UA endpoint"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("production line", "line")
        verbose_name_plural = pgettext_lazy("production line", "lines")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class Machine(models.Model):
    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="machines", verbose_name=pgettext_lazy("production line", "line"))
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100, blank=True)
    # the counters of finished units that feed the work order's good and scrap
    good_metric = models.CharField(_("good-count metric"), max_length=60, blank=True)
    scrap_metric = models.CharField(_("scrap-count metric"), max_length=60, blank=True)
    state = models.CharField(_("state"), max_length=12, default="idle")
    state_since = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("machine")
        verbose_name_plural = _("machines")
        ordering = ["line_id", "code"]
        constraints = [models.UniqueConstraint(fields=["line", "code"], name="mes_machine_code_per_line")]

    def __str__(self):
        return f"{self.line.code}/{self.code}"


class Signal(models.Model):
    """An OPC UA node the collector subscribes to, read as a metric of a machine."""

    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, related_name="signals")
    metric = models.CharField(_("metric"), max_length=60)
    node_id = models.CharField(_("node id"), max_length=200)

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        constraints = [models.UniqueConstraint(fields=["machine", "metric"], name="mes_signal_metric_once")]


class Rule(models.Model):
    class Kind(models.TextChoices):
        THRESHOLD = "threshold", _("threshold")
        DURATION = "duration", _("duration")
        RATE = "rate", _("rate of change")
        STALL = "stall", _("count stall")

    class Action(models.TextChoices):
        ALARM = "alarm", _("alarm")
        PAUSE = "pause", _("alarm and pause")

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="rules", verbose_name=pgettext_lazy("production line", "line"))
    metric = models.CharField(_("metric"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    op = models.CharField(_("comparison"), max_length=1, choices=[(">", ">"), ("<", "<")], default=">")
    value = models.DecimalField(pgettext_lazy("metric", "value"), max_digits=20, decimal_places=6)
    seconds = models.DecimalField(_("seconds"), max_digits=12, decimal_places=3, null=True, blank=True)
    action = models.CharField(_("action"), max_length=6, choices=Action.choices, default=Action.ALARM)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["line_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(seconds__isnull=True) | Q(seconds__gt=0), name="mes_rule_seconds_positive"),
        ]


class WorkOrder(models.Model):
    """工单: one operation of a production order, dispatched to a line (计划下发)."""

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("work order", "planned")
        DISPATCHED = "dispatched", pgettext_lazy("work order", "dispatched")
        RUNNING = "running", pgettext_lazy("work order", "running")
        PAUSED = "paused", pgettext_lazy("work order", "paused")
        DONE = "done", pgettext_lazy("work order", "done")
        CANCELLED = "cancelled", pgettext_lazy("work order", "cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    production_order = models.ForeignKey(ProductionOrder, on_delete=models.PROTECT, related_name="work_orders",
                                         verbose_name=_("production order"))
    operation_seq = models.PositiveIntegerField(_("step"), default=1)
    work_centre = models.ForeignKey(WorkCentre, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("work centre"))
    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="work_orders", null=True, blank=True,
                             verbose_name=pgettext_lazy("production line", "line"))
    qty = models.DecimalField(_("quantity"), **QTY)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED,
                              db_index=True)
    pause_reason = models.CharField(_("pause reason"), max_length=300, blank=True)
    good = models.DecimalField(_("good"), **QTY, default=ZERO)
    scrap = models.DecimalField(_("scrap"), **QTY, default=ZERO)
    # what of good/scrap/run minutes has been reported to the production order (its cost and stock)
    reported_good = models.DecimalField(**QTY, default=ZERO)
    reported_scrap = models.DecimalField(**QTY, default=ZERO)
    run_seconds = models.DecimalField(_("run seconds"), max_digits=14, decimal_places=3, default=ZERO)
    running_since = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["production_order", "operation_seq"], name="mes_work_order_per_step"),
            # one work order runs on a line at a time: counters and alarms know whose they are
            models.UniqueConstraint(fields=["line"], condition=Q(status__in=["running", "paused"]),
                                    name="mes_one_running_work_order_per_line"),
            models.CheckConstraint(condition=Q(qty__gt=0), name="mes_work_order_qty_positive"),
            models.CheckConstraint(condition=Q(good__gte=0, scrap__gte=0), name="mes_work_order_counts_not_negative"),
        ]

    def __str__(self):
        return self.number


class Alarm(models.Model):
    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="alarms", verbose_name=pgettext_lazy("production line", "line"))
    machine = models.ForeignKey(Machine, on_delete=models.SET_NULL, null=True, blank=True, related_name="alarms",
                                verbose_name=_("machine"))
    work_order = models.ForeignKey(WorkOrder, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="alarms", verbose_name=_("work order"))
    rule = models.ForeignKey(Rule, on_delete=models.SET_NULL, null=True, blank=True, related_name="alarms")
    metric = models.CharField(_("metric"), max_length=60)
    value = models.FloatField(pgettext_lazy("metric", "value"))
    message = models.CharField(_("message"), max_length=300)
    paused = models.BooleanField(_("paused the work order"), default=False)
    reading_at = models.DateTimeField(_("reading at"))
    raised_at = models.DateTimeField(_("raised at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.CharField(_("acknowledged by"), max_length=150, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")
        ordering = ["-id"]
        indexes = [models.Index(fields=["line", "acknowledged_at"], name="mes_alarm_open_per_line")]


class Operator(models.Model):
    badge = models.CharField(_("badge"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        ordering = ["badge"]

    def __str__(self):
        return f"{self.badge} {self.name}"


class ClockEntry(models.Model):
    """An operator on a work order, from clocking on to clocking off; the minutes cost labour."""

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="entries")
    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="clock_entries")
    on_at = models.DateTimeField(_("clocked on"))
    off_at = models.DateTimeField(_("clocked off"), null=True, blank=True)
    minutes = models.DecimalField(_("minutes"), max_digits=12, decimal_places=2, default=ZERO)
    report = models.ForeignKey(OutputReport, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("clock entry")
        verbose_name_plural = _("clock entries")
        ordering = ["-on_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["operator"], condition=Q(off_at__isnull=True),
                                    name="mes_operator_on_one_work_order"),
        ]


class Shift(models.Model):
    """A shift of the plant (e.g. 早班 08:00–16:00); OEE is cut by shift and day."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))  # before start: the shift runs past midnight

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["start"]


class PlannedStop(models.Model):
    """Time the line is not meant to run (breaks, planned maintenance): outside OEE's planned time."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="planned_stops")
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("to"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("planned stop")
        verbose_name_plural = _("planned stops")
        ordering = ["start"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="mes_planned_stop_order")]


class MachineState(models.Model):
    """An interval a machine spent in one state (derived from its metrics and alarms)."""

    class State(models.TextChoices):
        RUNNING = "running", pgettext_lazy("machine", "running")
        IDLE = "idle", pgettext_lazy("machine", "idle")
        DOWN = "down", pgettext_lazy("machine", "down")
        CHANGEOVER = "changeover", pgettext_lazy("machine", "changeover")

    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, related_name="states")
    state = models.CharField(max_length=12, choices=State.choices)
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("machine state")
        verbose_name_plural = _("machine states")
        ordering = ["machine_id", "start"]
        indexes = [models.Index(fields=["machine", "start"], name="mes_state_machine_start")]


class Reading(models.Model):
    """One sample of a machine: the metrics it reported at one time, `{"temp": 86.5, "good": 1200}` (one row
    per message, not per metric: ingest writes a tenth of the rows). Kept for the retention period
    (BRIN-indexed by time on PostgreSQL); the per-minute roll-ups keep the summary after."""

    id = models.BigAutoField(primary_key=True)
    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, related_name="+", db_constraint=False,
                                db_index=False)  # the (machine, …) indexes below lead with it
    ts = models.DateTimeField()
    values = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        indexes = [models.Index(fields=["machine", "ts"], name="mes_reading_machine_ts")]


class MinuteRollup(models.Model):
    """Per machine, metric and minute: count, sum, min, max and last value — kept after raw readings go."""

    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, related_name="+", db_constraint=False,
                                db_index=False)  # the (machine, …) indexes below lead with it
    metric = models.CharField(max_length=60)
    minute = models.DateTimeField()
    n = models.PositiveIntegerField(default=0)
    total = models.FloatField(default=0)
    low = models.FloatField()
    high = models.FloatField()
    last = models.FloatField()

    class Meta:
        verbose_name = _("minute rollup")
        verbose_name_plural = _("minute rollups")
        constraints = [models.UniqueConstraint(fields=["machine", "metric", "minute"], name="mes_rollup_once")]


class LineCount(models.Model):
    """Good and scrap a line made for a work order in one minute (from the machine counters or reports):
    yield per hour and OEE's counts are sums of these."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="+")
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="counts")
    minute = models.DateTimeField()
    good = models.DecimalField(**QTY, default=ZERO)
    scrap = models.DecimalField(**QTY, default=ZERO)

    class Meta:
        verbose_name = _("line count")
        verbose_name_plural = _("line counts")
        constraints = [models.UniqueConstraint(fields=["line", "work_order", "minute"], name="mes_count_once")]
        indexes = [models.Index(fields=["line", "minute"], name="mes_count_line_minute")]


class CollectorStat(models.Model):
    """What the collector refused or asked for, by reason (data before birth, sequence gaps …)."""

    name = models.CharField(max_length=60, unique=True)
    count = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("collector stat")
        verbose_name_plural = _("collector stats")


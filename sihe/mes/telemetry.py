"""What happens to machine readings, whatever brought them (MQTT JSON, Sparkplug B, OPC UA):

    processor = Processor()
    processor.take("L1", "M1", {"temp": 86.0, "good": 1200}, ts)   # rules now: an alarm pauses at once
    processor.flush()                                             # every ~0.2 s: store, roll up, count

- `take` evaluates the rules on each reading in memory and acts on a breach at once (its own
  transaction: alarm, and the pause of the running work order), so a pause follows its reading within
  milliseconds, not at the next flush;
- `flush` stores the buffered readings in one statement, adds them to the per-minute roll-ups (upsert),
  turns the good/scrap counter increases into the running work order's counts, and records machine
  state changes;
- `prune` drops raw readings older than the retention (roll-ups stay).

Machine state, from the metrics: `fault` non-zero → down; `changeover` non-zero → changeover; a counter
(the machine's good or scrap metric) rising, or `speed` above zero, within the line's idle-after seconds
→ running; otherwise idle. An unacknowledged alarm that paused the line keeps it down.
"""

import datetime
import json
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F

from sihe.core import clock
from sihe.core.actor import Actor
from sihe.mes import work_orders
from sihe.mes.models import (
    Alarm,
    CollectorStat,
    Line,
    Machine,
    MachineState,
    MinuteRollup,
    Reading,
    Rule,
    WorkOrder,
)
from sihe.mes.rules import Breach, RuleEngine, RuleSpec
from sihe.mes.rules import Reading as Point

log = logging.getLogger("sihe.mes.collect")
ACTOR_NAME = "collector"
RULES_EVERY_SECONDS = 2.0
FLAGS = frozenset(("fault", "changeover", "speed"))


@dataclass
class _MachineInfo:
    machine: Machine
    line: Line
    counters: dict = field(default_factory=dict)  # metric → last value
    last_rise: datetime.datetime | None = None
    flags: dict = field(default_factory=dict)  # fault / changeover / speed → last value
    state: str = ""


class Processor:
    def __init__(self, *, actor: Actor | None = None):
        self.actor = actor or Actor.system(ACTOR_NAME)
        self.engine = RuleEngine([])
        self._rules_loaded_at: datetime.datetime | None = None
        self._rules_key = None
        self._rules_by_id: dict[int, Rule] = {}
        self._lines: dict[str, Line | None] = {}
        self._unknown_at: dict[str, datetime.datetime] = {}  # line code → when it was found unknown
        self._saved: dict[str, int] = {}  # stats already added to CollectorStat
        self._machines: dict[tuple[str, str], _MachineInfo] = {}
        self._buffer: list[tuple] = []
        self._counts: dict[int, list] = defaultdict(lambda: [0.0, 0.0, None])  # line id → [good, scrap, last ts]
        self._lock = threading.Lock()
        self.stats: dict[str, int] = defaultdict(int)
        self.breaches: list[tuple[Breach, datetime.datetime]] = []  # (breach, acted at) for benches and tests

    # -- rules ----------------------------------------------------------------------------------

    def reload_rules(self, *, force: bool = False) -> None:
        now = clock.now()
        if not force and self._rules_loaded_at and (now - self._rules_loaded_at).total_seconds() < RULES_EVERY_SECONDS:
            return
        self._rules_loaded_at = now
        rows = list(Rule.objects.filter(active=True, line__active=True).select_related("line"))
        key = tuple((r.pk, r.line.code, r.metric, r.kind, r.op, r.value, r.seconds, r.action) for r in rows)
        if key == self._rules_key:
            return
        self._rules_key = key
        self._rules_by_id = {r.pk: r for r in rows}
        self.engine.load([RuleSpec(id=r.pk, line=r.line.code, metric=r.metric, kind=r.kind, op=r.op,
                                   value=float(r.value), seconds=float(r.seconds) if r.seconds else None,
                                   action=r.action) for r in rows])

    # -- taking readings ------------------------------------------------------------------------

    def line(self, code: str) -> Line | None:
        if code in self._lines and self._lines[code] is None:
            # an unknown line is looked up again now and then: it may have been created since
            if (clock.now() - self._unknown_at[code]).total_seconds() >= RULES_EVERY_SECONDS:
                del self._lines[code]
        if code not in self._lines:
            self._lines[code] = Line.objects.filter(code=code, active=True).select_related("work_centre").first()
            if self._lines[code] is None:
                self._unknown_at[code] = clock.now()
        return self._lines[code]

    def _machine(self, line: Line, code: str) -> _MachineInfo:
        key = (line.code, code)
        info = self._machines.get(key)
        if info is None:
            machine = Machine.objects.filter(line=line, code=code).first()
            if machine is None:
                machine, _created = Machine.objects.get_or_create(line=line, code=code)
            info = self._machines[key] = _MachineInfo(machine=machine, line=line, state=machine.state)
            for metric in filter(None, (machine.good_metric, machine.scrap_metric)):
                sample = (Reading.objects.filter(machine=machine, values__has_key=metric).order_by("-ts", "-id")
                          .values_list("values", flat=True).first())
                last = sample.get(metric) if sample else None
                if last is None:
                    last = (MinuteRollup.objects.filter(machine=machine, metric=metric).order_by("-minute")
                            .values_list("last", flat=True).first())
                if last is not None:
                    info.counters[metric] = last
        return info

    def count(self, name: str, n: int = 1) -> None:
        self.stats[name] += n

    def take(self, line_code: str, machine_code: str, metrics: dict, ts: datetime.datetime) -> int:
        """Readings of one machine at one time; returns how many were taken (unknown lines are refused)."""
        self.reload_rules()
        line = self.line(line_code)
        if line is None:
            self.count("unknown_line", len(metrics))
            return 0
        info = self._machine(line, machine_code)
        machine = info.machine
        pk = machine.pk
        watched = self.engine.watched(line.code)
        counters = (machine.good_metric, machine.scrap_metric)
        values = {}
        breaches = []
        for metric, value in metrics.items():
            if type(value) is not float:
                if not isinstance(value, (int, float)):  # bool is an int: a switch reads 0/1
                    self.count("bad_value")
                    continue
                value = float(value)
            if value != value or not metric:
                self.count("bad_value")
                continue
            if len(metric) > 60:
                metric = metric[:60]
            values[metric] = value
            if metric in counters:
                self._counter(info, metric, value, ts)
            elif metric in FLAGS:
                info.flags[metric] = value
            if metric in watched:
                breaches += self.engine.feed(Point(line.code, machine_code, metric, ts, value))
        if values:
            with self._lock:
                self._buffer.append((pk, ts, values))
        for breach in breaches:
            self._act(breach, line, machine)
        taken = len(values)
        self.stats["readings"] += taken
        self._derive_state(info, ts)
        return taken

    def _counter(self, info: _MachineInfo, metric: str, value: float, ts: datetime.datetime) -> None:
        last = info.counters.get(metric)
        info.counters[metric] = value
        if last is None:
            return  # the first reading is the baseline
        rise = value - last if value >= last else value  # a counter reset starts again from zero
        if rise <= 0:
            return
        info.last_rise = ts
        with self._lock:
            slot = self._counts[info.line.pk]
            slot[0 if metric == info.machine.good_metric else 1] += rise
            slot[2] = ts

    def tick(self, now: datetime.datetime | None = None) -> None:
        """Time passing: stall rules fire though no reading comes, and idle machines are noticed."""
        now = now or clock.now()
        for breach in self.engine.tick(now):
            line = self.line(breach.rule.line)
            if line is not None:
                info = self._machines.get((line.code, breach.reading.machine))
                self._act(breach, line, info.machine if info else None)
        for info in list(self._machines.values()):
            self._derive_state(info, now)

    def _act(self, breach: Breach, line: Line, machine: Machine | None) -> None:
        rule = self._rules_by_id.get(breach.rule.id)
        try:
            with transaction.atomic(durable=True):
                work_orders.raise_alarm(line=line, machine=machine, rule=rule, metric=breach.reading.metric,
                                        value=breach.reading.value, message=breach.message,
                                        reading_at=breach.reading.ts, actor=replace(self.actor, at=clock.now()))
        except Exception:  # the reading stream goes on; the failure is counted and logged by the caller
            self.count("alarm_failed")
            raise
        self.stats["alarms"] += 1
        self.breaches.append((breach, clock.now()))

    def _derive_state(self, info: _MachineInfo, now: datetime.datetime) -> None:
        if info.flags.get("fault"):
            state = MachineState.State.DOWN
        elif info.flags.get("changeover"):
            state = MachineState.State.CHANGEOVER
        elif (info.flags.get("speed") or 0) > 0 or (
                info.last_rise and (now - info.last_rise).total_seconds() < info.line.idle_after_seconds):
            state = MachineState.State.RUNNING
        else:
            state = MachineState.State.IDLE
        if state != info.state:
            info.state = state
            with transaction.atomic(durable=not connection.in_atomic_block):
                MachineState.objects.filter(machine=info.machine, end__isnull=True).update(end=now)
                MachineState.objects.create(machine=info.machine, state=state, start=now)
                Machine.objects.filter(pk=info.machine.pk).update(state=state, state_since=now, last_seen=now)

    # -- storing --------------------------------------------------------------------------------

    def flush(self) -> int:
        with self._lock:
            rows, self._buffer = self._buffer, []
            counts, self._counts = self._counts, defaultdict(lambda: [0.0, 0.0, None])
        if not rows and not counts:
            self._save_stats()  # refusals are kept even when nothing else came
            return 0
        with transaction.atomic(durable=not connection.in_atomic_block):
            if rows:
                _insert_readings(rows)
                _roll_up(rows)
                last_seen: dict[int, datetime.datetime] = {}
                for machine_id, ts, _values in rows:
                    if last_seen.get(machine_id) is None or ts > last_seen[machine_id]:
                        last_seen[machine_id] = ts
                for machine_id, ts in last_seen.items():
                    Machine.objects.filter(pk=machine_id).update(last_seen=ts)
            for line_id, (good, scrap, ts) in counts.items():
                wo = WorkOrder.objects.filter(line_id=line_id, status__in=["running", "paused"]).first()
                if wo is None:
                    self.count("counts_without_work_order")
                    continue
                try:  # a count that fails does not take the readings down with it
                    with transaction.atomic():
                        work_orders.add_counts(wo=wo, good=Decimal(str(good)), scrap=Decimal(str(scrap)), at=ts,
                                               actor=replace(self.actor, at=clock.now()))
                except Exception:
                    self.count("counts_failed")
                    log.exception("counts of work order %s not added", wo.number)
        self._save_stats()
        return sum(len(values) for _m, _ts, values in rows)

    def _save_stats(self) -> None:
        if not self.stats:
            return
        now = clock.now()
        for name, n in list(self.stats.items()):
            added = n - self._saved.get(name, 0)
            if name in ("readings", "alarms") or added <= 0:
                continue
            stat, _created = CollectorStat.objects.get_or_create(name=name)
            CollectorStat.objects.filter(pk=stat.pk).update(count=F("count") + added, updated_at=now)
            self._saved[name] = n


_TABLE = Reading._meta.db_table
_ROLLUP = MinuteRollup._meta.db_table


def _stored(adapt):
    """`adapt` memoised: the readings of one message share their time, so each is converted once."""
    seen: dict = {}

    def stored(ts):
        value = seen.get(ts)
        if value is None:
            value = seen[ts] = adapt(ts)
        return value
    return stored


def _insert_readings(rows: list[tuple]) -> None:
    sql = f'INSERT INTO "{_TABLE}" ("machine_id", "ts", "values") VALUES (%s, %s, %s)'
    adapt = _stored(connection.ops.adapt_datetimefield_value)  # as the ORM stores it (SQLite: naive UTC text)
    dumps = json.dumps
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(m, adapt(ts), dumps(values)) for m, ts, values in rows])


def _roll_up(rows: list[tuple]) -> None:
    groups: dict[tuple, list] = {}
    minutes: dict = {}
    for machine_id, ts, values in rows:
        minute = minutes.get(ts)
        if minute is None:
            minute = minutes[ts] = ts.replace(second=0, microsecond=0)
        for metric, value in values.items():
            key = (machine_id, metric, minute)
            g = groups.get(key)
            if g is None:
                groups[key] = [1, value, value, value, value, ts]
                continue
            g[0] += 1
            g[1] += value
            if value < g[2]:
                g[2] = value
            elif value > g[3]:
                g[3] = value
            if ts >= g[5]:
                g[4], g[5] = value, ts
    adapt = _stored(connection.ops.adapt_datetimefield_value)
    low, high = ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("MIN", "MAX")
    sql = (f'INSERT INTO "{_ROLLUP}" ("machine_id", "metric", "minute", "n", "total", "low", "high", "last") '
           f'VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT ("machine_id", "metric", "minute") DO UPDATE SET '
           f'"n" = "{_ROLLUP}"."n" + excluded."n", "total" = "{_ROLLUP}"."total" + excluded."total", '
           f'"low" = {low}("{_ROLLUP}"."low", excluded."low"), "high" = {high}("{_ROLLUP}"."high", excluded."high"), '
           f'"last" = excluded."last"')
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(m, metric, adapt(minute), g[0], g[1], g[2], g[3], g[4])
                                 for (m, metric, minute), g in groups.items()])


def prune(*, older_than: datetime.datetime) -> int:
    """Drop raw readings older than `older_than`; the per-minute roll-ups keep their summary."""
    with transaction.atomic(durable=not connection.in_atomic_block):
        deleted, _detail = Reading.objects.filter(ts__lt=older_than).delete()
    return deleted


def open_pausing_alarms(line: Line) -> int:
    return Alarm.objects.filter(line=line, paused=True, acknowledged_at__isnull=True).count()

"""Rules on the stream, evaluated in memory reading by reading (the collector holds one engine).

    engine = RuleEngine([RuleSpec(id=1, line="L1", metric="temp", kind="duration", op=">", value=85, seconds=10)])
    breaches = engine.feed(Reading("L1", "M1", "temp", ts, 86.0))   # [] until 10 s above 85, then one
    breaches += engine.tick(now)                                     # stalls are found by time passing

- threshold: the value crosses `op value`;
- duration: the value stays beyond `op value` for `seconds` (between readings the last value holds);
- rate: the change per second between two readings is beyond `op value`;
- stall: a counter has not risen for `seconds` (while readings come, or when they stop: `tick`).

A rule fires once when its condition starts to hold and is re-armed when the condition clears, so a
line sitting above a threshold raises one alarm, not one per reading.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Reading:
    line: str
    machine: str
    metric: str
    ts: datetime
    value: float


@dataclass(frozen=True)
class RuleSpec:
    id: int
    line: str
    metric: str
    kind: str
    op: str
    value: float
    seconds: float | None = None
    action: str = "alarm"


@dataclass(frozen=True)
class Breach:
    rule: RuleSpec
    reading: Reading
    message: str


@dataclass
class _State:
    fired: bool = False
    since: datetime | None = None  # duration: when the condition began; stall: when the counter last rose
    last_ts: datetime | None = None
    last_value: float | None = None
    last_reading: Reading | None = None


def _beyond(op: str, value: float, limit: float) -> bool:
    return value > limit if op == ">" else value < limit


@dataclass
class RuleEngine:
    rules: list[RuleSpec] = field(default_factory=list)

    def __post_init__(self):
        self.load(self.rules)

    def load(self, rules: list[RuleSpec]) -> None:
        """Replace the rules; the state of rules that stay (same id and definition) is kept."""
        old = getattr(self, "_states", {})
        self.rules = list(rules)
        self._by_metric: dict[tuple[str, str], list[RuleSpec]] = {}
        for rule in self.rules:
            self._by_metric.setdefault((rule.line, rule.metric), []).append(rule)
        self._states: dict[tuple[RuleSpec, str], _State] = {k: v for k, v in old.items() if k[0] in set(self.rules)}
        watched: dict[str, set[str]] = {}
        for line, metric in self._by_metric:
            watched.setdefault(line, set()).add(metric)
        self._watched = {line: frozenset(metrics) for line, metrics in watched.items()}

    def watched(self, line: str) -> frozenset[str]:
        """The metrics of `line` some rule looks at (the others need not be fed)."""
        return self._watched.get(line, frozenset())

    def feed(self, reading: Reading) -> list[Breach]:
        rules = self._by_metric.get((reading.line, reading.metric))
        if not rules:
            return []
        out = []
        for rule in rules:
            key = (rule, reading.machine)
            state = self._states.get(key)
            if state is None:
                state = self._states[key] = _State()
            breach = _EVALUATE[rule.kind](rule, state, reading)
            state.last_ts, state.last_value, state.last_reading = reading.ts, reading.value, reading
            if breach is not None:
                out.append(breach)
        return out

    def tick(self, now: datetime) -> list[Breach]:
        """Time passing with no reading: a stalled counter, or a value still beyond its limit (a sensor that
        reports on change, as OPC UA does, says nothing while it stays at 90 °C)."""
        out = []
        for (rule, _machine), state in self._states.items():
            if rule.kind not in ("stall", "duration") or state.fired or state.since is None or state.last_reading is None:
                continue
            held = (now - state.since).total_seconds()
            if held >= (rule.seconds or 0):
                state.fired = True
                reading = state.last_reading
                message = (_stall_message(rule, reading) if rule.kind == "stall"
                           else _duration_message(rule, reading, held))
                out.append(Breach(rule, reading, message))
        return out


def _fire(rule: RuleSpec, state: _State, holds: bool, reading: Reading, message: str) -> Breach | None:
    if not holds:
        state.fired = False
        return None
    if state.fired:
        return None
    state.fired = True
    return Breach(rule, reading, message)


def _threshold(rule, state, reading):
    holds = _beyond(rule.op, reading.value, rule.value)
    return _fire(rule, state, holds, reading, f"{reading.metric} {reading.value:g} {rule.op} {rule.value:g}")


def _duration(rule, state, reading):
    if not _beyond(rule.op, reading.value, rule.value):
        state.since = None
        state.fired = False
        return None
    if state.since is None:
        state.since = reading.ts
    held = (reading.ts - state.since).total_seconds()
    return _fire(rule, state, held >= (rule.seconds or 0), reading, _duration_message(rule, reading, held))


def _duration_message(rule, reading, held):
    return _("%(metric)s %(op)s %(limit)s for %(held)s s (%(value)s)") % {
        "metric": reading.metric, "op": rule.op, "limit": f"{rule.value:g}", "held": f"{held:.0f}",
        "value": f"{reading.value:g}"}


def _rate(rule, state, reading):
    if state.last_ts is None or reading.ts <= state.last_ts:
        return None
    per_second = (reading.value - state.last_value) / (reading.ts - state.last_ts).total_seconds()
    return _fire(rule, state, _beyond(rule.op, per_second, rule.value), reading,
                 f"{reading.metric} {per_second:+.3g}/s {rule.op} {rule.value:g}/s")


def _stall_message(rule, reading):
    return _("%(metric)s stuck at %(value)s for %(seconds)s s") % {
        "metric": reading.metric, "value": f"{reading.value:g}", "seconds": f"{rule.seconds:g}"}


def _stall(rule, state, reading):
    if state.last_value is None or reading.value > state.last_value + rule.value:
        state.since = reading.ts
        state.fired = False
        return None
    if state.since is None:
        state.since = reading.ts
    stalled = (reading.ts - state.since).total_seconds() >= (rule.seconds or 0)
    if not stalled or state.fired:
        return None
    state.fired = True
    return Breach(rule, reading, _stall_message(rule, reading))


_EVALUATE = {"threshold": _threshold, "duration": _duration, "rate": _rate, "stall": _stall}

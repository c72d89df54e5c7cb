"""The rule engine on a stream of readings: each kind fires once when its condition begins and is
re-armed when it clears."""

import datetime

from sihe.mes.rules import Reading, RuleEngine, RuleSpec

T0 = datetime.datetime(2026, 12, 6, 8, 0, tzinfo=datetime.UTC)


def at(second: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=second)


def feed(engine, metric, points, machine="M1"):
    fired = []
    for second, value in points:
        fired += [(second, b.rule.kind) for b in engine.feed(Reading("L1", machine, metric, at(second), value))]
    return fired


def test_threshold_fires_once_per_excursion():
    engine = RuleEngine([RuleSpec(id=1, line="L1", metric="temp", kind="threshold", op=">", value=85)])
    assert feed(engine, "temp", [(0, 80), (1, 86), (2, 90), (3, 84), (4, 88)]) == [(1, "threshold"), (4, "threshold")]


def test_below_threshold_and_other_lines_and_metrics_are_ignored():
    engine = RuleEngine([RuleSpec(id=1, line="L1", metric="pressure", kind="threshold", op="<", value=2.0)])
    assert feed(engine, "temp", [(0, 1.0)]) == []
    assert engine.feed(Reading("L2", "M1", "pressure", at(0), 1.0)) == []
    assert feed(engine, "pressure", [(1, 2.5), (2, 1.9)]) == [(2, "threshold")]


def test_duration_needs_the_condition_held_for_its_seconds_and_restarts_when_broken():
    engine = RuleEngine([RuleSpec(id=1, line="L1", metric="temp", kind="duration", op=">", value=85, seconds=10)])
    assert feed(engine, "temp", [(0, 86), (5, 87), (9, 88), (9.5, 80), (10, 86), (19, 86)]) == []
    assert feed(engine, "temp", [(20, 86), (25, 86)]) == [(20, "duration")]


def test_rate_of_change_per_second():
    engine = RuleEngine([RuleSpec(id=1, line="L1", metric="temp", kind="rate", op=">", value=2)])
    assert feed(engine, "temp", [(0, 50), (1, 51.5), (2, 54), (3, 57), (4, 57.5)]) == [(2, "rate")]


def test_stall_from_readings_and_from_time_passing():
    rule = RuleSpec(id=1, line="L1", metric="good", kind="stall", op=">", value=0, seconds=30)
    engine = RuleEngine([rule])
    assert feed(engine, "good", [(0, 100), (10, 110), (20, 110), (39, 110)]) == []
    assert feed(engine, "good", [(40, 110)]) == [(40, "stall")]
    assert feed(engine, "good", [(41, 111)]) == []  # rising again re-arms
    assert [b.rule.kind for b in engine.tick(at(70))] == []
    assert [b.rule.kind for b in engine.tick(at(71))] == ["stall"]
    assert engine.tick(at(100)) == []


def test_rules_per_machine_keep_their_own_state_and_survive_a_reload():
    rule = RuleSpec(id=1, line="L1", metric="temp", kind="duration", op=">", value=85, seconds=10)
    engine = RuleEngine([rule])
    feed(engine, "temp", [(0, 90)], machine="M1")
    feed(engine, "temp", [(5, 90)], machine="M2")
    engine.load([rule, RuleSpec(id=2, line="L1", metric="speed", kind="threshold", op="<", value=1)])
    assert feed(engine, "temp", [(10, 90)], machine="M1") == [(10, "duration")]
    assert feed(engine, "temp", [(10, 90)], machine="M2") == []


def test_a_value_held_beyond_the_limit_fires_by_time_passing_when_no_reading_comes():
    engine = RuleEngine([RuleSpec(id=1, line="L1", metric="temp", kind="duration", op=">", value=85, seconds=10)])
    assert feed(engine, "temp", [(0, 90)]) == []  # an OPC UA node reports on change only
    assert engine.tick(at(9)) == []
    assert [b.rule.kind for b in engine.tick(at(10))] == ["duration"]
    assert engine.tick(at(30)) == [] and feed(engine, "temp", [(31, 91)]) == []  # fired once

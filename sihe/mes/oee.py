"""OEE after Nakajima in the oee.com convention, and the six big losses.

    Availability = run time / planned production time      (run = planned − stops)
    Performance  = ideal cycle time × total count / run time
    Quality      = good count / total count
    OEE          = A × P × Q

Planned downtime (breaks, planned maintenance) is outside planned production time. Losses are in
seconds of planned time: breakdowns and set-up/adjustments (availability), small stops and reduced speed
(performance), start-up and production rejects (quality, at the ideal cycle time).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class OeeFigures:
    planned_seconds: float
    breakdown_seconds: float = 0.0
    changeover_seconds: float = 0.0
    small_stop_seconds: float = 0.0
    ideal_cycle_seconds: float = 0.0  # or ideal_seconds: Σ count × cycle when work orders differ
    total: float = 0.0
    good: float = 0.0
    startup_scrap: float = 0.0
    ideal_seconds: float | None = None


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else 0.0


def compute(f: OeeFigures) -> dict:
    stops = f.breakdown_seconds + f.changeover_seconds
    run = max(f.planned_seconds - stops, 0.0)
    ideal = f.ideal_seconds if f.ideal_seconds is not None else f.ideal_cycle_seconds * f.total
    availability = _ratio(run, f.planned_seconds)
    performance = _ratio(ideal, run)
    quality = _ratio(f.good, f.total)
    cycle = _ratio(ideal, f.total)
    scrap = max(f.total - f.good, 0.0)
    small = min(f.small_stop_seconds, max(run - ideal, 0.0))
    losses = {
        "breakdowns": f.breakdown_seconds,
        "setup_adjustments": f.changeover_seconds,
        "small_stops": small,
        "reduced_speed": max(run - ideal - small, 0.0),
        "startup_rejects": cycle * min(f.startup_scrap, scrap),
        "production_rejects": cycle * max(scrap - f.startup_scrap, 0.0),
    }
    return {
        "planned_seconds": f.planned_seconds, "run_seconds": run, "total": f.total, "good": f.good,
        "availability": round(availability, 4), "performance": round(performance, 4),
        "quality": round(quality, 4), "oee": round(availability * performance * quality, 4),
        "losses": {k: round(v, 1) for k, v in losses.items()},
    }

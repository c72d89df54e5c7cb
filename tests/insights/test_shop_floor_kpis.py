"""OEE and yield per line as KPIs: the textbook line of tests/mes (5 h, a 1 h planned stop, 30 min down,
14,400 units of which 400 scrap at an ideal 1 s each) read over the day it ran."""

import datetime
from decimal import Decimal

import pytest

from sihe.insights import kpis
from sihe.mes import selectors, services, work_orders
from sihe.mes.models import MachineState
from tests.mes.test_work_orders import floor, who  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_oee_and_yield_per_line(floor, clock):  # noqa: F811
    line = floor["line"]
    wo = work_orders.dispatch(order=floor["order"], line=line, actor=who())
    work_orders.start(wo=wo, actor=who())
    t0 = clock.at(2026, 11, 20, hour=8)
    machine = line.machines.get()
    MachineState.objects.create(machine=machine, state="down", start=t0 + datetime.timedelta(hours=1),
                                end=t0 + datetime.timedelta(hours=1, minutes=30))
    services.add_planned_stop(line=line, start=t0 + datetime.timedelta(hours=3), end=t0 + datetime.timedelta(hours=4),
                              reason="午休", actor=who())
    work_orders.add_counts(wo=wo, good=9000, scrap=0, at=t0 + datetime.timedelta(minutes=30), actor=who())
    work_orders.add_counts(wo=wo, good=5000, scrap=400, at=t0 + datetime.timedelta(hours=2), actor=who())
    day = kpis.Period(datetime.date(2026, 11, 20), datetime.date(2026, 11, 20))
    # yield: 14,000 good of 14,400 counted = 97.22 %
    y = kpis.figure("yield", day, group_by="line")
    assert (y["value"], y["numerator"], y["denominator"]) == ("97.22", "14000", "14400")
    assert [(g["key"], g["value"]) for g in y["groups"]] == [("FL-1", "97.22")]
    # OEE over the day: the same figure the line's own OEE gives for that day, as a percentage
    expected = selectors.oee_for(line=line, since=day.since, until=day.until)["oee"]
    oee = kpis.figure("oee", day, group_by="line")
    assert oee["value"] == str((Decimal(str(expected)) * 100).quantize(Decimal("0.01")))
    assert [g["key"] for g in oee["groups"]] == ["FL-1"]
    rows = kpis.drill("oee", day)["rows"]
    assert [(r["number"], r["good"], r["total"]) for r in rows] == [("FL-1", 14000.0, 14400.0)]

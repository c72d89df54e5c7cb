"""What each role's home page shows besides the KPIs: the queues with their ages, the warehouse's waves,
backlog and pickers, the accountant's close, the lines. Read from the wings' records as they are now."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from sihe.core import clock
from sihe.insights import kpis
from sihe.ledger.models import Period as LedgerPeriod
from sihe.ledger.models import Voucher
from sihe.oms.aftersales.models import Case
from sihe.oms.models import IntakeError, Order, StatementRow
from sihe.wms.models import Shipment
from sihe.wms.outbound.models import PickList, PickTask, Wave

QUEUE_ROWS = 8


def age(since: datetime.datetime | None, now: datetime.datetime) -> dict | None:
    """An age as people read it (3天4小时 / 5小时 / 12分钟) and in seconds for sorting and colour."""
    if since is None:
        return None
    seconds = max(int((now - since).total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    return {"seconds": seconds, "days": days, "hours": hours, "minutes": rest // 60}


def _queue(code: str, rows, *, at: str, number: str, detail, now) -> dict:
    count = rows.count()
    oldest = rows.aggregate(t=Min(at))["t"]
    items = [{"id": r.pk, "number": getattr(r, number), "detail": detail(r), "age": age(getattr(r, at), now)}
             for r in rows.order_by(at, "pk")[:QUEUE_ROWS]]
    return {"code": code, "count": count, "oldest": age(oldest, now), "items": items}


OPEN_CASES = ("pending_approval", "open", "awaiting_return", "received")


def service_queues() -> list[dict]:
    """After-sales cases, intake errors and held orders, oldest first."""
    now = clock.now()
    cases = Case.objects.filter(status__in=OPEN_CASES).select_related("order")
    errors = IntakeError.objects.filter(status="open")
    held = Order.objects.filter(status="held")
    return [
        _queue("aftersales", cases, at="created_at", number="number", now=now,
               detail=lambda c: f"{c.order.number} · {c.get_kind_display()} · {c.get_status_display()}"),
        _queue("intake_errors", errors, at="created_at", number="external_id", now=now,
               detail=lambda e: f"{e.channel_code} · {e.reason[:60]}"),
        _queue("holds", held, at="received_at", number="number", now=now,
               detail=lambda o: f"{o.get_hold_reason_display()} {o.hold_detail[:60]}".strip()),
    ]


def warehouse_floor() -> dict:
    """Open waves with their progress, the backlog of shipments not yet picked, and today's pickers."""
    now = clock.now()
    waves = []
    for wave in (Wave.objects.filter(state__in=("released", "picking", "picked")).select_related("warehouse")
                 .order_by("created_at")[:20]):
        tasks = PickTask.objects.filter(picklist__wave=wave).exclude(state="cancelled").aggregate(
            n=Count("pk"), done=Count("pk", filter=Q(state__in=("done", "short"))))
        waves.append({"id": wave.pk, "number": wave.number, "warehouse": wave.warehouse.code, "state": wave.state,
                      "state_label": wave.get_state_display(), "lines": tasks["n"], "done": tasks["done"],
                      "cutoff": wave.cutoff_at, "age": age(wave.created_at, now)})
    pending = Shipment.objects.filter(state="pending")
    backlog = [{"warehouse": r["warehouse__code"], "count": r["n"], "oldest": age(r["oldest"], now)}
               for r in pending.values("warehouse__code").annotate(n=Count("pk"), oldest=Min("created_at"))
               .order_by("warehouse__code")]
    today = kpis.Period(clock.today(), clock.today())
    pickers = [{"picker": g["key"], "rate": g["value"]}
               for g in kpis.figure("picking_rate", today, group_by="picker")["groups"]]
    picking_now = list(PickList.objects.filter(state="picking").values_list("picker", "number")[:20])
    return {"waves": waves, "backlog": backlog, "backlog_total": sum(b["count"] for b in backlog),
            "pickers": pickers, "picking_now": picking_now}


def close_progress() -> dict:
    """The open periods from the oldest: vouchers not yet posted, the last close and its days, platform
    settlement rows not reconciled (differences)."""
    open_periods = list(LedgerPeriod.objects.filter(status="open").order_by("code").values_list("code", flat=True)[:6])
    unposted = dict(Voucher.objects.exclude(status="posted").values("period__code").annotate(n=Count("pk"))
                    .values_list("period__code", "n"))
    periods = [{"code": code, "unposted": unposted.get(code, 0)} for code in open_periods]
    last = LedgerPeriod.objects.filter(status="closed", closed_at__isnull=False).order_by("-code").first()
    differences = StatementRow.objects.filter(status="difference")
    diff = differences.aggregate(n=Count("pk"), amount=Sum("amount"))
    return {
        "periods": periods, "unposted_total": sum(unposted.values()),
        "last_closed": last.code if last else None,
        "last_closed_at": timezone.localtime(last.closed_at) if last else None,
        "last_close_days": (clock.day_of(last.closed_at) - kpis._last_day(last.code)).days if last else None,
        "unreconciled": diff["n"] or 0, "unreconciled_amount": diff["amount"] or Decimal("0.00"),
    }


def exceptions() -> list[dict]:
    """What needs the manager today: orders stuck (held, or past their promised ship time), lines down."""
    from sihe.mes.models import Alarm

    now = clock.now()
    late = Order.objects.filter(promised_ship_at__lt=now, shipped_at__isnull=True).exclude(
        status__in=("cancelled", "shipped", "completed"))
    return [
        {"code": "held", "count": Order.objects.filter(status="held").count()},
        {"code": "late", "count": late.count()},
        {"code": "alarms", "count": Alarm.objects.filter(acknowledged_at__isnull=True).count()},
    ]


def revenue_per_day(days: int = 30) -> dict:
    """Revenue per day (GL, the same query as the KPI) over the last `days` days, for the trend chart."""
    end = clock.today()
    start = end - datetime.timedelta(days=days - 1)
    per = kpis.revenue_by_day(kpis.Period(start, end))
    labels = [start + datetime.timedelta(days=i) for i in range(days)]
    return {"labels": [d.strftime("%m-%d") for d in labels], "values": [str(per.get(d, Decimal("0.00"))) for d in labels]}

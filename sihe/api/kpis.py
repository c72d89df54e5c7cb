"""KPIs over the API: the same figures as the manager's home page, from the same ledgers, and the documents
behind each. Codes are stable (see `GET /api/v1/kpis/definitions`)."""

from ninja import Field, Query, Router, Schema

from sihe.api.security import authorize
from sihe.core.errors import ValidationFailed
from sihe.insights import kpis

router = Router(tags=["kpis"])

CODES = ", ".join(kpis.REGISTRY)


class KpiGroupOut(Schema):
    key: str = Field(..., description="channel / warehouse / category code, picker or line; '-' for none")
    label: str
    value: str | None


class KpiDefinitionOut(Schema):
    code: str = Field(..., description=f"stable code: {CODES}")
    name: str
    name_zh: str
    name_en: str
    unit: str = Field(..., description="CNY, percent, hours, seconds, days, times, lines_per_hour, metres")
    definition: str
    definition_zh: str
    definition_en: str
    group_by: list[str] = Field(..., description="the groupings this KPI answers")
    better: str = Field(..., description="up or down: which way is good")


class KpiOut(KpiDefinitionOut):
    value: str | None = Field(..., description="decimal string; null when there is nothing to measure")
    grouped_by: str | None
    groups: list[KpiGroupOut]
    numerator: str | int | None = None
    denominator: str | int | None = None
    share: str | None = Field(None, description="walking_saved: the percentage of the unrouted walk saved")


class KpiDrillOut(Schema):
    code: str
    name: str
    unit: str
    from_: str = Field(..., alias="from")
    to: str
    group_by: str | None
    group: str | None
    offset: int
    limit: int
    count: int = Field(..., description="documents behind the figure (rows are one page of them)")
    total: str | None = Field(..., description="the figure the documents make: Σ amount, or the ratio")
    numerator: str | int | None = None
    denominator: str | int | None = None
    revenue: str | None = None
    cogs: str | None = None
    rows: list[dict] = Field(..., description="vouchers, orders, pick lists, count tasks, periods or lines; "
                                              "`type` and `id` name the document")


class PeriodQuery(Schema):
    from_: str | None = Field(None, alias="from", description="first day, YYYY-MM-DD (default: the 1st of `to`'s month)")
    to: str | None = Field(None, description="last day, YYYY-MM-DD, inclusive (default: today)")


class KpisQuery(PeriodQuery):
    group_by: str | None = Field(None, description="channel, warehouse, product_group, picker or line")
    codes: str | None = Field(None, description=f"comma-separated subset of: {CODES}")


class DrillQuery(PeriodQuery):
    group_by: str | None = Field(None, description="the grouping `group` belongs to")
    group: str | None = Field(None, description="one group's key from the figure's `groups`")
    offset: int = Field(0, description="rows to skip")
    limit: int = Field(100, description=f"rows to return, 1–{kpis.DRILL_LIMIT}")


@router.get("/kpis/definitions", response=list[KpiDefinitionOut], summary="The KPIs: codes, units and definitions")
def definitions(request):
    authorize(request, "dashboard.view")
    return [kpis.describe(k) for k in kpis.REGISTRY.values()]


@router.get("/kpis", response=list[KpiOut], summary="Every KPI over a date range, optionally grouped",
            description="Revenue and gross margin (by channel, warehouse, product group), stock value, turnover and "
                        "days of stock, inventory record accuracy, on-time shipment, order-to-ship cycle time, order "
                        "hand-off latency, picking rate, walking saved by routing, receivables overdue, days to "
                        "close, OEE and yield per line — from the posted vouchers, the stock ledger and the records, "
                        "the figures of the manager's home page. A KPI that cannot be grouped as asked answers "
                        "ungrouped. Bad parameters are a 422 naming `from`, `to`, `group_by` or `codes`.")
def list_kpis(request, query: Query[KpisQuery]):
    authorize(request, "dashboard.view")
    period = kpis.period_of(query.from_, query.to)
    codes = [c.strip() for c in query.codes.split(",") if c.strip()] if query.codes else None
    for code in codes or ():
        if code not in kpis.REGISTRY:
            raise ValidationFailed(f"unknown KPI code {code!r}; the codes are {CODES}", field="codes",
                                   code="unknown_kpi")
    return kpis.figures(period, group_by=query.group_by, codes=codes)


@router.get("/kpis/{code}/drill", response=KpiDrillOut, by_alias=True,
            summary="The documents behind one KPI (their amounts make the figure)")
def drill(request, code: str, query: Query[DrillQuery]):
    authorize(request, "dashboard.view")
    period = kpis.period_of(query.from_, query.to)
    return kpis.drill(code, period, group_by=query.group_by, group=query.group, offset=query.offset,
                      limit=query.limit)

"""Fixed assets (固定资产) over the API: categories, cards (acquisition posts Dr 1601 / Cr the account paid
from), monthly workload, the depreciation run of a month (one voucher by department; running it again
returns the same run), disposal through 1606, the register (卡片账) and one asset's schedule.

Amounts are decimal strings; refusals are {code, message, field}: a month run out of order → 409
`earlier_period_not_run`, a workload missing → 422 `workload_missing`, disposal before the month's run
→ 409 `depreciation_not_run`.
"""

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Router, Schema

from sihe.api.base import Strict
from sihe.api.security import authorize
from sihe.assets import selectors, services
from sihe.core import clock, tx
from sihe.ledger.services import parse_period, period_of

router = Router(tags=["fixed assets"])


def _money(value) -> str:
    return format(Decimal(value).quantize(Decimal("0.01")) + Decimal("0.00"), "f")


class AssetCategoryIn(Strict):
    code: str = Field(..., min_length=1, max_length=20)
    name: str = Field(..., min_length=1, max_length=60)
    life_months: int = Field(..., ge=1, le=1200, description="预计使用月数")
    residual_rate: Decimal = Field(..., ge=0, lt=1, description="预计净残值率, e.g. 0.05")
    method: Literal["straight_line", "workload"] = "straight_line"
    asset_account: str = Field("1601", max_length=40)
    depreciation_account: str = Field("1602", max_length=40)
    expense_manufacturing: str = Field("4101", max_length=40, description="制造费用 for production departments")
    expense_admin: str = Field("5602", max_length=40, description="管理费用")
    expense_selling: str = Field("5601", max_length=40, description="销售费用")


class AssetCategoryOut(Schema):
    code: str
    name: str
    life_months: int
    residual_rate: str
    method: str
    asset_account: str
    depreciation_account: str
    expense_manufacturing: str
    expense_admin: str
    expense_selling: str


def _category_out(c) -> AssetCategoryOut:
    return AssetCategoryOut(code=c.code, name=c.name, life_months=c.life_months, residual_rate=str(c.residual_rate),
                            method=c.method, asset_account=c.asset_account, depreciation_account=c.depreciation_account,
                            expense_manufacturing=c.expense_manufacturing, expense_admin=c.expense_admin,
                            expense_selling=c.expense_selling)


@router.get("/asset-categories", response=list[AssetCategoryOut], summary="Asset categories with their defaults")
def list_categories(request):
    authorize(request, "ledger.view")
    return [_category_out(c) for c in selectors.categories()]


@router.post("/asset-categories", response={200: AssetCategoryOut}, summary="Create or change an asset category")
def save_category(request, payload: AssetCategoryIn):
    actor = authorize(request, "ledger.edit")
    with tx.entry():
        category = services.save_category(actor=actor, **payload.model_dump())
    return _category_out(category)


class AssetIn(Strict):
    code: str = Field("", max_length=30, description="asset number; FA-00001… when empty")
    name: str = Field(..., min_length=1, max_length=100)
    category: str = Field(..., min_length=1, max_length=20, description="category code")
    department: str = Field(..., min_length=1, max_length=40, description="使用部门 (the expense line's department)")
    use: Literal["manufacturing", "admin", "selling"] = Field(
        ..., description="decides the expense account: 制造费用 / 管理费用 / 销售费用")
    acquired_on: datetime.date
    cost: Decimal = Field(..., gt=0, description="原值 (yuan)")
    input_tax: Decimal = Field(Decimal(0), ge=0, description="deductible input VAT, debited to 进项税额")
    paid_from: str = Field(..., min_length=1, max_length=40, description="credit account: 1002 (bank), 2241 …")
    partner: str = Field("", max_length=40, description="supplier, for an account that tracks partners")
    residual_value: Decimal | None = Field(None, ge=0, description="预计净残值; default cost × the category's rate")
    life_months: int | None = Field(None, ge=1, le=1200)
    method: Literal["straight_line", "workload"] | None = None
    total_workload: Decimal | None = Field(None, gt=0, description="工作量法: the total over the asset's life")
    workload_unit: str = Field("", max_length=20)


class AssetOut(Schema):
    id: int
    code: str
    name: str
    category: str
    department: str
    use: str
    acquired_on: datetime.date
    cost: str
    residual_value: str
    life_months: int
    method: str
    total_workload: str | None
    status: str
    accumulated: str
    net_value: str
    acquisition_voucher: int | None
    disposed_on: datetime.date | None
    disposal_voucher: int | None
    disposal_gain: str


def _asset_out(a) -> AssetOut:
    taken = services.accumulated(a)
    return AssetOut(id=a.pk, code=a.code, name=a.name, category=a.category.code, department=a.department, use=a.use,
                    acquired_on=a.acquired_on, cost=_money(a.cost), residual_value=_money(a.residual_value),
                    life_months=a.life_months, method=a.method,
                    total_workload=None if a.total_workload is None else str(a.total_workload), status=a.status,
                    accumulated=_money(taken), net_value=_money(a.cost - taken),
                    acquisition_voucher=a.acquisition_voucher_id, disposed_on=a.disposed_on,
                    disposal_voucher=a.disposal_voucher_id, disposal_gain=_money(a.disposal_gain))


@router.post("/assets", response={201: AssetOut}, summary="Acquire a fixed asset (card and voucher)")
def acquire(request, payload: AssetIn):
    actor = authorize(request, "ledger.edit")
    data = payload.model_dump()
    category = selectors.category(data.pop("category"))
    with tx.entry():
        asset = services.acquire(actor=actor, category=category, **data)
    return 201, _asset_out(selectors.asset(asset.pk))


class RegisterRow(Schema):
    code: str
    name: str
    category: str
    department: str
    expense_account: str
    cost: str
    accumulated: str
    net_value: str
    this_month: str
    status: str


class RegisterOut(Schema):
    period: str
    rows: list[RegisterRow]
    cost: str
    accumulated: str
    net_value: str
    this_month: str


@router.get("/assets", response=RegisterOut, summary="The register (卡片账) at a month's end")
def register(request, period: str | None = None):
    authorize(request, "ledger.view")
    period = parse_period(period or period_of(clock.today()))
    data = selectors.register(period)
    rows = [RegisterRow(code=r["asset"].code, name=r["asset"].name, category=r["asset"].category.name,
                        department=r["asset"].department, expense_account=r["expense_account"], cost=_money(r["cost"]),
                        accumulated=_money(r["accumulated"]), net_value=_money(r["net"]),
                        this_month=_money(r["month"]), status=r["asset"].status) for r in data["rows"]]
    t = data["totals"]
    return RegisterOut(period=period, rows=rows, cost=_money(t["cost"]), accumulated=_money(t["accumulated"]),
                       net_value=_money(t["net"]), this_month=_money(t["month"]))


class ScheduleRow(Schema):
    period: str
    workload: str | None
    amount: str
    accumulated: str
    net_value: str
    planned: bool = Field(..., description="false: booked by a run; true: what the method gives for that month")


class AssetDetailOut(AssetOut):
    schedule: list[ScheduleRow]


@router.get("/assets/{code}", response=AssetDetailOut, summary="One asset with its depreciation schedule")
def get_asset(request, code: str):
    authorize(request, "ledger.view")
    asset = selectors.asset(code)
    schedule = [ScheduleRow(period=r["period"], workload=None if r["workload"] is None else str(r["workload"]),
                            amount=_money(r["amount"]), accumulated=_money(r["accumulated"]), net_value=_money(r["net"]),
                            planned=r["planned"]) for r in selectors.schedule(asset)]
    return AssetDetailOut(**_asset_out(asset).model_dump(), schedule=schedule)


class WorkloadIn(Strict):
    period: str = Field(..., pattern=r"^\d{4}-\d{2}$")
    quantity: Decimal = Field(..., ge=0)


class WorkloadOut(Schema):
    asset: str
    period: str
    quantity: str


@router.post("/assets/{code}/workload", response=WorkloadOut, summary="Enter a month's workload (工作量法)")
def workload(request, code: str, payload: WorkloadIn):
    actor = authorize(request, "ledger.edit")
    asset = selectors.asset(code)
    with tx.entry():
        row = services.record_workload(asset=asset, period=payload.period, quantity=payload.quantity, actor=actor)
    return WorkloadOut(asset=asset.code, period=row.period, quantity=str(row.quantity))


class DisposalIn(Strict):
    date: datetime.date
    proceeds: Decimal = Field(Decimal(0), ge=0, description="变价收入")
    costs: Decimal = Field(Decimal(0), ge=0, description="清理费用")
    counter_account: str = Field("", max_length=40, description="where proceeds come in and costs go out, e.g. 1002")
    reason: str = Field("", max_length=100, description="出售, 报废, 毁损 …")


@router.post("/assets/{code}/dispose", response=AssetOut, summary="Dispose of an asset (固定资产清理)")
def dispose(request, code: str, payload: DisposalIn):
    actor = authorize(request, "ledger.edit")
    asset = selectors.asset(code)
    with tx.entry():
        services.dispose(asset=asset, actor=actor, **payload.model_dump())
    return _asset_out(selectors.asset(asset.pk))


class DepreciationLineOut(Schema):
    asset: str
    department: str
    expense_account: str
    workload: str | None
    amount: str


class DepreciationRunOut(Schema):
    period: str
    total: str
    voucher: int | None
    run_by: str
    lines: list[DepreciationLineOut]


def _run_out(period: str) -> DepreciationRunOut:
    run = selectors.run(period)
    lines = [DepreciationLineOut(asset=ln.asset.code, department=ln.asset.department, expense_account=ln.expense_account,
                        workload=None if ln.workload is None else str(ln.workload), amount=_money(ln.amount))
             for ln in selectors.run_lines(period)]
    return DepreciationRunOut(period=period, total=_money(run.total), voucher=run.voucher_id, run_by=run.run_by, lines=lines)


@router.post("/depreciation-runs/{period}", response=DepreciationRunOut,
             summary="Run a month's depreciation (计提折旧); again returns the same run")
def run_depreciation(request, period: str):
    actor = authorize(request, "ledger.edit")
    period = parse_period(period)
    with tx.entry():
        services.run_depreciation(period=period, actor=actor)
    return _run_out(period)


@router.get("/depreciation-runs/{period}", response=DepreciationRunOut, summary="A month's depreciation run")
def get_run(request, period: str):
    authorize(request, "ledger.view")
    period = parse_period(period)
    selectors.existing_run(period)
    return _run_out(period)

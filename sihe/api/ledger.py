"""The general ledger over the API: the chart, vouchers (make, review, post, reverse, delete), periods
(close, reopen), opening balances, the trial balance, the three statements and the general and detail
ledgers (JSON, or Excel/PDF with ?format=xlsx|pdf).

Amounts are decimal strings. Errors are {code, message, field}: unbalanced → 422 "unbalanced",
closed period → 409 "period_closed".
"""

import datetime
from decimal import Decimal
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from sihe.api.base import MAX_LINES, Strict
from sihe.api.pagination import PAGE_HEADERS, HeadedPage, Mapped, headed_page
from sihe.api.security import authorize
from sihe.core import tx
from sihe.core.errors import ValidationFailed
from sihe.ledger import accounts, render, reports, selectors, services, statements
from sihe.ledger.selectors import Voucher

router = Router(tags=["ledger"])


def amount(value: Decimal) -> str:
    return format(Decimal(value).quantize(Decimal("0.01")) + Decimal("0.00"), "f")


class AccountOut(Schema):
    code: str
    name: str
    name_en: str
    direction: Literal["debit", "credit"]
    category: str
    parent: str | None
    is_leaf: bool
    level: int
    is_cash: bool
    role: str
    dimensions: list[str]


@router.get("/ledger/accounts", response=list[AccountOut], summary="The chart of accounts (小企业会计准则)")
def list_accounts(request):
    authorize(request, "ledger.view")
    return [_account_out(a) for a in reports.accounts()]


def _account_out(a) -> AccountOut:
    return AccountOut(code=a.code, name=a.name, name_en=a.name_en, direction=a.direction, category=a.category,
                      parent=a.parent.code if a.parent_id else None, is_leaf=a.is_leaf, level=a.level,
                      is_cash=a.is_cash, role=a.role, dimensions=a.dimensions)


class AccountIn(Strict):
    parent: str = Field(..., min_length=1, max_length=40)
    code: str = Field(..., min_length=3, max_length=40, description="parent code + '.' + suffix, e.g. 5602.02")
    name: str = Field(..., min_length=1, max_length=100)
    name_en: str = Field("", max_length=100)
    dimensions: list[Literal["partner", "department", "project", "warehouse"]] = []
    role: str = Field("", max_length=40, description="what a 利润表 其中 line reads, e.g. admin_entertainment "
                                                     "(业务招待费), finance_interest (利息费用)")


@router.post("/ledger/accounts", response={201: AccountOut},
             summary="Add a sub-account (明细科目); an account in use moves its balance into it")
def add_account(request, payload: AccountIn):
    actor = authorize(request, "ledger.edit")
    with tx.entry():
        account = accounts.add_account(actor=actor, **payload.model_dump())
    return 201, _account_out(reports.account_by_code(account.code))


class LineIn(Strict):
    account: str = Field(..., min_length=1, max_length=40, description="leaf account code, e.g. 1002 or 2221.01.01")
    debit: Decimal | None = Field(None, description="借方 amount (yuan); give debit or credit, not both")
    credit: Decimal | None = Field(None, description="贷方 amount (yuan)")
    summary: str = Field(..., min_length=1, max_length=200, description="摘要")
    partner: str | None = Field(None, max_length=40)
    department: str | None = Field(None, max_length=40)
    project: str | None = Field(None, max_length=40)
    warehouse: str | None = Field(None, max_length=40)
    cash_flow_item: str | None = Field(None, max_length=10, description="现金流量项目: line no. (1) or code (CF01)")


class VoucherIn(Strict):
    date: datetime.date
    word: Literal["记", "收", "付", "转"] = "记"
    memo: str = Field("", max_length=200)
    lines: list[LineIn] = Field(..., min_length=1, max_length=MAX_LINES)


class VoucherCreated(Schema):
    id: int
    number: int | None
    display: str
    status: str


class VoucherLineOut(Schema):
    seq: int
    account: str
    account_name: str
    summary: str
    debit: str
    credit: str
    partner: str
    department: str
    project: str
    warehouse: str
    cash_flow_item: int | None


class VoucherOut(VoucherCreated):
    period: str
    word: str
    date: datetime.date
    kind: str
    memo: str
    source_type: str
    source_id: str
    rule: str
    reversal_of: int | None
    reversed_by: int | None
    made_by: str
    reviewed_by: str
    posted_by: str
    total: str
    lines: list[VoucherLineOut]
    attachments: list[str]


def _voucher_out(voucher: Voucher) -> dict:
    voucher = reports.voucher_by_id(voucher.pk)
    lines = list(voucher.lines.all())
    reversed_by = selectors.reversals_of(voucher).values_list("pk", flat=True).first()
    return {
        "id": voucher.pk, "number": voucher.number, "display": voucher.display_number, "status": voucher.status,
        "period": voucher.period.code, "word": voucher.word, "date": voucher.date, "kind": voucher.kind,
        "memo": voucher.memo, "source_type": voucher.source_type, "source_id": voucher.source_id, "rule": voucher.rule,
        "reversal_of": voucher.reversal_of_id, "reversed_by": reversed_by, "made_by": voucher.made_by,
        "reviewed_by": voucher.reviewed_by, "posted_by": voucher.posted_by,
        "total": amount(sum((line.debit for line in lines), Decimal("0"))),
        "lines": [
            {"seq": line.seq, "account": line.account.code, "account_name": line.account.name, "summary": line.summary,
             "debit": amount(line.debit), "credit": amount(line.credit), "partner": line.partner,
             "department": line.department, "project": line.project, "warehouse": line.warehouse,
             "cash_flow_item": line.cash_flow_item.line_no if line.cash_flow_item_id else None}
            for line in lines
        ],
        "attachments": [a.name for a in voucher.attachments.all()],
    }


def _created(voucher: Voucher) -> dict:
    return {"id": voucher.pk, "number": voucher.number, "display": voucher.display_number, "status": voucher.status}


@router.post("/ledger/vouchers", response={201: VoucherCreated}, summary="Make a voucher (填制凭证, draft)")
def create_voucher(request, payload: VoucherIn):
    actor = authorize(request, "ledger.edit")
    lines = [line.model_dump(exclude_none=True) for line in payload.lines]
    with tx.entry():
        voucher = services.create_voucher(date=payload.date, word=payload.word, memo=payload.memo, lines=lines,
                                          actor=actor)
    return 201, _created(voucher)


@router.get("/ledger/vouchers", response=list[VoucherCreated], openapi_extra=PAGE_HEADERS,
            summary="Vouchers of a period, in book order",
            description="Word, number, id (a draft without a number first). An array of at most `limit` (1000) "
                        "vouchers; when more follow, the `X-Next-Cursor` header (and `Link` rel=\"next\") leads on: "
                        "pass it as `after` (keyset paging — every page costs the same). `X-Total-Count`: all of them.")
def list_vouchers(request, response: HttpResponse, period: str,
                  status: Literal["draft", "reviewed", "posted"] | None = None, page: HeadedPage = Query(...)):
    authorize(request, "ledger.view")
    listing = Mapped(selectors.period_voucher_list(services.parse_period(period), status=status), _created,
                     selectors.VOUCHERS)
    return headed_page(request, response, listing, limit=page.limit, offset=page.offset, after=page.after)


@router.get("/ledger/vouchers/{voucher_id}", response=VoucherOut, summary="One voucher with its lines")
def get_voucher(request, voucher_id: int):
    authorize(request, "ledger.view")
    return _voucher_out(reports.voucher_by_id(voucher_id))


@router.post("/ledger/vouchers/{voucher_id}/review", response=VoucherCreated, summary="Review (审核)")
def review_voucher(request, voucher_id: int):
    actor = authorize(request, "ledger.post")
    with tx.entry():
        voucher = services.review_voucher(voucher=reports.voucher_by_id(voucher_id), actor=actor)
    return _created(voucher)


@router.post("/ledger/vouchers/{voucher_id}/post", response=VoucherCreated, summary="Post (过账)")
def post_voucher(request, voucher_id: int):
    actor = authorize(request, "ledger.post")
    with tx.entry():
        voucher = services.post_voucher(voucher=reports.voucher_by_id(voucher_id), actor=actor)
    return _created(voucher)


class ReverseIn(Strict):
    date: datetime.date | None = None


@router.post("/ledger/vouchers/{voucher_id}/reverse", response={201: VoucherCreated},
             summary="Red reversal (红字冲销): a new draft voucher pointing to this one, "
                     "reviewed and posted by another person like every voucher")
def reverse_voucher(request, voucher_id: int, payload: ReverseIn | None = None):
    actor = authorize(request, "ledger.post")
    with tx.entry():
        red = services.reverse_voucher(voucher=reports.voucher_by_id(voucher_id), actor=actor,
                                       date=payload.date if payload else None)
    return 201, _created(red)


@router.delete("/ledger/vouchers/{voucher_id}", response={204: None},
               summary="Delete a voucher that is not posted (a posted one is reversed instead)")
def delete_voucher(request, voucher_id: int):
    actor = authorize(request, "ledger.edit")
    with tx.entry():
        services.delete_voucher(voucher=reports.voucher_by_id(voucher_id), actor=actor)
    return 204, None


class PeriodOut(Schema):
    period: str
    status: str
    closed_at: datetime.datetime | None
    closed_by: str


@router.get("/ledger/periods", response=list[PeriodOut], summary="Accounting periods")
def list_periods(request):
    authorize(request, "ledger.view")
    return [{"period": p.code, "status": p.status, "closed_at": p.closed_at, "closed_by": p.closed_by}
            for p in selectors.periods()]


class CloseCheckOut(Schema):
    code: str
    label: str
    ok: bool
    detail: str


class CloseOut(Schema):
    period: str
    status: str
    checks: list[CloseCheckOut]
    vouchers: list[dict]


class CloseIn(Strict):
    confirm_early: bool = Field(False, description="close a month that has not ended yet (409 period_not_ended "
                                                   "without it): no more posting into its remaining days")
    reason: str = Field("", max_length=200, description="required with confirm_early; kept in the audit trail")


@router.post("/ledger/periods/{period}/close", response=CloseOut, summary="Month-end close (结账) in one call")
def close_period(request, period: str, payload: CloseIn | None = None):
    actor = authorize(request, "ledger.close")
    payload = payload or CloseIn()
    with tx.entry():
        return services.close_period(period=period, actor=actor, confirm_early=payload.confirm_early,
                                     reason=payload.reason)


class ReopenIn(Strict):
    reason: str = Field(..., min_length=1, max_length=200, description="why the period is reopened (audited)")


@router.post("/ledger/periods/{period}/reopen", response=PeriodOut, summary="Reopen a closed period (反结账)")
def reopen_period(request, period: str, payload: ReopenIn | None = None):
    actor = authorize(request, "ledger.close")
    with tx.entry():
        p = services.reopen_period(period=period, actor=actor, reason=payload.reason if payload else "")
    return {"period": p.code, "status": p.status, "closed_at": p.closed_at, "closed_by": p.closed_by}


class OpeningRow(Strict):
    account: str = Field(..., min_length=1, max_length=40)
    debit: Decimal | None = Field(None, description="期初余额 借方 at the start of the first period")
    credit: Decimal | None = Field(None, description="期初余额 贷方")
    year_start_debit: Decimal | None = Field(None, description="年初余额 借方 (mid-year start; 期初 follows when omitted)")
    year_start_credit: Decimal | None = Field(None, description="年初余额 贷方")
    ytd_debit: Decimal | None = Field(None, description="本年累计借方 of the months before the first period "
                                                        "(损益类: 实际发生额, without 结转损益)")
    ytd_credit: Decimal | None = Field(None, description="本年累计贷方 of the months before the first period")
    partner: str | None = Field(None, max_length=40)
    department: str | None = Field(None, max_length=40)
    project: str | None = Field(None, max_length=40)
    warehouse: str | None = Field(None, max_length=40)


class OpeningBalancesIn(Strict):
    period: str = Field(..., description="the first period kept in Sihe, YYYY-MM")
    rows: list[OpeningRow] = Field(..., max_length=20000)
    cash_flows: dict[str, Decimal] = Field(
        {}, description="本年累计 per 现金流量项目 行次 before the first period, e.g. {\"1\": \"350000.00\"}; "
                        "their net must equal the cash accounts' 本年累计 net")


@router.post("/ledger/opening-balances", summary="Replace the opening balances (期初余额, 建账) after the trial-balance checks")
def import_opening(request, payload: OpeningBalancesIn):
    actor = authorize(request, "ledger.edit")
    rows = [row.model_dump(exclude_none=True) for row in payload.rows]
    with tx.entry():
        count = services.import_opening_balances(period=payload.period, rows=rows, actor=actor,
                                                 cash_flows=payload.cash_flows)
    return {"period": payload.period, "rows": count}


@router.get("/ledger/opening-balances", summary="建账: per account 年初余额, 本年累计, 期初余额 and the balance checks")
def opening_summary(request):
    authorize(request, "ledger.view")
    report = reports.opening_summary()

    def out(value):
        return amount(value) if isinstance(value, Decimal) else value

    return {k: out(v) for k, v in report.items() if k not in ("rows", "checks", "cash_flows")} | {
        "rows": [{k: out(v) for k, v in row.items()} for row in report["rows"]],
        "cash_flows": [{k: out(v) for k, v in row.items()} for row in report["cash_flows"]],
        "checks": [{k: out(v) for k, v in row.items()} for row in report["checks"]],
    }


def _file(table: render.Table, fmt: str, name: str) -> HttpResponse:
    if fmt == "xlsx":
        response = HttpResponse(render.to_xlsx(table), content_type=render.XLSX)
    else:
        response = HttpResponse(render.to_pdf(table), content_type=render.PDF)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


Format = Literal["json", "xlsx", "pdf"]


@router.get("/ledger/trial-balance", summary="科目余额表: opening, period debit/credit, closing, year to date")
def trial_balance(request, period: str, format: Format = "json", show_all: bool = False):
    authorize(request, "ledger.view")
    report = reports.trial_balance(services.parse_period(period), show_all=show_all)
    if format != "json":
        return _file(render.trial_balance_table(report), format, f"trial-balance-{period}")
    return {
        "period": report["period"],
        "rows": [{k: amount(v) if isinstance(v, Decimal) else v for k, v in row.items()} for row in report["rows"]],
        "totals": {k: amount(v) if isinstance(v, Decimal) else v for k, v in report["totals"].items()},
    }


@router.get("/ledger/statements/{kind}", summary="资产负债表 / 利润表 / 现金流量表 with 行次")
def statement(request, kind: Literal["balance-sheet", "income-statement", "cash-flow"], period: str,
              format: Format = "json"):
    authorize(request, "ledger.view")
    report = statements.STATEMENTS[kind](services.parse_period(period))
    if format != "json":
        from sihe.catalog.selectors import company_name

        return _file(render.statement_table(report, company=company_name()), format, f"{kind}-{period}")
    return {k: (amount(v) if isinstance(v, Decimal) else v) for k, v in report.items() if k != "lines"} | {
        "lines": [{k: amount(v) if isinstance(v, Decimal) else v for k, v in line.items()} for line in report["lines"]]
    }


@router.get("/ledger/ledgers/{account}", summary="总账 (by month) or 明细账 (lines with running balance)")
def ledger_book(request, account: str, period_from: str, period_to: str | None = None,
                kind: Literal["general", "detail"] = "detail", format: Format = "json", partner: str | None = None,
                warehouse: str | None = None):
    authorize(request, "ledger.view")
    acc = reports.account_by_code(account)
    start = services.parse_period(period_from, field="period_from")
    end = services.parse_period(period_to or period_from, field="period_to")
    if end < start:
        raise ValidationFailed("period_to is before period_from", field="period_to")
    if kind == "general":
        report = reports.general_ledger(acc, int(start[:4]), up_to=end if end[:4] == start[:4] else None)
        table = render.general_ledger_table(report)
    else:
        dims = {k: v for k, v in {"partner": partner, "warehouse": warehouse}.items() if v}
        report = reports.detail_ledger(acc, start, end, dimension=dims or None)
        table = render.detail_ledger_table(report)
    if format != "json":
        return _file(table, format, f"{kind}-ledger-{account}-{start}")
    return {"title": table.title, "subtitle": table.subtitle, "headers": table.headers,
            "rows": [[amount(v) if isinstance(v, Decimal) else (v.isoformat() if hasattr(v, "isoformat") else v)
                      for v in row] for row in table.rows]}

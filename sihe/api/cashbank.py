"""Cash and bank (出纳) over the API: accounts mapped to 1001/1002, receipts, payments and transfers (each
posts its 收/付 voucher), the 现金/银行日记账, bank statement import (multipart: 工商银行, 建设银行, 招商银行,
农业银行 CSV or .xlsx, GBK or UTF-8), matching (auto and by hand) and the 银行存款余额调节表.

Refusals are {code, message, field}: the same file twice → 409 `duplicate_statement`, cash below zero →
409 `cash_negative`, a file of no known layout → 422 `unknown_layout`.
"""

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from sihe.api.base import Strict
from sihe.api.security import authorize
from sihe.cashbank import selectors, services
from sihe.core import clock, tx
from sihe.ledger.services import parse_period, period_of

router = Router(tags=["cash and bank"])


def _money(value) -> str | None:
    return None if value is None else format(Decimal(value).quantize(Decimal("0.01")) + Decimal("0.00"), "f")


class CashAccountIn(Strict):
    code: str = Field(..., min_length=1, max_length=20)
    name: str = Field(..., min_length=1, max_length=60)
    kind: Literal["cash", "bank"]
    ledger_account: str = Field(..., min_length=1, max_length=40, description="1001, 1002 or a sub-account 1002.xx")
    bank: Literal["", "icbc", "ccb", "cmb", "abc"] = Field("", description="statement layout of the bank")
    account_no: str = Field("", max_length=40)
    reconcile_from: datetime.date | None = Field(None, description="reconcile lines from this day on")


class CashAccountOut(Schema):
    code: str
    name: str
    kind: str
    ledger_account: str
    bank: str
    account_no: str
    reconcile_from: datetime.date | None


def _account_out(a) -> CashAccountOut:
    return CashAccountOut(code=a.code, name=a.name, kind=a.kind, ledger_account=a.ledger_account, bank=a.bank,
                          account_no=a.account_no, reconcile_from=a.reconcile_from)


@router.get("/cash-accounts", response=list[CashAccountOut], summary="Cash and bank accounts")
def list_accounts(request):
    authorize(request, "ledger.view")
    return [_account_out(a) for a in selectors.accounts()]


@router.post("/cash-accounts", response=CashAccountOut, summary="Create or change a cash or bank account")
def save_account(request, payload: CashAccountIn):
    actor = authorize(request, "ledger.edit")
    with tx.entry():
        account = services.save_account(actor=actor, **payload.model_dump())
    return _account_out(account)


class CashEntryIn(Strict):
    kind: Literal["receipt", "payment", "transfer"]
    account: str = Field(..., min_length=1, max_length=20, description="the cash/bank account's code")
    date: datetime.date
    amount: Decimal = Field(..., gt=0)
    summary: str = Field(..., min_length=1, max_length=150, description="摘要")
    counter_account: str = Field("", max_length=40, description="对方科目 (receipt, payment)")
    to_account: str = Field("", max_length=20, description="receiving account's code (transfer)")
    partner: str = Field("", max_length=40)
    department: str = Field("", max_length=40)
    reference: str = Field("", max_length=60, description="bank reference (流水号), helps matching")
    cash_flow_item: str | None = Field(None, max_length=10, description="03表 line or code; default 2 / 6")


class CashEntryOut(Schema):
    number: str
    kind: str
    date: datetime.date
    account: str
    to_account: str | None
    counter_account: str
    amount: str
    summary: str
    reference: str
    voucher: int


def _entry_out(e) -> CashEntryOut:
    return CashEntryOut(number=e.number, kind=e.kind, date=e.date, account=e.account.code,
                        to_account=e.to_account.code if e.to_account_id else None, counter_account=e.counter_account,
                        amount=_money(e.amount), summary=e.summary, reference=e.reference, voucher=e.voucher_id)


@router.post("/cash-entries", response={201: CashEntryOut}, summary="Enter a receipt, payment or transfer")
def enter(request, payload: CashEntryIn):
    actor = authorize(request, "ledger.edit")
    data = payload.model_dump()
    account = selectors.account(data.pop("account"))
    to_code = data.pop("to_account")
    to_account = selectors.account(to_code) if to_code else None
    with tx.entry():
        entry = services.enter(actor=actor, account=account, to_account=to_account, **data)
    return 201, _entry_out(entry)


class JournalRowOut(Schema):
    kind: Literal["opening", "line", "day", "month", "year"]
    date: datetime.date
    voucher: str | None
    voucher_id: int | None
    summary: str
    counter: str | None
    debit: str | None = Field(None, description="借方 (money in)")
    credit: str | None = Field(None, description="贷方 (money out)")
    balance: str


class JournalOut(Schema):
    account: str
    period_from: str
    period_to: str
    rows: list[JournalRowOut]
    closing: str


@router.get("/cash-accounts/{code}/journal", response=JournalOut,
            summary="现金/银行日记账 with 本日合计, 本月合计, 本年累计 and the running balance")
def journal(request, code: str, period_from: str | None = None, period_to: str | None = None):
    authorize(request, "ledger.view")
    account = selectors.account(code)
    period_to = parse_period(period_to or period_of(clock.today()), field="period_to")
    period_from = parse_period(period_from or period_to, field="period_from")
    period_from = min(period_from, period_to)
    data = selectors.journal(account, period_from, period_to)
    rows = [JournalRowOut(kind=r["kind"], date=r["date"], voucher=r.get("voucher_no"),
                          voucher_id=r["voucher"].pk if r.get("voucher") else None, summary=r["summary"],
                          counter=r.get("counter"), debit=_money(r.get("debit")), credit=_money(r.get("credit")),
                          balance=_money(r["balance"])) for r in data["rows"]]
    return JournalOut(account=account.code, period_from=period_from, period_to=period_to, rows=rows,
                      closing=_money(data["closing"]))


class BankStatementOut(Schema):
    id: int
    layout: str
    file_name: str
    date_from: datetime.date | None
    date_to: datetime.date | None
    lines_read: int
    lines_skipped: int = Field(..., description="lines already imported from an earlier file")


@router.post("/cash-accounts/{code}/statements", response={201: BankStatementOut},
             summary="Import a bank statement (CSV or .xlsx of 工商/建设/招商/农业银行)")
def import_statement(request, code: str, file: UploadedFile = File(None, description="the statement file"),
                     layout: Literal["", "icbc", "ccb", "cmb", "abc"] = Form("", description="default: detected")):
    actor = authorize(request, "ledger.edit")
    account = selectors.account(code)
    data = file.read(services.MAX_FILE_BYTES + 1) if file is not None else b""  # empty: refused naming `file`
    with tx.entry():
        st = services.import_statement(account=account, data=data, file_name=getattr(file, "name", "") or "", layout=layout,
                                       actor=actor)
    return 201, BankStatementOut(id=st.pk, layout=st.layout, file_name=st.file_name, date_from=st.date_from,
                             date_to=st.date_to, lines_read=st.lines_read, lines_skipped=st.lines_skipped)


class StatementLineOut(Schema):
    id: int
    date: datetime.date
    amount_in: str
    amount_out: str
    balance: str | None
    reference: str
    summary: str
    counterparty: str
    voucher_line: int | None
    match_kind: str


def _line_out(s) -> StatementLineOut:
    return StatementLineOut(id=s.pk, date=s.date, amount_in=_money(s.amount_in), amount_out=_money(s.amount_out),
                            balance=_money(s.balance), reference=s.reference, summary=s.summary,
                            counterparty=s.counterparty, voucher_line=s.voucher_line_id, match_kind=s.match_kind)


@router.get("/cash-accounts/{code}/statement-lines", response=list[StatementLineOut],
            summary="Imported statement lines with their matches")
def statement_lines(request, code: str):
    authorize(request, "ledger.view")
    return [_line_out(s) for s in selectors.statement_lines(selectors.account(code))]


class AutoMatchOut(Schema):
    matched: int


@router.post("/cash-accounts/{code}/auto-match", response=AutoMatchOut,
             summary="Match statement lines to voucher lines by amount, date window and reference")
def auto_match(request, code: str, window_days: int = 3):
    actor = authorize(request, "ledger.edit")
    account = selectors.account(code)
    with tx.entry():
        matched = services.auto_match(account=account, actor=actor, window_days=window_days)
    return AutoMatchOut(matched=matched)


class MatchIn(Strict):
    voucher_line: int = Field(..., ge=1, description="the journal's voucher line id")


@router.post("/statement-lines/{line_id}/match", response=StatementLineOut, summary="Match a statement line by hand")
def match(request, line_id: int, payload: MatchIn):
    actor = authorize(request, "ledger.edit")
    line = selectors.statement_line(line_id)
    with tx.entry():
        line = services.match(line=line, voucher_line_id=payload.voucher_line, actor=actor)
    return _line_out(line)


@router.delete("/statement-lines/{line_id}/match", response=StatementLineOut, summary="Undo a match")
def unmatch(request, line_id: int):
    actor = authorize(request, "ledger.edit")
    line = selectors.statement_line(line_id)
    with tx.entry():
        line = services.unmatch(line=line, actor=actor)
    return _line_out(line)


class ReconItemOut(Schema):
    date: datetime.date
    summary: str
    amount: str
    reference: str = ""


class ReconciliationOut(Schema):
    account: str
    date: datetime.date
    book_balance: str = Field(..., description="企业银行存款日记账余额")
    bank_balance: str | None = Field(None, description="银行对账单余额")
    bank_in_not_book: list[ReconItemOut] = Field(..., description="银收企未收")
    bank_out_not_book: list[ReconItemOut] = Field(..., description="银付企未付")
    book_in_not_bank: list[ReconItemOut] = Field(..., description="企收银未收")
    book_out_not_bank: list[ReconItemOut] = Field(..., description="企付银未付")
    adjusted_book: str
    adjusted_bank: str | None
    balanced: bool


@router.get("/cash-accounts/{code}/reconciliation", response=ReconciliationOut,
            summary="银行存款余额调节表 at a day's end")
def reconciliation(request, code: str, date: datetime.date | None = None):
    authorize(request, "ledger.view")
    r = selectors.reconciliation(selectors.account(code), date or clock.today())

    def bank(items, field):
        return [ReconItemOut(date=s.date, summary=s.summary or s.counterparty, amount=_money(getattr(s, field)),
                             reference=s.reference) for s in items]

    def book(items, field):
        return [ReconItemOut(date=v.voucher.date, summary=f"{v.voucher} {v.summary}", amount=_money(getattr(v, field)))
                for v in items]

    return ReconciliationOut(
        account=r["account"].code, date=r["date"], book_balance=_money(r["book_balance"]),
        bank_balance=_money(r["bank_balance"]), bank_in_not_book=bank(r["bank_in_not_book"], "amount_in"),
        bank_out_not_book=bank(r["bank_out_not_book"], "amount_out"),
        book_in_not_bank=book(r["book_in_not_bank"], "debit"), book_out_not_bank=book(r["book_out_not_bank"], "credit"),
        adjusted_book=_money(r["adjusted_book"]), adjusted_bank=_money(r["adjusted_bank"]), balanced=r["balanced"])

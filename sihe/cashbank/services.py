"""The cashier's acts: accounts, receipts/payments/transfers (each posts its voucher), statement import,
matching statement lines to the journal's voucher lines. Keyword-only verbs, actor explicit, `tx.act()`."""

import datetime
import hashlib
from collections import defaultdict
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from sihe.cashbank import parsing
from sihe.cashbank.layouts import LAYOUTS
from sihe.cashbank.models import CashAccount, Entry, Statement, StatementLine
from sihe.core import audit, numbering, outbox, tx
from sihe.core.actor import Actor
from sihe.core.errors import Conflict, ValidationFailed
from sihe.core.money import money, round_money
from sihe.ledger import accounts
from sihe.ledger.models import Account, OpeningBalance, Voucher, VoucherLine
from sihe.ledger.services import period_of, post_lines

ZERO = Decimal("0.00")
MAX_FILE_BYTES = 10 * 1024 * 1024
MATCH_WINDOW_DAYS = 3
DEFAULT_CASH_FLOW = {"receipt": "2", "payment": "6"}  # 收到/支付其他与经营活动有关的现金


def _text(value, field: str, limit: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if "\x00" in text:
        raise ValidationFailed(_("%(field)s contains a NUL character") % {"field": field}, field=field)
    if required and not text:
        raise ValidationFailed(_("%(field)s is required") % {"field": field}, field=field, code="required")
    if len(text) > limit:
        raise ValidationFailed(_("%(field)s: at most %(n)s characters") % {"field": field, "n": limit}, field=field)
    return text


def _date(value, field: str) -> datetime.date:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationFailed(_("%(field)s must be a date (YYYY-MM-DD)") % {"field": field}, field=field) from exc


def _leaf(code, field: str) -> Account:
    code = str(code or "").strip()
    account = Account.objects.filter(code=code).first()
    if account is None:
        raise ValidationFailed(_("%(field)s: unknown account %(code)r") % {"field": field, "code": code}, field=field,
                               code="unknown_account")
    if not account.is_leaf or not account.active:
        raise ValidationFailed(_("%(field)s: %(code)s %(name)s is not an active leaf account")
                               % {"field": field, "code": code, "name": account.name}, field=field, code="not_leaf")
    return account


# -- accounts -------------------------------------------------------------------------------------


def save_account(*, code: str, name: str, kind: str, ledger_account: str, actor: Actor, bank: str = "",
                 account_no: str = "", reconcile_from=None) -> CashAccount:
    """A cash box (1001) or bank account (1002 or its sub-account 1002.xx, made when it does not exist yet),
    one ledger account each."""
    code = _text(code, "code", 20, required=True)
    if kind not in CashAccount.Kind.values:
        raise ValidationFailed(_("kind must be cash or bank"), field="kind")
    code_wanted = str(ledger_account or "").strip()
    parent = code_wanted.rsplit(".", 1)[0] if "." in code_wanted else ""
    if parent in ("1001", "1002") and not Account.objects.filter(code=code_wanted).exists():
        # 银行存款 per bank account: the sub-account is made here (the ledger moves what 1002 held into
        # its first child, posting rules included)
        with tx.act():
            accounts.add_account(parent=parent, code=code_wanted, actor=actor,
                                 name=f"{'银行存款' if parent == '1002' else '库存现金'}—{str(name or '').strip()[:60]}")
    ledger = _leaf(ledger_account, "ledger_account")
    role_root = ledger
    while role_root.parent_id and not role_root.role:
        role_root = role_root.parent
    if not ledger.is_cash or role_root.role != kind:
        raise ValidationFailed(_("%(code)s %(name)s is not a %(kind)s account (库存现金 1001 / 银行存款 1002)")
                               % {"code": ledger.code, "name": ledger.name, "kind": kind}, field="ledger_account",
                               code="not_cash_account")
    if bank and bank not in LAYOUTS:
        raise ValidationFailed(_("bank must be one of %(b)s") % {"b": ", ".join(LAYOUTS)}, field="bank")
    values = {"name": _text(name, "name", 60, required=True), "kind": kind, "ledger_account": ledger.code,
              "bank": bank if kind == "bank" else "", "account_no": _text(account_no, "account_no", 40),
              "reconcile_from": _date(reconcile_from, "reconcile_from") if reconcile_from else None}
    with tx.act():
        taken = CashAccount.objects.filter(ledger_account=ledger.code).exclude(code=code).first()
        if taken is not None:
            raise Conflict(_("%(ledger)s is already the ledger account of %(other)s")
                           % {"ledger": ledger.code, "other": taken}, field="ledger_account", code="duplicate")
        account = CashAccount.objects.select_for_update().filter(code=code).first()
        if account is None:
            account = CashAccount.objects.create(code=code, **values)
            audit.record_created(account, actor=actor, fields=list(values))
            return account
        before = audit.snapshot(account, list(values))
        for key, value in values.items():
            setattr(account, key, value)
        account.save()
        audit.record_changes(account, actor=actor, before=before)
        return account


def journal_lines(account: CashAccount):
    """The posted voucher lines on the account's ledger account: the journal's rows."""
    return (VoucherLine.objects.filter(account__code=account.ledger_account, voucher__status=Voucher.Status.POSTED)
            .select_related("voucher"))


def balance_before(account: CashAccount, date: datetime.date) -> Decimal:
    """The ledger balance (debit positive) at the start of `date`."""
    opened = OpeningBalance.objects.filter(account__code=account.ledger_account, period__lte=period_of(date)
                                           ).aggregate(d=Sum("debit"), c=Sum("credit"))
    moved = journal_lines(account).filter(voucher__date__lt=date).aggregate(d=Sum("debit"), c=Sum("credit"))
    return round_money(Decimal((opened["d"] or ZERO) - (opened["c"] or ZERO) + (moved["d"] or ZERO) - (moved["c"] or ZERO)))


# -- receipts, payments, transfers ----------------------------------------------------------------


def enter(*, kind: str, account: CashAccount, date, amount, summary: str, actor: Actor, counter_account: str = "",
          to_account: CashAccount | None = None, partner: str = "", department: str = "", reference: str = "",
          cash_flow_item=None) -> Entry:
    """收款 (Dr this account / Cr the counter account), 付款 (Dr counter / Cr this account) or 转账 between two
    accounts (现金存入银行, 提取现金: Dr the receiving account / Cr this one). The voucher (收/付) is posted
    with the entry. Cash on hand never goes below zero (库存现金不得出现贷方余额)."""
    if kind not in Entry.Kind.values:
        raise ValidationFailed(_("kind must be one of %(k)s") % {"k": ", ".join(Entry.Kind.values)}, field="kind")
    date = _date(date, "date")
    amount = money(amount, field="amount")
    if amount <= 0:
        raise ValidationFailed(_("amount must be greater than zero"), field="amount", code="not_positive")
    summary = _text(summary, "summary", 150, required=True)
    reference = _text(reference, "reference", 60)
    partner, department = _text(partner, "partner", 40), _text(department, "department", 40)
    if not account.active:
        raise ValidationFailed(_("%(a)s is inactive") % {"a": account}, field="account")
    mine = _leaf(account.ledger_account, "account")
    text = f"{summary} {reference}".strip()[:200]
    if kind == Entry.Kind.TRANSFER:
        if to_account is None or to_account.pk == account.pk:
            raise ValidationFailed(_("a transfer needs another account to receive the money"), field="to_account",
                                   code="required")
        counter = _leaf(to_account.ledger_account, "to_account")
        lines = [{"account": counter, "debit": amount, "summary": text},
                 {"account": mine, "credit": amount, "summary": text}]
        word = Voucher.Word.FU
    else:
        counter = _leaf(counter_account, "counter_account")
        if counter.is_cash:
            raise ValidationFailed(_("money between two cash or bank accounts is a transfer"),
                                   field="counter_account", code="use_transfer")
        item = cash_flow_item or DEFAULT_CASH_FLOW[kind]
        other = {"account": counter, "summary": text}
        for dim, value in (("partner", partner), ("department", department)):
            if dim in counter.dimensions:
                other[dim] = value
        cash = {"account": mine, "summary": text, "cash_flow_item": item}
        if kind == Entry.Kind.RECEIPT:
            lines, word = [{**cash, "debit": amount}, {**other, "credit": amount}], Voucher.Word.SHOU
        else:
            lines, word = [{**other, "debit": amount}, {**cash, "credit": amount}], Voucher.Word.FU
    with tx.act():
        if account.kind == CashAccount.Kind.CASH and kind != Entry.Kind.RECEIPT:
            left = balance_before(account, date + datetime.timedelta(days=1))
            later = journal_lines(account).filter(voucher__date__gt=date).aggregate(d=Sum("debit"), c=Sum("credit"))
            low = min(left, left + (later["d"] or ZERO) - (later["c"] or ZERO))
            if amount > low:
                raise Conflict(_("%(a)s holds %(b)s on %(d)s; cash cannot go below zero")
                               % {"a": account.name, "b": low, "d": date}, field="amount", code="cash_negative")
        number = f"CB-{period_of(date).replace('-', '')}-{numbering.next_number('cashbank.entry', period=period_of(date)):04d}"
        voucher = post_lines(date=date, lines=lines, word=word, memo=text, source_type="cashbank_entry",
                             source_id=number, actor=actor, approved_by=f"cashbank:{kind} {number} ({actor.username})")
        entry = Entry.objects.create(
            number=number, kind=kind, date=date, account=account, to_account=to_account if kind == "transfer" else None,
            counter_account=counter.code, partner=partner, department=department, amount=amount, summary=summary,
            reference=reference, voucher_id=voucher.pk, entered_by=actor.username, entered_at=actor.at)
        audit.record_created(entry, actor=actor, fields=["kind", "date", "account", "counter_account", "amount"])
        outbox.emit(f"cashbank.entry.{kind}", aggregate_type="cashbank_entry", aggregate_id=number, actor=actor,
                    payload={"entry": entry.pk, "number": number, "amount": str(amount), "voucher": voucher.pk})
        return entry


# -- statements -----------------------------------------------------------------------------------


def _fingerprint(line: parsing.Line, occurrence: int) -> str:
    key = "|".join(str(x) for x in (line.date, line.reference, line.amount_in, line.amount_out,
                                     "" if line.balance is None else line.balance, occurrence))
    return hashlib.sha256(key.encode()).hexdigest()


def import_statement(*, account: CashAccount, data: bytes, file_name: str, actor: Actor, layout: str = "") -> Statement:
    """对账单导入: the same file twice is refused; lines already imported from an overlapping file are
    skipped (counted on the statement), so a month can be downloaded again without doubling."""
    if account.kind != CashAccount.Kind.BANK:
        raise ValidationFailed(_("statements are imported into bank accounts"), field="account")
    if not data:
        raise ValidationFailed(_("the file is empty"), field="file")
    if len(data) > MAX_FILE_BYTES:
        raise ValidationFailed(_("a statement file may have at most 10 MB"), field="file", code="too_large")
    if layout and layout not in LAYOUTS:
        raise ValidationFailed(_("layout must be one of %(b)s") % {"b": ", ".join(LAYOUTS)}, field="layout")
    digest = hashlib.sha256(data).hexdigest()
    key, lines = parsing.read(data, file_name, layout or None)
    with tx.act():
        if Statement.objects.filter(account=account, digest=digest).exists():
            raise Conflict(_("this file has already been imported into %(a)s") % {"a": account.name}, field="file",
                           code="duplicate_statement")
        try:
            with transaction.atomic():  # the same file imported at the same moment by someone else
                statement = Statement.objects.create(
                    account=account, layout=key, file_name=_text(file_name, "file_name", 200) or "statement",
                    digest=digest, date_from=min(line.date for line in lines),
                    date_to=max(line.date for line in lines), imported_by=actor.username, imported_at=actor.at)
        except IntegrityError as exc:
            raise Conflict(_("this file has already been imported into %(a)s") % {"a": account.name}, field="file",
                           code="duplicate_statement") from exc
        seen: dict[str, int] = defaultdict(int)
        prints = []
        for line in lines:
            base = (line.date, line.reference, line.amount_in, line.amount_out, line.balance)
            seen[str(base)] += 1
            prints.append(_fingerprint(line, seen[str(base)]))
        known = set(StatementLine.objects.filter(account=account, fingerprint__in=prints)
                    .values_list("fingerprint", flat=True))
        rows = [StatementLine(statement=statement, account=account, seq=i, date=line.date, amount_in=line.amount_in,
                              amount_out=line.amount_out, balance=line.balance, reference=line.reference,
                              summary=line.summary, counterparty=line.counterparty,
                              counterparty_account=line.counterparty_account, fingerprint=fp)
                for i, (line, fp) in enumerate(zip(lines, prints, strict=True), start=1) if fp not in known]
        StatementLine.objects.bulk_create(rows)
        statement.lines_read, statement.lines_skipped = len(rows), len(lines) - len(rows)
        statement.save(update_fields=["lines_read", "lines_skipped"])
        audit.record_act(statement, actor=actor, action="import_statement",
                         detail=f"{statement.file_name}: {len(rows)} lines, {statement.lines_skipped} already imported")
        outbox.emit("cashbank.statement.imported", aggregate_type="bank_statement", aggregate_id=statement.pk,
                    actor=actor, payload={"account": account.code, "lines": len(rows), "layout": key})
        return statement


# -- matching -------------------------------------------------------------------------------------


def _scope_start(account: CashAccount) -> datetime.date | None:
    if account.reconcile_from:
        return account.reconcile_from
    first = StatementLine.objects.filter(account=account).order_by("date").values_list("date", flat=True).first()
    return first


def unmatched_journal(account: CashAccount):
    matched = StatementLine.objects.filter(voucher_line_id__isnull=False).values_list("voucher_line_id", flat=True)
    rows = journal_lines(account).exclude(pk__in=matched)
    start = _scope_start(account)
    return rows.filter(voucher__date__gte=start) if start else rows


def auto_match(*, account: CashAccount, actor: Actor, window_days: int = MATCH_WINDOW_DAYS) -> int:
    """Pair each open statement line with the open journal line of the same direction and amount within
    `window_days`: one whose voucher names the statement's reference wins, else the nearest date; a tie
    is left for the cashier. Returns how many were matched."""
    window = datetime.timedelta(days=max(0, min(int(window_days), 31)))
    with tx.act():
        open_lines = list(StatementLine.objects.select_for_update().filter(account=account,
                                                                           voucher_line_id__isnull=True))
        pool: dict[tuple, list[VoucherLine]] = defaultdict(list)
        for line in unmatched_journal(account):
            side = ("in", line.debit) if line.debit else ("out", line.credit)
            pool[side].append(line)
        matched = 0
        for st in sorted(open_lines, key=lambda s: (s.date, s.statement_id, s.seq)):
            side = ("in", st.amount_in) if st.amount_in else ("out", st.amount_out)
            near = [j for j in pool[side] if abs(j.voucher.date - st.date) <= window]
            if not near:
                continue
            if st.reference:
                named = [j for j in near if st.reference in j.summary or st.reference in j.voucher.memo]
                near = named or near
            near.sort(key=lambda j: abs(j.voucher.date - st.date))
            if len(near) > 1 and abs(near[0].voucher.date - st.date) == abs(near[1].voucher.date - st.date):
                continue
            st.voucher_line_id, st.match_kind, st.matched_by = near[0].pk, "auto", actor.username
            pool[side].remove(near[0])
            matched += 1
        try:
            with transaction.atomic():
                StatementLine.objects.bulk_update([s for s in open_lines if s.voucher_line_id],
                                                  ["voucher_line_id", "match_kind", "matched_by"])
        except IntegrityError as exc:  # a voucher line was matched by hand meanwhile
            raise Conflict(_("lines were matched meanwhile; match again"), field="account",
                           code="matched_meanwhile") from exc
        if matched:
            audit.record_act(account, actor=actor, action="auto_match", detail=f"{matched} lines")
        return matched


def match(*, line: StatementLine, voucher_line_id: int, actor: Actor) -> StatementLine:
    """A cashier's match: same account, same direction and amount; each side matched once."""
    with tx.act():
        line = StatementLine.objects.select_for_update().select_related("account").get(pk=line.pk)
        if line.voucher_line_id:
            raise Conflict(_("this statement line is already matched"), field="line", code="already_matched")
        found = journal_lines(line.account).filter(pk=voucher_line_id).first()
        if found is None:
            raise ValidationFailed(_("voucher line %(id)s is not on %(a)s") % {"id": voucher_line_id,
                                                                                "a": line.account.ledger_account},
                                   field="voucher_line", code="wrong_account")
        if StatementLine.objects.filter(voucher_line_id=found.pk).exists():
            raise Conflict(_("that voucher line is already matched"), field="voucher_line", code="already_matched")
        if (line.amount_in, line.amount_out) != (found.debit, found.credit):
            raise ValidationFailed(_("amounts differ: the statement has in %(si)s / out %(so)s, the voucher line "
                                     "debit %(vd)s / credit %(vc)s") % {"si": line.amount_in, "so": line.amount_out,
                                                                        "vd": found.debit, "vc": found.credit},
                                   field="voucher_line", code="amount_differs")
        line.voucher_line_id, line.match_kind, line.matched_by = found.pk, "manual", actor.username
        try:
            with transaction.atomic():
                line.save(update_fields=["voucher_line_id", "match_kind", "matched_by"])
        except IntegrityError as exc:  # matched to another statement line meanwhile
            raise Conflict(_("that voucher line is already matched"), field="voucher_line",
                           code="already_matched") from exc
        audit.record_act(line.account, actor=actor, action="match",
                         detail=f"statement line {line.pk} ↔ voucher line {found.pk}")
        return line


def unmatch(*, line: StatementLine, actor: Actor) -> StatementLine:
    with tx.act():
        line = StatementLine.objects.select_for_update().select_related("account").get(pk=line.pk)
        if not line.voucher_line_id:
            return line
        detail = f"statement line {line.pk} ↔ voucher line {line.voucher_line_id}"
        line.voucher_line_id, line.match_kind, line.matched_by = None, "", ""
        line.save(update_fields=["voucher_line_id", "match_kind", "matched_by"])
        audit.record_act(line.account, actor=actor, action="unmatch", detail=detail)
        return line

"""The verbs of the general ledger. Keyword-only, the actor explicit; each runs inside the caller's
transaction (plain `atomic()`), so a business act and its voucher commit or fail together.

Numbering: a voucher gets its number (记-0001 …) when it is *posted*, from the per (period, word)
counter row locked with SELECT … FOR UPDATE, so posted numbers are gapless and unique even under
concurrent posting; drafts carry no number and may be thrown away without leaving a hole.

Review: a manual voucher is made (draft), reviewed by another person (reviewed), then posted.
System-made vouchers (`book()`, 结转损益, red reversals) are posted at once: their content was
approved beforehand — the posting rule by the accountant who edited it, the reversal by the review
of the voucher it mirrors — and `reviewed_by` names that approval.
"""

import datetime
import os
from decimal import Decimal

from django.db import connection, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from sihe.core import audit, batch, clock, numbering, sqlrows, tx
from sihe.core.actor import Actor
from sihe.core.dates import check_business_date
from sihe.core.errors import Conflict, DomainError, InvalidTransition, NotFound, ValidationFailed
from sihe.core.money import money, to_decimal
from sihe.core.outbox import emit
from sihe.ledger import balances, close, reports
from sihe.ledger.models import (
    DIMENSIONS,
    Account,
    Attachment,
    CashFlowItem,
    OpeningBalance,
    OpeningCashFlow,
    Period,
    PostingRule,
    RulesVersion,
    Voucher,
    VoucherLine,
)

ZERO = Decimal("0.00")


class PeriodClosed(Conflict):
    code = "period_closed"


# -- periods --------------------------------------------------------------------------------------


def period_of(date: datetime.date) -> str:
    return f"{date.year:04d}-{date.month:02d}"


def parse_period(code: str, *, field: str = "period") -> str:
    try:
        year, month = str(code).split("-")
        if len(year) != 4 or len(month) != 2 or not 1 <= int(month) <= 12 or int(year) < 1900:
            raise ValueError
    except ValueError as exc:
        raise ValidationFailed(_("%(field)s must be a month like 2026-11, not %(value)r") % {"field": field, "value": code},
                               field=field, code="invalid_period") from exc
    return code


def _period(code: str, *, lock: bool | str = False) -> Period:
    """The period row; `lock=True` FOR UPDATE (closing and reopening), `lock="share"` FOR SHARE (posting:
    postings do not wait for each other, a close waits for them and they for a close)."""
    # SQLite: the IMMEDIATE write transaction already serialises writers (Django ignores FOR UPDATE there)
    share = lock == "share"
    if share:  # with the latest closed period after it and the books' start: one statement, not three
        period = next(iter(Period.objects.raw(_share_sql(), [Period.Status.CLOSED, code])), None)
    else:
        query = Period.objects.select_for_update() if lock is True else Period.objects.all()
        period = query.filter(code=code).first()
    if period is None:
        period, _ = Period.objects.get_or_create(code=code)
        if share:
            period = next(iter(Period.objects.raw(_share_sql(), [Period.Status.CLOSED, code])))
        elif lock is True:
            period = Period.objects.select_for_update().get(pk=period.pk)
    return period


def _share_sql() -> str:
    table = Period._meta.db_table
    opening = OpeningBalance._meta.db_table
    version = RulesVersion._meta.db_table
    return (f'SELECT {sqlrows.columns(Period, "p")}, (SELECT MAX(l."code") FROM "{table}" l WHERE l."code" > p."code" AND l."status" = %s) '
            f'AS later_closed, (SELECT o."period" FROM "{opening}" o ORDER BY o."id" LIMIT 1) AS opening_period, '
            f'(SELECT v."token" FROM "{version}" v WHERE v."id" = 1) AS rules_token '
            f'FROM "{table}" p WHERE p."code" = %s'
            + (" FOR SHARE OF p" if connection.vendor == "postgresql" else ""))


def _posting_period(code: str) -> Period:
    """The period a voucher is posted into, share-locked, read once per collected act — with what
    `_ensure_open` and `check_posting_date` need (the latest closed period after it, the books' start)."""
    def load():
        period = _period(code, lock="share")
        batch.memo("ledger.books_start", lambda: _start_of(period.opening_period))
        return period
    return batch.memo(("ledger.posting_period", code), load)


def _ensure_open(period: Period, *, field: str = "date") -> None:
    if period.is_closed:
        raise PeriodClosed(_("period %(p)s is closed; reopen it before posting") % {"p": period.code}, field=field)
    if "later_closed" in period.__dict__:  # read with the row (`_period(lock="share")`)
        later = period.later_closed
    else:
        later = (Period.objects.filter(code__gt=period.code, status=Period.Status.CLOSED)
                 .order_by("-code").values_list("code", flat=True).first())
    if later is not None:  # an untouched month before a closed one is closed too
        raise PeriodClosed(_("period %(p)s lies before the closed period %(closed)s; reopen it before posting")
                           % {"p": period.code, "closed": later}, field=field)


def books_start() -> datetime.date | None:
    """The first day of the books: the opening balances' period, else SIHE_BOOKS_START (YYYY-MM)."""
    return _start_of(OpeningBalance.objects.values_list("period", flat=True).first())


def _start_of(opening_period: str | None) -> datetime.date | None:
    code = opening_period or os.environ.get("SIHE_BOOKS_START")
    return datetime.date(int(code[:4]), int(code[5:7]), 1) if code else None


def check_posting_date(date: datetime.date, *, field: str = "date") -> datetime.date:
    """A voucher's date: within the bounds around today and not before the books' start."""
    check_business_date(date, field=field)
    start = batch.memo("ledger.books_start", books_start)
    if start is not None and date < start:
        raise ValidationFailed(_("%(field)s %(date)s is before the books start (%(start)s)")
                               % {"field": field, "date": date.isoformat(), "start": start.isoformat()},
                               field=field, code="date_before_books")
    return date


# -- vouchers -------------------------------------------------------------------------------------


def _parse_date(value, field="date") -> datetime.date:
    if isinstance(value, datetime.datetime):
        raise ValidationFailed(_("%(field)s must be a date (YYYY-MM-DD)") % {"field": field}, field=field)
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationFailed(_("%(field)s must be a date (YYYY-MM-DD), not %(value)r") % {"field": field, "value": value},
                               field=field) from exc


MAX_AMOUNT = Decimal("9999999999999999.99")  # 18 digits, 2 places: the column's limit


def _text(value, field: str, limit: int) -> str:
    text = str(value or "").strip()
    if "\x00" in text:
        raise ValidationFailed(_("%(field)s contains a NUL character") % {"field": field}, field=field)
    return text[:limit]


def _amount(value, field: str) -> Decimal:
    """money(), refusing amounts beyond the column first (core's quantize raises on 1e30)."""
    number = to_decimal(value if value not in (None, "") else 0, field=field)
    if abs(number) > MAX_AMOUNT:
        raise ValidationFailed(_("%(field)s: the amount is too large") % {"field": field}, field=field, code="too_large")
    return money(number, field=field)


def _cash_flow_item(value, field: str) -> CashFlowItem | None:
    if value in (None, ""):
        return None
    if isinstance(value, CashFlowItem):
        return value
    text = str(value).strip()
    if text.isdigit() and len(text) <= 3:
        query = CashFlowItem.objects.filter(line_no=int(text))
    else:
        query = CashFlowItem.objects.filter(code=text[:10])
    item = query.first()
    if item is None:
        raise ValidationFailed(_("unknown cash-flow item %(item)r") % {"item": value}, field=field,
                               code="unknown_cash_flow_item")
    return item


def _build_lines(raw_lines: list[dict], *, allow_red: bool, accounts: dict[str, Account] | None = None):
    if not raw_lines:
        raise ValidationFailed(_("a voucher needs lines"), field="lines", code="no_lines")
    given = {r["account"].code: r["account"] for r in raw_lines if isinstance(r.get("account"), Account)}
    wanted = [str(r.get("account") or "").strip() for r in raw_lines if not isinstance(r.get("account"), Account)]
    accounts = accounts or given | ({a.code: a for a in Account.objects.filter(code__in=wanted)} if wanted else {})
    lines: list[VoucherLine] = []
    for i, raw in enumerate(raw_lines):
        at = f"lines.{i}"
        code = raw.get("account")
        code = code.code if isinstance(code, Account) else str(code or "").strip()
        account = accounts.get(code)
        if account is None:
            raise ValidationFailed(_("%(at)s.account: unknown account %(code)s") % {"at": at, "code": code},
                                   field=f"{at}.account", code="unknown_account")
        if not account.is_leaf:
            raise ValidationFailed(
                _("%(at)s.account: %(code)s %(name)s has sub-accounts; post to a leaf account")
                % {"at": at, "code": code, "name": account.name},
                field=f"{at}.account", code="not_leaf",
            )
        if not account.active:
            raise ValidationFailed(_("%(at)s.account: account %(code)s is inactive") % {"at": at, "code": code},
                                   field=f"{at}.account", code="inactive_account")
        debit = _amount(raw.get("debit"), f"{at}.debit")
        credit = _amount(raw.get("credit"), f"{at}.credit")
        if debit and credit:
            raise ValidationFailed(_("%(at)s: a line has a debit or a credit, never both") % {"at": at},
                                   field=f"{at}.credit",
                                   code="both_sides")
        if not debit and not credit:
            raise ValidationFailed(_("%(at)s: the line's amount is zero") % {"at": at}, field=f"{at}.debit",
                                   code="zero_line")
        if (debit < 0 or credit < 0) and not allow_red:
            side = "debit" if debit < 0 else "credit"
            raise ValidationFailed(_("%(at)s.%(side)s: negative amounts are only for red reversals")
                                   % {"at": at, "side": side},
                                   field=f"{at}.{side}", code="negative_amount")
        summary = _text(raw.get("summary"), f"{at}.summary", 200)
        if not summary:
            raise ValidationFailed(_("%(at)s.summary: the summary is required") % {"at": at}, field=f"{at}.summary",
                                   code="required")
        dims = {}
        for dim in DIMENSIONS:
            value = _text(raw.get(dim), f"{at}.{dim}", 40)
            if value and dim not in account.dimensions:
                raise ValidationFailed(_("%(at)s.%(dim)s: account %(code)s does not track %(dim)s")
                                       % {"at": at, "dim": dim, "code": code}, field=f"{at}.{dim}",
                                       code="dimension_not_tracked")
            dims[dim] = value[:40]
        item = _cash_flow_item(raw.get("cash_flow_item"), f"{at}.cash_flow_item") if account.is_cash else None
        lines.append(VoucherLine(seq=i + 1, summary=summary[:200], account=account, debit=debit, credit=credit,
                                 cash_flow_item=item, **dims))
    has_non_cash = any(not line.account.is_cash for line in lines)
    for i, line in enumerate(lines):
        if not has_non_cash:  # cash ↔ bank: no cash flows in or out of the company
            line.cash_flow_item = None
        if has_non_cash and line.account.is_cash and line.cash_flow_item is None:
            raise ValidationFailed(
                _("lines.%(i)s.cash_flow_item: a cash or bank line needs a cash-flow item") % {"i": i},
                field=f"lines.{i}.cash_flow_item", code="cash_flow_item_required",
            )
    total_debit = sum((line.debit for line in lines), ZERO)
    total_credit = sum((line.credit for line in lines), ZERO)
    if total_debit != total_credit:
        raise ValidationFailed(
            _("debit %(d)s ≠ credit %(c)s: the voucher does not balance") % {"d": total_debit, "c": total_credit},
            field="lines", code="unbalanced",
            debit=str(total_debit), credit=str(total_credit),
        )
    if total_debit == 0:
        raise ValidationFailed(_("the voucher's total is zero"), field="lines", code="zero")
    return lines


def _check_word(word: str, lines: list[VoucherLine]) -> None:
    """收 debits cash/bank, 付 credits cash/bank (cash ↔ bank transfers too), 转 has no cash line."""
    cash_debit = any(line.account.is_cash and line.debit for line in lines)
    cash_credit = any(line.account.is_cash and line.credit for line in lines)
    wrong = (
        (word == Voucher.Word.SHOU and not cash_debit)
        or (word == Voucher.Word.FU and not cash_credit)
        or (word == Voucher.Word.ZHUAN and (cash_debit or cash_credit))
    )
    if wrong:
        raise ValidationFailed(
            _("word %(w)s does not fit the lines: 收 debits cash or bank, 付 credits it, 转 has no cash line")
            % {"w": word}, field="word", code="wrong_word",
        )


def create_voucher(
    *,
    date,
    lines: list[dict],
    actor: Actor,
    word: str = Voucher.Word.JI,
    memo: str = "",
    source_type: str = "",
    source_id: str = "",
    kind: str = Voucher.Kind.MANUAL,
    rule: str = "",
    reversal_of: Voucher | None = None,
) -> Voucher:
    """填制凭证: a balanced, non-zero draft in an open period."""
    date = _parse_date(date)
    if word not in Voucher.Word.values:
        raise ValidationFailed(_("the voucher word must be one of %(words)s") % {"words": ", ".join(Voucher.Word.values)},
                               field="word")
    built = _build_lines(lines, allow_red=kind == Voucher.Kind.REVERSAL)
    memo = _text(memo, "memo", 200)
    _check_word(word, built)
    check_posting_date(date)
    with tx.act():
        period = _period(period_of(date))
        _ensure_open(period)
        voucher = Voucher.objects.create(
            period=period, word=word, date=date, kind=kind, memo=str(memo)[:200], source_type=source_type[:60],
            source_id=str(source_id)[:100], rule=rule, reversal_of=reversal_of, made_by=actor.username,
            made_by_id=actor.user_id, created_at=actor.at,
        )
        for line in built:
            line.voucher = voucher
        VoucherLine.objects.bulk_create(built)
        audit.record_created(voucher, actor=actor, fields=["date", "word", "status", "source_type", "source_id"])
    return voucher


def _locked(voucher: Voucher) -> Voucher:
    return Voucher.objects.select_for_update().select_related("period").get(pk=voucher.pk)


def review_voucher(*, voucher: Voucher, actor: Actor) -> Voucher:
    """审核: by someone other than the maker."""
    with tx.act():
        voucher = _locked(voucher)
        if voucher.status != Voucher.Status.DRAFT:
            raise InvalidTransition(_("voucher %(v)s is %(status)s; only a draft can be reviewed")
                                    % {"v": voucher, "status": voucher.get_status_display()},
                                    field="status")
        same = (voucher.made_by_id is not None and voucher.made_by_id == actor.user_id) or (
            voucher.made_by_id is None and voucher.made_by == actor.username
        )
        if same:
            raise Conflict(_("%(u)s made voucher %(v)s; another person must review it") % {"u": actor.username,
                                                                                             "v": voucher},
                           field="reviewed_by", code="reviewer_is_maker")
        before = audit.snapshot(voucher, ["status", "reviewed_by"])
        voucher.status = Voucher.Status.REVIEWED
        voucher.reviewed_by = actor.username
        voucher.reviewed_at = actor.at
        voucher.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        audit.record_changes(voucher, actor=actor, before=before, action="review")
    return voucher


def _post(voucher: Voucher, actor: Actor) -> Voucher:
    """Number, mark posted, update balances — the voucher row is already locked and reviewed."""
    period = _period(voucher.period.code, lock="share")
    _ensure_open(period)
    lines = list(VoucherLine.objects.filter(voucher=voucher).select_related("cash_flow_item").order_by("seq"))
    total_debit = sum((line.debit for line in lines), ZERO)
    total_credit = sum((line.credit for line in lines), ZERO)
    if total_debit != total_credit or total_debit == 0:
        raise ValidationFailed(gettext("debit %(debit)s ≠ credit %(credit)s") % {"debit": total_debit, "credit": total_credit},
                               field="lines", code="unbalanced")
    voucher.number = _next_number(period.code, voucher.word)
    voucher.status = Voucher.Status.POSTED
    voucher.posted_by = actor.username
    voucher.posted_at = actor.at
    voucher.save(update_fields=["number", "status", "posted_by", "posted_at", "reviewed_by", "reviewed_at"])
    balances.apply_vouchers([(voucher, lines, period.code)])
    _record_posted(voucher, period.code, total_debit, actor)
    return voucher


def _record_posted(voucher: Voucher, period: str, total: Decimal, actor: Actor) -> None:
    """The audit row and the `ledger.voucher.posted` event of a voucher just posted."""
    audit.record_act(voucher, actor=actor, action="post", detail=voucher.display_number)
    emit(
        "ledger.voucher.posted", aggregate_type="ledger.voucher", aggregate_id=voucher.pk, actor=actor,
        payload={
            "id": voucher.pk, "number": voucher.display_number, "period": period, "date": voucher.date.isoformat(),
            "kind": voucher.kind, "source_type": voucher.source_type, "source_id": voucher.source_id,
            "total": str(total),
        },
    )


def post_voucher(*, voucher: Voucher, actor: Actor) -> Voucher:
    """过账: a reviewed voucher gets its number and enters the balances; from now on it is immutable."""
    with tx.act():
        voucher = _locked(voucher)
        if voucher.status != Voucher.Status.REVIEWED:
            detail = _("it is already posted") if voucher.is_posted else _("review it first")
            raise InvalidTransition(_("voucher %(v)s cannot be posted: %(d)s") % {"v": voucher, "d": detail},
                                    field="status",
                                    code="posted" if voucher.is_posted else "not_reviewed")
        return _post(voucher, actor)


def _post_system(voucher: Voucher, actor: Actor, approved_by: str) -> Voucher:
    voucher = _locked(voucher)
    voucher.reviewed_by = approved_by[:150]
    voucher.reviewed_at = actor.at
    return _post(voucher, actor)


def update_voucher(*, voucher: Voucher, actor: Actor, **changes) -> Voucher:
    """Posted vouchers are immutable: this verb exists to say so (and to change drafts' memo)."""
    with tx.act():
        voucher = _locked(voucher)
        if voucher.is_posted:
            raise Conflict(_("voucher %(v)s is posted and immutable; correct it with a red reversal") % {"v": voucher},
                           field="status", code="posted_immutable")
        before = audit.snapshot(voucher, ["memo"])
        voucher.memo = str(changes.get("memo", voucher.memo))[:200]
        voucher.save(update_fields=["memo"])
        audit.record_changes(voucher, actor=actor, before=before)
    return voucher


def reverse_voucher(*, voucher: Voucher, actor: Actor, date=None) -> Voucher:
    """红字冲销: a posted voucher is corrected by a new voucher with the same lines in red. The red voucher
    is a draft made by `actor`; another person reviews and posts it, like every voucher a person makes
    (a draft reversal can be deleted, and the original reversed again).

    Dated `date`, or the original's date when its period is still open, else today (Asia/Shanghai).
    """
    with tx.act():
        original = _locked(voucher)
        if not original.is_posted:
            raise InvalidTransition(_("voucher %(v)s is not posted; a draft is simply not posted") % {"v": original},
                                    field="status", code="not_posted")
        pending = Voucher.objects.filter(reversal_of=original).first()
        if pending is not None:
            raise Conflict(_("voucher %(v)s is already reversed by %(red)s (%(state)s)")
                           % {"v": original, "red": pending.display_number, "state": pending.get_status_display()},
                           field="id", code="already_reversed")
        if original.kind in (Voucher.Kind.CLOSING, Voucher.Kind.YEAR_END):
            raise Conflict(_("a carry-forward voucher is undone by reopening the period (反结账)"), field="id",
                           code="closing_voucher")
        if date is None:
            date = original.date if not original.period.is_closed else clock.today()
        lines = [
            {
                # a line on an account that since got sub-accounts reverses on the child its balance moved into
                "account": reports.posting_account(line.account), "debit": -line.debit if line.debit else None,
                "credit": -line.credit if line.credit else None,
                "summary": f"冲销{original.display_number} {line.summary}"[:200],
                "cash_flow_item": line.cash_flow_item, **line.dims(),
            }
            for line in original.lines.select_related("account", "cash_flow_item").order_by("seq")
        ]
        red = create_voucher(
            date=date, lines=lines, actor=actor, word=original.word, memo=f"冲销 {original.display_number}",
            source_type=original.source_type, source_id=original.source_id, kind=Voucher.Kind.REVERSAL,
            rule=original.rule, reversal_of=original,
        )
        audit.record_act(original, actor=actor, action="reverse", detail=red.display_number)
    return red


def delete_voucher(*, voucher: Voucher, actor: Actor) -> None:
    """A draft (or reviewed, not posted) voucher is deleted by its maker or an accountant; a posted one is
    corrected by a red reversal instead."""
    with tx.act():
        voucher = _locked(voucher)
        if voucher.is_posted:
            raise InvalidTransition(_("voucher %(v)s is posted: correct it with a red reversal (红字冲销)") % {"v": voucher},
                                    field="status", code="posted_immutable")
        audit.record_act(voucher, actor=actor, action="delete",
                         detail=f"{voucher.display_number} {voucher.memo} {voucher.date.isoformat()}"[:200])
        VoucherLine.objects.filter(voucher=voucher).delete()
        voucher.delete()


# -- posting rules (业财一体化) ------------------------------------------------------------------


class _Template(dict):
    def __missing__(self, key):
        return ""


def book(
    *,
    rule: str,
    date: datetime.date,
    amounts: dict[str, Decimal] | None = None,
    source_type: str,
    source_id: str,
    memo: str,
    actor: Actor,
    dimensions: dict[str, str] | None = None,
    document: str = "",
    goods: str = "",
    parts: list[dict] | None = None,
) -> Voucher | None:
    """Make, link and post the voucher of a business event from the posting rule `rule`.

    The rule's 摘要 templates read `{document}` (the number people know: the order, shipment or
    invoice; the source id when none is given) and `{goods}` (e.g. 蓝月亮洗衣液×3).

    `parts` books several events of one act under the same rule in one voucher: a list of
    {"amounts", "document", "goods"}, each giving the rule's lines with its own amounts and 摘要
    (e.g. one 销售出库 voucher for a shipment, lines per stock move).

    Runs in the caller's transaction. Returns None when every amount is zero (or the rule is
    switched off). Raises `period_closed` when the date's period is closed. Negative amounts are
    refused: a reversal of a business act books the opposite rule or reverses the voucher.
    """
    date = _parse_date(date)
    check_business_date(date)
    # the period first: its statement brings the rules' version, under which the rule may be known already
    period = _posting_period(period_of(date))
    found = batch.memo(("ledger.rule", rule), lambda: _posting_rule(rule, period.rules_token))
    posting_rule, rule_lines = found if found else (None, [])
    if posting_rule is None:
        raise NotFound(_("no posting rule %(rule)r") % {"rule": rule}, field="rule", code="unknown_rule")
    if not posting_rule.active:
        return None
    dimensions = {k: str(v) for k, v in (dimensions or {}).items() if v not in (None, "")}
    if parts is None:
        parts = [{"amounts": amounts or {}, "document": document, "goods": goods}]
    lines = []
    for part in parts:
        given = part["amounts"]
        parsed: dict[str, Decimal] = {}
        for rule_line in rule_lines:
            key = rule_line.amount_key
            if key not in given:
                raise ValidationFailed(_("posting rule %(rule)s needs amounts[%(key)r]") % {"rule": rule, "key": key},
                                       field=f"amounts.{key}", code="missing_amount")
            parsed[key] = _amount(given[key], f"amounts.{key}")
            if parsed[key] < 0:
                raise ValidationFailed(_("amounts.%(key)s is negative") % {"key": key}, field=f"amounts.{key}",
                                       code="negative_amount")
        if not any(parsed.values()):
            continue
        values = _Template(memo=memo, source_type=source_type, source_id=source_id, rule=rule, **dimensions,
                           document=part.get("document") or source_id, goods=part.get("goods", ""),
                           **{k: str(v) for k, v in parsed.items()})
        for rule_line in rule_lines:
            amount = parsed[rule_line.amount_key]
            if not amount:
                continue
            account = rule_line.account
            dims = {}
            for dim in account.dimensions:
                dims[dim] = dimensions.get(rule_line.dimension_map.get(dim, dim), "")
            summary = " ".join(rule_line.summary.format_map(values).split())[:200] or memo or posting_rule.name
            lines.append({
                "account": account, "summary": summary, "cash_flow_item": rule_line.cash_flow_item,
                "debit" if rule_line.side == "debit" else "credit": amount, **dims,
            })
    if not lines:
        return None
    approved = f"rule:{rule}" + (f" ({posting_rule.updated_by})" if posting_rule.updated_by else "")
    with tx.act():
        return _create_posted(date=date, lines=lines, actor=actor, word=posting_rule.word, memo=memo,
                              source_type=source_type, source_id=source_id, rule=rule, approved_by=approved,
                              period=period)


# {rule code: (rule, lines)} read under one rules token and committed; replaced whole when the token changes
_rules_read: tuple[str | None, dict] = (None, {})


def _posting_rule(code: str, token: str | None = None):
    """The rule and its lines with their accounts (never changed by the caller: they are shared).

    Kept across acts while the rules' version token stays the same (`RulesVersion`: the database gives
    it a new random value with every write to the rules, their lines, the accounts or the cash-flow
    items, in that write's transaction). The token is read before the rule, so what is kept under a token
    is never older than it; and a rule is kept only once the transaction that read it has committed, so
    no act takes rules or ids from a transaction that was rolled back (whose token, random, never comes
    back either). Without a token (a flushed test database) it is read every time."""
    if token is not None:
        kept_token, kept = _rules_read
        if kept_token == token and code in kept:
            return kept[code]
    rule = PostingRule.objects.prefetch_related("lines__account", "lines__cash_flow_item").filter(code=code).first()
    found = None if rule is None else (rule, list(rule.lines.all()))
    if token is not None:
        transaction.on_commit(lambda: _keep_rule(token, code, found))
    return found


def _keep_rule(token: str, code: str, found) -> None:
    global _rules_read
    kept_token, kept = _rules_read
    _rules_read = (token, {**(kept if kept_token == token else {}), code: found})


def _next_number(period: str, word: str) -> int:
    """The next gapless number of (period, word), from the one numbering service."""
    return numbering.next_number(f"ledger.voucher.{word}", period=period)


def _create_posted(*, date, lines: list[dict], actor: Actor, word: str, memo: str, source_type: str, source_id: str,
                   rule: str, approved_by: str, period: Period | None = None) -> Voucher:
    """A system voucher (业财一体化) made and posted in one go: inserted as reviewed by its rule, its lines
    inserted, then numbered and posted by one UPDATE (which SQLite's balance trigger checks), balances,
    one audit row, event.

    In an act that collects (sihe.core.batch) the lines, the numbering, the posting UPDATE and the balances
    wait for the end of the act and are done there for all its vouchers at once — one INSERT of every
    voucher's lines, one counter update per (period, word), one UPDATE, one multi-row upsert — so the hot
    counter and balance rows are locked for the last moments of the transaction only. The number is still given in the act's transaction
    (gapless); until then the voucher is known as 记-(#id), which the act's buffered rows are rewritten from."""
    date = _parse_date(date)
    built = _build_lines(lines, allow_red=False)
    _check_word(word, built)
    if period is None:  # `book` has read it already
        check_business_date(date)
        period = _posting_period(period_of(date))
    check_posting_date(date)  # the books' start came with the period
    _ensure_open(period)
    voucher = Voucher.objects.create(
        period=period, word=word, date=date, kind=Voucher.Kind.AUTO, memo=str(_text(memo, "memo", 200))[:200],
        source_type=source_type[:60], source_id=str(source_id)[:100], rule=rule, made_by=actor.username,
        made_by_id=actor.user_id, created_at=actor.at, status=Voucher.Status.REVIEWED,
        reviewed_by=approved_by[:150], reviewed_at=actor.at,
    )
    for line in built:
        line.voucher = voucher
    total = sum((line.debit for line in built), ZERO)
    item = (voucher, built, period.code, actor)
    if batch.later("ledger.post", _post_together, item):  # its lines go in with the act's other vouchers' lines
        placeholder = voucher.display_number
        _record_posted(voucher, period.code, total, actor)
        voucher.status, voucher.posted_by, voucher.posted_at = Voucher.Status.POSTED, actor.username, actor.at
        voucher._placeholder = placeholder
        return voucher
    _post_together([item])
    _record_posted(voucher, period.code, total, actor)
    return voucher


def _post_together(items: list[tuple]) -> None:
    """Insert the lines of the system vouchers made in one act (one INSERT for all of them), number and post the
    vouchers, then add them to the balances in one upsert. On PostgreSQL the lines, the counter and the posting
    go in one statement; elsewhere the lines go in first, before the posting UPDATE SQLite's balance trigger checks."""
    every_line = [line for _voucher, lines, _period, _actor in items for line in lines]
    by_series: dict[tuple, list] = {}
    for voucher, _lines, period, _actor in items:
        by_series.setdefault((period, voucher.word), []).append(voucher)
    by_poster: dict[tuple, list] = {}
    for voucher, _lines, _period, actor in items:
        by_poster.setdefault((actor.username, actor.at), []).append(voucher)
    if not _number_and_post_at_once(by_series, by_poster, every_line):
        sqlrows.insert_rows(every_line)  # before the posting UPDATE, which SQLite's balance trigger checks
        for (period, word), vouchers in sorted(by_series.items()):
            last = numbering.next_numbers(f"ledger.voucher.{word}", period=period, count=len(vouchers))
            for offset, voucher in enumerate(sorted(vouchers, key=lambda v: v.pk)):
                voucher.number = last - len(vouchers) + 1 + offset
        for (username, at), vouchers in by_poster.items():
            sqlrows.update_each(Voucher, "number", {v.pk: v.number for v in vouchers},
                                same={"status": Voucher.Status.POSTED, "posted_by": username, "posted_at": at})
    for voucher, _lines, _period, actor in items:
        voucher.status, voucher.posted_by, voucher.posted_at = Voucher.Status.POSTED, actor.username, actor.at
        placeholder = getattr(voucher, "_placeholder", None)
        if placeholder:
            batch.rename(placeholder, voucher.display_number)
    balances.apply_vouchers([(voucher, lines, period) for voucher, lines, period, _actor in items])


def _number_and_post_at_once(by_series: dict, by_poster: dict, lines: list[VoucherLine]) -> bool:
    """The usual act (one series, one poster): the vouchers' lines, the counter and the vouchers' posting UPDATE in
    one statement on PostgreSQL (`numbering.number_rows`; its balance check is deferred to the commit); False, with
    nothing written, when that is not the case or not possible."""
    if len(by_series) != 1 or len(by_poster) != 1:
        return False
    ((period, word), vouchers), ((username, at), _same) = next(iter(by_series.items())), next(iter(by_poster.items()))
    ordered = sorted(vouchers, key=lambda v: v.pk)
    numbers = numbering.number_rows(f"ledger.voucher.{word}", period=period, model=Voucher, field="number",
                                    ids=[v.pk for v in ordered], same={"status": Voucher.Status.POSTED,
                                                                       "posted_by": username, "posted_at": at},
                                    inserting=lines)
    if numbers is None:
        return False
    for voucher in ordered:
        voucher.number = numbers[voucher.pk]
    return True


# -- month-end close ------------------------------------------------------------------------------


def period_has_ended(code: str, *, today: datetime.date | None = None) -> bool:
    """The period's last day is behind us (Beijing time)."""
    return close.last_day(code) < (today or clock.today())


def close_period(*, period: str, actor: Actor, confirm_early: bool = False, reason: str = "") -> dict:
    """结账: run every check; if all pass, post 结转损益 (and in December carry 本年利润 to
    利润分配—未分配利润), then lock the period. On a failed check nothing changes.

    A month that has not ended yet locks the days still to come (no more shipping, receiving or
    posting into it): that needs `confirm_early` and a reason, which the audit trail keeps."""
    code = parse_period(period)
    reason = (reason or "").strip()
    with tx.act():
        locked = _period(code, lock=True)
        _ensure_open(locked, field="period")
        early = not period_has_ended(code)
        if early and not confirm_early:
            raise Conflict(_("%(period)s has not ended yet (last day %(day)s): closing it now stops shipping, "
                             "receiving and posting into it for the rest of the month; confirm and give a reason")
                           % {"period": code, "day": close.last_day(code).isoformat()},
                           field="confirm_early", code="period_not_ended")
        if early and not reason:
            raise ValidationFailed(_("give the reason for closing %(period)s before it ends") % {"period": code},
                                   field="reason", code="reason_required")
        earlier = Period.objects.filter(code__lt=code, status=Period.Status.OPEN, vouchers__isnull=False).distinct()
        if earlier.exists():
            first = earlier.order_by("code").first().code
            raise Conflict(_("close %(first)s first: periods close in order") % {"first": first}, field="period",
                           code="earlier_period_open")
        results = close.run_checks(code)
        failed = [r for r in results if not r["ok"]]
        if failed:
            raise DomainError(
                _("%(period)s cannot be closed: %(failed)s") % {
                    "period": code, "failed": "; ".join(f"{r['label']}: {r['detail']}" for r in failed)},
                field="period", code="close_checks_failed", checks=results,
            )
        made = []
        last_day = close.last_day(code)
        lines = close.profit_and_loss_lines(code)
        if lines:
            voucher = create_voucher(date=last_day, lines=lines, actor=actor, memo=f"{code} 结转损益",
                                     kind=Voucher.Kind.CLOSING, source_type="ledger.period", source_id=code)
            made.append(_post_system(voucher, actor, "结账 close"))
        if code.endswith("-12"):
            lines = close.year_end_lines(code)
            if lines:
                voucher = create_voucher(date=last_day, lines=lines, actor=actor, memo=f"{code[:4]} 年末结转本年利润",
                                         kind=Voucher.Kind.YEAR_END, source_type="ledger.period", source_id=code)
                made.append(_post_system(voucher, actor, "结账 close"))
        before = audit.snapshot(locked, ["status"])
        locked.status = Period.Status.CLOSED
        locked.closed_at = actor.at
        locked.closed_by = actor.username
        locked.save(update_fields=["status", "closed_at", "closed_by"])
        audit.record_changes(locked, actor=actor, before=before, action="close")
        if early:
            audit.record_act(locked, actor=actor, action="close_early", detail=reason[:200])
        emit("ledger.period.closed", aggregate_type="ledger.period", aggregate_id=code, actor=actor,
             payload={"period": code, "vouchers": [v.display_number for v in made], "early": early,
                      "reason": reason[:200] if early else ""})
    return {"period": code, "status": locked.status, "checks": results,
            "vouchers": [{"id": v.pk, "number": v.display_number} for v in made]}


def _refuse_reopening_carried_year(code: str) -> None:
    """A year whose balances opened the next one, with vouchers posted there, stays closed: reopening
    it would change the next year's 年初余额 under those vouchers and statements already filed."""
    next_year = f"{int(code[:4]) + 1:04d}-01"
    posted = Voucher.objects.filter(status=Voucher.Status.POSTED, period__code__gte=next_year)
    count = posted.count()
    if not count:
        return
    first = posted.select_related("period").order_by("period__code", "word", "number").first()
    raise Conflict(
        _("%(year)s is carried into %(next)s, where %(count)s vouchers are posted (first %(first)s of %(period)s): "
          "reopening %(code)s would change %(next)s's 年初余额 and the statements built on them. Correct %(year)s "
          "with a voucher in %(next)s against 3104.01 利润分配—未分配利润 instead.")
        % {"year": code[:4], "next": next_year[:4], "count": count, "first": first.display_number,
           "period": first.period.code, "code": code},
        field="period", code="next_year_posted", vouchers=count)


def reopen_period(*, period: str, actor: Actor, reason: str = "") -> Period:
    """反结账: an accountant's act, audited. The carry-forward vouchers stay (immutable); closing
    again carries forward only what was posted since."""
    code = parse_period(period)
    reason = (reason or "").strip()
    with tx.act():
        locked = _period(code, lock=True)
        if not locked.is_closed:
            raise InvalidTransition(_("period %(period)s is not closed") % {"period": code}, field="period", code="period_open")
        if not reason:
            raise ValidationFailed(_("give the reason for reopening %(period)s") % {"period": code},
                                   field="reason", code="reason_required")
        later = Period.objects.filter(code__gt=code, status=Period.Status.CLOSED).order_by("-code").first()
        if later is not None:
            raise Conflict(_("reopen %(later)s first: periods reopen from the latest") % {"later": later.code}, field="period",
                           code="later_period_closed")
        _refuse_reopening_carried_year(code)
        before = audit.snapshot(locked, ["status"])
        locked.status = Period.Status.OPEN
        locked.save(update_fields=["status"])
        audit.record_changes(locked, actor=actor, before=before, action="reopen")
        audit.record_act(locked, actor=actor, action="reopen", detail=reason[:200])
        emit("ledger.period.reopened", aggregate_type="ledger.period", aggregate_id=code, actor=actor,
             payload={"period": code, "reason": reason})
    return locked


# -- opening balances -----------------------------------------------------------------------------


OPENING_EQUITY_ACCOUNT = os.environ.get("SIHE_OPENING_EQUITY_ACCOUNT", "3104.01")  # 利润分配—未分配利润


def _given(row: dict, *keys: str) -> bool:
    return any(row.get(k) not in (None, "") for k in keys)


def _opening_rows(rows: list[dict], *, source: str = "") -> tuple[list[OpeningBalance], Decimal, Decimal]:
    """Opening-balance rows checked one by one (leaf account, amounts, dimensions) and their totals.

    A row gives the 期初余额 (`debit`/`credit`) at the start of the first period and, for a company
    starting mid-year, the 本年累计 (`ytd_debit`/`ytd_credit`) of the earlier months and/or the
    年初余额 (`year_start_debit`/`year_start_credit`): any two of the three, the third follows
    (期初 = 年初 + 借 − 贷 in debit terms); all three must agree. 损益类 accounts have no balance,
    only 本年累计 (their 实际发生额). Three trial balances are checked before anything is saved:
    期初, 年初, and the accumulated amounts (with the implied 结转损益 of the earlier months)."""
    built = []
    accounts = {a.code: a for a in Account.objects.all()}
    seen = set()
    for i, row in enumerate(rows):
        at = f"rows.{i}"
        account = accounts.get(str(row.get("account") or "").strip())
        if account is None:
            raise ValidationFailed(_("%(at)s.account: unknown account %(code)s") % {"at": at, "code": row.get("account")},
                                   field=f"{at}.account", code="unknown_account")
        if not account.is_leaf:
            raise ValidationFailed(_("%(at)s.account: %(code)s has sub-accounts; use a leaf account")
                                   % {"at": at, "code": account.code}, field=f"{at}.account", code="not_leaf")
        values = {}
        for key in ("debit", "credit", "ytd_debit", "ytd_credit", "year_start_debit", "year_start_credit"):
            values[key] = _amount(row.get(key), f"{at}.{key}")
            if values[key] < 0:
                raise ValidationFailed(_("%(at)s: amounts cannot be negative; use the other column") % {"at": at},
                                       field=f"{at}.{key}", code="negative_amount")
        has_open = _given(row, "debit", "credit")
        has_start = _given(row, "year_start_debit", "year_start_credit")
        ytd_net = values["ytd_debit"] - values["ytd_credit"]
        start_net = values["year_start_debit"] - values["year_start_credit"]
        open_net = values["debit"] - values["credit"]
        if account.category == "profit_loss":
            if open_net or values["debit"] or start_net or values["year_start_debit"]:
                raise ValidationFailed(_("%(at)s: 损益类 account %(code)s has no opening balance; give its 本年累计 "
                                         "(实际发生额) only") % {"at": at, "code": account.code},
                                       field=f"{at}.account", code="profit_loss_opening")
        elif has_start and not has_open:
            open_net = start_net + ytd_net
            values["debit"], values["credit"] = (open_net, ZERO) if open_net >= 0 else (ZERO, -open_net)
        elif has_start and open_net != start_net + ytd_net:
            raise ValidationFailed(
                _("%(at)s: %(code)s 期初 %(open)s ≠ 年初 %(start)s + 借 %(d)s − 贷 %(c)s")
                % {"at": at, "code": account.code, "open": open_net, "start": start_net, "d": values["ytd_debit"],
                   "c": values["ytd_credit"]}, field=f"{at}.debit", code="opening_mismatch")
        dims = {d: str(row.get(d) or "").strip()[:40] for d in DIMENSIONS}
        for dim, value in dims.items():
            if value and dim not in account.dimensions:
                raise ValidationFailed(_("%(at)s.%(dim)s: account %(code)s does not track %(dim)s")
                                       % {"at": at, "dim": dim, "code": account.code},
                                       field=f"{at}.{dim}", code="dimension_not_tracked")
        key = (account.code, *dims.values())
        if key in seen:
            raise ValidationFailed(_("%(at)s: %(code)s appears twice") % {"at": at, "code": account.code},
                                   field=f"{at}.account", code="duplicate")
        seen.add(key)
        if any(values[k] for k in ("debit", "credit", "ytd_debit", "ytd_credit")):
            built.append(OpeningBalance(account=account, debit=values["debit"], credit=values["credit"],
                                        ytd_debit=values["ytd_debit"], ytd_credit=values["ytd_credit"],
                                        source=source, **dims))
    total_debit = sum((o.debit for o in built), ZERO)
    total_credit = sum((o.credit for o in built), ZERO)
    if total_debit != total_credit:
        raise ValidationFailed(_("opening balances do not balance: debit %(d)s ≠ credit %(c)s")
                               % {"d": total_debit, "c": total_credit},
                               field="rows", code="unbalanced", debit=str(total_debit), credit=str(total_credit))
    ytd_d, ytd_c = opening_ytd_totals(built)
    if ytd_d != ytd_c:
        raise ValidationFailed(_("本年累计 amounts do not balance: debit %(d)s ≠ credit %(c)s (损益类 counted with "
                                 "their 结转损益)") % {"d": ytd_d, "c": ytd_c},
                               field="rows", code="ytd_unbalanced", debit=str(ytd_d), credit=str(ytd_c))
    earned = sum((o.ytd_credit - o.ytd_debit for o in built if o.account.category == "profit_loss"), ZERO)
    carried = sum((o.ytd_credit - o.ytd_debit for o in built if o.account.role == "current_year_profit"), ZERO)
    if earned != carried:
        raise ValidationFailed(_("本年利润's 本年累计 (贷 − 借 %(carried)s) ≠ the 损益类 accounts' 实际发生额 "
                                 "(收入 − 费用 %(earned)s): the months before were carried forward monthly")
                               % {"carried": carried, "earned": earned}, field="rows", code="profit_mismatch")
    return built, total_debit, total_credit


def opening_ytd_totals(rows) -> tuple[Decimal, Decimal]:
    """Σ 本年累计 debit and credit of opening rows, each 损益类 row with its implied 结转损益 (the side
    that empties it into 本年利润), as a 科目余额表 of the earlier months shows them."""
    debit = credit = ZERO
    for row in rows:
        d, c = reports.carried_ytd(row.account, row.ytd_debit, row.ytd_credit)
        debit += d
        credit += c
    return debit, credit


def _opening_cash_flows(cash_flows: dict | None, built: list[OpeningBalance]) -> dict[CashFlowItem, Decimal]:
    """本年累计 per 现金流量项目 before the start; their net must equal the cash accounts' 本年累计 net."""
    items = {str(item.line_no): item for item in CashFlowItem.objects.all()}
    result, net = {}, ZERO
    for key, value in (cash_flows or {}).items():
        item = items.get(str(key).removeprefix("CF").lstrip("0"))
        if item is None:
            raise ValidationFailed(_("cash_flows.%(key)s: no cash-flow item with line %(key)s") % {"key": key},
                                   field=f"cash_flows.{key}", code="unknown_cash_flow_item")
        amount = _amount(value, f"cash_flows.{key}")
        if amount < 0:
            raise ValidationFailed(_("cash_flows.%(key)s: amounts cannot be negative") % {"key": key},
                                   field=f"cash_flows.{key}", code="negative_amount")
        if amount:
            result[item] = amount
            net += amount if item.inflow else -amount
    cash = sum((o.ytd_debit - o.ytd_credit for o in built if o.account.is_cash), ZERO)
    if net != cash:
        raise ValidationFailed(
            _("the 本年累计 cash flows net %(flows)s, but the cash accounts' 本年累计 moved %(cash)s "
              "(1001+1002+1012 借 − 贷); give cash_flows per 现金流量项目 line")
            % {"flows": net, "cash": cash}, field="cash_flows", code="cash_flow_mismatch")
    return result


def _openings_may_change(code: str, *, keep_source: str | None = None) -> None:
    """Openings change only before any close and before any voucher posted earlier than them, and all
    rows open the same period (those of `keep_source` are about to be replaced, so they do not count)."""
    if Period.objects.filter(status=Period.Status.CLOSED).exists():
        raise PeriodClosed(_("a period is already closed; opening balances can no longer change"), field="period")
    if Voucher.objects.filter(status=Voucher.Status.POSTED, period__code__lt=code).exists():
        raise Conflict(_("vouchers are posted before %(period)s; openings must start at the first period")
                       % {"period": code}, field="period", code="vouchers_before_opening")
    others = OpeningBalance.objects.exclude(period=code)
    if keep_source is not None:
        others = others.exclude(source=keep_source)
    other = others.values_list("period", flat=True).first()
    if other is not None:
        raise Conflict(_("the books open in %(other)s, not %(period)s") % {"other": other, "period": code},
                       field="period", code="other_opening_period")


def opening_period() -> str | None:
    """The first period of the books (that of the opening balances), if any is loaded."""
    return OpeningBalance.objects.values_list("period", flat=True).first()


def import_opening_balances(*, period: str, rows: list[dict], actor: Actor, cash_flows: dict | None = None) -> int:
    """期初余额 (建账): replace the opening balances at the start of `period` after the trial-balance
    checks (期初, 年初, 本年累计) on the whole set; nothing is saved when any row or check fails. The
    opening stock the stock ledger added (with its own counter-entry) stays. `cash_flows` gives the
    本年累计 per 现金流量项目 line ({"1": "350000.00", …}) of the months before `period`."""
    code = parse_period(period)
    built, total_debit, _credit = _opening_rows(rows)
    flows = _opening_cash_flows(cash_flows, built)
    if code.endswith("-01") and any(o.ytd_debit or o.ytd_credit for o in built):
        raise ValidationFailed(_("books that start in January have no 本年累计 before them"), field="rows",
                               code="ytd_in_january")
    with tx.act():
        _openings_may_change(code, keep_source="")
        removed = OpeningBalance.objects.filter(source="").count()
        OpeningBalance.objects.filter(source="").delete()
        OpeningCashFlow.objects.all().delete()
        for row in built:
            row.period = code
        OpeningBalance.objects.bulk_create(built)
        OpeningCashFlow.objects.bulk_create([OpeningCashFlow(period=code, item=item, amount=amount)
                                             for item, amount in flows.items()])
        _period(code)
        audit.record_act(_period(code), actor=actor, action="import_opening_balances",
                         detail=_("%(n)s rows replace %(removed)s; debit = credit = %(total)s")
                         % {"n": len(built), "removed": removed, "total": total_debit})
    return len(built)


def add_opening_balances(*, period: str, rows: list[dict], actor: Actor, source: str) -> int:
    """Add to the opening balances at the start of `period` a set of rows that balances in itself, e.g.
    the opening stock (期初库存: 1405 per warehouse against the opening equity account). Amounts add to
    the rows of the same account, dimensions and source."""
    code = parse_period(period)
    built, total_debit, _credit = _opening_rows(rows, source=source)
    with tx.act():
        _openings_may_change(code)
        for row in built:
            dims = {d: getattr(row, d) for d in DIMENSIONS}
            found = OpeningBalance.objects.select_for_update().filter(account=row.account, source=source, **dims).first()
            if found is None:
                row.period = code
                row.save()
                continue
            net = found.debit - found.credit + row.debit - row.credit
            found.debit, found.credit = (net, ZERO) if net >= 0 else (ZERO, -net)
            found.save(update_fields=["debit", "credit"])
        _period(code)
        audit.record_act(_period(code), actor=actor, action="add_opening_balances",
                         detail=_("%(source)s: %(n)s rows, debit = credit = %(total)s")
                         % {"source": source, "n": len(built), "total": total_debit})
    return len(built)


MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def attach(*, voucher: Voucher, file, actor: Actor) -> Attachment:
    """原始凭证: keep a file (an invoice scan, a bank slip) with its voucher, in any state — a posted
    voucher gains evidence, it does not change. At most 20 MB; the name is kept as the user gave it."""
    name = (getattr(file, "name", "") or "").strip()
    if not name:
        raise ValidationFailed(_("choose a file to attach"), field="file")
    if not file.size:
        raise ValidationFailed(_("the file is empty"), field="file")
    if file.size > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed(_("a file may have at most 20 MB"), field="file", code="too_large")
    with tx.act():
        item = Attachment.objects.create(voucher=voucher, file=file, name=name[:200], size=file.size,
                                         uploaded_by=actor.username, uploaded_at=actor.at)
        audit.record_act(voucher, actor=actor, action="attach", detail=item.name)
    return item


def post_lines(*, date, lines: list[dict], word: str, memo: str, source_type: str, source_id: str, actor: Actor,
               approved_by: str) -> Voucher:
    """A system voucher whose lines a sub-ledger works out itself (depreciation grouped by department,
    a cashier's receipt against the counter account she names), made and posted in one go like `book`.
    `approved_by` names the act that approved the content (e.g. `assets:depreciation 2026-08`)."""
    if word not in Voucher.Word.values:
        raise ValidationFailed(_("the voucher word must be one of %(words)s") % {"words": ", ".join(Voucher.Word.values)},
                               field="word", code="invalid_word")
    with tx.act():
        return _create_posted(date=date, lines=lines, actor=actor, word=word, memo=memo, source_type=source_type,
                              source_id=source_id, rule="", approved_by=approved_by)

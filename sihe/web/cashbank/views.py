"""Cashier pages (出纳): accounts, a receipt/payment/transfer form, the 现金/银行日记账, and per bank
account the statement import, matching and the 银行存款余额调节表. Reads via sihe.cashbank.selectors,
writes via its services."""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from sihe.cashbank import selectors, services
from sihe.core import clock, tx
from sihe.core.errors import DomainError, ValidationFailed
from sihe.core.roles import can
from sihe.ledger.services import parse_period, period_of
from sihe.web.permissions import require_permission


def _period(value, default: str) -> str:
    try:
        return parse_period(value or default)
    except DomainError:
        return default


@require_permission("ledger.view")
def accounts(request):
    error, values = None, {}
    if request.method == "POST" and can(request.user, "ledger.edit"):
        values = request.POST
        try:
            with tx.entry():
                services.save_account(code=values.get("code", ""), name=values.get("name", ""),
                                      kind=values.get("kind", ""), ledger_account=values.get("ledger_account", ""),
                                      bank=values.get("bank", ""), account_no=values.get("account_no", ""),
                                      reconcile_from=values.get("reconcile_from") or None, actor=request.actor)
            messages.success(request, _("Account saved."))
            return redirect("web_cashbank:accounts")
        except DomainError as exc:
            error = exc
    today = clock.today()
    rows = [{"a": a, "balance": services.balance_before(a, today + datetime.timedelta(days=1))}
            for a in selectors.accounts()]
    return render(request, "web_cashbank/accounts.html", {
        "rows": rows, "kinds": selectors.CashAccount.Kind.choices, "banks": selectors.LAYOUTS, "error": error,
        "values": values, "can_edit": can(request.user, "ledger.edit"),
        "entries": selectors.entries()[:20],
    }, status=422 if error else 200)


@require_permission("ledger.edit")
def entry_new(request):
    error, values = None, request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        try:
            account = selectors.account(values.get("account", ""))
            to_code = values.get("to_account", "")
            to_account = selectors.account(to_code) if to_code and values.get("kind") == "transfer" else None
            with tx.entry():
                entry = services.enter(
                    kind=values.get("kind", ""), account=account, to_account=to_account, date=values.get("date", ""),
                    amount=values.get("amount", ""), summary=values.get("summary", ""),
                    counter_account=values.get("counter_account", ""), partner=values.get("partner", ""),
                    department=values.get("department", ""), reference=values.get("reference", ""),
                    cash_flow_item=values.get("cash_flow_item") or None, actor=request.actor)
            messages.success(request, _("%(n)s entered; voucher posted.") % {"n": entry.number})
            return redirect(reverse("web_cashbank:journal", args=[account.code]) + "?"
                            + urlencode({"period_from": period_of(entry.date), "period_to": period_of(entry.date)}))
        except DomainError as exc:
            error = exc
    return render(request, "web_cashbank/entry_new.html", {
        "accounts": selectors.accounts(), "kinds": selectors.Entry.Kind.choices, "values": values, "error": error,
        "today": clock.today().isoformat(),
    }, status=422 if error else 200)


@require_permission("ledger.view")
def journal(request, code):
    account = selectors.account(code)
    this_month = period_of(clock.today())
    period_to = _period(request.GET.get("period_to"), this_month)
    period_from = min(_period(request.GET.get("period_from"), period_to), period_to)
    return render(request, "web_cashbank/journal.html", {
        "account": account, "journal": selectors.journal(account, period_from, period_to), "period_from": period_from,
        "period_to": period_to, "accounts": selectors.accounts(),
    })


def _candidates(line, open_journal) -> list:
    """The open voucher lines a statement line may be matched to by hand: same direction and amount."""
    if line.voucher_line_id:
        return []
    if line.amount_in:
        return [j for j in open_journal if j.debit == line.amount_in]
    return [j for j in open_journal if j.credit == line.amount_out]


@require_permission("ledger.view")
def reconcile(request, code):
    account = selectors.account(code)
    try:
        date = datetime.date.fromisoformat(request.GET.get("date") or "")
    except ValueError:
        date = clock.today()
    if request.method == "POST" and can(request.user, "ledger.edit"):
        act = request.POST.get("act")
        try:
            with tx.entry():
                if act == "import":
                    upload = request.FILES.get("file")
                    if upload is None:
                        raise ValidationFailed(_("choose a statement file"), field="file")
                    st = services.import_statement(account=account, data=upload.read(services.MAX_FILE_BYTES + 1),
                                                   file_name=upload.name, layout=request.POST.get("layout", ""),
                                                   actor=request.actor)
                    messages.success(request, _("%(n)s lines imported, %(s)s already there.")
                                     % {"n": st.lines_read, "s": st.lines_skipped})
                elif act == "auto":
                    n = services.auto_match(account=account, actor=request.actor)
                    messages.success(request, _("%(n)s lines matched.") % {"n": n})
                elif act == "match":
                    line = selectors.statement_line(request.POST.get("line", ""))
                    services.match(line=line, voucher_line_id=int(request.POST.get("voucher_line") or 0),
                                   actor=request.actor)
                    messages.success(request, _("Matched."))
                elif act == "unmatch":
                    services.unmatch(line=selectors.statement_line(request.POST.get("line", "")), actor=request.actor)
                    messages.success(request, _("Match undone."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(reverse("web_cashbank:reconcile", args=[account.code]) + f"?date={date.isoformat()}")
    lines = list(selectors.statement_lines(account))
    matched = selectors.voucher_lines_by_id(s.voucher_line_id for s in lines if s.voucher_line_id)
    open_journal = list(services.unmatched_journal(account).order_by("voucher__date", "id"))
    return render(request, "web_cashbank/reconcile.html", {
        "account": account, "date": date, "recon": selectors.reconciliation(account, date),
        "lines": [{"s": s, "v": matched.get(s.voucher_line_id), "candidates": _candidates(s, open_journal)}
                  for s in lines],
        "statements": selectors.statements(account), "layouts": selectors.LAYOUTS,
        "can_edit": can(request.user, "ledger.edit"),
    })

"""General-ledger pages: vouchers (list, new, one with its acts and attachments), the trial balance,
the three statements, the general and detail ledgers (总账/明细账), the month-end close, posting rules
and opening balances. Reads go through the ledger's reports and selectors, writes through its services."""


from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sihe.catalog.selectors import company_name
from sihe.core import clock, tx
from sihe.core.audit import history
from sihe.core.errors import DomainError
from sihe.core.roles import can
from sihe.ledger import close, opening, reports, rules, selectors, services, statements
from sihe.ledger import render as files
from sihe.ledger.vat import selectors as vat_selectors
from sihe.web import audit_labels
from sihe.web.ledger import sources
from sihe.web.paging import cursor_page
from sihe.web.permissions import require_permission

FORM_LINES = 6
VOUCHERS_PER_PAGE = 50


def _period(request) -> str:
    value = request.GET.get("period") or services.period_of(clock.today())
    try:
        return services.parse_period(value)
    except DomainError:
        return services.period_of(clock.today())


def _file(table, fmt, name):
    data, kind = (files.to_xlsx(table), files.XLSX) if fmt == "xlsx" else (files.to_pdf(table), files.PDF)
    response = HttpResponse(data, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# -- vouchers -------------------------------------------------------------------------------------


@require_permission("ledger.view")
def vouchers(request):
    period = _period(request)
    rows = selectors.period_vouchers(period)
    page = cursor_page(request, rows, selectors.VOUCHERS, VOUCHERS_PER_PAGE)  # deep pages by cursor, not OFFSET
    found = sources.describe(page.object_list)
    listing = [{"v": v, "total": v.total or 0, "summary": v.summary or v.memo, "source": found.get(v.pk),
                "made_by": audit_labels.user_label(v.made_by)} for v in page.object_list]
    return render(request, "web_ledger/vouchers.html", {
        "period": period, "vouchers": listing, "can_edit": can(request.user, "ledger.edit"), "page": page,
        "querystring": urlencode({"period": period}),
    })


def _form_lines(post) -> list[dict]:
    lines = []
    for i in range(FORM_LINES):
        values = {k: post.get(f"{k}_{i}", "").strip() for k in
                  ("account", "summary", "debit", "credit", "partner", "department", "project", "warehouse",
                   "cash_flow_item")}
        if values["account"] or values["debit"] or values["credit"]:
            lines.append({k: v for k, v in values.items() if v})
    return lines


@require_permission("ledger.edit")
def voucher_new(request):
    error, values = None, {}
    if request.method == "POST":
        values = request.POST
        try:
            with tx.entry():
                voucher = services.create_voucher(
                    date=request.POST.get("date"), word=request.POST.get("word") or "记",
                    memo=request.POST.get("memo", ""), lines=_form_lines(request.POST), actor=request.actor,
                )
            messages.success(request, _("Voucher saved as a draft; another accountant reviews it."))
            return redirect("web_ledger:voucher", pk=voucher.pk)
        except DomainError as exc:
            error = exc
    accounts = reports.accounts().filter(is_leaf=True, active=True)
    rows = [{k: values.get(f"{k}_{i}", "") for k in ("account", "summary", "debit", "credit", "partner",
                                                      "warehouse", "cash_flow_item")} for i in range(FORM_LINES)]
    return render(request, "web_ledger/voucher_new.html", {
        "accounts": accounts, "rows": rows, "items": selectors.cash_flow_items(), "error": error,
        "date": values.get("date") or clock.today().isoformat(), "memo": values.get("memo", ""),
        "words": selectors.Voucher.Word.values,
    }, status=422 if error else 200)


@require_permission("ledger.view")
def voucher(request, pk):
    v = reports.voucher_by_id(pk)
    lines = list(v.lines.all())
    return render(request, "web_ledger/voucher.html", {
        "v": v, "lines": lines, "total_debit": sum((ln.debit for ln in lines), 0),
        "total_credit": sum((ln.credit for ln in lines), 0),
        "history": audit_labels.rows(history(v)[:50], model=selectors.Voucher), "source": sources.describe([v]).get(v.pk),
        "made_by": audit_labels.user_label(v.made_by), "reviewed_by": audit_labels.user_label(v.reviewed_by or ""),
        "posted_by": audit_labels.user_label(v.posted_by or ""),
        "reversed_by": selectors.reversals_of(v).first(),
        "can_post": can(request.user, "ledger.post"), "can_edit": can(request.user, "ledger.edit"),
    })


@require_POST
@require_permission("ledger.post")
def voucher_act(request, pk, act):
    v = get_object_or_404(reports.vouchers(), pk=pk)
    verbs = {"review": services.review_voucher, "post": services.post_voucher, "reverse": services.reverse_voucher}
    if act not in verbs:
        return HttpResponse(status=404)
    try:
        with tx.entry():
            result = verbs[act](voucher=v, actor=request.actor)
        messages.success(request, _("Done: %(act)s %(number)s") % {"act": audit_labels.action_label(act),
                                                                   "number": result.display_number})
        return redirect("web_ledger:voucher", pk=result.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("web_ledger:voucher", pk=pk)


@require_POST
@require_permission("ledger.edit")
def attachment_upload(request, pk):
    v = get_object_or_404(reports.vouchers(), pk=pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to attach."))
        return redirect("web_ledger:voucher", pk=pk)
    try:
        with tx.entry():
            services.attach(voucher=v, file=upload, actor=request.actor)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("web_ledger:voucher", pk=pk)
    messages.success(request, _("Attached %(name)s") % {"name": upload.name})
    return redirect("web_ledger:voucher", pk=pk)


@require_permission("ledger.view")
def attachment(request, pk):
    item = get_object_or_404(selectors.attachments(), pk=pk)
    # FileResponse encodes any name (Chinese, quotes) the way browsers read it (RFC 6266 / 5987)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name,
                        content_type="application/octet-stream")


# -- reports --------------------------------------------------------------------------------------


@require_permission("ledger.view")
def trial_balance(request):
    period = _period(request)
    report = reports.trial_balance(period)
    if request.GET.get("format") in ("xlsx", "pdf"):
        return _file(files.trial_balance_table(report), request.GET["format"], f"trial-balance-{period}")
    return render(request, "web_ledger/trial_balance.html", {"period": period, "report": report})


@require_permission("ledger.view")
def statements_page(request):
    period = _period(request)
    kind = request.GET.get("kind", "balance-sheet")
    if kind not in statements.STATEMENTS:
        kind = "balance-sheet"
    report = statements.STATEMENTS[kind](period)
    company = company_name()
    if request.GET.get("format") in ("xlsx", "pdf"):
        return _file(files.statement_table(report, company=company), request.GET["format"], f"{kind}-{period}")
    order = report["column_order"]
    return render(request, "web_ledger/statements.html", {
        "period": period, "kind": kind, "report": report, "company": company, "dated": files.statement_period(report),
        "headers": [report["column_names_zh"][k] for k in order],
        "rows": [{**line, "amounts": [line[k] for k in order]} for line in report["lines"]],
        "kinds": [("balance-sheet", _("Balance sheet")), ("income-statement", _("Income statement")),
                  ("cash-flow", _("Cash flow statement"))],
    })


def _quantity_table(request, account, period: str, period_to: str):
    """数量金额明细账 of a stock account: one product in one warehouse, from the costing layers."""
    from sihe.catalog.selectors import product_by_sku, warehouse_by_code
    from sihe.costing.reports import product_ledger

    product = product_by_sku(request.GET.get("sku", ""))
    warehouse = warehouse_by_code(request.GET.get("warehouse", ""))
    rows = []
    for r in product_ledger(product=product, warehouse=warehouse, start=close.last_day(period).replace(day=1),
                            end=close.last_day(period_to)):
        unit = (r["balance_value"] / r["balance_qty"]) if r["balance_qty"] else None
        balance = [r["balance_qty"], unit, r["balance_value"]]
        if r["kind"] in ("opening", "closing"):
            rows.append([r["date"].isoformat(), "期初结存" if r["kind"] == "opening" else "期末结存",
                         None, None, None, None, None, None, *balance])
            continue
        moved = [abs(r["qty"]), r["unit_cost"], abs(r["value"])]
        if r["kind"] == "revaluation":  # 入库成本调整: an amount without a quantity, negative when cheaper
            moved = [None, None, r["value"]]
        empty = [None, None, None]
        rows.append([r["date"].isoformat(), r["reference"] or r["kind"],
                     *(moved + empty if r["direction"] == "in" else empty + moved), *balance])
    return files.Table(
        title="数量金额明细账",
        subtitle=f"科目：{account.code} {account.name}    {product.sku} {product.name}    仓库：{warehouse.code}    "
                 f"{period} — {period_to}    单位：元",
        headers=["日期", "摘要", "收入数量", "收入单价", "收入金额", "发出数量", "发出单价", "发出金额",
                 "结存数量", "结存单价", "结存金额"], rows=rows)


def _shown(cell):
    """Amounts on the page with thousands separators, as the PDF and the accountant write them."""
    from decimal import Decimal

    if isinstance(cell, Decimal):
        return f"{cell:,.2f}"
    return "" if cell is None else cell


@require_permission("ledger.view")
def ledgers(request):
    period = _period(request)
    code = request.GET.get("account", "1002")
    kind = request.GET.get("kind", "detail")
    period_to = request.GET.get("to") or period
    try:
        account = reports.account_by_code(code)
        period_to = max(period, services.parse_period(period_to))
        if kind == "general":
            table = files.general_ledger_table(reports.general_ledger(account, int(period[:4]), up_to=period))
        elif kind == "multi":
            table = files.multi_column_table(reports.multi_column_ledger(account, period, period_to))
        elif kind == "quantity":
            table = _quantity_table(request, account, period, period_to)
        else:
            table = files.detail_ledger_table(reports.detail_ledger(account, period, period_to))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("web_ledger:ledgers"))
    if request.GET.get("format") in ("xlsx", "pdf"):
        return _file(table, request.GET["format"], f"{kind}-{code}-{period}")
    extra = {k: request.GET.get(k, "") for k in ("sku", "warehouse")}
    return render(request, "web_ledger/ledgers.html", {
        "period": period, "to": period_to, "account": account, "kind": kind, "table": table,
        "rows": [[_shown(cell) for cell in row] for row in table.rows], "numeric_from": table.numeric_from,
        "accounts": reports.accounts(), "extra": extra, "query": urlencode({k: v for k, v in extra.items() if v}),
    })


# -- month-end close ------------------------------------------------------------------------------


@require_permission("ledger.view")
def close_page(request):
    period = _period(request)
    if request.method == "POST":
        if not can(request.user, "ledger.close"):
            return render(request, "web/forbidden.html", {"permission": "ledger.close"}, status=403)
        try:
            with tx.entry():
                if request.POST.get("act") == "reopen":
                    services.reopen_period(period=period, actor=request.actor, reason=request.POST.get("reason", ""))
                    messages.success(request, _("Period %(p)s reopened.") % {"p": period})
                else:
                    result = services.close_period(period=period, actor=request.actor,
                                                   confirm_early=request.POST.get("confirm_early") == "1",
                                                   reason=request.POST.get("reason", "")[:200])
                    made = ", ".join(v["number"] for v in result["vouchers"]) or "—"
                    messages.success(request, _("Period %(p)s closed; vouchers %(v)s.") % {"p": period, "v": made})
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(f"{reverse('web_ledger:close')}?period={period}")
    state = selectors.period_state(period)
    return render(request, "web_ledger/close.html", {
        "period": period, "state": state, "checks": close.run_checks(period),
        "early": not services.period_has_ended(period), "last_day": close.last_day(period),
        "can_close": can(request.user, "ledger.close"), "periods": selectors.periods(newest_first=True)[:24],
        "vat": vat_selectors.month(period), "input_reasons": vat_selectors.InputVatTransfer.Reason.choices,
    })


# -- posting rules --------------------------------------------------------------------------------


@require_permission("ledger.view")
def rules_page(request):
    if request.method == "POST":
        if not can(request.user, "ledger.edit"):
            return render(request, "web/forbidden.html", {"permission": "ledger.edit"}, status=403)
        line = get_object_or_404(selectors.posting_rule_lines(), pk=request.POST.get("line"))
        try:
            with tx.entry():
                rules.update_rule_line(
                    line=line, actor=request.actor, account=request.POST.get("account", ""),
                    side=request.POST.get("side", ""), amount_key=request.POST.get("amount_key", ""),
                    summary=request.POST.get("summary", ""), cash_flow_item=request.POST.get("cash_flow_item") or None,
                )
            messages.success(request, _("Rule %(r)s changed.") % {"r": line.rule.code})
        except DomainError as exc:
            messages.error(request, f"{line.rule.code}: {exc.message}")
        return redirect("web_ledger:rules")
    return render(request, "web_ledger/rules.html", {
        "rules": selectors.posting_rules(),
        "accounts": reports.accounts().filter(is_leaf=True), "items": selectors.cash_flow_items(),
        "can_edit": can(request.user, "ledger.edit"),
    })


# -- opening balances -----------------------------------------------------------------------------


@require_permission("ledger.view")
def opening_page(request):
    if request.GET.get("template"):
        from sihe.ledger.render import Table

        table = Table(title="期初余额", subtitle="", headers=opening.template_rows()[0], rows=opening.template_rows()[1:])
        return _file(table, "xlsx", "opening-balances-template")
    result = None
    if request.method == "POST":
        if not can(request.user, "ledger.edit"):
            return render(request, "web/forbidden.html", {"permission": "ledger.edit"}, status=403)
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise DomainError(_("Choose an Excel file."), field="file")
            data = upload.read()
            rows = opening.read_workbook(data)
            with tx.entry():
                count = services.import_opening_balances(period=request.POST.get("period", ""), rows=rows,
                                                         actor=request.actor, cash_flows=opening.read_cash_flows(data))
            messages.success(request, _("%(n)s opening balances saved.") % {"n": count})
            return redirect("web_ledger:opening")
        except DomainError as exc:
            result = exc
    summary = reports.opening_summary()
    return render(request, "web_ledger/opening.html", {
        "error": result, "summary": summary, "period": request.POST.get("period") or summary["period"]
        or services.period_of(clock.today()),
    }, status=422 if result else 200)

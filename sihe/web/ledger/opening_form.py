"""建账 on the page: the opening balances entered per leaf account — 年初余额, 本年累计借/贷 and 期初余额 (any two,
the third follows), one row per account and its dimensions, plus the 本年累计 per cash-flow line — saved through
`services.import_opening_balances`, which checks the three trial balances. A refused save shows the form again
as typed, with the error next to the account and the column it names (`rows.<i>.<field>` from the service).
Rows another part of the books added (the stock ledger's 期初库存, `source`) are shown and kept as they are."""

import re
from decimal import Decimal

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from sihe.core import clock, tx
from sihe.core.errors import DomainError
from sihe.core.roles import can
from sihe.ledger import reports, selectors, services
from sihe.web.permissions import require_permission

KEYS = ("year_start_debit", "year_start_credit", "ytd_debit", "ytd_credit", "debit", "credit")
LABELS = {
    "year_start_debit": pgettext_lazy("opening form", "year-start debit (年初借方)"),
    "year_start_credit": pgettext_lazy("opening form", "year-start credit (年初贷方)"),
    "ytd_debit": pgettext_lazy("opening form", "year-to-date debit (本年累计借方)"),
    "ytd_credit": pgettext_lazy("opening form", "year-to-date credit (本年累计贷方)"),
    "debit": pgettext_lazy("opening form", "opening debit (期初借方)"),
    "credit": pgettext_lazy("opening form", "opening credit (期初贷方)"),
    "account": pgettext_lazy("opening form", "account"),
    "partner": pgettext_lazy("opening form", "partner"), "department": pgettext_lazy("opening form", "department"),
    "project": pgettext_lazy("opening form", "project"), "warehouse": pgettext_lazy("opening form", "warehouse"),
}
DIMENSIONS = ("partner", "department", "project", "warehouse")
EXTRA_ROWS = 3
ROW_PREFIX = re.compile(r"^rows\.\d+(\.\w+)?\s*[:：]\s*")


def _text(value) -> str:
    return "" if not value else f"{Decimal(value):.2f}"


def _row(account, values: dict, dims: dict, *, free: bool = False) -> dict:
    return {"account": account, "code": account.code if account else "", "values": values, "dims": dims,
            "free": free, "pl": bool(account and account.category == "profit_loss"),
            "tracked": account.dimensions if account and not free else list(DIMENSIONS), "error": None}


def _grid_from_books(leaves: list) -> tuple[list[dict], list[dict]]:
    """The editable rows (one per leaf account, more where it has several dimension rows) and the kept ones."""
    summary = reports.opening_summary()
    own: dict[str, list[dict]] = {}
    kept = []
    for row in summary["rows"]:
        (kept if row["source"] else own.setdefault(row["account"], [])).append(row)
    grid = []
    by_code = {a.code: a for a in leaves}
    for account in leaves:
        for row in own.pop(account.code, None) or [None]:
            values = {k: _text(row[k]) if row else "" for k in KEYS}
            dims = {d: row[d] if row else "" for d in DIMENSIONS}
            grid.append(_row(account, values, dims))
    for code, rows in own.items():  # an account no longer an active leaf keeps its rows visible, to fix
        for row in rows:
            grid.append(_row(by_code.get(code), {k: _text(row[k]) for k in KEYS},
                             {d: row[d] for d in DIMENSIONS}, free=True) | {"code": code})
    grid += [_row(None, dict.fromkeys(KEYS, ""), dict.fromkeys(DIMENSIONS, ""), free=True) for _i in range(EXTRA_ROWS)]
    return grid, kept


def _grid_from_post(post, leaves: list) -> list[dict]:
    by_code = {a.code: a for a in leaves}
    grid = []
    for n in range(min(int(post.get("rows") or 0), 5000)):
        free = post.get(f"r{n}-free") == "1"
        code = (post.get(f"r{n}-account") or "").strip()
        row = _row(by_code.get(code), {k: (post.get(f"r{n}-{k}") or "").strip() for k in KEYS},
                   {d: (post.get(f"r{n}-{d}") or "").strip() for d in DIMENSIONS}, free=free)
        row["code"] = code
        grid.append(row)
    return grid


def _submitted(grid: list[dict]) -> tuple[list[dict], list[int]]:
    """The rows with something in them, for the service, and for each its row on the form."""
    rows, where = [], []
    for n, row in enumerate(grid):
        if not row["code"] or not any(row["values"].values()):
            continue
        rows.append({"account": row["code"], **{k: v for k, v in row["values"].items() if v},
                     **{d: v for d, v in row["dims"].items() if v}})
        where.append(n)
    return rows, where


def _place_error(exc: DomainError, grid: list[dict], where: list[int]) -> str:
    """The message naming the account and the column; the row gets it too, to show beside its inputs."""
    field = exc.field or ""
    parts = field.split(".")
    if len(parts) == 3 and parts[0] == "rows" and parts[1].isdigit() and int(parts[1]) < len(where):
        row = grid[where[int(parts[1])]]
        label = LABELS.get(parts[2], parts[2])
        name = f"{row['code']} {row['account'].name}" if row["account"] else row["code"]
        # the service's message starts with rows.<i>[.<field>]: the page names the account and column instead
        message = ROW_PREFIX.sub("", exc.message)
        row["error"] = {"field": parts[2], "message": message}
        return _("%(account)s, %(column)s: %(message)s") % {"account": name, "column": label, "message": message}
    return exc.message


@require_permission("ledger.view")
def opening_form(request):
    leaves = list(reports.accounts().filter(is_leaf=True, active=True).order_by("code"))
    items = list(selectors.cash_flow_items().order_by("line_no"))
    summary = reports.opening_summary()
    period = request.POST.get("period") or summary["period"] or services.period_of(clock.today())
    error, status = None, 200
    if request.method == "POST":
        if not can(request.user, "ledger.edit"):
            return render(request, "web/forbidden.html", {"permission": "ledger.edit"}, status=403)
        grid = _grid_from_post(request.POST, leaves)
        kept = [r for r in summary["rows"] if r["source"]]
        flows = {str(item.line_no): (request.POST.get(f"cf{item.line_no}") or "").strip() for item in items}
        rows, where = _submitted(grid)
        try:
            with tx.entry():
                count = services.import_opening_balances(period=period, rows=rows, actor=request.actor,
                                                         cash_flows={k: v for k, v in flows.items() if v})
            messages.success(request, _("%(n)s opening balances saved.") % {"n": count})
            return redirect("web_ledger:opening")
        except DomainError as exc:
            error, status = {"message": _place_error(exc, grid, where), "field": exc.field}, 422
    else:
        grid, kept = _grid_from_books(leaves)
        given = {f["line_no"]: f["amount"] for f in summary["cash_flows"]}
        flows = {str(item.line_no): _text(given.get(item.line_no)) for item in items}
    for row in grid:  # the inputs in column order; a 损益类 account has only its 本年累计 (实际发生额)
        bad = row["error"]["field"] if row["error"] else ""
        row["cells"] = [{"key": k, "value": row["values"][k], "off": row["pl"] and not k.startswith("ytd"),
                         "bad": bad == k or (bad == "account" and k.startswith("ytd"))} for k in KEYS]
        row["dim_cells"] = [{"key": d, "value": row["dims"][d], "label": LABELS[d], "bad": bad == d}
                            for d in row["tracked"]]
    return render(request, "web_ledger/opening_form.html", {
        "grid": grid, "kept": kept, "period": period, "summary": summary, "error": error, "keys": KEYS,
        "items": [{"item": item, "value": flows[str(item.line_no)],
                   "bad": bool(error) and error["field"] in ("cash_flows", f"cash_flows.{item.line_no}")}
                  for item in items],
        "can_edit": can(request.user, "ledger.edit"), "dimension_labels": {d: LABELS[d] for d in DIMENSIONS},
    }, status=status)

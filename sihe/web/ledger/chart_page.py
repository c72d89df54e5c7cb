"""The chart of accounts (科目表) page: every account with its direction, role and the 利润表 line its role
feeds, and the form an accountant adds a sub-account with (`sihe.ledger.accounts.add_account`). A leaf in use
that gets its first sub-account moves its balance into it, as 金蝶/用友 do; the page says so."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sihe.core import tx
from sihe.core.errors import DomainError
from sihe.core.roles import can
from sihe.ledger import accounts, reports, statements
from sihe.web.permissions import require_permission

DIMENSIONS = ("partner", "department", "project", "warehouse")


def _role_lines() -> dict[str, str]:
    """role → the 利润表 line that reads it (e.g. admin_entertainment → 16 业务招待费)."""
    found = {}
    for line_no, name, rule in statements.INCOME_LINES:
        for part in (rule or ())[1:]:
            if part.startswith("role:"):
                found[part[5:]] = f"{line_no} {name.removeprefix('其中：')}"
    return found


@require_permission("ledger.view")
def chart(request):
    values, error = {}, None
    if request.method == "POST":
        if not can(request.user, "ledger.edit"):
            return render(request, "web/forbidden.html", {"permission": "ledger.edit"}, status=403)
        values = {k: request.POST.get(k, "").strip() for k in ("parent", "code", "name", "name_en", "role")}
        try:
            with tx.entry():
                account = accounts.add_account(actor=request.actor, dimensions=request.POST.getlist("dimensions"),
                                               **values)
            parent = reports.account_by_code(values["parent"])
            if parent.moved_into_id == account.pk:
                messages.success(request, _("Account %(code)s added; the balance of %(parent)s moved into it.")
                                 % {"code": account.code, "parent": parent.code})
            else:
                messages.success(request, _("Account %(code)s added.") % {"code": account.code})
            return redirect(f"{request.path}#a-{account.code}")
        except DomainError as exc:
            error = exc
    roles = _role_lines()
    rows = [{"account": a, "line": roles.get(a.role, "")} for a in reports.accounts().select_related("moved_into")]
    return render(request, "web_ledger/chart.html", {
        "rows": rows, "values": values, "error": error, "can_edit": can(request.user, "ledger.edit"),
        "roles": sorted(roles.items(), key=lambda kv: int(kv[1].split()[0])), "dimensions": DIMENSIONS,
        "chosen": request.POST.getlist("dimensions") if error else [],
    }, status=422 if error else 200)

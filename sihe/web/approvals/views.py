"""The approvals inbox page: everything waiting for this person's decision, one card each with big approve
and refuse buttons (a manager decides on the phone); the top bar's count badge, loaded after the page."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from sihe.core import approvals, tx
from sihe.core.actor import Actor
from sihe.core.errors import DomainError
from sihe.core.roles import can
from sihe.ledger import selectors as ledger_selectors
from sihe.ledger.approvals import services as ledger_approvals
from sihe.web.permissions import require_permission


@require_permission("approvals.view")
def inbox(request):
    kind = request.GET.get("kind", "")
    items = approvals.pending_for(request.actor, kind=kind or None)
    labels = {k.code: k.label for k in approvals.kinds()}
    counts: dict[str, int] = {}
    for item in approvals.pending_for(request.actor) if kind else items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    closed = []
    if can(request.user, "ledger.close"):
        closed = [p.code for p in ledger_selectors.periods(newest_first=True)[:24] if p.is_closed]
    return render(request, "web_approvals/inbox.html", {
        "items": [{"item": i, "label": labels.get(i.kind, i.kind)} for i in items], "kind": kind,
        "tabs": [{"code": c, "label": labels.get(c, c), "count": n} for c, n in counts.items()],
        "total": sum(counts.values()), "closed_periods": closed,
    })


@require_permission("approvals.view")
def decide(request, kind: str, pk: str, action: str):
    if request.method != "POST" or action not in ("approve", "refuse"):
        return redirect("web_approvals:inbox")
    try:
        with tx.entry():
            approvals.decide(kind, pk, action, actor=request.actor, note=request.POST.get("note", "")[:300])
        messages.success(request, _("Approved.") if action == "approve" else _("Refused."))
    except DomainError as exc:
        messages.error(request, exc.message)
    back = request.POST.get("kind_filter", "")
    return redirect(reverse("web_approvals:inbox") + (f"?kind={back}" if back.isidentifier() else ""))


@require_permission("ledger.close")
def request_reopen(request):
    if request.method == "POST":
        try:
            with tx.entry():
                found = ledger_approvals.request_reopen(period=request.POST.get("period", ""), actor=request.actor,
                                                        reason=request.POST.get("reason", "")[:200])
            messages.success(request, _("Reopening %(p)s is asked for; another person decides.") % {"p": found.period})
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("web_approvals:inbox")


def badge(request):
    """The count for the top bar (fetched by htmx after the page is shown, so no page waits for it)."""
    if not request.user.is_authenticated or not can(request.user, "approvals.view"):
        return HttpResponse("")
    n = approvals.count_for(Actor.for_user(request.user))
    if not n:
        return HttpResponse("")
    return render(request, "web_approvals/_badge.html", {"n": n})

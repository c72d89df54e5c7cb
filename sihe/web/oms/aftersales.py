"""The after-sales pages of the service team: the queue of cases by deadline (late ones first), the acts
the case's table allows (approve, reject, refund, cancel), and opening a refund-only case from an order."""

from django.contrib import messages
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from sihe.core import clock, tx
from sihe.core.errors import DomainError
from sihe.core.roles import can
from sihe.oms import selectors as order_selectors
from sihe.oms.aftersales import selectors, services
from sihe.oms.aftersales.selectors import Case
from sihe.oms.aftersales.transitions import actions_for
from sihe.web.oms.views import _arg, _back, _error_text, _forbidden, _page, _posted, _render
from sihe.web.paging import querystring
from sihe.web.permissions import require_permission

# act → the permission it needs (approval is a manager's)
ACTS = {"approve": "aftersales.approve", "reject": "orders.manage", "refund": "orders.manage",
        "cancel": "orders.manage"}


@require_permission("orders.view")
def queue(request):
    status = _arg(request, "status")
    overdue = _arg(request, "overdue") == "1"
    if status and status not in Case.Status.values:
        status = ""
    qs = selectors.cases(status=status, overdue=overdue) if (status or overdue) else selectors.queue()
    page = _page(request, qs)
    now = clock.now()
    rows = []
    for c in page.object_list:
        hours_left = (c.due_at - now).total_seconds() / 3600
        rows.append({"case": c, "late": c.status in selectors.OPEN and hours_left < 0,
                     "hours": abs(round(hours_left)), "acts": [
                         a for a in actions_for(c) if can(request.user, ACTS[a])]})
    return _render(request, "web_oms/aftersales.html", {
        "page": page, "rows": rows, "status": status, "overdue": overdue, "statuses": Case.Status.choices,
        "querystring": querystring(request), "here": request.get_full_path()})


@require_permission("orders.view")
def act(request, pk: int, action: str):
    if request.method != "POST" or action not in ACTS:
        raise Http404(action)
    if not can(request.user, ACTS[action]):
        return _forbidden(request, ACTS[action])
    try:
        posted = _posted(request)
        case = selectors.case(pk)
        note = posted.get("note", "")
        with tx.entry():
            if action == "refund":
                case = services.refund(case=case, actor=request.actor)
                messages.success(request, _("%(n)s refunded ¥%(a)s") % {"n": case.number, "a": case.refunded_amount})
            else:
                verb = getattr(services, action)
                case = verb(case=case, actor=request.actor, note=note)
                messages.success(request, _("%(n)s is %(s)s") % {"n": case.number, "s": case.get_status_display()})
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    return _back(request, reverse("web_oms:aftersales"))


@require_permission("orders.manage")
def open_case(request, pk: int):
    """From the order page: a refund-only or a return-and-refund case on one shipped line."""
    if request.method != "POST":
        raise Http404
    order = order_selectors.order_by_key(pk)
    try:
        posted = _posted(request)
        line = services.LineIn(line=posted.get("line", ""), qty=posted.get("qty") or "0",
                               amount=posted.get("amount") or None, field="lines[0]",
                               replacement=posted.get("replacement", ""))
        with tx.entry():
            kind = posted.get("kind") or Case.Kind.REFUND_ONLY
            case = services.open_case(order=order, kind=kind, lines=[line],
                                      reason=posted.get("reason", ""), refund_via=posted.get("refund_via") or "platform",
                                      actor=request.actor)
        messages.success(request, _("after-sales case %(n)s opened (%(s)s)") % {
            "n": case.number, "s": case.get_status_display()})
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    return _back(request, reverse("web_oms:order", args=[order.pk]))

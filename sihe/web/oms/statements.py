"""Settlement statement pages (账单): the statements imported so far with the upload form (a channel and its
bill), and one statement with its rows — matched, already settled, or a difference with its reason and both
figures. The import is `sihe.oms.statements.import_statement`, one act."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from sihe.catalog import selectors as catalog
from sihe.core import tx
from sihe.core.errors import DomainError, NotFound, ValidationFailed
from sihe.core.roles import can
from sihe.oms import selectors, statements
from sihe.oms.selectors import StatementRow
from sihe.web.oms.views import _arg, _error_text, _forbidden, _page, _render
from sihe.web.paging import querystring
from sihe.web.permissions import require_permission

ROW_LABELS = {
    StatementRow.Status.MATCHED: pgettext_lazy("statement row", "settled"),
    StatementRow.Status.DUPLICATE: pgettext_lazy("statement row", "settled before"),
    StatementRow.Status.DIFFERENCE: pgettext_lazy("statement row", "difference"),
}
REASON_LABELS = {
    "unknown_order": pgettext_lazy("statement row", "no such order in this channel"),
    "over_settlement": pgettext_lazy("statement row", "more than is still receivable"),
    "amount_differs": pgettext_lazy("statement row", "differs from what is still receivable"),
}
LAYOUT_LABELS = {
    "alipay": pgettext_lazy("statement layout", "Alipay account statement"),
    "items": pgettext_lazy("statement layout", "itemised bill (JD)"),
    "orders": pgettext_lazy("statement layout", "one row per order (Douyin)"),
}
PLATFORM_TYPES = ("taobao", "jd", "douyin", "shopify", "woocommerce", "api")


def layout_label(value: str) -> str:
    return str(LAYOUT_LABELS.get(value, value))


@require_permission("ledger.view")
def statement_list(request):
    channel = _arg(request, "channel", 40)
    if request.method == "POST":
        return _upload(request)
    page = _page(request, selectors.statements(channel=channel))
    for s in page.object_list:
        s.layout_label = layout_label(s.layout)
    channels = [c for c in catalog.channels() if c.type in PLATFORM_TYPES]
    return _render(request, "web_oms/statements.html", {
        "page": page, "channel": channel, "channels": channels, "querystring": querystring(request),
        "can_import": can(request.user, "payments.manage")})


def _upload(request):
    if not can(request.user, "payments.manage"):
        return _forbidden(request, "payments.manage")
    upload = request.FILES.get("file")
    try:
        code = (request.POST.get("channel") or "").replace("\x00", "").strip()[:40]
        if not code:
            raise ValidationFailed(_("choose a channel"), field="channel")
        channel = catalog.channel_by_code(code)
        if upload is None:
            raise ValidationFailed(_("choose a .csv or .xlsx file"), field="file")
        if upload.size and upload.size > statements.MAX_BYTES:
            raise ValidationFailed(_("the file is too large"), field="file")
        with tx.entry():
            statement = statements.import_statement(channel=channel, content=upload.read(), file_name=upload.name or "",
                                                    actor=request.actor)
    except DomainError as exc:
        problems = exc.extra.get("errors") or []
        messages.error(request, _error_text(exc))
        for p in problems[:20]:
            messages.error(request, _("line %(row)s, %(field)s: %(message)s") % {
                "row": p.get("row"), "field": p.get("field") or "", "message": p.get("message")})
        return redirect("web_oms:statements")
    messages.success(request, _("Statement #%(id)s imported") % {"id": statement.pk})
    return redirect("web_oms:statement", pk=statement.pk)


@require_permission("ledger.view")
def statement_page(request, pk: int):
    try:
        stmt = selectors.statement(pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    status = _arg(request, "status", 20)
    if status not in StatementRow.Status.values:
        status = ""
    rows = selectors.statement_rows(stmt, status=status)
    for r in rows:
        r.status_label = ROW_LABELS.get(r.status, r.status)
        r.reason_label = REASON_LABELS.get(r.reason, r.message or r.reason)
        r.total = r.amount + r.fee
        r.gap = (r.total - r.receivable) if r.receivable is not None else None
    return _render(request, "web_oms/statement.html", {
        "s": stmt, "rows": rows, "status": status, "statuses": list(ROW_LABELS.items()),
        "layout": layout_label(stmt.layout)})

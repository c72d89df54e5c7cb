"""拆单 on the order page: choose how many of each line of a shipment leave apart, check both parts,
confirm; the order's splits listed, each joined again (undo) before picking."""

from decimal import Decimal

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from sihe.core import tx
from sihe.core.errors import DomainError
from sihe.core.roles import can
from sihe.oms.splitting import selectors as splitting
from sihe.oms.splitting import services as split_services
from sihe.web.oms.views import _error_text, _forbidden, _get_order, _posted, _render
from sihe.web.permissions import require_permission

SPLIT_STATUS = {"active": pgettext_lazy("split", "split"), "undone": pgettext_lazy("split", "joined again")}


def _chosen(posted: dict, shipment: dict) -> tuple[list[dict], list[dict], list[dict]]:
    """(entries for the service, part 1 rows, part 2 rows) from the quantities typed per line."""
    entries, first, rest = [], [], []
    for row in shipment["lines"]:
        raw = (posted.get(f"qty_{row['line']}") or "0").strip() or "0"
        if not raw.isdigit() or len(raw) > 9:
            raise DomainError(_("the quantity of line %(line)s must be a whole number") % {"line": row["line"]},
                              field=f"qty_{row['line']}", code="invalid_qty")
        take = Decimal(raw)
        if take > 0:
            entries.append({"line": row["line"], "qty": int(take)})
            first.append({**row, "qty": take})
        if row["qty"] - take > 0:
            rest.append({**row, "qty": row["qty"] - take})
    return entries, first, rest


@require_permission("orders.view")
def split(request, pk):
    """GET: the shipments that may be split, a quantity per line; POST step 1: both parts to check;
    POST with `confirm`: split, back to the order."""
    o = _get_order(pk)
    manage = can(request.user, "orders.manage")
    shipments = splitting.split_form(o) if manage else []
    context = {"o": o, "shipments": shipments, "can_manage": manage, "step": "choose",
               "splits": [{**splitting.split_out(s), "status_text": SPLIT_STATUS.get(s.status, s.status)}
                          for s in splitting.splits_of(o)]}
    if request.method == "POST":
        if not manage:
            return _forbidden(request, "orders.manage")
        try:
            posted = _posted(request)
            number = posted.get("shipment", "")
            shipment = next((s for s in shipments if s["number"] == number), None)
            if shipment is None:
                raise DomainError(_("shipment %(s)s cannot be split now") % {"s": number[:100]}, field="shipment")
            entries, first, rest = _chosen(posted, shipment)
            if posted.get("confirm") == "1":
                with tx.entry():
                    record = split_services.split_shipment(order=o, lines=entries, shipment=number,
                                                           note=posted.get("note", "")[:300], actor=request.actor)
                parts = splitting.split_out(record)["shipments"]
                messages.success(request, _("Split %(n)s: shipment %(s)s is now %(a)s and %(b)s.")
                                 % {"n": record.number, "s": number, "a": parts[0]["number"], "b": parts[1]["number"]})
                return redirect("web_oms:order", pk=o.pk)
            if not entries:
                raise DomainError(_("choose at least one line and quantity to ship separately"), field="lines",
                                  code="empty_split")
            if not rest:
                raise DomainError(_("that is the whole shipment %(s)s: leave something for the other part")
                                  % {"s": number}, field="lines", code="whole_shipment")
            context.update(step="confirm", shipment=shipment, first=first, rest=rest,
                           posted={f"qty_{e['line']}": e["qty"] for e in entries}, note=posted.get("note", "")[:300])
        except DomainError as exc:
            messages.error(request, _error_text(exc))
            return redirect("web_oms:order_split", pk=o.pk)
    return _render(request, "web_oms/order_split.html", context)


@require_permission("orders.view")
def split_undo(request, pk, split_id):
    o = _get_order(pk)
    if request.method != "POST":
        return redirect("web_oms:order_split", pk=o.pk)
    if not can(request.user, "orders.manage"):
        return _forbidden(request, "orders.manage")
    try:
        posted = _posted(request)
        if splitting.split(split_id).order_id != o.pk:
            raise Http404(split_id)
        with tx.entry():
            record = split_services.undo(split_id=split_id, actor=request.actor, note=posted.get("note", "")[:300])
        messages.success(request, _("Split %(n)s undone: the goods ship together in %(s)s.")
                         % {"n": record.number, "s": record.joined_shipment})
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    return redirect("web_oms:order_split", pk=o.pk)

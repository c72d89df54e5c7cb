"""Bulk acts on the order list (审核, 合单, hold, release) with a confirmation step and a result per
order, and the 合单 page: orders that may ship together now, merged shipments (undo before picking),
and the merge rules per shop, per channel or for all."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from sihe.catalog import selectors as catalog
from sihe.core import tx
from sihe.core.errors import DomainError
from sihe.core.roles import can
from sihe.oms import services
from sihe.oms.merging import selectors as merging
from sihe.oms.merging import services as merge_services
from sihe.web.oms.views import _back, _error_text, _forbidden, _posted, _render, status_label
from sihe.web.permissions import require_permission

MAX_BULK = 200
BULK_ACTS = {
    "review": pgettext_lazy("bulk order act", "Review (审核)"),
    "merge": pgettext_lazy("bulk order act", "Merge into one shipment (合单)"),
    "hold": pgettext_lazy("bulk order act", "Hold"),
    "release": pgettext_lazy("bulk order act", "Release"),
}
MERGE_STATUS = {
    merging.Merge.Status.ACTIVE: pgettext_lazy("merge", "merged"),
    merging.Merge.Status.SHIPPED: pgettext_lazy("merge", "shipped"),
    merging.Merge.Status.UNDONE: pgettext_lazy("merge", "undone"),
}
DONE = {"review": gettext_lazy("reviewed, now %(s)s"), "hold": gettext_lazy("held"),
        "release": gettext_lazy("released, now %(s)s")}


def _ids(values: list[str]) -> list[int]:
    out = []
    for v in values:
        v = (v or "").strip()
        if v.isdigit() and len(v) < 19 and int(v) not in out:
            out.append(int(v))
    return out[:MAX_BULK]


@require_permission("orders.view")
def bulk(request):
    """Step 1 (no `confirm`): the chosen orders and what will happen to each; step 2: done, per order."""
    if request.method != "POST":
        return redirect("web_oms:orders")
    if not can(request.user, "orders.manage"):
        return _forbidden(request, "orders.manage")
    try:
        posted = _posted(request)
    except DomainError as exc:
        messages.error(request, _error_text(exc))
        return _back(request, reverse("web_oms:orders"))
    act = posted.get("act", "")
    ids = _ids(request.POST.getlist("order"))
    if act not in BULK_ACTS:
        messages.error(request, _("choose what to do with the orders"))
        return _back(request, reverse("web_oms:orders"))
    if not ids:
        messages.error(request, _("tick at least one order"))
        return _back(request, reverse("web_oms:orders"))
    orders = merging.orders_for_check(ids)
    note = posted.get("note", "")[:300]
    context = {"act": act, "act_label": BULK_ACTS[act], "orders": orders, "note": note,
               "next": posted.get("next", "")}
    if posted.get("confirm") != "1":
        problems = merging.problems(orders) if act == "merge" else []
        by_order: dict[str, list[str]] = {}
        for p in problems:
            by_order.setdefault(p["order"], []).append(p["message"])
        context.update(step="confirm", rows=[{"order": o, "status": status_label(o.status),
                                              "problems": by_order.get(o.number, [])} for o in orders],
                       blocked=bool(problems) or (act == "merge" and len(orders) < 2))
        return _render(request, "web_oms/orders_bulk.html", context)
    rows = []
    if act == "merge":
        try:
            with tx.entry():
                record = merge_services.merge(order_ids=[o.pk for o in orders], actor=request.actor, note=note)
            rows = [{"order": o, "ok": True, "text": _("in merged shipment %(m)s (%(s)s)")
                     % {"m": record.number, "s": record.shipment_number}} for o in orders]
        except DomainError as exc:
            listed = exc.extra.get("errors") or [{"field": exc.field, "message": exc.message}]
            texts: dict[int, list[str]] = {}
            for e in listed:
                field = str(e.get("field") or "")
                index = int(field[10:-1]) if field.startswith("order_ids[") and field[10:-1].isdigit() else -1
                texts.setdefault(index, []).append(e["message"])
            rows = [{"order": o, "ok": False, "text": "；".join(texts.get(i, [])) or _("not merged")}
                    for i, o in enumerate(orders)]
            for text in texts.get(-1, []):
                messages.error(request, text)
    else:
        for o in orders:
            try:
                with tx.entry():
                    if act == "review":
                        o = services.review_order(order=o, actor=request.actor)
                    elif act == "hold":
                        o = services.hold_order(order=o, actor=request.actor, detail=note)
                    else:
                        o = services.release_order(order=o, actor=request.actor, note=note)
                rows.append({"order": o, "ok": True, "text": DONE[act] % {"s": status_label(o.status)}})
            except DomainError as exc:
                rows.append({"order": o, "ok": False, "text": exc.message})
    context.update(step="done", rows=rows, done=sum(1 for r in rows if r["ok"]),
                   failed=sum(1 for r in rows if not r["ok"]))
    return _render(request, "web_oms/orders_bulk.html", context)


@require_permission("orders.view")
def merges(request):
    """Candidates, merged shipments, rules; acts by POST: merge a candidate group, undo, save or remove a rule."""
    if request.method == "POST":
        if not can(request.user, "orders.manage"):
            return _forbidden(request, "orders.manage")
        try:
            posted = _posted(request)
            act = posted.get("act", "")
            with tx.entry():
                if act == "undo":
                    record = merge_services.undo(merge_id=posted.get("merge", ""), actor=request.actor,
                                                 note=posted.get("note", "")[:300])
                    messages.success(request, _("Merge %(m)s undone: each order ships on its own.") % {"m": record.number})
                elif act == "merge":
                    record = merge_services.merge(order_ids=_ids(request.POST.getlist("order")), actor=request.actor)
                    messages.success(request, _("Merged into %(m)s, shipment %(s)s.")
                                     % {"m": record.number, "s": record.shipment_number})
                elif act == "rule":
                    hours = posted.get("window_hours", "").strip()
                    if not hours.isdigit():
                        raise DomainError(_("the time window is 1 to 720 hours"), field="window_hours")
                    merge_services.save_rule(
                        channel=merging.channel(posted.get("channel", "").strip() or None),
                        shop=posted.get("shop", ""), active=posted.get("active") == "1",
                        window_hours=int(hours[:6]), cross_shop=posted.get("cross_shop") == "1",
                        note=posted.get("note", ""), actor=request.actor)
                    messages.success(request, _("Merge rule saved."))
                elif act == "delete_rule":
                    merge_services.delete_rule(rule=merging.rule(posted.get("rule", "")), actor=request.actor)
                    messages.success(request, _("Merge rule removed."))
                else:
                    raise Http404(act)
        except DomainError as exc:
            listed = exc.extra.get("errors") or []
            messages.error(request, "；".join(e["message"] for e in listed) if listed else _error_text(exc))
        return redirect("web_oms:merges")
    rows = [{**merging.merge_out(m, costs=False), "m": m, "status_text": MERGE_STATUS.get(m.status, m.status)}
            for m in merging.merges(limit=50)]
    return _render(request, "web_oms/merges.html", {
        "candidates": merging.candidates(limit=50), "merges": rows, "rules": merging.rules(),
        "default": merging.default_rule(), "channels": catalog.channels(),
        "can_manage": can(request.user, "orders.manage")})

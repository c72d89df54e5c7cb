"""Orders pages: the order list with its filters and hold reasons, one order whole (lines, shipments,
timeline, vouchers, invoices, settlements) with its acts, the customer-service queue, intake errors with
replay, SKU mappings with the channel SKUs still to map, channel sync with "pull now" and ATP, and
receivables aging with its Excel download. Reads go through the order and catalog selectors, writes
through the order services only."""

import io
import json
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from sihe.catalog import selectors as catalog
from sihe.core import clock, tx
from sihe.core.errors import DomainError, NotFound, ValidationFailed
from sihe.core.money import money
from sihe.core.roles import can
from sihe.oms import atp, books, connectors, review, selectors, services, stockpush
from sihe.oms.aftersales import selectors as aftersales_selectors
from sihe.oms.selectors import ChannelSync, IntakeError, Order, Settlement, Shipment
from sihe.oms.settings import policy
from sihe.stock.units import parse_date
from sihe.web.paging import cursor_page, querystring
from sihe.web.permissions import require_permission

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PER_PAGE = 50

S, H = Order.Status, Order.Hold
STATUS_LABELS = {
    S.RECEIVED: pgettext_lazy("order status", "received"),
    S.HELD: pgettext_lazy("order status", "held"),
    S.REVIEWED: pgettext_lazy("order status", "reviewed"),
    S.ALLOCATED: pgettext_lazy("order status", "allocated"),
    S.PICKING: pgettext_lazy("order status", "picking"),
    S.SHIPPED: pgettext_lazy("order status", "shipped"),
    S.COMPLETED: pgettext_lazy("order status", "completed"),
    S.CANCELLED: pgettext_lazy("order status", "cancelled"),
}
HOLD_LABELS = {
    H.AMOUNT_LIMIT: pgettext_lazy("hold reason", "amount above the review limit"),
    H.BLACKLIST: pgettext_lazy("hold reason", "buyer or receiver on the blacklist"),
    H.BAD_ADDRESS: pgettext_lazy("hold reason", "address incomplete or unknown"),
    H.OUT_OF_STOCK: pgettext_lazy("hold reason", "out of stock"),
    H.NOT_PAID: pgettext_lazy("hold reason", "not paid yet"),
    H.REFUND: pgettext_lazy("hold reason", "refund requested"),
    H.MANUAL: pgettext_lazy("hold reason", "held by a person"),
    H.CREDIT: pgettext_lazy("hold reason", "over the customer's credit limit"),
}
# The same msgids as sihe.oms.review.FIX_TEXT (built with gettext at import time, so in whatever language
# was active then); lazy here so the page speaks the reader's language.
FIX_LABELS = {
    H.AMOUNT_LIMIT: gettext_lazy("check the order and the buyer, then release it"),
    H.BLACKLIST: gettext_lazy("contact the buyer; cancel the order or release it if the match is wrong"),
    H.BAD_ADDRESS: gettext_lazy("correct the address (province, city, district, detail), then release"),
    H.OUT_OF_STOCK: gettext_lazy("receive or transfer stock; the order is allocated again when stock arrives"),
    H.REFUND: gettext_lazy("settle the refund with the buyer on the channel, then release or cancel"),
    H.MANUAL: gettext_lazy("read the hold detail, then release or cancel"),
    H.NOT_PAID: gettext_lazy("wait for the payment"),
    H.CREDIT: gettext_lazy("ask the customer to pay open invoices, or a manager approves the order with a note (or "
                           "raises the credit limit), then release"),
}
SHIPMENT_LABELS = {
    Shipment.State.PENDING: pgettext_lazy("shipment state", "waiting to pick"),
    Shipment.State.PICKING: pgettext_lazy("shipment state", "picking"),
    Shipment.State.PICKED: pgettext_lazy("shipment state", "picked"),
    Shipment.State.PACKED: pgettext_lazy("shipment state", "packed"),
    Shipment.State.SHIPPED: pgettext_lazy("shipment state", "shipped"),
    Shipment.State.CANCELLED: pgettext_lazy("shipment state", "cancelled"),
}
MODE_LABELS = {
    ChannelSync.Mode.PUSH: pgettext_lazy("sync mode", "pushed to our API"),
    ChannelSync.Mode.PULL: pgettext_lazy("sync mode", "pulled from the channel"),
    ChannelSync.Mode.WEBHOOK: pgettext_lazy("sync mode", "channel webhook"),
}
ERROR_STATUS_LABELS = {
    IntakeError.Status.OPEN: pgettext_lazy("intake error", "open"),
    IntakeError.Status.REPLAYED: pgettext_lazy("intake error", "replayed"),
    IntakeError.Status.DISMISSED: pgettext_lazy("intake error", "dismissed"),
}
SETTLEMENT_LABELS = {
    Settlement.Kind.PLATFORM: pgettext_lazy("settlement", "platform settlement"),
    Settlement.Kind.BANK: pgettext_lazy("settlement", "bank receipt"),
}
BUCKET_LABELS = {"0-30": gettext_lazy("0–30 days"), "31-60": gettext_lazy("31–60 days"),
                 "61-90": gettext_lazy("61–90 days"), "90+": gettext_lazy("over 90 days")}
# act → (permission(s), one of which is needed)
ACTS = {
    "ship": ("wms.operate", "orders.manage"),
    "cancel": ("orders.manage",),
    "hold": ("orders.manage",),
    "release": ("orders.manage",),
    "address": ("orders.manage",),
    "settle": ("payments.manage",),
}


def status_label(value: str) -> str:
    return str(STATUS_LABELS.get(value, value))


def hold_label(value: str) -> str:
    return str(HOLD_LABELS.get(value, value)) if value else ""


def fix_text(value: str) -> str:
    if value in FIX_LABELS:
        return str(FIX_LABELS[value])
    return _(str(review.FIX_TEXT[value])) if value in review.FIX_TEXT else ""


def _error_text(exc: DomainError) -> str:
    return f"{exc.field}: {exc.message}" if exc.field else exc.message


def _posted(request) -> dict[str, str]:
    """The form's values; a NUL character (which PostgreSQL cannot store) is refused naming the field."""
    values = {key: request.POST.get(key, "") for key in request.POST}
    for key, value in values.items():
        if "\x00" in value:
            raise DomainError(_("the text contains a NUL character"), field=key)
    return values


def _arg(request, key: str, limit: int = 100) -> str:
    """A query-string filter, trimmed, without NUL characters."""
    return (request.GET.get(key) or "").replace("\x00", "").strip()[:limit]


def _page(request, qs, per_page=PER_PAGE):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def _back(request, default: str):
    target = request.POST.get("next") or ""
    if target.startswith("/") and target.isprintable() and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


def _forbidden(request, permission: str):
    from sihe.core.roles import role_of

    return render(request, "web/forbidden.html", {"permission": permission, "role": role_of(request.user)}, status=403)


def _render(request, template: str, context: dict, status: int = 200):
    context["can_aging"] = can(request.user, "ledger.view")
    return render(request, template, context, status=status)


def _get_order(pk) -> Order:
    try:
        return selectors.order_by_key(pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _url_or_none(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _qty(value) -> str:
    return format(Decimal(value).normalize(), "f")


# ---------------------------------------------------------------- the order list


@require_permission("orders.view")
def orders(request):
    f = {key: _arg(request, key) for key in ("channel", "status", "warehouse", "q", "date_from", "date_to", "hold")}
    if f["status"] not in S.values:
        f["status"] = ""
    if f["hold"] not in H.values:
        f["hold"] = ""
    dates = {}
    for key in ("date_from", "date_to"):
        try:
            dates[key] = parse_date(f[key] or None, field=key)
        except DomainError as exc:
            messages.error(request, _error_text(exc))
            dates[key], f[key] = None, ""
    qs = selectors.orders(channel=f["channel"], status=f["status"], warehouse=f["warehouse"], q=f["q"],
                          date_from=dates["date_from"], date_to=dates["date_to"], hold=f["hold"])
    page = cursor_page(request, qs, selectors.ORDERS, PER_PAGE)  # deep pages by cursor, not OFFSET
    rows = list(page.object_list)
    houses = selectors.warehouses_of(rows)
    for o in rows:
        o.status_text = status_label(o.status)
        o.hold_text = hold_label(o.hold_reason)
        o.warehouses = houses.get(str(o.pk), [])
    return _render(request, "web_oms/orders.html", {
        "page": page, "rows": rows, "f": f, "querystring": querystring(request),
        "channels": catalog.channels(), "warehouses": catalog.warehouses(),
        "statuses": [(v, status_label(v)) for v in S.values], "holds": [(v, hold_label(v)) for v in H.values if v],
        "can_manage": can(request.user, "orders.manage"), "bulk_acts": _bulk_acts()})


def _bulk_acts() -> list[tuple[str, str]]:
    from sihe.web.oms.merging import BULK_ACTS  # (that module builds on this one)

    return [(k, str(v)) for k, v in BULK_ACTS.items()]


# ---------------------------------------------------------------- one order


def _timeline(order: Order) -> list[dict]:
    zh = (translation.get_language() or "").startswith("zh")
    return [{"at": t.at, "kind": t.kind, "actor": t.actor,
             "message": t.message if zh or not t.message_en else t.message_en} for t in order.timeline.all()]


@require_permission("orders.view")
def order(request, pk):
    o = _get_order(pk)
    o.status_text, o.hold_text = status_label(o.status), hold_label(o.hold_reason)
    lines = selectors.lines_of(o)
    shipments = selectors.shipments_of(o)
    for s in shipments:
        s.state_text = str(SHIPMENT_LABELS.get(s.state, s.state))
    open_shipments = [s for s in shipments if s.state not in (Shipment.State.SHIPPED, Shipment.State.CANCELLED)]
    show_books = can(request.user, "ledger.view")  # COGS and revenue vouchers: not for packers and clerks
    vouchers = selectors.vouchers_of(o, [s.number for s in shipments]) if show_books else []
    for v in vouchers:
        v.url = _url_or_none("web_ledger:voucher", v.pk)
        v.total = sum((ln.debit for ln in v.lines.all()), Decimal(0))
    invoices = selectors.invoices_of(o)
    for inv in invoices:
        inv["url"] = _url_or_none("web_invoices:detail", inv["id"])
    settlements = selectors.settlements_of(o)
    numbers = {v.pk: v.display_number for v in vouchers}
    for st in settlements:
        st.kind_text = str(SETTLEMENT_LABELS.get(st.kind, st.kind))
        st.voucher_number = numbers.get(st.voucher_id) or (f"#{st.voucher_id}" if st.voucher_id else "")
        st.voucher_url = _url_or_none("web_ledger:voucher", st.voucher_id) if st.voucher_id else None
    user = request.user
    manage = can(user, "orders.manage")
    return _render(request, "web_oms/order.html", {
        "o": o, "lines": lines, "shipments": shipments, "open_shipments": open_shipments,
        "timeline": _timeline(o), "vouchers": vouchers, "invoices": invoices, "settlements": settlements,
        "show_books": show_books,
        "outstanding": books.outstanding(o), "fix": fix_text(o.hold_reason) if o.status == S.HELD else "",
        "can_ship": (can(user, "wms.operate") or manage) and bool(open_shipments) and o.status != S.HELD,
        "can_cancel": manage and o.status not in (S.SHIPPED, S.COMPLETED, S.CANCELLED),
        "can_hold": manage and o.status in (S.RECEIVED, S.REVIEWED, S.ALLOCATED),
        "can_split": manage and o.status == S.ALLOCATED,
        "can_release": manage and o.status == S.HELD and (o.hold_reason != H.CREDIT
                                                          or can(user, "orders.approve_credit")),
        "credit": (review.credit(o.partner, exclude=o) if o.status == S.HELD and o.hold_reason == H.CREDIT
                   and o.partner_id else None),
        "can_address": manage and o.is_open,
        "can_refund": manage and o.status in (S.SHIPPED, S.COMPLETED),
        "cases": list(aftersales_selectors.cases(order=o.number)),
        "can_settle": can(user, "payments.manage") and books.outstanding(o) > 0,
        "default_carrier": policy().default_carrier, "today": clock.today(),
        "settlement_kinds": list(SETTLEMENT_LABELS.items()),
        "address_form": {"province": o.province, "city": o.city, "district": o.district,
                         "address": (o.street or "") + (o.address or ""), "receiver_name": o.receiver_name,
                         "receiver_phone": o.receiver_phone},
    })


def _do(act: str, o: Order, post, actor):
    text = (post.get("reason") or "").strip()[:300]
    if act == "ship":
        carrier, tracking = (post.get("carrier") or "").strip(), (post.get("tracking_no") or "").strip()
        if not carrier or len(carrier) > 40:
            raise DomainError(_("the carrier is required (at most 40 characters)"), field="carrier")
        if not tracking or len(tracking) > 60:
            raise DomainError(_("the tracking number is required (at most 60 characters)"), field="tracking_no")
        shipment = services.ship_order(order=o, carrier=carrier, tracking_no=tracking, actor=actor,
                                       shipment=(post.get("shipment") or "").strip() or None)
        return _("Shipment %(n)s shipped with %(c)s %(t)s.") % {"n": shipment.number, "c": carrier, "t": tracking}
    if act == "cancel":
        services.cancel_order(order=o, actor=actor, reason=text)
        return _("Order %(n)s cancelled; its stock is released.") % {"n": o.number}
    if act == "hold":
        services.hold_order(order=o, actor=actor, detail=text)
        return _("Order %(n)s is held.") % {"n": o.number}
    if act == "release":
        o = services.release_order(order=o, actor=actor, note=text)
        return _("Order %(n)s released: now %(s)s.") % {"n": o.number, "s": status_label(o.status)}
    if act == "address":
        values = {k: (post.get(k) or "").strip() for k in ("province", "city", "district", "address",
                                                          "receiver_name", "receiver_phone")}
        for key, limit in (("province", 40), ("city", 40), ("address", 300)):
            if not values[key]:
                raise DomainError(_("this field is required"), field=key)
            if len(values[key]) > limit:
                raise DomainError(_("at most %(n)s characters") % {"n": limit}, field=key)
        o = services.correct_address(order=o, actor=actor, province=values["province"], city=values["city"],
                                     district=values["district"], address=values["address"],
                                     receiver_name=values["receiver_name"] or None,
                                     receiver_phone=values["receiver_phone"] or None)
        return _("Address of %(n)s corrected: now %(s)s.") % {"n": o.number, "s": status_label(o.status)}
    if act == "settle":
        # money() refuses amounts too large to round (record_settlement's own rounding would fail on them)
        amount = money((post.get("amount") or "").strip(), field="amount")
        fee = money((post.get("fee") or "").strip() or "0", field="fee")
        settlement = services.record_settlement(
            order=o, kind=(post.get("kind") or "").strip(), amount=amount, fee=fee, actor=actor,
            date=parse_date((post.get("date") or "").strip() or None, field="date"),
            reference=(post.get("reference") or "").strip()[:100])
        return _("Received ¥%(a)s against %(n)s.") % {"a": settlement.amount, "n": o.number}
    raise Http404(act)


@require_POST
@require_permission("orders.view")
def order_act(request, pk, act):
    if act not in ACTS:
        raise Http404(act)
    o = _get_order(pk)
    needed = ACTS[act]
    if not any(can(request.user, p) for p in needed):
        return _forbidden(request, " / ".join(needed))
    try:
        posted = _posted(request)
        with tx.entry():
            done = _do(act, o, posted, request.actor)
        messages.success(request, done)
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    return _back(request, reverse("web_oms:order", args=[o.pk]))


# ---------------------------------------------------------------- the customer-service queue


@require_permission("orders.view")
def exceptions(request):
    page = _page(request, selectors.exceptions().select_related("channel", "partner"))
    held = list(page.object_list)
    for o in held:
        o.hold_text, o.fix = hold_label(o.hold_reason), fix_text(o.hold_reason)
    backorders = selectors.backorders(limit=200)
    for o in backorders:
        o.status_text = status_label(o.status)
        for ln in o.short_lines:
            ln.short = _qty(ln.backorder_qty)
    return _render(request, "web_oms/exceptions.html", {
        "page": page, "held": held, "backorders": backorders, "querystring": "",
        "can_manage": can(request.user, "orders.manage"), "here": request.get_full_path(),
        "can_approve_credit": can(request.user, "orders.approve_credit")})


# ---------------------------------------------------------------- intake errors


@require_permission("orders.view")
def intake_errors(request):
    status = _arg(request, "status") or "open"
    channel = _arg(request, "channel")
    if status != "all":
        status = status if status in IntakeError.Status.values else "open"
    qs = selectors.intake_errors(status=status, channel=channel).defer("raw")
    page = _page(request, qs)
    rows = list(page.object_list)
    for e in rows:
        e.status_text = str(ERROR_STATUS_LABELS.get(e.status, e.status))
    return _render(request, "web_oms/intake_errors.html", {
        "page": page, "rows": rows, "status": status, "channel": channel, "querystring": querystring(request),
        "statuses": list(ERROR_STATUS_LABELS.items()), "channels": catalog.channels(),
        "can_manage": can(request.user, "orders.manage"), "here": request.get_full_path()})


def _intake_error(pk) -> IntakeError:
    try:
        return selectors.intake_error(pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _pretty(raw: str) -> str:
    try:
        return json.dumps(json.loads(raw), ensure_ascii=False, indent=2)
    except ValueError:
        return raw


@require_permission("orders.view")
def intake_error(request, pk):
    e = _intake_error(pk)
    e.status_text = str(ERROR_STATUS_LABELS.get(e.status, e.status))
    return _render(request, "web_oms/intake_error.html", {
        "e": e, "pretty": _pretty(e.raw), "can_manage": can(request.user, "orders.manage"),
        "to_map": _unknown_skus([e]) if e.code == "unknown_sku" else []})


@require_POST
@require_permission("orders.manage")
def intake_error_act(request, pk, act):
    e = _intake_error(pk)
    back = reverse("web_oms:intake_errors")
    try:
        posted = _posted(request)
        if act == "replay":
            body = (posted.get("raw") or "").replace("\r\n", "\n").strip()
            body = body if body and body != _pretty(e.raw).strip() else None
            # no outer transaction: receive_order opens its own, and a refusal is kept on the list
            result = services.replay_error(error=e, actor=request.actor, body=body)
            messages.success(request, _("Replayed: order %(n)s (%(s)s).")
                             % {"n": result.order.number, "s": status_label(result.order.status)})
        elif act == "dismiss":
            services.dismiss_error(error=e, actor=request.actor)
            messages.success(request, _("Intake error %(id)s dismissed.") % {"id": e.pk})
        else:
            raise Http404(act)
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    return _back(request, back)


# ---------------------------------------------------------------- SKU mappings


def _unknown_skus(errors) -> list[dict]:
    """The channel SKUs of unknown_sku intake errors: the line named by the error's field, read again
    from the stored payload with the channel's adapter."""
    from sihe.oms.channels import normalize
    from sihe.oms.intake import parse_body

    channels = {c.code: c for c in catalog.channels().filter(code__in={e.channel_code for e in errors})}
    found: dict[tuple[str, str], dict] = {}
    for e in errors:
        ch = channels.get(e.channel_code)
        if ch is None:
            continue
        try:
            normalized = normalize(ch.type, parse_body(e.raw), shop=None)
        except Exception:  # noqa: BLE001 - a payload we cannot read shows no suggestion, never a 500
            continue
        index = None
        if e.field.startswith("lines[") and "]" in e.field:
            try:
                index = int(e.field[6:e.field.index("]")])
            except ValueError:
                index = None
        candidates = [normalized.lines[index]] if index is not None and index < len(normalized.lines) \
            else list(normalized.lines)
        for line in candidates:
            key = line.outer_sku or line.channel_sku
            if not key:
                continue
            item = found.setdefault((ch.code, key), {
                "channel": ch.code, "channel_name": ch.name, "key": key, "channel_sku": line.channel_sku,
                "outer_sku": line.outer_sku, "name": line.name,
                "spec": " ".join(f"{k}:{v}" for k, v in (line.spec or {}).items()), "errors": []})
            item["errors"].append(e.pk)
    return list(found.values())


@require_permission("orders.view")
def mappings(request):
    channel, q = _arg(request, "channel"), _arg(request, "q")
    form = {"channel": channel, "channel_sku": _arg(request, "channel_sku"), "sku": _arg(request, "sku", 64), "note": ""}
    manage = can(request.user, "orders.manage")
    if request.method == "POST":
        if not manage:
            return _forbidden(request, "orders.manage")
        form = {k: (request.POST.get(k) or "").replace("\x00", "").strip()
                for k in ("channel", "channel_sku", "sku", "note")}
        try:
            _posted(request)
            try:
                ch = catalog.channel_by_code(form["channel"])
            except NotFound:
                raise DomainError(_("choose a channel"), field="channel") from None
            try:
                product = catalog.referenced_product(form["sku"])
            except ValidationFailed:
                raise DomainError(_("unknown SKU %(sku)s") % {"sku": form["sku"] or "—"}, field="sku") from None
            with tx.entry():
                m = services.map_sku(channel=ch, channel_sku=form["channel_sku"], product=product,
                                     actor=request.actor, note=form["note"][:200])
            messages.success(request, _("%(c)s %(k)s now maps to %(s)s.")
                             % {"c": ch.code, "k": m.channel_sku, "s": product.sku})
            return redirect(f"{reverse('web_oms:mappings')}?channel={ch.code}")
        except DomainError as exc:
            messages.error(request, _error_text(exc))
    page = _page(request, selectors.sku_mappings(channel=channel, q=q))
    to_map = _unknown_skus(selectors.unmapped_sku_errors(limit=200))
    for item in to_map:
        item["prefill"] = "?" + urlencode({"channel": item["channel"], "channel_sku": item["key"]}) + "#add"
    return _render(request, "web_oms/mappings.html", {
        "page": page, "rows": page.object_list, "channel": channel, "q": q, "querystring": querystring(request),
        "channels": catalog.channels(), "form": form, "can_manage": manage, "to_map": to_map,
        "products": catalog.product_choices(limit=2000)})


@require_POST
@require_permission("orders.manage")
def mapping_delete(request, pk):
    try:
        m = selectors.sku_mapping(pk)
    except NotFound as exc:
        raise Http404(f"no mapping {pk}") from exc
    with tx.entry():
        services.unmap_sku(mapping=m, actor=request.actor)
    messages.success(request, _("Mapping %(c)s %(k)s removed.") % {"c": m.channel.code, "k": m.channel_sku})
    return _back(request, reverse("web_oms:mappings"))


# ---------------------------------------------------------------- channel sync


def _lag(seconds) -> str:
    if seconds in (None, ""):
        return "—"
    s = float(seconds)
    if s < 60:
        return _("%(n)s s") % {"n": f"{s:.1f}"}
    if s < 3600:
        return _("%(n)s min") % {"n": f"{s / 60:.1f}"}
    if s < 86400:
        return _("%(n)s h") % {"n": f"{s / 3600:.1f}"}
    return _("%(n)s d") % {"n": f"{s / 86400:.1f}"}


def _when(iso: str | None):
    if not iso:
        return None
    import datetime

    return datetime.datetime.fromisoformat(iso)


PUSH_STATUS_LABELS = {
    "pending": pgettext_lazy("stock push", "pending"),
    "pushed": pgettext_lazy("stock push", "pushed"),
    "failed": pgettext_lazy("stock push", "failed"),
}
PUSH_ROWS = 100  # per channel on the page; the API pages through all


def _channel_settings(request, manage: bool):
    """A manager's POST on the channel page: the stock settings of one channel, or retrying its failed pushes."""
    if not manage:
        return _forbidden(request, "orders.manage")
    try:
        values = _posted(request)
        try:
            ch = catalog.channel_by_code(values.get("channel", "").strip())
        except NotFound as exc:
            raise Http404("no such channel") from exc
        if values.get("action") == "retry":
            with tx.entry():
                retried = stockpush.retry_failed(channel=ch, actor=request.actor)
            messages.success(request, _("%(c)s: %(n)s stock figures queued again.") % {"c": ch.code, "n": retried})
        else:
            with tx.entry():
                connectors.configure(channel=ch, actor=request.actor,
                                     safety_stock=values.get("safety_stock", "").strip() or "0",
                                     share_percent=values.get("share_percent", "").strip() or "100",
                                     stock_endpoint=values.get("stock_endpoint", "").strip(),
                                     push_per_second=values.get("push_per_second", "").strip() or "2")
            messages.success(request, _("%(c)s: stock settings saved.") % {"c": ch.code})
        return redirect(f"{reverse('web_oms:channels')}#ch-{ch.code}")
    except DomainError as exc:
        messages.error(request, _error_text(exc))
        return None


@require_permission("orders.view")
def channels(request):
    manage = can(request.user, "orders.manage")
    if request.method == "POST":
        answer = _channel_settings(request, manage)
        if answer is not None:
            return answer
    sku = _arg(request, "sku", 64)
    states = selectors.sync_states()
    atp_by_channel: dict[str, str] = {}
    product = None
    if sku:
        try:
            product = catalog.referenced_product(sku)
        except ValidationFailed:
            messages.error(request, "sku: " + _("unknown SKU %(sku)s") % {"sku": sku})
        else:
            for code, items in atp.atp([sku]).items():
                atp_by_channel[code] = _qty(items.get(sku, Decimal(0)))
    configured, pushed = stockpush.settings_of(), stockpush.states()
    for s in states:
        s["mode_text"] = str(MODE_LABELS.get(s["mode"], s["mode"]))
        s["lag"] = _lag(s["lag_seconds"])
        s["last_pull"] = _when(s["last_pull_at"])
        s["last_order"] = _when(s["last_order_at"])
        s["atp"] = atp_by_channel.get(s["channel"])
        sync, push = configured.get(s["channel"]), pushed.get(s["channel"], {})
        s["safety_stock"] = _qty(sync.safety_stock) if sync else "0"
        s["share_percent"] = sync.share_percent if sync else 100
        s["stock_endpoint"] = sync.stock_endpoint if sync else ""
        s["push_per_second"] = _qty(sync.push_per_second) if sync else "2"
        s["push"] = {"last_push_at": push.get("last_push_at"), "pending": push.get("pending", 0),
                     "retrying": push.get("retrying", 0), "failed": push.get("failed", 0), "skus": push.get("skus", 0)}
        s["pushes"] = [{"sku": r.product.sku, "name": r.product.name, "quantity": _qty(r.quantity),
                        "pushed_quantity": _qty(r.pushed_quantity) if r.pushed_quantity is not None else None,
                        "pushed_at": r.pushed_at, "status": r.status,
                        "status_text": str(PUSH_STATUS_LABELS.get(r.status, r.status)), "attempts": r.attempts,
                        "next_attempt_at": r.next_attempt_at if r.status == "pending" and r.attempts else None,
                        "last_error": r.last_error}
                       for r in (stockpush.pushes_for_page(s["channel"], PUSH_ROWS) if push.get("skus") else [])]
    return _render(request, "web_oms/channels.html", {
        "states": states, "sku": sku, "product": product, "can_manage": manage, "push_rows": PUSH_ROWS})


@require_POST
@require_permission("orders.manage")
def channel_pull(request, code):
    try:
        ch = catalog.channel_by_code(code)
    except NotFound as exc:
        raise Http404(f"no channel {code}") from exc
    try:
        # no transaction around it: each order is taken in its own, and no lock is held while we wait on HTTP
        counts = connectors.pull(channel=ch, actor=request.actor)
        messages.success(request, _("%(c)s pulled: %(f)s fetched, %(n)s new, %(u)s updated, %(r)s refused.")
                         % {"c": ch.code, "f": counts["fetched"], "n": counts["created"], "u": counts["updated"],
                            "r": counts["refused"]})
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    return redirect("web_oms:channels")


# ---------------------------------------------------------------- AR aging


def _aging_xlsx(report: dict, *, dealers_only: bool) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("AR aging")[:31]
    title = _("Receivables aging as of %(date)s") % {"date": report["as_of"].isoformat()}
    ws.append([title + (" · " + _("dealers only") if dealers_only else "")])
    ws["A1"].font = Font(bold=True, size=13)
    buckets = report["buckets"]
    ws.append([_("Customer"), _("Name"), _("Orders"), *[str(BUCKET_LABELS[b]) for b in buckets], _("Total")])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for r in report["rows"]:
        ws.append([r["customer"], r["name"], r["orders"], *[r[b] for b in buckets], r["total"]])
    ws.append([_("Total"), "", sum(r["orders"] for r in report["rows"]), *[report["totals"][b] for b in buckets],
               report["totals"]["total"]])
    ws[ws.max_row][0].font = Font(bold=True)
    for row in ws.iter_rows(min_row=3):
        for index, cell in enumerate(row):
            if index >= 3:
                cell.number_format = "#,##0.00"
    for column, width in zip("ABCDEFGH", (22, 30, 8, 14, 14, 14, 14, 16), strict=True):
        ws.column_dimensions[column].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@require_permission("ledger.view")
def ar_aging(request):
    dealers_only = request.GET.get("dealers") in ("1", "on", "true")
    try:
        as_of = parse_date(request.GET.get("as_of") or None, field="as_of") or clock.today()
    except DomainError as exc:
        messages.error(request, _error_text(exc))
        as_of = clock.today()
    report = books.ar_aging(as_of=as_of, dealers_only=dealers_only)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(_aging_xlsx(report, dealers_only=dealers_only), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="ar-aging-{as_of.isoformat()}.xlsx"'
        return response
    buckets = report["buckets"]
    table = [{"customer": r["customer"], "name": r["name"], "orders": r["orders"], "cells": [r[b] for b in buckets],
              "total": r["total"]} for r in report["rows"]]
    return _render(request, "web_oms/ar_aging.html", {
        "report": report, "table": table, "headers": [BUCKET_LABELS[b] for b in buckets],
        "totals": [report["totals"][b] for b in buckets], "total": report["totals"]["total"],
        "orders_total": sum(r["orders"] for r in report["rows"]), "as_of": as_of, "dealers_only": dealers_only,
        "xlsx_query": urlencode({"as_of": as_of.isoformat(), "dealers": "1" if dealers_only else "",
                                 "format": "xlsx"})})

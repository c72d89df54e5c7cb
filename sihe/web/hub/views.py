"""Integration pages: webhook subscriptions, deliveries (dead letters and failures, with Retry) and
the event log. Reads go through the hub's selectors, writes through its services, one transaction per act."""

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sihe.core import tx
from sihe.core.errors import DomainError
from sihe.hub import selectors, services
from sihe.hub.selectors import Delivery
from sihe.web.permissions import require_permission

PAGE_SIZE = 50
NEW_SECRET_KEY = "web_hub_new_secret"
PROBLEMS = "problems"  # the deliveries page's default: failed and dead


def _querystring(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _form_values(post) -> dict:
    return {
        "url": post.get("url", "").strip(),
        "event_types": post.get("event_types", "").strip(),
        "description": post.get("description", "").strip(),
        "secret": post.get("secret", "").strip(),
        "active": post.get("active") == "on",
    }


def _subscription(pk):
    try:
        return selectors.subscription_by_id(pk)
    except DomainError as exc:
        raise Http404(exc.message) from exc


# -- webhooks -------------------------------------------------------------------------------------


@require_permission("hub.manage")
def webhooks(request):
    """The subscriptions, and the form to add one (its secret is shown once after saving)."""
    errors, values, status = {}, {"active": True, "event_types": "*"}, 200
    if request.method == "POST":
        values = _form_values(request.POST)
        try:
            with tx.entry():
                sub, secret = services.create_subscription(
                    url=values["url"],
                    event_types=values["event_types"],
                    secret=values["secret"] or None,
                    description=values["description"],
                    active=values["active"],
                    actor=request.actor,
                )
        except DomainError as exc:
            errors[exc.field or "general"] = exc.message
            status = exc.status
        else:
            request.session[NEW_SECRET_KEY] = {"id": sub.pk, "secret": secret}
            messages.success(request, _("Webhook #%(id)s saved.") % {"id": sub.pk})
            return redirect(reverse("web_hub:webhooks"))
    context = {
        "subscriptions": selectors.subscriptions().select_related("created_by"),
        "new_secret": request.session.pop(NEW_SECRET_KEY, None) if request.method == "GET" else None,
        "errors": errors,
        "values": values,
    }
    return render(request, "web_hub/webhooks.html", context, status=status)


@require_permission("hub.manage")
def webhook_edit(request, pk):
    sub = _subscription(pk)
    errors, status = {}, 200
    values = {
        "url": sub.url,
        "event_types": " ".join(sub.event_types),
        "description": sub.description,
        "secret": "",
        "active": sub.active,
    }
    if request.method == "POST":
        values = _form_values(request.POST)
        data = {name: values[name] for name in ("url", "event_types", "description", "active")}
        if values["secret"]:
            data["secret"] = values["secret"]
        try:
            with tx.entry():
                services.update_subscription(subscription=sub, data=data, actor=request.actor)
        except DomainError as exc:
            errors[exc.field or "general"] = exc.message
            status = exc.status
        else:
            messages.success(request, _("Webhook #%(id)s saved.") % {"id": sub.pk})
            return redirect(reverse("web_hub:webhooks"))
    context = {"sub": sub, "values": values, "errors": errors}
    return render(request, "web_hub/webhook_edit.html", context, status=status)


@require_permission("hub.manage")
@require_POST
def webhook_toggle(request, pk):
    """Deactivate (pause) or reactivate a subscription; its deliveries wait while it is off."""
    sub = _subscription(pk)
    with tx.entry():
        services.update_subscription(subscription=sub, data={"active": not sub.active}, actor=request.actor)
    if sub.active:
        messages.success(request, _("Webhook #%(id)s deactivated.") % {"id": sub.pk})
    else:
        messages.success(request, _("Webhook #%(id)s activated.") % {"id": sub.pk})
    return redirect(reverse("web_hub:webhooks"))


@require_permission("hub.manage")
@require_POST
def webhook_delete(request, pk):
    sub = _subscription(pk)
    with tx.entry():
        services.delete_subscription(subscription=sub, actor=request.actor)
    messages.success(request, _("Webhook #%(id)s deleted.") % {"id": pk})
    return redirect(reverse("web_hub:webhooks"))


# -- deliveries -----------------------------------------------------------------------------------


@require_permission("hub.manage")
def deliveries(request):
    """Dead letters and failures first (the default filter), any status on request."""
    status = request.GET.get("status", PROBLEMS)
    known = dict(Delivery.STATUSES)
    if status == PROBLEMS:
        statuses = [Delivery.FAILED, Delivery.DEAD]
    elif status in known:
        statuses = [status]
    else:
        status, statuses = "", None
    webhook = request.GET.get("webhook", "")
    subscription_id = int(webhook) if webhook.isdigit() else None
    qs = selectors.deliveries(subscription_id=subscription_id, statuses=statuses)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": [(PROBLEMS, _("failed and dead")), *Delivery.STATUSES],
        "counts": selectors.status_counts(),
        "subscriptions": selectors.subscriptions(),
        "webhook": subscription_id,
        "querystring": _querystring(request),
        "handlers_cursor": selectors.handlers_cursor(),
    }
    return render(request, "web_hub/deliveries.html", context)


@require_permission("hub.manage")
def delivery_retry(request, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    back = request.POST.get("next") or reverse("web_hub:deliveries")
    if not back.startswith("/"):
        back = reverse("web_hub:deliveries")
    try:
        with tx.entry():
            services.retry_delivery(delivery_id=pk, actor=request.actor)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Delivery #%(id)s will be sent again by the worker.") % {"id": pk})
    return redirect(back)


# -- the event log --------------------------------------------------------------------------------


@require_permission("events.view")
def events(request):
    filters = {
        "type": request.GET.get("type", "").strip(),
        "aggregate_type": request.GET.get("aggregate_type", "").strip(),
        "aggregate_id": request.GET.get("aggregate_id", "").strip(),
    }
    error = ""
    try:
        qs = selectors.events(**{k: v or None for k, v in filters.items()}).order_by("-id")
    except DomainError as exc:
        error, qs = exc.message, selectors.events().none()
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"event": e, "payload": json.dumps(e.payload, ensure_ascii=False, indent=2, sort_keys=True)} for e in page
    ]
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "error": error,
        "querystring": _querystring(request),
    }
    return render(request, "web_hub/events.html", context, status=422 if error else 200)

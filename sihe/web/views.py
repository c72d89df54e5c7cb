"""Pages of the web shell: home per role, master data (list, detail with audit trail, create, edit),
the audit trail, API tokens. Writes go through the services, one durable transaction per act."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sihe.catalog import selectors, services
from sihe.catalog.selectors import TAX_RATES, Category, Channel, Location, Partner, Product, Uom, Warehouse
from sihe.catalog.validation import (
    CATEGORY_SPECS,
    CHANNEL_SPECS,
    LOCATION_SPECS,
    PARTNER_SPECS,
    PRODUCT_SPECS,
    UNIT_SPECS,
    WAREHOUSE_SPECS,
)
from sihe.core import audit, clock, tx
from sihe.core import selectors as core_selectors
from sihe.core.errors import DomainError
from sihe.core.roles import can, role_of
from sihe.hub import selectors as hub_selectors
from sihe.hub.tokens import create_token, revoke_token
from sihe.web import audit_labels, nav
from sihe.web.insights import views as role_pages
from sihe.web.permissions import require_permission

PAGE_SIZE = 50


def ping(request):
    """A trivial Django JSON view: the baseline that bench/api.py compares the API against."""
    return JsonResponse({"pong": True})


# -- home -----------------------------------------------------------------------------------------

SHORTCUTS = {
    "manager": ["web:product_new", "web:products", "web_stock:summary", "web_hub:events", "web:audit"],
    "warehouse": ["web_stock:levels", "web_stock:moves", "web_stock:low_stock", "web:locations", "web:products"],
    "shopfloor": ["web:products", "web_stock:levels", "web:tokens"],
    "service": ["web:products", "web:partners", "web:channels", "web_stock:levels"],
    "accountant": ["web_ledger:vouchers", "web_ledger:trial_balance", "web_ledger:statements", "web:audit"],
    "admin": ["admin:index", "web:tokens", "web:audit", "web_hub:webhooks", "web_hub:events"],
}


def _shortcuts(user) -> list[dict]:
    allowed = {item["name"]: item for item in nav.entries_for(user)}
    out = []
    for name in SHORTCUTS.get(role_of(user) or "", []):
        if name == "web:product_new" and can(user, "catalog.edit"):
            out.append({"url": reverse(name), "label": _("New product")})
        elif name in allowed:
            out.append({"url": allowed[name]["url"], "label": allowed[name]["label"]})
    return out


def _today_start():
    today = clock.today()
    return timezone.make_aware(datetime.combine(today, time.min))


@login_required
def home(request):
    """Each role's own page (sihe.web.insights: KPIs, queues, waves, close, lines); the admin's is this one."""
    user = request.user
    if role_of(user) in role_pages.ROLE_PAGES:
        return role_pages.role_home(request, role_of(user))
    figures = []
    if can(user, "catalog.view"):
        figures = [
            (_("Products"), selectors.products().count(), "web:products"),
            (_("Customers"), selectors.partners().filter(kind=Partner.Kind.CUSTOMER).count(), "web:partners"),
            (_("Suppliers"), selectors.partners().filter(kind=Partner.Kind.SUPPLIER).count(), "web:partners"),
            (_("Warehouses"), selectors.warehouses().count(), "web:warehouses"),
            (_("Bins"), selectors.locations().filter(kind=Location.Kind.BIN).count(), "web:locations"),
            (_("Sales channels"), selectors.channels().count(), "web:channels"),
        ]
    if can(user, "events.view") or can(user, "audit.view"):
        figures.append((_("Events today"), core_selectors.events_since(_today_start()), None))
    context = {
        "role": role_of(user),
        "figures": [{"label": label, "value": value, "url": _maybe_url(url)} for label, value, url in figures],
        "shortcuts": _shortcuts(user),
        "today": clock.today(),
    }
    if can(user, "dashboard.view"):
        context["charts"] = _charts()
    return render(request, "web/home.html", context)


def _maybe_url(name):
    if not name:
        return None
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _charts() -> dict:
    by_category = (
        selectors.products_per_category()[:12]
    )
    since = _today_start() - timedelta(days=13)
    per_day = core_selectors.events_per_day(since)
    days = [since.date() + timedelta(days=i) for i in range(14)]
    return {
        "categories": {
            "labels": [row["category__name"] or _("(no category)") for row in by_category],
            "values": [row["n"] for row in by_category],
        },
        "events": {
            "labels": [d.strftime("%m-%d") for d in days],
            "values": [per_day.get(d, 0) for d in days],
        },
    }


# -- master data ----------------------------------------------------------------------------------


@dataclass
class Kind:
    key: str
    model: type
    title: str
    singular: str
    queryset: object
    columns: list[str]
    search: list[str]
    specs: list
    create: object
    update: object
    update_arg: str
    filters: dict = field(default_factory=dict)


KINDS = {
    "products": Kind(
        "products", Product, gettext_lazy("Products"), gettext_lazy("product"), selectors.products,
        ["sku", "name", "name_en", "gtin", "uom", "category", "tracking", "tax_rate", "list_price", "active"],
        ["sku", "name", "name_en", "gtin"], PRODUCT_SPECS, services.create_product, services.update_product,
        "product", {"tracking": Product.Tracking.choices},
    ),
    "partners": Kind(
        "partners", Partner, gettext_lazy("Partners"), gettext_lazy("partner"), selectors.partners,
        ["code", "name", "kind", "province", "city", "district", "phone", "tax_id", "active"],
        ["code", "name", "phone", "tax_id", "city"], PARTNER_SPECS, services.create_partner, services.update_partner,
        "partner", {"kind": Partner.Kind.choices},
    ),
    "warehouses": Kind(
        "warehouses", Warehouse, gettext_lazy("Warehouses"), gettext_lazy("warehouse"),
        selectors.warehouses, ["code", "name", "province", "city", "district", "address", "active"],
        ["code", "name", "city"], WAREHOUSE_SPECS, services.create_warehouse, services.update_warehouse, "warehouse",
    ),
    "locations": Kind(
        "locations", Location, gettext_lazy("Locations"), gettext_lazy("location"), selectors.locations,
        ["code", "warehouse", "zone", "kind", "aisle", "position", "side", "level", "active"],
        ["code"], LOCATION_SPECS, services.create_location, services.update_location, "location",
        {"kind": Location.Kind.choices},
    ),
    "channels": Kind(
        "channels", Channel, gettext_lazy("Sales channels"), gettext_lazy("sales channel"), selectors.channels,
        ["code", "type", "name", "min_shelf_life_days", "active"], ["code", "name"], CHANNEL_SPECS,
        services.create_channel, services.update_channel, "channel", {"type": Channel.Type.choices},
    ),
    "units": Kind(
        "units", Uom, gettext_lazy("Units of measure"), gettext_lazy("unit of measure"), selectors.units,
        ["code", "name", "precision"], ["code", "name"], UNIT_SPECS, services.create_unit, services.update_unit, "unit",
    ),
    "categories": Kind(
        "categories", Category, gettext_lazy("Categories"), gettext_lazy("category"), selectors.categories,
        ["code", "name", "parent"], ["code", "name"], CATEGORY_SPECS, services.create_category,
        services.update_category, "category",
    ),
}


def _label(model, name: str) -> str:
    try:
        verbose = model._meta.get_field(name).verbose_name
    except FieldDoesNotExist:
        verbose = name
    # Plain verbose names (e.g. a ForeignKey's default "warehouse") are looked up in the catalogs too.
    return _(str(verbose))


def _plain(value) -> str:
    """A value as a form shows it: codes for references, decimals without trailing zeros."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if hasattr(value, "code"):
        return value.code
    return str(value)


def _display(obj, name: str) -> str:
    model_field = obj._meta.get_field(name)
    if model_field.choices:
        return str(getattr(obj, f"get_{name}_display")())
    value = getattr(obj, name)
    if name == "zone" and value is not None:
        return value.code  # str(zone) would fetch its warehouse again, once per row
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name == "list_price":
        from sihe.web.templatetags.sihe import cny

        return cny(value)
    if name == "tax_rate" and value is not None:
        return f"{(value * 100).normalize():f}%"
    if isinstance(value, Decimal):
        return _plain(value)
    return "" if value is None else str(value)


def _kind(key: str) -> Kind:
    if key not in KINDS:
        raise Http404(key)
    return KINDS[key]


def _get(kind: Kind, pk: int):
    obj = kind.queryset().filter(pk=pk).first()
    if obj is None:
        raise Http404(_("not found"))
    return obj


@require_permission("catalog.view")
def md_list(request, kind):
    kind = _kind(kind)
    qs = kind.queryset()
    q = request.GET.get("q", "").strip()
    if q:
        condition = Q()
        for name in kind.search:
            condition |= Q(**{f"{name}__icontains": q})
        qs = qs.filter(condition)
    active_filters = {}
    for name, choices in kind.filters.items():
        value = request.GET.get(name, "")
        if value in dict(choices):
            qs = qs.filter(**{name: value})
            active_filters[name] = value
    warehouse = request.GET.get("warehouse", "")
    if kind.key == "locations" and warehouse:
        qs = qs.filter(warehouse__code=warehouse)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"obj": obj, "cells": [_display(obj, name) for name in kind.columns]} for obj in page]
    filters = [
        {"name": name, "label": _label(kind.model, name), "choices": choices, "value": active_filters.get(name, "")}
        for name, choices in kind.filters.items()
    ]
    context = {
        "kind": kind, "page": page, "rows": rows, "q": q, "filters": filters,
        "headers": [_label(kind.model, name) for name in kind.columns],
        "warehouses": selectors.warehouses() if kind.key == "locations" else None, "warehouse": warehouse,
        "can_edit": can(request.user, "catalog.edit"),
        "querystring": _querystring(request),
    }
    return render(request, "web/md_list.html", context)


def _querystring(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_permission("catalog.view")
def md_detail(request, kind, pk):
    kind = _kind(kind)
    obj = _get(kind, pk)
    names = [f.name for f in obj._meta.concrete_fields if f.name != "id"]
    context = {
        "kind": kind, "obj": obj,
        "fields": [(_label(kind.model, name), _display(obj, name)) for name in names],
        "history": _history_rows(kind.model, audit.history(obj)[:200]),
        "can_edit": can(request.user, "catalog.edit"),
    }
    return render(request, "web/md_detail.html", context)


def _history_rows(model, entries) -> list[dict]:
    return audit_labels.rows(entries, model=model)


def _choices_for(kind: Kind, spec) -> list[tuple[str, str]] | None:
    if spec.name == "uom":
        return [(u.code, f"{u.code} {u.name}") for u in selectors.units()]
    if spec.name == "warehouse":
        return [(w.code, str(w)) for w in selectors.warehouses()]
    if spec.name == "tax_rate":
        return [(_plain(r), f"{(r * 100).normalize():f}%") for r in TAX_RATES]
    if spec.kind == "choice":
        return [(str(v), str(label)) for v, label in kind.model._meta.get_field(spec.name).choices]
    return None


def _form_fields(kind: Kind, values: dict, errors: dict, *, editing: bool) -> list[dict]:
    keys = {"code", "sku", "warehouse"}
    out = []
    for spec in kind.specs:
        choices = _choices_for(kind, spec)
        out.append({
            "name": spec.name,
            "label": _label(kind.model, spec.name),
            "type": "checkbox" if spec.kind == "bool" else ("select" if choices is not None else "text"),
            "choices": choices,
            "blank_choice": not spec.required and spec.kind != "choice",
            "numeric": spec.kind in ("decimal", "int"),
            "required": spec.required,
            "readonly": editing and spec.name in keys,
            "value": values.get(spec.name, ""),
            "error": errors.get(spec.name, ""),
        })
    return out


def _initial(kind: Kind, obj) -> dict:
    values = {}
    for spec in kind.specs:
        value = getattr(obj, spec.name, None)
        values[spec.name] = value if isinstance(value, bool) else _plain(value)
    return values


def _posted(kind: Kind, request, obj=None) -> dict:
    data = {}
    for spec in kind.specs:
        if spec.kind == "bool":
            data[spec.name] = spec.name in request.POST
        elif spec.name in request.POST:
            data[spec.name] = request.POST[spec.name].strip()
    if obj is not None:
        # Only what the user changed goes to the service, so the audit trail shows real changes
        # (12.5 re-posted for a stored 12.5000 is no change). Keys are read-only and never sent.
        initial = _initial(kind, obj)
        data = {k: v for k, v in data.items() if k not in ("code", "sku", "warehouse") and v != initial.get(k)}
    return data


def _errors_of(exc: DomainError, names: set[str]) -> tuple[dict, str]:
    errors = {}
    for item in exc.extra.get("errors", []) or [{"field": exc.field, "message": exc.message}]:
        if item["field"] in names and item["field"] not in errors:
            errors[item["field"]] = item["message"]
    general = "" if exc.field in errors else exc.message
    return errors, general


def _md_form(request, kind: Kind, obj=None):
    editing = obj is not None
    values = _initial(kind, obj) if editing else {"active": True}
    errors, general = {}, ""
    status = 200
    if request.method == "POST":
        data = _posted(kind, request, obj)
        values = {**values, **data}
        try:
            with tx.entry():
                if editing:
                    saved = kind.update(**{kind.update_arg: obj, "data": data, "actor": request.actor})
                else:
                    saved = kind.create(data=data, actor=request.actor)
        except DomainError as exc:
            errors, general = _errors_of(exc, {s.name for s in kind.specs})
            status = 422 if exc.status == 422 else (409 if exc.status == 409 else 400)
        else:
            return redirect(reverse(f"web:{kind.key}_detail", args=[saved.pk]))
    context = {
        "kind": kind, "obj": obj, "editing": editing, "general_error": general,
        "fields": _form_fields(kind, values, errors, editing=editing),
    }
    return render(request, "web/md_form.html", context, status=status)


@require_permission("catalog.edit")
def md_create(request, kind):
    return _md_form(request, _kind(kind))


@require_permission("catalog.edit")
def md_edit(request, kind, pk):
    kind = _kind(kind)
    return _md_form(request, kind, _get(kind, pk))


# -- audit trail ----------------------------------------------------------------------------------


def _parse_day(value: str, name: str, errors: dict):
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        errors[name] = _("use a date like 2026-11-24")
        return None
    return timezone.make_aware(datetime.combine(day, time.min))


@require_permission("audit.view")
def audit_list(request):
    qs = core_selectors.audit_entries()
    params = {name: request.GET.get(name, "").strip() for name in ("object_type", "user", "action", "q", "since", "until")}
    errors: dict = {}
    if params["object_type"]:
        qs = qs.filter(object_type=params["object_type"])
    if params["user"]:
        qs = qs.filter(username__icontains=params["user"])
    if params["action"]:
        qs = qs.filter(action=params["action"])
    if params["q"]:
        qs = qs.filter(Q(object_repr__icontains=params["q"]) | Q(object_id=params["q"]) | Q(field=params["q"]))
    since = _parse_day(params["since"], "since", errors)
    until = _parse_day(params["until"], "until", errors)
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lt=until + timedelta(days=1))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page, "params": params, "errors": errors, "querystring": _querystring(request),
        "rows": audit_labels.rows(page.object_list),
        "object_types": audit_labels.object_type_choices(core_selectors.audit_object_types()),
        "actions": audit_labels.action_choices(core_selectors.audit_actions()),
    }
    return render(request, "web/audit.html", context, status=400 if errors else 200)


# -- API tokens -----------------------------------------------------------------------------------


def _tokens_of(user):
    qs = hub_selectors.api_tokens()
    return qs if can(user, "users.manage") else qs.filter(user=user)


@require_permission("tokens.own")
def tokens(request):
    new_token, error = None, ""
    status = 200
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        if len(name) > 100:
            error, status = _("name: longer than 100 characters"), 422
        else:
            with tx.entry():
                row, new_token = create_token(user=request.user, name=name, actor=request.actor)
            status = 201
    context = {
        "tokens": _tokens_of(request.user)[:200], "new_token": new_token, "error": error,
        "show_owner": can(request.user, "users.manage"),
    }
    return render(request, "web/tokens.html", context, status=status)


@require_permission("tokens.own")
def token_revoke(request, pk):
    if request.method != "POST":
        return redirect(reverse("web:tokens"))
    try:
        with tx.entry():
            revoke_token(token_id=pk, actor=request.actor)
    except DomainError as exc:
        context = {"tokens": _tokens_of(request.user)[:200], "error": exc.message,
                   "show_owner": can(request.user, "users.manage")}
        return render(request, "web/tokens.html", context, status=exc.status)
    return redirect(reverse("web:tokens"))

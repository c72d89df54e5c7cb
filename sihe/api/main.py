"""The open API (H5) under /api/v1/: one NinjaAPI, a router per app, errors as {code, message, field}."""

import json

from django.db import DataError, connection
from django.http import Http404
from django.http.request import RawPostDataException
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from sihe.api.security import AUTH
from sihe.core.errors import DomainError

api = NinjaAPI(
    title="Sihe 四合 API",
    version="1",
    description=(
        "ERP + WMS + OMS + MES. Authenticate with `Authorization: Bearer <token>` (create one with "
        "`sihe token create USER` or on the Tokens page). Errors are `{code, message, field}` with a 4xx "
        "status. Every POST honours an `Idempotency-Key` header: the same key replays the first response. "
        "Quantities and money are decimal strings."
    ),
    auth=AUTH,
    urls_namespace="api",
)


def _field_of(loc) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "data", "header")]
    return ".".join(parts) or None


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    errors = [
        {"field": _field_of(e.get("loc", ())), "message": e.get("msg", "invalid")} for e in exc.errors
    ]
    first = errors[0] if errors else {"field": None, "message": "invalid input"}
    message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    return api.create_response(
        request, {"code": "invalid", "message": message, "field": first["field"], "errors": errors}, status=422
    )


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    return api.create_response(
        request,
        {"code": "unauthorized", "message": "send Authorization: Bearer <token>", "field": "Authorization"},
        status=401,
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"code": "not_found", "message": str(exc) or "not found", "field": None}, status=404)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return api.create_response(request, {"code": "http_error", "message": str(exc), "field": None}, status=exc.status_code)


def _nul_field(request) -> str | None:
    """The query parameter, path parameter or JSON field whose text carries a NUL byte."""
    for key, values in request.GET.lists():
        if any("\x00" in v for v in values):
            return key
    match = getattr(request, "resolver_match", None)
    for key, value in (match.kwargs.items() if match else ()):
        if "\x00" in str(value):
            return key
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, RawPostDataException):
        return None

    def find(value, path):
        if isinstance(value, str):
            return path if "\x00" in value else None
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, item in items:
            found = find(item, [*path, str(key)])
            if found:
                return found
        return None

    found = find(body, [])
    return ".".join(found) if found else None


@api.exception_handler(DataError)
def nul_in_text(request, exc: DataError):
    """PostgreSQL refuses text with NUL (0x00) bytes: that is bad input (422), not a server error.
    Any other data error stays a bug (500)."""
    if "NUL" not in str(exc):
        raise exc
    field = _nul_field(request)
    message = "text must not contain NUL (0x00) characters"
    return api.create_response(
        request, {"code": "invalid", "message": f"{field}: {message}" if field else message, "field": field}, status=422
    )


@api.get("/health", auth=None, tags=["system"], summary="Liveness and database kind")
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "database": "postgresql" if connection.vendor == "postgresql" else "sqlite"}


from sihe.api import (  # noqa: E402
    catalog,
    channels,
    costing,
    counting,
    events,
    imports,
    invoices,
    ledger,
    orders,
    outbound,
    purchasing,
    receiving,
    stock,
    tokens,
    webhooks,
    wms,
)

for _module in (catalog, imports, tokens, events, webhooks, stock, costing, ledger, wms, channels, orders, invoices,
                purchasing, receiving, outbound, counting):
    api.add_router("/", _module.router)

"""The open API under /api/v1/: one NinjaAPI, a router per app, errors as {code, message, field}."""

import json

from django.db import DataError, IntegrityError, InterfaceError, OperationalError, connection
from django.http import Http404
from django.http.request import RawPostDataException
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from sihe.api.base import MAX_LINES
from sihe.api.security import AUTH
from sihe.core.errors import DomainError

ERROR_SCHEMA = {
    "type": "object", "required": ["code", "message", "field"],
    "properties": {"code": {"type": "string", "description": "what a program branches on, e.g. insufficient_stock"},
                   "message": {"type": "string", "description": "the reason, in the caller's language"},
                   "field": {"type": ["string", "null"], "description": "the input at fault, e.g. lines[0].qty"}},
    "additionalProperties": True,
}
ERRORS = {
    "400": "the request could not be read", "401": "no or a bad bearer token", "403": "the role may not do this",
    "404": "no such record, or `module_disabled` (with `module`): the module answering this path is turned off", "409": "the state refuses the act (already posted, insufficient stock, …)",
    "413": "the body is too large", "422": "bad input: `field` names it (too_many_lines, date_too_far_back, …)",
    "503": "busy: a time limit or a lost database session — retry after Retry-After seconds",
}


class SiheAPI(NinjaAPI):
    """Every operation documents the error answers every route may give, as `Error`."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for code, text in ERRORS.items():
                    if path.endswith("/health") or code in {str(c) for c in responses}:
                        continue
                    responses[code] = {"description": text, **error}
        return schema


api = SiheAPI(
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


def _too_many_lines(error: dict) -> bool:
    loc = [str(p) for p in error.get("loc", ())]
    return error.get("type") == "too_long" and bool(loc) and loc[-1] == "lines"


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    errors = [
        {"field": _field_of(e.get("loc", ())), "message": e.get("msg", "invalid")} for e in exc.errors
    ]
    first = errors[0] if errors else {"field": None, "message": "invalid input"}
    message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    code = "invalid"
    if exc.errors and _too_many_lines(exc.errors[0]):
        code = "too_many_lines"
        message = (f"{first['field']}: at most {MAX_LINES} lines per request; "
                   "send larger documents through the Excel import (POST /api/v1/imports)")
    return api.create_response(
        request, {"code": code, "message": message, "field": first["field"], "errors": errors}, status=422
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


# PostgreSQL's SQLSTATEs for "try again": statement or lock timeout, a deadlock, serialization, the
# session terminated by an administrator or a failover.
BUSY_STATES = {"57014", "55P03", "40P01", "40001", "57P01", "57P02", "57P03", "08006", "08003", "08000"}


def _is_busy(exc: Exception) -> bool:
    cause = getattr(exc, "__cause__", None)
    state = getattr(cause, "sqlstate", None) or getattr(getattr(cause, "diag", None), "sqlstate", None)
    if state in BUSY_STATES:
        return True
    text = str(exc).lower()
    return any(words in text for words in ("database is locked", "terminating connection", "server closed the connection",
                                           "connection already closed", "the connection is lost", "consuming input failed"))


@api.exception_handler(OperationalError)
def busy(request, exc: OperationalError):
    """A statement past its time limit, a lock not granted in time, a lost session: 503 with Retry-After,
    as JSON, and nothing written (the act's transaction rolled back)."""
    if not _is_busy(exc):
        raise exc
    response = api.create_response(request, {"code": "busy", "message": "the database is busy; retry in a moment",
                                              "field": None}, status=503)
    response["Retry-After"] = "2"
    return response


@api.exception_handler(InterfaceError)
def lost_connection(request, exc: InterfaceError):
    return busy(request, OperationalError(str(exc) or "connection already closed"))


@api.exception_handler(IntegrityError)
def conflict(request, exc: IntegrityError):
    """A database constraint refused a row a concurrent request wrote first (the acts check before they
    write; only a race gets here): 409, retry."""
    return api.create_response(request, {"code": "conflict", "message": "a concurrent change conflicted; retry",
                                         "field": None}, status=409)


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
    aftersales,
    approvals,
    assets,
    b2b,
    cashbank,
    catalog,
    channels,
    costing,
    counting,
    events,
    imports,
    invoices,
    kpis,
    ledger,
    merges,
    mes,
    orders,
    outbound,
    planning,
    production,
    purchasing,
    receiving,
    splits,
    statements,
    stock,
    tokens,
    vat,
    webhooks,
    wms,
)

for _module in (catalog, imports, tokens, events, webhooks, stock, costing, ledger, wms, channels, merges, splits, orders,
                invoices, purchasing, receiving, outbound, counting, production, planning, mes, aftersales, statements, kpis,
                approvals, vat, b2b, assets, cashbank):
    api.add_router("/", _module.router)

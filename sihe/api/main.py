"""The open API (H5) under /api/v1/: one NinjaAPI, a router per app, errors as {code, message, field}."""

from django.db import connection
from django.http import Http404
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


@api.get("/health", auth=None, tags=["system"], summary="Liveness and database kind")
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "database": "postgresql" if connection.vendor == "postgresql" else "sqlite"}


from sihe.api import catalog, costing, events, imports, ledger, stock, tokens, webhooks, wms  # noqa: E402

for _module in (catalog, imports, tokens, events, webhooks, stock, costing, ledger, wms):
    api.add_router("/", _module.router)

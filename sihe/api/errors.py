"""Every answer under /api/ is JSON `{code, message, field}`, whatever went wrong: Django's own 400,
404, 405 and 413 pages and an unexpected 500 are HTML, which an integrator's program cannot read.

The router's exception handlers (sihe.api.main) answer the errors they know; this middleware is the
net under them — a body over the upload limit (413, refused before it is read), a wrong method (405),
an unknown path (404), a request Django itself refused (400) and any crash (500, logged as the bug it is)."""

import logging

from django.conf import settings
from django.http import JsonResponse

logger = logging.getLogger("sihe.api")

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         413: "too_large", 500: "server_error", 503: "busy"}
MESSAGES = {400: "the request could not be read", 404: "no such API path", 405: "this path does not take that method",
            413: "the request body is too large", 500: "an unexpected error; it has been logged",
            503: "the service is busy; retry in a moment"}


def _json(status: int, message: str | None = None) -> JsonResponse:
    return JsonResponse({"code": CODES.get(status, "error"), "message": message or MESSAGES.get(status, "error"),
                         "field": None}, status=status)


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return _json(413, f"the request body is larger than {limit // (1024 * 1024) or 1} MB")
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if response.status_code >= 400 and "json" not in content_type:
            replaced = _json(response.status_code)
            if response.has_header("Allow"):
                replaced["Allow"] = response["Allow"]
            if response.has_header("Retry-After"):
                replaced["Retry-After"] = response["Retry-After"]
            return replaced
        return response

    def process_exception(self, request, exception):
        if not request.path.startswith("/api/"):
            return None
        logger.exception("API error on %s %s", request.method, request.path)
        return _json(500)

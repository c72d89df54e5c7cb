"""`Idempotency-Key` on every API POST: the first response is stored and replayed for the same key.

The key is scoped to the caller (token or session). The same key with a different body is refused
(422), and a second request while the first is still running gets 409 instead of running twice.
"""

import hashlib

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse

from sihe.core.models import IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"


def _principal(request) -> str:
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth:
        return "auth:" + hashlib.sha256(auth.encode()).hexdigest()
    session = request.COOKIES.get("sessionid", "")
    return "session:" + hashlib.sha256(session.encode()).hexdigest()


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "field": "Idempotency-Key"}, status=status)


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.META.get(HEADER)
        if request.method != "POST" or not key or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > 200:
            return _error(422, "invalid", "Idempotency-Key is longer than 200 characters")
        request_hash = hashlib.sha256(request.body).hexdigest()
        principal = _principal(request)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    key=key, principal=principal, method="POST", path=request.path, request_hash=request_hash
                )
        except IntegrityError:
            record = IdempotencyRecord.objects.get(principal=principal, key=key)
            if record.request_hash != request_hash or record.path != request.path:
                return _error(422, "idempotency_key_reused", "this Idempotency-Key was used for another request")
            if not record.completed:
                return _error(409, "idempotency_in_progress", "a request with this Idempotency-Key is still running")
            replay = HttpResponse(bytes(record.response_body or b""), status=record.status_code,
                                  content_type=record.content_type or "application/json")
            replay["Idempotent-Replayed"] = "true"
            return replay
        response = self.get_response(request)
        if response.status_code >= 500 or response.status_code in (401, 403):
            # Nothing happened that a retry should not do again.
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            return response
        body = response.content if not getattr(response, "streaming", False) else b""
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            completed=True, status_code=response.status_code, response_body=body,
            content_type=response.get("Content-Type", "application/json"),
        )
        return response


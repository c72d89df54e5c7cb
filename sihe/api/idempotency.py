"""`Idempotency-Key` on every API POST: the first response is stored and replayed for the same key.

The key is scoped to the caller (token or session). The same key with a different body is refused
(422), and a second request while the first is still running gets 409 instead of running twice.

A running request holds the key on a lease (SIHE_IDEMPOTENCY_LEASE_SECONDS, 120 — longer than any
request may run): a request that crashed (a killed worker) leaves its key in progress only until the
lease ends, then a retry runs. Completed keys are kept SIHE_IDEMPOTENCY_KEEP_HOURS (24) and then
forgotten: the same key later is a new request.
"""

import datetime
import hashlib

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse

from sihe.core import clock
from sihe.core.idempotency import keep_hours, lease_seconds
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
        try:
            body = request.body
        except RequestDataTooBig:
            return JsonResponse({"code": "too_large", "message": "the request body is too large", "field": None},
                                status=413)
        request_hash = hashlib.sha256(body).hexdigest()
        path = request.path[:500]
        principal = _principal(request)
        now = clock.now()
        lease = now + datetime.timedelta(seconds=lease_seconds())
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    key=key, principal=principal, method="POST", path=path, request_hash=request_hash,
                    lease_until=lease)
        except IntegrityError:
            record = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
            if record is None:  # forgotten meanwhile: this request is the first again
                return self.__call__(request)
            expired = record.created_at < now - datetime.timedelta(hours=keep_hours())
            if expired and IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at).delete()[0]:
                return self.__call__(request)
            if record.request_hash != request_hash or record.path != path:
                return _error(422, "idempotency_key_reused", "this Idempotency-Key was used for another request")
            if not record.completed:
                taken_over = (record.lease_until is None or record.lease_until < now) and IdempotencyRecord.objects.filter(
                    pk=record.pk, completed=False, lease_until=record.lease_until).update(lease_until=lease) == 1
                if not taken_over:
                    return _error(409, "idempotency_in_progress",
                                  "a request with this Idempotency-Key is still running")
            else:
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


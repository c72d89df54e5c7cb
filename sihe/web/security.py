"""Who is asking, for login throttling: behind the production profile's TLS proxy the client is the
last address the proxy appended to X-Forwarded-For (earlier entries are whatever the client sent);
on a laptop, the socket's address."""

from django.conf import settings


def client_ip(request) -> str:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if getattr(settings, "PRODUCTION", False) and forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"

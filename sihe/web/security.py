"""Who is asking, for login throttling: behind the production profile's TLS proxy the client is the
last address the proxy appended to X-Forwarded-For (earlier entries are whatever the client sent);
on a laptop, the socket's address. Anything that is not an IP address (a forged header, a request
made inside the process) counts as 0.0.0.0: the throttling table's column is an address, and on
PostgreSQL a word there would fail the login."""

import ipaddress

from django.conf import settings

UNKNOWN = "0.0.0.0"


def _address(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return UNKNOWN


def client_ip(request) -> str:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if getattr(settings, "PRODUCTION", False) and forwarded:
        return _address(forwarded.split(",")[-1])
    return _address(request.META.get("REMOTE_ADDR", "") or "")

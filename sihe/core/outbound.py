"""Where Sihe may send requests (channel pulls, webhooks): not into the company's own network. A URL
whose host resolves to a private, loopback, link-local, reserved or multicast address is refused —
otherwise anyone who may set a webhook or a pull endpoint could make the server call 127.0.0.1:5432,
the cloud's metadata service (169.254.169.254) or the office NAS.

SIHE_OUTBOUND_ALLOW lists hosts and networks that are allowed all the same (comma-separated:
"127.0.0.1,10.0.0.0/8,erp.intranet"), e.g. a channel gateway inside the company network.
The check resolves the name when the request is made; the request then goes to that name."""

import ipaddress
import os
import socket
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from sihe.core.errors import ValidationFailed


def _allowed() -> tuple[set[str], list]:
    hosts, networks = set(), []
    for item in (x.strip() for x in os.environ.get("SIHE_OUTBOUND_ALLOW", "").split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            hosts.add(item.lower())
    return hosts, networks


def _internal(address) -> bool:
    return (address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
            or address.is_multicast or address.is_unspecified)


def check_url(url: str, *, field: str = "url") -> str:
    """`url` if Sihe may send to it; a 422 naming the field otherwise."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed(_("%(field)s must be an http(s) URL") % {"field": field}, field=field, code="invalid_url")
    host = parts.hostname.lower()
    hosts, networks = _allowed()
    if host in hosts:
        return url
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return url  # not resolvable now: nothing internal to protect; the request itself will fail or, later, be checked
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if _internal(address) and not any(address in net for net in networks):
            raise ValidationFailed(
                _("%(field)s: %(host)s is an internal address (%(ip)s); Sihe sends only to the internet "
                  "(SIHE_OUTBOUND_ALLOW lets an administrator allow it)") % {"field": field, "host": host, "ip": address},
                field=field, code="internal_address")
    return url

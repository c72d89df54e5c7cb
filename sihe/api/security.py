"""Who is calling: a Bearer token or a logged-in session; and may they do this?"""

from ninja.security import HttpBearer, SessionAuth

from sihe.core.actor import Actor
from sihe.core.errors import PermissionDenied
from sihe.core.roles import can, role_of
from sihe.hub.tokens import authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = authenticate(token)
        if user is not None:
            request.user = user
        return user


class Session(SessionAuth):
    """Pages call the API with the browser's session (CSRF-checked on writes)."""


AUTH = [BearerToken(), Session()]


def may(request, permission: str) -> bool:
    """Whether the caller holds `permission` — for parts of an answer (amounts follow costing.view /
    ledger.view: a warehouse worker reads a count's quantities, not its values)."""
    return can(getattr(request, "auth", None), permission)


def authorize(request, permission: str) -> Actor:
    """The one permission check of every API route; returns the actor for the service call."""
    user = request.auth
    if not can(user, permission):
        role = role_of(user) or "none"
        raise PermissionDenied(
            f"role {role} may not {permission}", field=None, code="forbidden", permission=permission
        )
    return Actor.for_user(user, via="api")

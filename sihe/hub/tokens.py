"""API tokens: issue, authenticate, revoke. Stored hashed; a token is 'sihe_' + 43 random characters."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sihe.core import audit
from sihe.core.actor import Actor
from sihe.core.errors import NotFound, PermissionDenied
from sihe.hub.models import ApiToken

PREFIX = "sihe_"


def hash_token(token: str) -> str:
    # Tokens are 256 random bits, so a plain SHA-256 is enough: there is nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(*, user, name: str = "", actor: Actor) -> tuple[ApiToken, str]:
    token = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        row = ApiToken.objects.create(user=user, name=name[:100], prefix=token[:12], token_hash=hash_token(token))
        audit.record_act(row, actor=actor, action="token.create", detail=row.prefix)
    return row, token


def authenticate(token: str):
    """Return the user of an active token, or None. Touches last_used at most once a minute."""
    row = ApiToken.objects.select_related("user").filter(token_hash=hash_token(token), revoked_at=None).first()
    if row is None or not row.user.is_active:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


def revoke_token(*, token_id: int, actor: Actor) -> ApiToken:
    from sihe.core.roles import can

    with transaction.atomic():
        row = ApiToken.objects.select_for_update().filter(pk=token_id).first()
        if row is None:
            raise NotFound(_("no such token"), field="token_id")
        if row.user_id != actor.user_id and not can(actor.role, "users.manage"):
            raise PermissionDenied(_("you can only revoke your own tokens"), field="token_id")
        if row.revoked_at is None:
            row.revoked_at = timezone.now()
            row.save(update_fields=["revoked_at"])
            audit.record_act(row, actor=actor, action="token.revoke", detail=row.prefix)
        return row

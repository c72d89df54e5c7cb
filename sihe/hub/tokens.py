"""API tokens: issue, authenticate, revoke. Stored hashed; a token is 'sihe_' + 43 random characters."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sihe.core import audit, clock
from sihe.core.actor import Actor
from sihe.core.errors import NotFound, PermissionDenied
from sihe.core.roles import ROLES
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


USER_FIELDS = {"id", "username", "first_name", "last_name", "email", "is_active", "is_staff", "is_superuser"}


def _user_fields():
    """The user's columns in model order, as Model.from_db expects them."""
    return [f for f in get_user_model()._meta.concrete_fields if f.attname in USER_FIELDS]


def _token_sql() -> str:
    """Token, user and role in one statement. Every API call runs it, and the ORM's query building
    costs about ten times the query itself here, so it is written out once."""
    User = get_user_model()
    user_columns = ", ".join(f'u."{f.column}"' for f in _user_fields())
    membership = User.groups.through._meta
    roles = ", ".join(f"'{name}'" for name in ROLES)  # fixed identifiers from core.roles, not input
    return (
        f'SELECT t."id", t."last_used_at", {user_columns}, '
        f'(SELECT g."name" FROM "{Group._meta.db_table}" g JOIN "{membership.db_table}" m ON m."group_id" = g."id" '
        f'WHERE m."user_id" = u."id" AND g."name" IN ({roles}) ORDER BY g."name" LIMIT 1) '
        f'FROM "{ApiToken._meta.db_table}" t JOIN "{User._meta.db_table}" u ON u."id" = t."user_id" '
        f'WHERE t."token_hash" = %s AND t."revoked_at" IS NULL'
    )


def authenticate(token: str):
    """Return the user of an active token (with its role cached on it), or None.
    Touches last_used at most once a minute."""
    with connection.cursor() as cursor:
        cursor.execute(_token_sql(), [hash_token(token)])
        row = cursor.fetchone()
    if row is None:
        return None
    token_id, last_used_at, *user_values, role = row
    fields = _user_fields()
    # A raw query skips the ORM's converters: SQLite hands booleans back as 0/1.
    user_values = [bool(v) if f.get_internal_type() == "BooleanField" else v for f, v in zip(fields, user_values, strict=True)]
    user = get_user_model().from_db(connection.alias, [f.attname for f in fields], user_values)
    if not user.is_active:
        return None
    user._sihe_role = role
    now = clock.now()
    if last_used_at is None or now - _aware(last_used_at) > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return user


def _aware(value):
    """SQLite hands back text or naive datetimes from a raw query; the ORM would have converted them."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)


def revoke_token(*, token_id: int, actor: Actor) -> ApiToken:
    from sihe.core.roles import can

    with transaction.atomic():
        row = ApiToken.objects.select_for_update().filter(pk=token_id).first()
        if row is None:
            raise NotFound(_("no such token"), field="token_id")
        if row.user_id != actor.user_id and not can(actor.role, "users.manage"):
            raise PermissionDenied(_("you can only revoke your own tokens"), field="token_id")
        if row.revoked_at is None:
            row.revoked_at = clock.now()
            row.save(update_fields=["revoked_at"])
            audit.record_act(row, actor=actor, action="token.revoke", detail=row.prefix)
        return row

"""Tokens are stored hashed and revocable; roles decide what each user may do."""

import pytest
from django.core.management import call_command

from sihe.core.actor import Actor
from sihe.core.roles import can
from sihe.hub.models import ApiToken
from sihe.hub.tokens import create_token, hash_token, revoke_token
from tests.conftest import ApiClient


def test_token_is_stored_only_as_its_hash(make_user):
    user = make_user("service")
    row, token = create_token(user=user, actor=Actor.system())
    assert token.startswith("sihe_") and len(token) > 40
    assert row.token_hash == hash_token(token)
    assert not ApiToken.objects.filter(token_hash=token).exists()
    assert token not in str(list(ApiToken.objects.values()))


def test_revoked_token_is_refused(make_user):
    user = make_user("manager")
    row, token = create_token(user=user, actor=Actor.system())
    api = ApiClient(token)
    assert api.get("/api/v1/products").status_code == 200
    revoke_token(token_id=row.id, actor=Actor.for_user(user))
    assert api.get("/api/v1/products").status_code == 401


@pytest.mark.parametrize(
    "role,permission,allowed",
    [
        ("warehouse", "ledger.post", False),
        ("accountant", "ledger.post", True),
        ("warehouse", "stock.move", True),
        ("service", "catalog.edit", False),
        ("shopfloor", "mes.operate", True),
        ("admin", "ledger.post", True),
        (None, "catalog.view", False),
    ],
)
def test_role_table(role, permission, allowed):
    assert can(role, permission) is allowed


def test_token_command_prints_the_token_alone_on_the_last_line(db, capsys):
    call_command("token", "create", "dana", "--role", "accountant", "--create")
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("sihe_") and " " not in last
    assert ApiClient(last).get("/api/v1/products").status_code == 200


def test_a_token_carries_its_users_role_and_dies_with_the_user(make_user):
    from sihe.hub.tokens import authenticate

    user = make_user("accountant")
    _, token = create_token(user=user, actor=Actor.system())
    found = authenticate(token)
    assert (found.pk, found.username, found.is_active, found.is_superuser) == (user.pk, "accountant_user", True, False)
    assert can(found, "ledger.post") and not can(found, "stock.move")
    user.is_active = False
    user.save()
    assert authenticate(token) is None
    assert ApiClient(token).get("/api/v1/products").status_code == 401

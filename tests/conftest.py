"""Shared fixtures: users per role, API clients with real bearer tokens, the actor for service calls."""

import json
import os
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from sihe.core.actor import Actor
from sihe.core.roles import ROLES, assign_role
from sihe.hub.tokens import create_token


class ApiClient:
    """A Django test client that speaks JSON with a bearer token, as an integrator would."""

    def __init__(self, token: str | None):
        self.client = Client()
        # Integrators' programs usually read English; people get zh-Hans by default (tested separately).
        self.headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
        if token:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    def _call(self, method, path, data=None, headers=None):
        kwargs = {**self.headers, **(headers or {})}
        if data is not None:
            kwargs["data"] = json.dumps(data)
            kwargs["content_type"] = "application/json"
        response = getattr(self.client, method)(path, **kwargs)
        try:
            response.json_body = response.json()
        except ValueError:
            response.json_body = None
        return response

    def get(self, path, **kw):
        return self._call("get", path, **kw)

    def post(self, path, data=None, **kw):
        return self._call("post", path, data if data is not None else {}, **kw)

    def put(self, path, data=None, **kw):
        return self._call("put", path, data if data is not None else {}, **kw)

    def patch(self, path, data=None, **kw):
        return self._call("patch", path, data if data is not None else {}, **kw)

    def delete(self, path, **kw):
        return self._call("delete", path, **kw)


@pytest.fixture
def make_user(db):
    def _make(role: str, username: str | None = None, password: str = "pw"):
        user = get_user_model().objects.create_user(username=username or f"{role}_user", password=password)
        assign_role(user, role)
        return user

    return _make


@pytest.fixture
def api_as(make_user):
    """api_as("manager") -> an ApiClient authenticated with a fresh token of a user of that role."""
    cache: dict = {}

    def _api(role: str) -> ApiClient:
        if role not in cache:
            user = make_user(role)
            _, token = create_token(user=user, name="test", actor=Actor.system("test"))
            cache[role] = ApiClient(token)
        return cache[role]

    return _api


@pytest.fixture
def anonymous_api():
    return ApiClient(None)


@pytest.fixture
def actor(db):
    return Actor.system("test")


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def chromium():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Debian chromium is required under CI=true (apt-get install -y chromium)")
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    return path


ALL_ROLES = list(ROLES)


def pytest_collection_modifyitems(items):
    """Every test that commits (transaction=True, transactional_db, live_server) restores the
    migrated data (units, chart of accounts, posting rules, content types) with serialized_rollback.

    Mixed, they break each other: a plain transactional test's flush re-creates content types with
    new ids, and the next serialized_rollback test then fails to load the originals
    (UNIQUE constraint failed: django_content_type.app_label, model)."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker else {}
        fixtures = getattr(item, "fixturenames", ())
        commits = kwargs.get("transaction") or "transactional_db" in fixtures or "live_server" in fixtures
        if commits and not kwargs.get("serialized_rollback"):
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)

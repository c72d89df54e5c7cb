"""Shared fixtures: users per role, API clients with real bearer tokens, the actor for service calls."""

import contextlib
import datetime
import json
import os
import shutil
import threading

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client

from sihe.core.actor import Actor
from sihe.core.clock import SHANGHAI

# The suite's own HTTP peers (the fake channel feed, webhook receivers) listen on loopback, which Sihe
# refuses to call by default (sihe.core.outbound); subprocesses (`sihe worker`) inherit this.
os.environ.setdefault("SIHE_OUTBOUND_ALLOW", "127.0.0.1,localhost,::1")
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


# Every test runs at this instant (time moving on from it), never at today's date: a test that ages,
# expires or closes a period sets its own time with `clock.at(...)`. 10:00 Beijing time, a Wednesday.
SUITE_START = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)


class Clock:
    """The suite's clock: `clock.at(2027, 2, 1)` or `clock.at(datetime)` (Beijing time when naive),
    `clock.advance(days=3)`; `clock.now()` and `clock.today()` read it."""

    def __init__(self, traveller):
        self._traveller = traveller

    def at(self, when, *args, hour: int = 10, minute: int = 0):
        if isinstance(when, int):
            when = datetime.date(when, *args)
        if not isinstance(when, datetime.datetime):
            when = datetime.datetime.combine(when, datetime.time(hour, minute))
        if when.tzinfo is None:
            when = when.replace(tzinfo=SHANGHAI)
        self._traveller.move_to(when)
        return when

    def advance(self, **delta):
        self._traveller.shift(datetime.timedelta(**delta))

    @staticmethod
    def now() -> datetime.datetime:
        from sihe.core import clock

        return clock.now()

    @staticmethod
    def today() -> datetime.date:
        from sihe.core import clock

        return clock.today()


@pytest.fixture(autouse=True)
def clock(request):
    if request.node.get_closest_marker("wall_clock"):
        # the test talks to processes of its own (`sihe worker`) that sign and check timestamps on the real
        # clock; it depends on no date, only on both sides agreeing on the instant
        yield None
        return
    with time_machine.travel(SUITE_START, tick=True) as traveller:
        yield Clock(traveller)


@pytest.fixture(autouse=True, scope="session")
def _browser_cookies_outlive_the_suite_clock():
    """The browser keeps real time while the server runs at the suite's clock: cookies without an
    expiry date, so Chromium never drops a session it thinks expired long ago."""
    from django.conf import settings

    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None


def run_parallel(worker, n: int, *, timeout: float = 120) -> list:
    """Run `worker(i)` for i in 0..n-1 on n threads (each its own database connection), released together
    by a barrier; return their results in order (an exception raised by a worker is its result)."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = worker(i)
        except Exception as exc:  # the test reads it as that worker's answer
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return results


@contextlib.contextmanager
def held_open(act, *, within=contextlib.nullcontext, timeout: float = 30):
    """Run `act()` inside `within()` in a transaction of another thread (its own connection) and keep that
    transaction open while the with-block runs: its locks held, its rows not committed, what `within` does at
    its end not done yet. Yields what `act` returned; the transaction commits when the block ends, and an
    exception of the thread fails the test."""
    ran, release, outcome = threading.Event(), threading.Event(), {}

    def hold():
        try:
            with transaction.atomic(durable=True), within():
                outcome["value"] = act()
                ran.set()
                release.wait(timeout)
        except Exception as exc:  # raised again below, in the test's thread
            outcome["error"] = exc
            ran.set()
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert ran.wait(timeout), "the held act did not start"
        if "error" in outcome:
            raise outcome["error"]
        yield outcome.get("value")
    finally:
        release.set()
        thread.join(timeout)
    if "error" in outcome:
        raise outcome["error"]


@pytest.fixture
def parallel():
    """`parallel(worker, n)`: n workers at the same moment on n PostgreSQL connections."""
    return run_parallel


def api_client(user) -> ApiClient:
    """An ApiClient with a fresh bearer token of `user`."""
    _, token = create_token(user=user, name="test", actor=Actor.system("test"))
    return ApiClient(token)


def browser_login(page, base_url: str, username: str, password: str) -> None:
    """Log `page` in through the login form, as a person does, and wait for the home page."""
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form[action='/login/'] button")
    page.wait_for_url(f"{base_url}/")

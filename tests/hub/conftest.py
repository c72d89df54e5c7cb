"""A real webhook receiver on 127.0.0.1 and helpers to emit events and subscribe to them."""

import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.db import connection, transaction

from sihe.core.actor import Actor
from sihe.core.outbox import emit


class Receiver:
    """Records every POST (event id, type, aggregate, signature check) and answers `statuses` in
    turn (the last one repeats), after `delay` seconds."""

    def __init__(self, secret: str = "", statuses=(200,), delay: float = 0.0):
        self.secret = secret
        self.statuses = list(statuses)
        self.delay = delay
        self.received: list[dict] = []
        self.in_progress = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                expected = "sha256=" + hmac.new(receiver.secret.encode(), body, hashlib.sha256).hexdigest()
                event = json.loads(body)
                with receiver.lock:
                    receiver.in_progress += 1
                    receiver.received.append(
                        {
                            "event_id": event["id"],
                            "type": event["type"],
                            "aggregate": (event["aggregate"]["type"], event["aggregate"]["id"]),
                            "event": event,
                            "headers": dict(self.headers),
                            "signature_ok": hmac.compare_digest(self.headers.get("X-Sihe-Signature", ""), expected),
                        }
                    )
                    index = len(receiver.received) - 1
                    status = receiver.statuses[min(index, len(receiver.statuses) - 1)]
                try:
                    if receiver.delay:
                        time.sleep(receiver.delay)
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the worker was killed while we answered
                finally:
                    with receiver.lock:
                        receiver.in_progress -= 1

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def event_ids(self) -> list[int]:
        with self.lock:
            return [r["event_id"] for r in self.received]

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    started = []

    def _make(**kwargs) -> Receiver:
        r = Receiver(**kwargs).start()
        started.append(r)
        return r

    yield _make
    for r in started:
        r.stop()


def emit_event(event_type: str, aggregate_id, *, aggregate_type: str = "product", payload=None, actor=None):
    with transaction.atomic():
        return emit(
            event_type,
            aggregate_type=aggregate_type,
            aggregate_id=aggregate_id,
            payload=payload if payload is not None else {"n": str(aggregate_id)},
            actor=actor or Actor.system("test"),
        )


def worker_database_url() -> str:
    """DATABASE_URL of the test database, for `sihe worker` subprocesses."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


def start_worker(log: Path, *, env: dict | None = None, args=("--interval", "0.2")) -> subprocess.Popen:
    """`sihe worker` as a real process on the test database, its output appended to `log`."""
    full_env = {**os.environ, "DATABASE_URL": worker_database_url(), **(env or {})}
    sihe = Path(sys.executable).with_name("sihe")
    command = [str(sihe)] if sihe.exists() else [sys.executable, "-m", "sihe.manage"]
    with open(log, "ab") as out:
        return subprocess.Popen([*command, "worker", *args], env=full_env, stdout=out, stderr=out)


def wait_until(condition, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what} after {seconds:g} s")

"""Issue 12.12: the event log relayed to NATS JetStream (the real server at 127.0.0.1:4222): every event
once, in order, with its id as the message id — even when the relay is killed with SIGKILL mid-way and
started again."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from sihe.hub.relay import Target, position
from tests.hub.conftest import emit_event, wait_until, worker_database_url

NATS_URL = os.environ.get("NATS_URL", "nats://127.0.0.1:4222")


def _stream_messages(stream: str) -> list[dict]:
    import nats

    async def read():
        nc = await nats.connect(NATS_URL)
        js = nc.jetstream()
        info = await js.stream_info(stream)
        out = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            msg = await js.get_msg(stream, seq)
            out.append({"id": msg.headers["Nats-Msg-Id"], "subject": msg.subject, "body": json.loads(msg.data)})
        await js.delete_stream(stream)
        await nc.close()
        return out

    return asyncio.run(read())


def _relay(log: Path, env: dict, *args) -> subprocess.Popen:
    sihe = Path(sys.executable).with_name("sihe")
    command = [str(sihe)] if sihe.exists() else [sys.executable, "-m", "sihe.manage"]
    with open(log, "ab") as out:
        return subprocess.Popen([*command, "relay", "--batch", "50", "--interval", "0.1", *args],
                                env={**os.environ, "DATABASE_URL": worker_database_url(), **env}, stdout=out, stderr=out)


@pytest.fixture
def stream_env():
    name = f"SIHE_TEST_{uuid.uuid4().hex[:8].upper()}"
    return {"SIHE_NATS_STREAM": name, "SIHE_NATS_SUBJECT": f"sihetest.{name.lower()}", "NATS_URL": NATS_URL}


@pytest.mark.slow
@pytest.mark.wall_clock
@pytest.mark.django_db(transaction=True)
def test_12_12_a_killed_relay_loses_nothing_and_sends_nothing_twice(tmp_path, stream_env):
    target = Target(url=NATS_URL, stream=stream_env["SIHE_NATS_STREAM"], prefix=stream_env["SIHE_NATS_SUBJECT"])
    first = [emit_event("catalog.product.updated", f"SKU-{n % 7}", payload={"n": n}).id for n in range(600)]
    log = tmp_path / "relay.log"
    # given a relay that has sent part of the log when it is killed without warning
    relay = _relay(log, stream_env)
    # (the log may hold events of earlier tests: count from this test's first event)
    wait_until(lambda: position(target) >= first[0] + 99, seconds=60, what="the relay's first batches")
    relay.send_signal(signal.SIGKILL)
    relay.wait(timeout=20)
    killed_at = position(target)
    assert 100 <= killed_at - first[0] + 1 <= 600
    # when more events are logged and the relay starts again
    later = [emit_event("stock.received", f"WH-{n % 3}", aggregate_type="warehouse", payload={"n": n}).id
             for n in range(200)]
    again = _relay(log, stream_env, "--drain")
    assert again.wait(timeout=120) == 0, log.read_text()
    # then the stream holds every event exactly once, in the log's order, on its type's subject
    messages = _stream_messages(target.stream)
    assert [m["id"] for m in messages] == [f"sihe-{i}" for i in first + later]
    assert [m["body"]["id"] for m in messages] == first + later
    assert messages[0]["subject"] == f"{target.prefix}.catalog.product.updated"
    assert messages[-1]["subject"] == f"{target.prefix}.stock.received"
    assert messages[-1]["body"]["payload"] == {"n": 199}


@pytest.mark.wall_clock
@pytest.mark.django_db(transaction=True)
def test_12_12_a_batch_published_twice_is_stored_once(stream_env, monkeypatch):
    """The relay dies after JetStream acknowledged a batch but before the cursor moved: the batch goes out
    again and JetStream drops it by message id."""
    from sihe.hub import relay as relay_module

    for key, value in stream_env.items():
        monkeypatch.setenv(key, value)
    ids = [emit_event("catalog.product.updated", "SKU-1", payload={"n": n}).id for n in range(30)]
    relay = relay_module.Relay(batch=100)
    relay.connect()
    monkeypatch.setattr(relay_module, "_advance", lambda target, last_id: None)  # the cursor never moves
    assert relay.step() == 30 and relay.step() == 30
    relay.close()
    assert [m["body"]["id"] for m in _stream_messages(stream_env["SIHE_NATS_STREAM"])] == ids

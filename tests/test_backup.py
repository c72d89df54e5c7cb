"""Issue 12.11: `sihe backup` and `sihe restore` — the demo company backed up, restored into a fresh
database, and found whole there: `sihe stock check` clean and the trial balance equal to the original."""

import io
import json
import os
import subprocess
import sys
import uuid

import pytest
from django.core.management import call_command
from django.db import connection

from sihe.core.models import Event

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRIAL_BALANCE = (
    "import json; from sihe.core import clock; from sihe.ledger import reports; "
    "tb = reports.trial_balance(clock.today().strftime('%Y-%m'), show_all=True); "
    "print(json.dumps([(r['code'], str(r['closing_debit']), str(r['closing_credit'])) for r in tb['rows']]))"
)


def _run(args, database_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": database_url, "SIHE_VAR_DIR": str(tmp_path / "var")}
    return subprocess.run([sys.executable, "-m", "sihe.manage", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def fresh_database(tmp_path):
    """An empty database of the same kind as the suite's, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"sihe_restore_{uuid.uuid4().hex[:10]}"
    settings_ = connection.settings_dict
    base = f"postgres://{settings_['USER']}@{settings_['HOST']}:{settings_['PORT'] or 5432}"
    subprocess.run(["psql", f"{base}/postgres", "-qc", f'CREATE DATABASE "{name}"'], check=True)
    yield f"{base}/{name}"
    subprocess.run(["psql", f"{base}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)


@pytest.mark.slow
@pytest.mark.wall_clock
@pytest.mark.django_db(transaction=True)
def test_12_11_backup_restores_into_a_fresh_database_whole(tmp_path, fresh_database, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("demo", stdout=io.StringIO())
    from sihe.core import clock
    from sihe.ledger import reports

    tb = reports.trial_balance(clock.today().strftime("%Y-%m"), show_all=True)
    original = [[r["code"], str(r["closing_debit"]), str(r["closing_credit"])] for r in tb["rows"]]
    position = Event.objects.order_by("-id").values_list("id", flat=True).first()
    # when the database is backed up
    out = io.StringIO()
    target = tmp_path / "demo-backup.zip"
    call_command("backup", str(target), stdout=out)
    assert f"event log position {position}" in out.getvalue()
    # and restored into an empty database
    restored = _run(["restore", str(target), "--yes"], fresh_database, tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert f"the event log ends at {position}" in restored.stdout
    # then the stock ledger checks clean and the trial balance is the same, account by account
    check = _run(["stock", "check"], fresh_database, tmp_path)
    assert check.returncode == 0 and "0 differences" in check.stdout, check.stdout + check.stderr
    again = _run(["shell", "-c", TRIAL_BALANCE], fresh_database, tmp_path)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout.strip().splitlines()[-1]) == original
    # a file that is no backup is refused, naming the reason, and changes nothing
    bogus = tmp_path / "bogus.zip"
    bogus.write_bytes(b"not a zip")
    refused = _run(["restore", str(bogus), "--yes"], fresh_database, tmp_path)
    assert refused.returncode != 0 and "not a Sihe backup" in refused.stderr

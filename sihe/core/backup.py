"""`sihe backup` / `sihe restore`: the whole database in one file, with where the event log stood.

The file is a zip of `manifest.json` ({format, database, created_at, event_position, counts}) and the
database itself: PostgreSQL's own custom-format dump (pg_dump -Fc, restored with pg_restore) or, on
SQLite, a consistent copy made with SQLite's online backup API while the server keeps running.
`event_position` is the id of the last event in the log: after a restore, an outside consumer that
had read past it knows those events are gone with the data and re-reads from there.
"""

import datetime
import json
import os
import sqlite3
import subprocess
import tempfile
import zipfile
from pathlib import Path

from django.db import connection, connections

from sihe.core import clock
from sihe.core.errors import ValidationFailed

FORMAT = "sihe-backup/1"
COUNTED = ("core_event", "stock_stockmove", "ledger_voucher", "oms_order")


def _settings() -> dict:
    return connections["default"].settings_dict


def _pg_env() -> dict:
    db = _settings()
    env = {**os.environ, "PGHOST": db.get("HOST") or "", "PGPORT": str(db.get("PORT") or ""),
           "PGUSER": db.get("USER") or "", "PGDATABASE": db["NAME"]}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return {k: v for k, v in env.items() if v != ""}


def _manifest() -> dict:
    counts = {}
    with connection.cursor() as cursor:
        for table in COUNTED:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - fixed table names
            counts[table] = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM core_event")
        position = cursor.fetchone()[0]
    return {"format": FORMAT, "database": connection.vendor, "created_at": clock.now().isoformat(),
            "event_position": position, "counts": counts}


def backup(output: Path) -> dict:
    """Write the backup file; return its manifest."""
    manifest = _manifest()
    with tempfile.TemporaryDirectory() as scratch:
        if connection.vendor == "postgresql":
            data = Path(scratch) / "database.dump"
            subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(data)], env=_pg_env(), check=True,
                           capture_output=True)
        else:
            data = Path(scratch) / "database.sqlite3"
            source = sqlite3.connect(_settings()["NAME"])
            target = sqlite3.connect(data)
            with target:
                source.backup(target)
            source.close()
            target.close()
        output.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
            archive.write(data, data.name)
    return manifest


def read_manifest(path: Path) -> dict:
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ValidationFailed(f"{path} is not a Sihe backup ({exc})", field="file", code="not_a_backup") from exc
    if manifest.get("format") != FORMAT:
        raise ValidationFailed(f"{path}: unknown backup format {manifest.get('format')!r}", field="file",
                               code="not_a_backup")
    return manifest


def restore(path: Path) -> dict:
    """Replace the configured database's contents with the backup's; return its manifest."""
    manifest = read_manifest(path)
    if manifest["database"] != connection.vendor:
        raise ValidationFailed(f"this backup is of a {manifest['database']} database; DATABASE_URL is "
                               f"{connection.vendor}", field="file", code="wrong_database")
    connections.close_all()
    with tempfile.TemporaryDirectory() as scratch, zipfile.ZipFile(path) as archive:
        if manifest["database"] == "postgresql":
            data = archive.extract("database.dump", scratch)
            subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                            "-d", _settings()["NAME"], data], env=_pg_env(), check=True, capture_output=True)
        else:
            data = archive.extract("database.sqlite3", scratch)
            source = sqlite3.connect(data)
            target = sqlite3.connect(_settings()["NAME"])
            with target:
                source.backup(target)
            source.close()
            target.close()
    return manifest


def default_name() -> str:
    return f"sihe-backup-{datetime.datetime.now(tz=clock.SHANGHAI):%Y%m%d-%H%M%S}.zip"

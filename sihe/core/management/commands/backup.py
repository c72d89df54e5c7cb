"""`sihe backup [FILE]`: the whole database and the event log position in one file (see sihe.core.backup)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from sihe.core import backup


class Command(BaseCommand):
    help = "Back the database up into one file (pg_dump custom format or SQLite's backup API, with a manifest)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the backup file (default var/backups/sihe-backup-<time>.zip)")

    def handle(self, *args, file=None, **opts):
        path = Path(file) if file else Path(settings.VAR_DIR) / "backups" / backup.default_name()
        manifest = backup.backup(path)
        self.stdout.write(f"backup written: {path} ({path.stat().st_size:,} bytes, {manifest['database']}, "
                          f"event log position {manifest['event_position']})")

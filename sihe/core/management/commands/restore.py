"""`sihe restore FILE`: replace the database's contents with a backup made by `sihe backup`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sihe.core import backup
from sihe.core.errors import DomainError


class Command(BaseCommand):
    help = "Restore a backup made by `sihe backup` into the database DATABASE_URL names (its contents are replaced)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="do not ask before replacing the database")

    def handle(self, *args, file, yes=False, **opts):
        path = Path(file)
        try:
            manifest = backup.read_manifest(path)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if not yes and input(f"Replace this database with the backup of {manifest['created_at']}? [y/N] ").lower() != "y":
            raise CommandError("not restored")
        try:
            backup.restore(path)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"restored {path} (made {manifest['created_at']}); the event log ends at "
                          f"{manifest['event_position']}: consumers that read further re-read from there")

"""The `sihe` command: Django's manage.py, installed as a console script."""

import os
import sys

# Commands that answer a person at once keep the web's PostgreSQL statement limit; the others do bulk
# work (migrations, demo, imports, re-costing in the worker, backups) and may take longer.
INTERACTIVE = {"serve", "runserver"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sihe.settings")
    if len(sys.argv) > 1 and sys.argv[1] not in INTERACTIVE:
        os.environ.setdefault("SIHE_PG_STATEMENT_TIMEOUT_MS", "0")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

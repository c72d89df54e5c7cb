"""`sihe serve`: the production web server (gunicorn, WSGI) on 127.0.0.1:8000; `--dev` for runserver."""

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Sihe over HTTP (gunicorn with N workers; --dev for Django's autoreloading server)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("SIHE_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("SIHE_WEB_WORKERS", "2")))
        parser.add_argument("--dev", action="store_true")

    def handle(self, *args, bind, workers, dev, **opts):
        if dev:
            call_command("runserver", bind, use_reloader=False)
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            sys.executable, "-m", "gunicorn", "sihe.wsgi:application",
            "--bind", bind, "--workers", str(workers), "--worker-class", "gthread", "--threads", "4",
            "--access-logfile", "-" if settings.DEBUG else "/dev/null", "--graceful-timeout", "5",
        ]
        self.stdout.write(f"Sihe serving on http://{bind} ({workers} workers)")
        self.stdout.flush()
        os.execv(sys.executable, argv)

"""`sihe kpis rebuild` recomputes the KPIs' daily ledger summary from the posted voucher lines;
`sihe kpis check` compares it with them (exit status 1 and the rows that differ when they do not agree)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sihe.insights import summary


class Command(BaseCommand):
    help = "Rebuild the KPIs' daily ledger summary from the voucher lines (rebuild), or compare them (check)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "check"])

    def handle(self, *args, action, **opts):
        started = time.perf_counter()
        if action == "rebuild":
            rows = summary.rebuild()
            self.stdout.write(_("KPI summary rebuilt from the ledgers: %(rows)s rows in %(seconds).1f s")
                              % {"rows": rows, "seconds": time.perf_counter() - started})
            return
        differences = summary.differences()
        for key, have, want in differences[:50]:
            self.stdout.write(f"{key}: {have} ≠ {want}")
        if differences:
            raise CommandError(_("KPI summary differs from the ledgers on %(n)s rows; run `sihe kpis rebuild`")
                               % {"n": len(differences)})
        self.stdout.write(_("KPI summary equals the ledgers (%(rows)s rows)") % {"rows": len(summary.stored())})

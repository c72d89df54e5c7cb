"""`sihe mrp --start 2026-12-07 --buckets 8 --bucket-days 7 [--warehouse FAC]`: run MRP now, with progress,
and print the proposals and exceptions (`--queue` leaves the run to the worker instead)."""

import datetime
import sys

from django.core.management.base import BaseCommand, CommandError

from sihe.catalog.models import Warehouse
from sihe.core import clock
from sihe.core.actor import Actor
from sihe.core.errors import DomainError
from sihe.core.money import text
from sihe.planning import runs, selectors


class Command(BaseCommand):
    help = "Run MRP over buckets and print what it proposes"

    def add_arguments(self, parser):
        parser.add_argument("--start", help="first day of bucket 1 (default: next Monday)")
        parser.add_argument("--buckets", type=int, default=8)
        parser.add_argument("--bucket-days", type=int, default=7)
        parser.add_argument("--warehouse", help="plan one warehouse (default: all)")
        parser.add_argument("--queue", action="store_true", help="queue the run for the worker and return")

    def handle(self, *args, start=None, buckets=8, bucket_days=7, warehouse=None, queue=False, **opts):
        today = clock.today()
        try:
            first = datetime.date.fromisoformat(start) if start else today + datetime.timedelta(days=7 - today.weekday())
        except ValueError as exc:
            raise CommandError(f"--start: {exc}") from exc
        where = None
        if warehouse:
            where = Warehouse.objects.filter(code=warehouse).first()
            if where is None:
                raise CommandError(f"--warehouse: unknown warehouse {warehouse}")
        actor = Actor(user_id=None, username="cli:mrp", role="admin", via="cli")
        try:
            if queue:
                run = runs.request(start=first, buckets=buckets, bucket_days=bucket_days, warehouse=where, actor=actor)
                self.stdout.write(f"MRP run {run.pk} queued for the worker")
                return
            run = runs.run_now(start=first, buckets=buckets, bucket_days=bucket_days, warehouse=where, actor=actor,
                               progress=self._progress)
        except DomainError as exc:
            raise CommandError(f"{exc.field}: {exc.message}" if exc.field else exc.message) from exc
        self.stdout.write(f"MRP run {run.pk}: {run.item_count} items, {run.proposal_count} proposals, "
                          f"{len(run.exceptions)} exceptions")
        for p in selectors.proposals(run)[:50]:
            self.stdout.write(f"  {p.id:>6} {p.kind:<10} {p.product.sku:<16} {text(p.qty):>12}  "
                              f"release {p.release_date}  due {p.due_date}")
        for e in run.exceptions[:50]:
            self.stdout.write(f"  ! {e['sku']} {e['code']} bucket {e['bucket']}")

    def _progress(self, percent: int, stage: str) -> None:
        bar = "#" * (percent // 5) + "." * (20 - percent // 5)
        end = "\n" if percent >= 100 else ""
        sys.stderr.write(f"\r[{bar}] {percent:3d}% {stage:<40}{end}")
        sys.stderr.flush()

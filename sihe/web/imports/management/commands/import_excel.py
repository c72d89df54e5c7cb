"""`sihe import_excel FILE --kind products|partners|locations|stock_rules|product_units`: import from
Excel with a progress bar for the check and one for the write, printing every problem of a bad file
(nothing is then imported).

`sihe import_excel --job ID` processes a queued background ImportJob (started by the page or API).

The command lives in the import area of the top layer because it serves every kind: the catalog's
and the stock app's (the catalog may not import the stock app; see `sihe.stock.imports`).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sihe.catalog import excel
from sihe.core import tx
from sihe.core.actor import Actor
from sihe.core.errors import DomainError
from sihe.stock import imports


class Command(BaseCommand):
    help = "Import products, partners, locations, stock rules or alternate units from an .xlsx file " \
           "(or run a queued import job)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the .xlsx file")
        parser.add_argument("--kind", choices=imports.KINDS, help="what the file holds")
        parser.add_argument("--user", help="import as this user (recorded in the audit trail)")
        parser.add_argument("--job", type=int, help="process the queued background import job with this id")
        parser.add_argument("--language", help="language of the messages, e.g. zh-hans or en")

    def handle(self, *args, file=None, kind=None, user=None, job=None, language=None, **options):
        if language:
            translation.activate(language)
        if job is not None:
            return self._job(job)
        if not file or not kind:
            raise CommandError("give FILE and --kind, or --job ID")
        actor = self._actor(user)
        console = Console(stderr=True)
        try:
            total = excel.count_rows(file)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=False) as bar:
            checking = bar.add_task("checking", total=total)
            writing = bar.add_task("writing", total=None, visible=False)
            try:
                plan = imports.validate(kind=kind, source=file, progress=lambda done: bar.update(checking, completed=done))
                # the file's rows are now counted (blank rows left out): both bars end exactly full
                bar.update(checking, total=plan.rows_read, completed=plan.rows_read)
                bar.update(writing, total=len(plan.rows), completed=0, visible=True)
                with tx.entry():
                    result = imports.apply(plan=plan, actor=actor, progress=lambda done: bar.update(writing, completed=done))
            except excel.ImportRejected as exc:
                bar.stop()
                self._print_errors(console, exc.extra.get("errors") or [])
                raise CommandError(exc.message) from None
            except DomainError as exc:
                raise CommandError(exc.message) from None
        self.stdout.write(f"{kind}: {result.rows} rows, {result.created} created, {result.updated} updated, "
                          f"{result.unchanged} unchanged ({result.rows_read} read, {result.rows_written} written)")

    def _actor(self, username):
        if not username:
            return Actor(user_id=None, username="cli", role="admin", via="cli")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username}")
        return Actor.for_user(user, via="cli")

    def _print_errors(self, console, errors):
        table = Table("row", "column", "header", "problem", title=f"{len(errors)} problems")
        for error in errors:
            table.add_row(str(error["row"] or ""), error["column"] or "", error["header"] or "", error["message"])
        console.print(table)

    def _job(self, job_id):
        job = imports.run_import_job(job_id=job_id)
        self.stdout.write(f"job {job.pk}: {job.status}, {job.total_rows} rows, {job.created_count} created, "
                          f"{job.updated_count} updated, {len(job.errors)} problems {job.message}".rstrip())
        if job.status == job.Status.FAILED:
            raise CommandError(job.message or "failed")

"""`sihe stock check`: rebuild every quant and level from the done moves and print any difference."""

from django.core.management.base import BaseCommand, CommandError

from sihe.stock import selectors


class Command(BaseCommand):
    help = "Stock ledger tools. `check`: recompute quants from moves and print differences (there must be none)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check"])

    def handle(self, *args, action: str, **options):
        diffs = selectors.quant_differences()
        for diff in diffs:
            self.stdout.write(" ".join(f"{k}={v}" for k, v in diff.items()))
        if diffs:
            raise CommandError(f"{len(diffs)} difference(s) between quants and moves")
        self.stdout.write(self.style.SUCCESS("stock check: quants, levels and reservations match the moves (0 differences)"))

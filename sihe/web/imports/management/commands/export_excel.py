"""`sihe export_excel --kind products -o products.xlsx`: master data, stock rules or alternate units to
Excel, re-importable as is; `--template` writes the header row with drop-down lists only."""

from pathlib import Path

from django.core.management.base import BaseCommand

from sihe.catalog import exports
from sihe.stock import imports


class Command(BaseCommand):
    help = "Export products, partners, locations, stock rules or alternate units to an .xlsx file " \
           "(or an empty template)."

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=imports.KINDS, required=True)
        parser.add_argument("-o", "--output", help="file to write (default sihe-<kind>.xlsx)")
        parser.add_argument("--headers", choices=["zh", "en"], default="zh", help="Chinese labels or field names")
        parser.add_argument("--template", action="store_true", help="only the header row")

    def handle(self, *args, kind, output=None, headers="zh", template=False, **options):
        path = Path(output or exports.file_name(kind, template=template))
        build = imports.template_workbook if template else imports.export_workbook
        path.write_bytes(build(kind=kind, language=headers))
        self.stdout.write(str(path))

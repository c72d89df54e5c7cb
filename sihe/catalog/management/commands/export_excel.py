"""`sihe export_excel --kind products -o products.xlsx`: master data to Excel, re-importable as is."""

from pathlib import Path

from django.core.management.base import BaseCommand

from sihe.catalog import excel, exports


class Command(BaseCommand):
    help = "Export products, partners or locations to an .xlsx file (or an empty template)."

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=excel.KINDS, required=True)
        parser.add_argument("-o", "--output", help="file to write (default sihe-<kind>.xlsx)")
        parser.add_argument("--headers", choices=["zh", "en"], default="zh", help="Chinese labels or field names")
        parser.add_argument("--template", action="store_true", help="only the header row")

    def handle(self, *args, kind, output=None, headers="zh", template=False, **options):
        path = Path(output or exports.file_name(kind, template=template))
        build = exports.template_workbook if template else exports.export_workbook
        path.write_bytes(build(kind=kind, language=headers))
        self.stdout.write(str(path))

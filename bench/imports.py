"""Benchmark of the Excel import (prints figures; asserts nothing).

Builds products files of 20,000 and 50,000 rows, imports each through the service
(`validate_workbook` = read + clean every row; `apply_plan` = one transaction of bulk writes, audit
rows and the event), then re-imports the 20,000-row file with every name changed (20,000 updates,
20,000 audit rows). Prints seconds and rows/s per phase, on SQLite and — if DATABASE_URL points to
PostgreSQL — on PostgreSQL too. Each run uses a fresh test database that it creates and drops.

    .venv/bin/python bench/imports.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sihe_imports .venv/bin/python bench/imports.py
    options: --sizes 20000,50000
"""

import argparse
import io
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="20000,50000")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def products_file(n: int, prefix: str, name: str = "商品") -> io.BytesIO:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["SKU", "名称", "英文名称", "单位", "税率", "重量(kg)", "追踪方式", "保质期(天)", "分类", "标价"])
    for i in range(n):
        lot = i % 10 == 0
        sheet.append([f"{prefix}-{i:06d}", f"{name} {i}", f"Item {i}", "PCS" if i % 3 else "BOX", 0.13, 0.25 + i % 7,
                      "批次+效期" if lot else "无", 365 if lot else None, f"CAT-{i % 50:02d}", 9.9 + i % 100])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def child(sizes: list[int]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sihe.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import setup_databases, teardown_databases

    from sihe.catalog import imports
    from sihe.catalog.models import Product
    from sihe.core.actor import Actor

    old = setup_databases(verbosity=0, interactive=False)
    try:
        actor = Actor(user_id=None, username="bench", role="admin", via="cli")
        print(f"\n== {connection.vendor} ==", flush=True)
        print(f"{'file':<22}{'rows':>8}{'check s':>10}{'check rows/s':>14}{'write s':>10}{'write rows/s':>14}"
              f"{'created':>9}{'updated':>9}", flush=True)
        runs = [(f"{n:,} new", n, f"B{n}", "商品") for n in sizes] + [(f"{sizes[0]:,} all changed", sizes[0],
                                                                     f"B{sizes[0]}", "改名")]
        for label, n, prefix, name in runs:
            file = products_file(n, prefix, name)
            started = time.perf_counter()
            plan = imports.validate_workbook(kind="products", source=file)
            checked = time.perf_counter()
            with transaction.atomic(durable=True):
                result = imports.apply_plan(plan=plan, actor=actor)
            written = time.perf_counter()
            check_s, write_s = checked - started, written - checked
            print(f"{label:<22}{n:>8}{check_s:>10.2f}{n / check_s:>14,.0f}{write_s:>10.2f}{n / write_s:>14,.0f}"
                  f"{result.created:>9}{result.updated:>9}", flush=True)
        print(f"products in the database: {Product.objects.count():,}", flush=True)
    finally:
        teardown_databases(old, verbosity=0)


def main() -> None:
    args = parse()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.child:
        child(sizes)
        return
    print(f"machine: {platform.machine()}, nproc {os.cpu_count()}, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}")
    print("check = read the .xlsx and clean every row (validate_workbook); "
          "write = one transaction of bulk_create/bulk_update + audit rows + event (apply_plan)")
    url = os.environ.get("DATABASE_URL", "")
    targets = [("sqlite", "")] + ([("postgresql", url)] if url.startswith("postgres") else [])
    for _name, database_url in targets:
        with tempfile.TemporaryDirectory(prefix="sihe-bench-imports-") as var:
            env = {**os.environ, "DATABASE_URL": database_url, "SIHE_VAR_DIR": var}
            subprocess.run([sys.executable, __file__, "--child", "--sizes", args.sizes], env=env, check=True, cwd=ROOT)


if __name__ == "__main__":
    main()

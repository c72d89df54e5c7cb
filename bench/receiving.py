"""Benchmark of receiving by scan (prints figures; asserts nothing).

1. GS1 parse alone (`sihe.wms.inbound.gs1.parse`, biip underneath): parses per second and µs per
   parse, for GS1-128 element strings with GS separators and for the bracketed form, beside
   `biip.parse` itself (the library's own cost, the baseline of the parse); best of 3 rounds.
2. Scans per second through the receiving service (`receive_scan`: parse, match the GTIN against
   the ASN, check tracking / expiry / tolerance, receive through costing — move, quant, level,
   valuation layer, voucher 库存商品 / 应付账款—暂估, ASN line, scan record, audit, events), one durable
   transaction per scan, beside the baseline measured in the same run (interleaved): the same receipts written
   by `sihe.costing.services.receive` alone (no parse, no match, no ASN), and the ratio.

It creates its own data; run it on a database of its own:

    .venv/bin/python bench/receiving.py                    # SQLite in var/bench-receiving-<pid>/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sihe_bench_receiving .venv/bin/python bench/receiving.py
    .venv/bin/python bench/receiving.py --both             # SQLite, then PostgreSQL (a database of a unique name,
                                                           # created and dropped); --trace prints one scan's SQL
    options: --scans 500 --parses 20000 --products 50
"""

import argparse
import datetime
import os
import platform
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_DB = f"sihe_bench_receiving_{os.getpid()}_{int(time.time())}"  # unique: others' benches may run at once
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scans", type=int, default=500)
    parser.add_argument("--parses", type=int, default=20_000)
    parser.add_argument("--products", type=int, default=50)
    parser.add_argument("--both", action="store_true", help="run on SQLite, then on PostgreSQL")
    parser.add_argument("--trace", action="store_true", help="print the SQL of one scan")
    parser.add_argument("--profile", action="store_true", help="cProfile of the scans after the timed run")
    return parser.parse_args()


ARGS = parse_args()
if ARGS.both:
    base = [sys.executable, __file__, "--scans", str(ARGS.scans), "--parses", str(ARGS.parses), "--products",
            str(ARGS.products)]
    subprocess.run(base, env={**os.environ, "DATABASE_URL": ""}, check=True)
    for statement in (f"DROP DATABASE IF EXISTS {PG_DB}", f"CREATE DATABASE {PG_DB}"):
        subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", statement], check=True)
    try:
        subprocess.run(base, env={**os.environ, "DATABASE_URL": PG_URL}, check=True)
    finally:
        subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f"DROP DATABASE IF EXISTS {PG_DB}"],
                       check=False)
    sys.exit(0)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sihe.settings")
if not os.environ.get("DATABASE_URL"):
    var = ROOT / "var" / f"bench-receiving-{os.getpid()}"
    var.mkdir(parents=True, exist_ok=True)
    for stale in var.glob("sihe.sqlite3*"):  # a fresh database each run
        stale.unlink()
    os.environ["SIHE_VAR_DIR"] = str(var)
    os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

import biip  # noqa: E402
from biip.gtin import Gtin  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from sihe.catalog.models import Location, Partner, Product, Uom, Warehouse, Zone  # noqa: E402
from sihe.core import tx  # noqa: E402
from sihe.core.actor import Actor  # noqa: E402
from sihe.costing import services as costing  # noqa: E402
from sihe.stock.services import InLine  # noqa: E402
from sihe.wms.inbound import gs1  # noqa: E402
from sihe.wms.inbound.models import Asn  # noqa: E402
from sihe.wms.inbound.services import ExpectedLine, expect_receipt, receive_scan  # noqa: E402

GS = "\x1d"
EXPIRY = "491231"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        db_version = cursor.fetchone()[0].split(",")[0]
    return (f"{platform.node()} · {cpu} · {os.cpu_count()} CPUs · {platform.system()} {platform.release()} · "
            f"Python {platform.python_version()} · biip {biip.__version__} · {connection.vendor} {db_version} · "
            f"load average {os.getloadavg()[0]:.1f} (other work on the machine slows every figure alike)")


def gtin_for(i: int) -> str:
    """A GTIN-13 with a valid check digit (found by biip, not computed by hand)."""
    body = f"69{7000000000 + i:010d}"
    for digit in "0123456789":
        try:
            Gtin.parse(body + digit)
            return body + digit
        except biip.ParseError:
            continue
    raise AssertionError(body)


def setup(n_products: int):
    wh, _ = Warehouse.objects.get_or_create(code="BR", defaults={"name": "bench receiving"})
    zone, _ = Zone.objects.get_or_create(warehouse=wh, code="A")
    Location.objects.get_or_create(warehouse=wh, code="DOCK", defaults={"zone": zone, "kind": "dock"})
    for i in range(1, 41):
        Location.objects.get_or_create(warehouse=wh, code=f"A-{i:02d}", defaults={"zone": zone, "kind": "bin",
                                                                                   "aisle": 1 + i // 10,
                                                                                   "position": i % 10})
    supplier, _ = Partner.objects.get_or_create(code="BSUP", defaults={"name": "bench supplier", "kind": "supplier"})
    pcs = Uom.objects.get(code="PCS")
    products = []
    for i in range(n_products):
        product, _ = Product.objects.get_or_create(
            sku=f"R{i:05d}", defaults={"name": f"bench {i}", "uom": pcs, "gtin": gtin_for(i),
                                       "tracking": "lot_expiry", "volume": Decimal("0.001")})
        products.append(product)
    return wh, supplier, products


def barcodes(products, n: int) -> list[str]:
    """Carton labels as a scanner sends them: ]C1 + element string with GS; every 10th in brackets."""
    out = []
    for i in range(n):
        p = products[i % len(products)]
        lot = f"L{i // (10 * len(products)):04d}"
        if i % 10 == 9:
            out.append(f"(01)0{p.gtin}(17){EXPIRY}(10){lot}(37)6")
        else:
            out.append(f"]C1010{p.gtin}17{EXPIRY}10{lot}{GS}376")
    return out


def bench_parse(products, n: int):
    codes = barcodes(products, n)
    element = [c for c in codes if c.startswith("]C1")]
    bracketed = [c for c in codes if c.startswith("(")]
    ours = lib = hri = float("inf")
    for _round in range(3):  # best of 3, alternating, so that a busy machine hurts both alike
        started = time.perf_counter()
        for code in element:
            gs1.parse(code)
        ours = min(ours, time.perf_counter() - started)
        started = time.perf_counter()
        for code in element:
            biip.parse(code)
        lib = min(lib, time.perf_counter() - started)
        started = time.perf_counter()
        for code in bracketed:
            gs1.parse(code)
        hri = min(hri, time.perf_counter() - started)
    print(f"GS1 parse alone (gs1.parse, element strings ]C1…GS…): {len(element) / ours:9.0f} parses/s   "
          f"{ours / len(element) * 1e6:6.1f} µs/parse   ({len(element)} labels)")
    print(f"  baseline biip.parse on the same labels:               {len(element) / lib:9.0f} parses/s   "
          f"{lib / len(element) * 1e6:6.1f} µs/parse   ratio ours/biip = {ours / lib:.2f}")
    print(f"  bracketed form (01)…(17)…(10)… (GS1Message.parse_hri): {len(bracketed) / hri:8.0f} parses/s   "
          f"{hri / len(bracketed) * 1e6:6.1f} µs/parse   ({len(bracketed)} labels)")
    return ours / len(element)


def bench_scans(wh, supplier, products, n: int, parse_cost: float):
    actor = Actor(user_id=None, username="bench", role="admin", via="system")
    with tx.entry():
        asn = expect_receipt(warehouse=wh, supplier=supplier, source_type="bench", source_id=f"B{time.time_ns()}",
                             source_number="BENCH", expected_date=datetime.date.today(),
                             lines=[ExpectedLine(product=p, qty=Decimal(10_000_000), unit_cost=Decimal("3.25"),
                                                 source_line_id=str(i)) for i, p in enumerate(products)], actor=actor)
    codes = barcodes(products, max(n, len(products) + 1))  # the warm-up and the traced scan need one more than products
    # warm-up (first lot of each product, caches)
    for code in codes[:len(products)]:
        with tx.entry():
            receive_scan(asn=asn, barcode=code, actor=actor)
    dock = Location.objects.get(warehouse=wh, code="DOCK")
    seen: list[str] = []

    def count(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count), tx.entry():
        receive_scan(asn=asn, barcode=codes[len(products)], actor=actor)
    statements = len(seen)
    if ARGS.trace:
        print("\n".join("    " + " ".join(q.split())[:170] for q in seen))
    scans = base = 0.0
    # interleaved, one scan then one plain receipt, so that both see the same machine load
    for i, code in enumerate(codes):
        started = time.perf_counter()
        with tx.entry():
            receive_scan(asn=asn, barcode=code, actor=actor)
        scans += time.perf_counter() - started
        p = products[i % len(products)]
        lot = f"L{i // (10 * len(products)):04d}"
        started = time.perf_counter()
        with tx.entry():
            costing.receive(warehouse=wh, lines=[InLine(product=p, qty=Decimal(6), unit_cost=Decimal("3.25"), lot=lot,
                                                        expiry=datetime.date(2049, 12, 31), location=dock)],
                            actor=actor, reference=asn.number)
        base += time.perf_counter() - started
    asn = Asn.objects.get(pk=asn.pk)
    aim = 100 if connection.vendor == "sqlite" else 50
    print(f"scans through receive_scan (parse, match, move + value + voucher): {n / scans:7.1f} scans/s   "
          f"{scans / n * 1e3:6.2f} ms/scan   ({n} scans, {len(products)} products, 1 process; aim ≥ {aim}/s)")
    print(f"  SQL statements per scan (BEGIN/COMMIT and savepoints included): {statements} (aim ≤ 15)")
    print(f"  baseline costing.receive alone (same receipts, no parse/match/ASN): {n / base:7.1f} receipts/s   "
          f"{base / n * 1e3:6.2f} ms   ratio scan/receipt time = {scans / base:.2f}")
    print(f"  of a scan: GS1 parse {parse_cost * 1e3:.3f} ms ({parse_cost / (scans / n) * 100:.1f} %), "
          f"receiving layer (match, checks, ASN, hooks) {(scans - base) / n * 1e3:.2f} ms, stock+costing+ledger "
          f"{base / n * 1e3:.2f} ms")
    if ARGS.profile:
        import cProfile
        import pstats
        profiler = cProfile.Profile()
        profiler.enable()
        for code in codes:
            with tx.entry():
                receive_scan(asn=asn, barcode=code, actor=actor)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats("sihe", 40)


def main():
    call_command("migrate", verbosity=0)
    print(f"== bench/receiving.py on {machine()}")
    wh, supplier, products = setup(ARGS.products)
    parse_cost = bench_parse(products, ARGS.parses)
    bench_scans(wh, supplier, products, ARGS.scans, parse_cost)


if __name__ == "__main__":
    main()

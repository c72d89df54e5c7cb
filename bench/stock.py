"""Benchmark of the stock ledger and costing (prints figures; asserts nothing).

1. Receipts + issues per second through the services (`sihe.costing.services.receive/issue`, one
   durable transaction each: move, quant, level, layer, voucher, audit, event), beside the raw-SQL
   ceiling: the same move/quant/level/layer/event/audit rows written with plain SQL in the same
   transactions (vouchers not included in the ceiling), and the ratio.
2. The levels query (`GET /api/v1/stock/levels?sku=&warehouse=&group_by=`) p50/p99 with MOVES done
   moves bulk-loaded by raw SQL (quants and levels rebuilt from them, so they are consistent).
3. The time to re-cost after one backdated receipt with LATER later moves of the same product,
   beside the raw-SQL ceiling (the same layer rows updated with plain SQL) and the ratio — inline
   (the act re-costs them), then through the worker's re-costing job (the act answers at once with
   the job id; the job's moves/minute; the issue's aim is ≥ 1M/min).

It wipes the stock/costing tables of the database it runs on — run it on a database of its own:

    .venv/bin/python bench/stock.py                      # SQLite in var/bench-stock-<pid>/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sihe_bench_stock .venv/bin/python bench/stock.py
    .venv/bin/python bench/stock.py --both               # SQLite, then PostgreSQL (creates and drops its database)
    options: --moves 1000000 --later 100000 --acts 400 --queries 300 --parts throughput,levels,recost (recostjob: the job only)
"""

import argparse
import datetime
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_DB = f"sihe_bench_stock_{os.getpid()}_{int(time.time())}"  # unique: others' benches may run at the same time
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--moves", type=int, default=200_000)
    parser.add_argument("--later", type=int, default=100_000)
    parser.add_argument("--acts", type=int, default=400)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--both", action="store_true", help="run on SQLite, then on PostgreSQL")
    parser.add_argument("--parts", default="throughput,levels,recost", help="comma-separated subset to run")
    return parser.parse_args()


ARGS = parse()
if ARGS.both:
    base = [sys.executable, __file__, "--moves", str(ARGS.moves), "--later", str(ARGS.later), "--acts",
            str(ARGS.acts), "--queries", str(ARGS.queries), "--parts", ARGS.parts]
    subprocess.run(base, env={**os.environ, "DATABASE_URL": ""}, check=True)
    subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {PG_DB}"], check=True)
    try:
        subprocess.run(base, env={**os.environ, "DATABASE_URL": PG_URL}, check=True)
    finally:
        subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f"DROP DATABASE IF EXISTS {PG_DB}"],
                       check=False)
    sys.exit(0)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sihe.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ["SIHE_VAR_DIR"] = str(ROOT / "var" / f"bench-stock-{os.getpid()}")
    os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from sihe.catalog.models import Location, Product, Uom, Warehouse, Zone  # noqa: E402
from sihe.core.actor import Actor  # noqa: E402
from sihe.core.roles import assign_role  # noqa: E402
from sihe.costing import services as costing  # noqa: E402
from sihe.hub.tokens import create_token  # noqa: E402
from sihe.stock.services import InLine, OutLine  # noqa: E402

PG = None


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
            f"Python {platform.python_version()} · {connection.vendor} {db_version}")


def sql(statement: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def wipe():
    tables = ["costing_fifoconsumption", "costing_valuationlayer", "stock_reservationline", "stock_reservation",
              "stock_quant", "stock_stocklevel", "stock_stockmove", "stock_lot", "stock_stockrule", "stock_productunit"]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            sql(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            sql("DROP TRIGGER IF EXISTS stock_move_done_no_update")
            for table in tables:
                sql(f"DELETE FROM {table}")
            sql("""CREATE TRIGGER stock_move_done_no_update BEFORE UPDATE ON stock_stockmove
                   WHEN OLD.state = 'done' BEGIN SELECT RAISE(ABORT, 'done stock moves are immutable'); END""")


def setup_master(n_products: int):
    wh, _ = Warehouse.objects.get_or_create(code="BW", defaults={"name": "bench"})
    zone, _ = Zone.objects.get_or_create(warehouse=wh, code="A")
    for i in range(20):
        Location.objects.get_or_create(warehouse=wh, code=f"A-{i:02d}", defaults={"zone": zone, "kind": "bin" if i else "dock"})
    pcs = Uom.objects.get(code="PCS")
    existing = set(Product.objects.filter(sku__startswith="B").values_list("sku", flat=True))
    Product.objects.bulk_create([Product(sku=f"B{i:06d}", name=f"bench {i}", uom=pcs) for i in range(n_products)
                                 if f"B{i:06d}" not in existing], batch_size=2000)
    return wh


def throughput(wh, acts: int):
    actor = Actor.system("bench")
    product = Product.objects.get(sku="B000000")
    started = time.perf_counter()
    for _i in range(acts // 2):
        with transaction.atomic(durable=True):
            costing.receive(warehouse=wh, lines=[InLine(product=product, qty=Decimal(10), unit_cost=Decimal("3.25"))],
                            actor=actor)
        with transaction.atomic(durable=True):
            costing.issue(warehouse=wh, lines=[OutLine(product=product, qty=Decimal(7))], actor=actor)
    service_rate = acts / (time.perf_counter() - started)
    # the ceiling: the same rows in plain SQL, one transaction per act
    loc = Location.objects.filter(warehouse=wh, code="A-00").values_list("id", flat=True).get()
    now = datetime.datetime.now(datetime.UTC).isoformat()
    started = time.perf_counter()
    for i in range(acts):
        inbound = i % 2 == 0
        qty = 10 if inbound else 7
        with transaction.atomic(durable=True), connection.cursor() as c:
            c.execute("INSERT INTO stock_stockmove (product_id, qty, kind, state, date, reference, dst_warehouse_id, "
                      "dst_location_id, src_warehouse_id, src_location_id, counterpart, unit_cost, created_at, created_by) "
                      "VALUES (%s, %s, %s, 'done', %s, '', %s, %s, %s, %s, %s, %s, %s, 'raw')",
                      [product.pk, qty, "receipt" if inbound else "issue", datetime.date.today(),
                       wh.pk if inbound else None, loc if inbound else None, None if inbound else wh.pk,
                       None if inbound else loc, "supplier" if inbound else "customer", 3.25, now])
            c.execute("UPDATE stock_quant SET qty = qty + %s WHERE product_id = %s AND location_id = %s AND lot_id IS NULL",
                      [qty if inbound else -qty, product.pk, loc])
            c.execute("UPDATE stock_stocklevel SET on_hand = on_hand + %s WHERE product_id = %s AND warehouse_id = %s",
                      [qty if inbound else -qty, product.pk, wh.pk])
            c.execute("INSERT INTO costing_valuationlayer (product_id, warehouse_id, date, kind, method, qty, value, "
                      "unit_cost, base_value, adjust_value, remaining_qty, remaining_value, uncovered_qty, estimate_unit, "
                      "running_qty, running_value, running_unit_cost, fixed_value, memo, revalued_qty) VALUES "
                      "(%s, %s, %s, %s, 'moving_average', %s, %s, 3.25, 0, 0, 0, 0, 0, 0, 0, 0, 0, %s, 'raw', 0)",
                      [product.pk, wh.pk, datetime.date.today(), "in" if inbound else "out", qty, qty * 3.25, inbound])
            c.execute("INSERT INTO core_event (type, version, aggregate_type, aggregate_id, occurred_at, actor, payload) "
                      "VALUES ('bench.raw', 1, 'stock_move', '0', %s, '{}', '{}')", [now])
            c.execute("INSERT INTO core_auditentry (at, user_id, username, via, action, object_type, object_id, "
                      "object_repr, field, old_value, new_value) VALUES (%s, NULL, 'bench', 'system', 'raw', 'stock', '0', "
                      "'', '', NULL, NULL)", [now])
    raw_rate = acts / (time.perf_counter() - started)
    print(f"receipts+issues through the services: {service_rate:8.1f} acts/s  ({acts} acts, 1 process)")
    print(f"raw-SQL ceiling (same rows, same txns): {raw_rate:8.1f} acts/s   ratio services/raw = {service_rate / raw_rate:.2f}")


def bulk_moves(wh, n_moves: int, n_products: int):
    first = Product.objects.filter(sku="B000000").values_list("id", flat=True).get()
    locs = list(Location.objects.filter(warehouse=wh).order_by("id").values_list("id", flat=True))
    started = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            sql("INSERT INTO stock_stockmove (product_id, qty, kind, state, date, reference, dst_warehouse_id, "
                "dst_location_id, counterpart, unit_cost, created_at, created_by) "
                "SELECT %s + (i %% %s), 1 + (i %% 7), 'receipt', 'done', DATE '2025-01-01' + (i %% 300), '', %s, "
                "%s + (i %% %s), 'supplier', 1.5, now(), 'bench' FROM generate_series(1, %s) AS i",
                [first, n_products, wh.pk, locs[0], len(locs), n_moves])
        else:
            sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s) "
                "INSERT INTO stock_stockmove (product_id, qty, kind, state, date, reference, dst_warehouse_id, "
                "dst_location_id, counterpart, unit_cost, created_at, created_by) "
                "SELECT %s + (i %% %s), 1 + (i %% 7), 'receipt', 'done', date('2025-01-01', '+' || (i %% 300) || ' days'), "
                "'', %s, %s + (i %% %s), 'supplier', 1.5, '2025-01-01 00:00:00', 'bench' FROM n",
                [n_moves, first, n_products, wh.pk, locs[0], len(locs)])
        rebuild_projections()
    return time.perf_counter() - started


def rebuild_projections():
    sql("DELETE FROM stock_quant")
    sql("DELETE FROM stock_stocklevel")
    sql("INSERT INTO stock_quant (product_id, warehouse_id, location_id, lot_id, qty, reserved, in_date) "
        "SELECT product_id, warehouse_id, location_id, NULL, SUM(q), 0, MIN(date) FROM ("
        " SELECT product_id, dst_warehouse_id AS warehouse_id, dst_location_id AS location_id, qty AS q, date "
        " FROM stock_stockmove WHERE state = 'done' AND dst_location_id IS NOT NULL UNION ALL "
        " SELECT product_id, src_warehouse_id, src_location_id, -qty, date FROM stock_stockmove "
        " WHERE state = 'done' AND src_location_id IS NOT NULL) m GROUP BY product_id, warehouse_id, location_id")
    sql("INSERT INTO stock_stocklevel (product_id, warehouse_id, on_hand, reserved, low) "
        "SELECT product_id, warehouse_id, SUM(qty), 0, %s FROM stock_quant GROUP BY product_id, warehouse_id", [False])


def levels_query(wh, n_products: int, queries: int):
    user, _ = get_user_model().objects.get_or_create(username="bench")
    assign_role(user, "manager")
    with transaction.atomic():
        _, token = create_token(user=user, name="bench", actor=Actor.system("bench"))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    rng = random.Random(7)
    timings = []
    for i in range(queries):
        sku = f"B{rng.randrange(n_products):06d}"
        group = ("", "&group_by=location", "&group_by=lot")[i % 3]
        started = time.perf_counter()
        response = client.get(f"/api/v1/stock/levels?sku={sku}&warehouse=BW{group}")
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content
    timings.sort()
    p50, p99 = statistics.median(timings), timings[int(len(timings) * 0.99) - 1]
    baseline = []
    for _i in range(queries):  # the same client and token on the cheapest authenticated route
        started = time.perf_counter()
        client.get("/api/v1/costing/B000000")
        baseline.append((time.perf_counter() - started) * 1000)
    return p50, p99, statistics.median(baseline)


def load_later(wh, later: int, sku: str):
    """One product with LATER moves (receipts of 10, issues of 5, alternating) and their layers, costed once in
    date order (the state before the backdated receipt)."""
    product, _ = Product.objects.get_or_create(sku=sku, defaults={"name": sku.lower(), "uom": Uom.objects.get(code="PCS")})
    loc = Location.objects.filter(warehouse=wh, code="A-01").values_list("id", flat=True).get()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            series, date_expr = "generate_series(1, %s) AS i", "DATE '2026-01-01' + (i / 400)"
            prefix = ""
        else:
            series, date_expr = "n", "date('2026-01-01', '+' || (i / 400) || ' days')"
            prefix = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s) "
        sql(prefix + "INSERT INTO stock_stockmove (product_id, qty, kind, state, date, reference, src_warehouse_id, "
            "src_location_id, dst_warehouse_id, dst_location_id, counterpart, unit_cost, created_at, created_by) "
            f"SELECT %s, CASE WHEN i % 2 = 1 THEN 10 ELSE 5 END, CASE WHEN i % 2 = 1 THEN 'receipt' ELSE 'issue' END, "
            f"'done', {date_expr}, 'R' || i, CASE WHEN i % 2 = 0 THEN %s END, CASE WHEN i % 2 = 0 THEN %s END, "
            "CASE WHEN i % 2 = 1 THEN %s END, CASE WHEN i % 2 = 1 THEN %s END, "
            f"CASE WHEN i % 2 = 1 THEN 'supplier' ELSE 'customer' END, CASE WHEN i % 2 = 1 THEN 2 + (i % 5) END, "
            f"'2026-01-01 00:00:00', 'bench' FROM {series}".replace("%", "%%").replace("%%s", "%s"),
            [later, product.pk, wh.pk, loc, wh.pk, loc] if prefix else [product.pk, wh.pk, loc, wh.pk, loc, later])
        sql("INSERT INTO costing_valuationlayer (move_id, product_id, warehouse_id, date, kind, method, qty, value, "
            "unit_cost, base_value, adjust_value, remaining_qty, remaining_value, uncovered_qty, estimate_unit, "
            "running_qty, running_value, running_unit_cost, fixed_value, memo, revalued_qty) "
            "SELECT id, product_id, %s, date, CASE WHEN kind = 'receipt' THEN 'in' ELSE 'out' END, 'moving_average', "
            "CASE WHEN kind = 'receipt' THEN qty ELSE -qty END, CASE WHEN kind = 'receipt' THEN qty * unit_cost ELSE 0 END, "
            "COALESCE(unit_cost, 0), CASE WHEN kind = 'receipt' THEN qty * unit_cost ELSE 0 END, 0, 0, 0, 0, 0, 0, 0, 0, "
            "%s, '', 0 FROM stock_stockmove WHERE product_id = %s ORDER BY date, id",
            [wh.pk, True, product.pk])
        sql("UPDATE costing_valuationlayer SET fixed_value = %s WHERE product_id = %s AND kind = 'out'",
            [False, product.pk])
        rebuild_projections()
        first = costing.Layer.objects.filter(product=product).order_by("date", "id").first()
        costing.recost(product=product, warehouse_id=wh.pk, date=first.date, pk=first.pk)
    return product


def recost(wh, later: int):
    """Inline: a receipt dated before all LATER moves re-costs every later layer inside the act (the inline
    limit raised above LATER for this figure)."""
    from django.conf import settings

    product = load_later(wh, later, "RECOST")
    settings.SIHE_RECOST_INLINE_LIMIT = later + 10
    actor = Actor.system("bench")
    started = time.perf_counter()
    with transaction.atomic(durable=True):
        costing.receive(warehouse=wh, lines=[InLine(product=product, qty=Decimal(100), unit_cost=Decimal("1.00"))],
                        actor=actor, date=datetime.date(2025, 12, 31))
    service = time.perf_counter() - started
    rows = list(costing.Layer.objects.filter(product=product).order_by("date", "id").values_list(
        "value", "base_value", "adjust_value", "unit_cost", "uncovered_qty", "estimate_unit", "running_qty",
        "running_value", "running_unit_cost", "id", "date"))
    dates = [row[-1] for row in rows]
    rows = [row[:-1] for row in rows]
    started = time.perf_counter()
    with transaction.atomic(durable=True):  # the same set-based UPDATE statements, values precomputed
        costing.write_layers(rows, product_id=product.pk, warehouse_id=wh.pk, dates=dates)
    raw = time.perf_counter() - started
    print(f"re-cost after 1 backdated receipt, {later} later moves: {service:7.2f} s   "
          f"raw-SQL ceiling (same {len(rows)} layer UPDATEs): {raw:6.2f} s   ratio {service / raw:.1f}×")
    return raw, len(rows)


def recost_job(wh, later: int, ceiling: tuple | None):
    """Through the worker: the same backdated receipt on a second product answers at once with a queued job;
    the job (sihe.costing.recosting.run, as the worker's handler runs it) re-costs the later layers in
    chunks of SIHE_RECOST_CHUNK, each chunk its own transaction with its correction vouchers."""
    from django.conf import settings

    from sihe.costing import recosting
    from sihe.costing.models import RecostJob

    product = load_later(wh, later, "RECOSTJOB")
    settings.SIHE_RECOST_INLINE_LIMIT = 2000
    actor = Actor.system("bench")
    started = time.perf_counter()
    with transaction.atomic(durable=True):
        [(_move, layer)] = costing.receive(warehouse=wh, lines=[InLine(product=product, qty=Decimal(100),
                                                                       unit_cost=Decimal("1.00"))],
                                           actor=actor, date=datetime.date(2025, 12, 31))
    act = time.perf_counter() - started
    job = RecostJob.objects.get(pk=layer.recost_job_id)
    started = time.perf_counter()
    job = recosting.run(job.pk, actor=actor)
    took = time.perf_counter() - started
    per_minute = job.done / took * 60
    line = (f"re-cost job after 1 backdated receipt, {later} later moves: act {act * 1000:6.1f} ms (job #{job.pk} "
            f"queued)   job {took:7.2f} s in chunks of {recosting.chunk_size()} = {per_minute:,.0f} moves/min "
            f"({job.status}, {job.done} layers, {job.changed} changed, {job.vouchers} correction vouchers)")
    if ceiling:
        raw, n = ceiling
        line += f"   raw-SQL ceiling {n / raw * 60:,.0f} layer UPDATEs/min, ratio {took / (raw * job.done / n):.1f}×"
    print(line)


def main():
    call_command("migrate", verbosity=0)
    print(f"== bench/stock.py on {machine()}")
    parts = set(ARGS.parts.split(","))
    wipe()
    n_products = 1000
    wh = setup_master(n_products)
    if "throughput" in parts:
        throughput(wh, ARGS.acts)
    wipe()
    if "levels" not in parts:
        if "recost" in parts:
            recost_job(wh, ARGS.later, recost(wh, ARGS.later))
        elif "recostjob" in parts:
            recost_job(wh, ARGS.later, None)
        return
    loaded = bulk_moves(wh, ARGS.moves, n_products)
    print(f"bulk-loaded {ARGS.moves} moves + rebuilt quants/levels by raw SQL in {loaded:.1f} s")
    p50, p99, base = levels_query(wh, n_products, ARGS.queries)
    print(f"GET /api/v1/stock/levels with {ARGS.moves} moves: p50 {p50:.2f} ms  p99 {p99:.2f} ms  ({ARGS.queries} requests)"
          f"   baseline GET /api/v1/costing/<sku> (no layers) p50 {base:.2f} ms")
    if "recost" in parts:
        recost_job(wh, ARGS.later, recost(wh, ARGS.later))
    elif "recostjob" in parts:
        recost_job(wh, ARGS.later, None)


if __name__ == "__main__":
    main()

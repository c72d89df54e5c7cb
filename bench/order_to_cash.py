"""Order to cash, end to end (prints figures; asserts nothing).

N raw Taobao trade payloads (3 lines each) go through intake → review → allocation (reservation) →
ship (stock issue at cost, COGS voucher, revenue voucher) → 数电发票 (invoice), each order in its own
transactions as a connector and a warehouse would run them. Printed per configuration (SQLite 1
process, PostgreSQL 1 and 4 processes): orders/s, p50/p99 per order, SQL statements per order (and
per step), the rows the flow wrote per order, and the raw-SQL ceiling — one plain-SQL transaction
per order writing the same number of rows (and the same guarded stock updates) — with the ratio.
`--profile` adds the functions that dominate (cProfile, cumulative) on the first 200 orders.

    .venv/bin/python bench/order_to_cash.py                      # SQLite, PG×1, PG×4; 2,000 orders
    .venv/bin/python bench/order_to_cash.py --orders 300 --configs sqlite --profile

Each configuration gets a fresh database: var/bench-o2c/ (SQLite) or sihe_bench_o2c (PostgreSQL).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_URL = "postgres://postgres@127.0.0.1:5432/sihe_bench_o2c"
SKUS = 60
WAREHOUSES = (("SH", "上海仓", "上海市", "上海市", "31.24", "121.21"), ("HZ", "杭州仓", "浙江省", "杭州市", "30.44", "120.20"),
              ("GZ", "广州仓", "广东省", "广州市", "23.32", "113.35"))
CITIES = (("广东省", "深圳市"), ("浙江省", "杭州市"), ("上海市", "上海市"), ("江苏省", "南京市"), ("北京市", "北京市"),
          ("四川省", "成都市"))


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--orders", type=int, default=2000)
    p.add_argument("--configs", default="sqlite,pg1,pg4", help="comma-separated: sqlite, pg1, pg4")
    p.add_argument("--profile", action="store_true")
    p.add_argument("--child", default="", help=argparse.SUPPRESS)
    p.add_argument("--procs", type=int, default=1, help=argparse.SUPPRESS)
    return p.parse_args()


def payload(i: int) -> dict:
    """A Taobao trade (taobao.trade.fullinfo.get) with 3 lines whose numbers add up."""
    province, city = CITIES[i % len(CITIES)]
    lines, total = [], 0
    for k in range(3):
        sku = f"BENCH-{(i * 7 + k * 13) % SKUS:03d}"
        price_fen = 1990 + 500 * ((i + k) % 9)
        num = 1 + (i + k) % 2
        fee = price_fen * num
        total += fee
        y = f"{fee // 100}.{fee % 100:02d}"
        lines.append({"oid": f"{i}{k}", "num_iid": 600000 + k, "sku_id": f"9{k}{i}", "outer_sku_id": sku,
                      "title": f"测试商品 {sku}", "sku_properties_name": "颜色分类:黑色",
                      "price": f"{price_fen // 100}.{price_fen % 100:02d}", "num": num, "adjust_fee": "0.00",
                      "discount_fee": "0.00", "total_fee": y, "part_mjz_discount": "0.00", "divide_order_fee": y,
                      "payment": y, "status": "WAIT_SELLER_SEND_GOODS", "refund_status": "NO_REFUND"})
    t = f"{total // 100}.{total % 100:02d}"
    tid = str(4_000_000_000_000_000_000 + i)
    return {"trade_fullinfo_get_response": {"trade": {
        "tid": int(tid), "tid_str": tid, "type": "fixed", "status": "WAIT_SELLER_SEND_GOODS", "buyer_nick": f"b{i}",
        "buyer_open_uid": f"U{i}", "created": "2026-11-25 10:00:00", "pay_time": "2026-11-25 10:00:05",
        "modified": "2026-11-25 10:00:06", "total_fee": t, "discount_fee": "0.00", "adjust_fee": "0.00",
        "post_fee": "0.00", "payment": t, "receiver_name": "张**", "receiver_mobile": "138****5678",
        "receiver_state": province, "receiver_city": city, "receiver_district": "某区", "receiver_address": "某路 1 号",
        "orders": {"order": lines}}}}


# -- the child: one configuration on a fresh database ----------------------------------------------


def setup_world():
    import datetime
    from decimal import Decimal

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from sihe.catalog.models import Channel, Company, Location, Product, Uom, Warehouse, Zone
    from sihe.core.actor import Actor
    from sihe.costing import services as costing
    from sihe.stock.services import InLine

    actor = Actor.system("bench")
    Company.objects.get_or_create(name="四合示范贸易有限公司", defaults={"credit_code": "91310000MA1FL8XQ30"})
    pcs = Uom.objects.get(code="PCS")
    products = [Product.objects.create(sku=f"BENCH-{i:03d}", name=f"测试商品 {i}", uom=pcs, tax_rate=Decimal("0.13"),
                                       tax_code="1040201990000000000", tax_short_name="服装") for i in range(SKUS)]
    for code, name, prov, city, lat, lng in WAREHOUSES:
        wh = Warehouse.objects.create(code=code, name=name, province=prov, city=city, latitude=Decimal(lat),
                                      longitude=Decimal(lng))
        zone = Zone.objects.create(warehouse=wh, code="A", name="A")
        Location.objects.create(warehouse=wh, zone=zone, code="DOCK", kind="dock")
        costing.receive(warehouse=wh, lines=[InLine(product=p, qty=Decimal(100_000), unit_cost=Decimal("12.50"))
                                             for p in products], actor=actor, reference=f"OPEN-{code}",
                        date=datetime.date(2026, 11, 1))
    Channel.objects.create(code="tb", type="taobao", name="天猫旗舰店")


class Counter:
    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def run_orders(indices: list[int]) -> dict:
    """Intake → ship → invoice for each order; returns timings and statement counts."""
    from django.db import connection, transaction

    from sihe.core.actor import Actor
    from sihe.oms import billing, services

    actor = Actor.system("bench")
    times, statements, steps = [], [], {"intake": 0, "ship": 0, "invoice": 0}
    counter = Counter()
    with connection.execute_wrapper(counter):
        for i in indices:
            body = json.dumps(payload(i)).encode()
            start = time.perf_counter()
            before = counter.n
            result = services.receive_order(channel_code="tb", body=body, actor=actor)
            mark1 = counter.n
            with transaction.atomic(durable=True):
                services.ship_order(order=result.order, carrier="SF", tracking_no=f"SF{i:010d}", actor=actor)
            mark2 = counter.n
            with transaction.atomic(durable=True):
                billing.invoice_orders(orders=[result.order.pk], buyer_name=f"买家{i}", actor=actor)
            times.append(time.perf_counter() - start)
            statements.append(counter.n - before)
            steps["intake"] += mark1 - before
            steps["ship"] += mark2 - mark1
            steps["invoice"] += counter.n - mark2
    return {"times": times, "statements": statements, "steps": steps}


ROW_TABLES = ("oms_order", "oms_orderline", "oms_timelineentry", "wms_shipment", "wms_shipmentline",
              "stock_reservation", "stock_reservationline", "stock_stockmove", "costing_layer", "ledger_voucher",
              "ledger_voucherline", "invoicing_invoice", "invoicing_invoiceline", "core_event", "core_auditentry")


def table_counts() -> dict[str, int]:
    from django.db import connection

    out = {}
    with connection.cursor() as cur:
        for table in ROW_TABLES:
            try:
                cur.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - our own table names
                out[table] = cur.fetchone()[0]
            except Exception:  # noqa: BLE001 - a table another wing has not built
                out[table] = 0
    return out


def raw_ceiling(indices: list[int], rows_per_order: dict[str, float]) -> list[float]:
    """One plain-SQL transaction per order: the same number of rows per table (as JSON text of similar
    width) into scratch tables, plus the guarded level updates a reservation and an issue make."""
    from django.db import connection, transaction

    times = []
    plan = [(t, max(1, round(n))) for t, n in rows_per_order.items() if n > 0]
    with connection.cursor() as cur:
        for i in indices:
            start = time.perf_counter()
            with transaction.atomic(durable=True):
                for table, count in plan:
                    cur.executemany(f"INSERT INTO raw_{table} (k, v) VALUES (%s, %s)",  # noqa: S608
                                    [(f"{i}-{j}", json.dumps({"order": i, "row": j, "pad": "x" * 120}))
                                     for j in range(count)])
                for _k in range(3):  # reserve and issue: guarded updates on the stock level rows
                    cur.execute("UPDATE raw_level SET qty = qty - 1 WHERE id = %s AND qty >= 1", [i % 50 + 1])
                    cur.execute("UPDATE raw_level SET reserved = reserved + 1 WHERE id = %s", [i % 50 + 1])
            times.append(time.perf_counter() - start)
    return times


def make_raw_tables(rows_per_order: dict[str, float]) -> None:
    from django.db import connection

    pk = "BIGSERIAL PRIMARY KEY" if connection.vendor == "postgresql" else "INTEGER PRIMARY KEY AUTOINCREMENT"
    with connection.cursor() as cur:
        for table in rows_per_order:
            cur.execute(f"CREATE TABLE IF NOT EXISTS raw_{table} (id {pk}, k TEXT, v TEXT)")
        cur.execute(f"CREATE TABLE IF NOT EXISTS raw_level (id {pk}, qty NUMERIC, reserved NUMERIC)")
        cur.execute("DELETE FROM raw_level")
        for n in range(1, 51):
            cur.execute("INSERT INTO raw_level (id, qty, reserved) VALUES (%s, 1000000, 0)", [n])


def _in_processes(procs: int, indices: list[int], fn, *args) -> tuple[list, float]:
    """Run fn(share, *args) in `procs` forked processes; returns (results, wall seconds)."""
    import multiprocessing as mp

    from django.db import connections

    if procs == 1:
        start = time.perf_counter()
        result = fn(indices, *args)
        return [result], time.perf_counter() - start
    connections.close_all()
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    shares = [indices[k::procs] for k in range(procs)]

    def work(share):
        from django.db import connections as conns

        conns.close_all()
        queue.put(fn(share, *args))
        conns.close_all()

    start = time.perf_counter()
    workers = [ctx.Process(target=work, args=(s,)) for s in shares]
    for w in workers:
        w.start()
    results = [queue.get() for _ in workers]
    for w in workers:
        w.join()
    return results, time.perf_counter() - start


def child(args) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sihe.settings")
    django.setup()
    from django.db import connection

    setup_world()
    n = args.orders
    warm = list(range(n, n + 20))
    run_orders(warm)  # caches, first-time rows (sync state, counters)
    before = table_counts()
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        run_orders(list(range(n + 20, n + 220)))
        prof.disable()
        before = table_counts()
        stats = pstats.Stats(prof, stream=sys.stderr)
        stats.sort_stats("cumulative")
        print("PROFILE (200 orders, cumulative, sihe functions):", file=sys.stderr)
        stats.print_stats(r"sihe/", 18)
    results, wall = _in_processes(args.procs, list(range(n)), run_orders)
    after = table_counts()
    times = [t for r in results for t in r["times"]]
    statements = [s for r in results for s in r["statements"]]
    steps = {k: sum(r["steps"][k] for r in results) / n for k in ("intake", "ship", "invoice")}
    rows = {t: (after[t] - before[t]) / n for t in ROW_TABLES}
    make_raw_tables(rows)
    raw_results, raw_wall = _in_processes(args.procs, list(range(n)), raw_ceiling, rows)
    raw_times = [t for r in raw_results for t in r]
    ordered = sorted(times)
    print(json.dumps({
        "database": connection.vendor, "procs": args.procs, "orders": n, "wall": wall, "orders_per_s": n / wall,
        "p50_ms": statistics.median(times) * 1000, "p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1000,
        "statements": statistics.mean(statements), "steps": steps, "rows": rows,
        "raw_orders_per_s": n / raw_wall, "raw_p50_ms": statistics.median(raw_times) * 1000,
    }))


def main() -> None:
    args = parse()
    if args.child:
        child(args)
        return
    print(f"machine: {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.processor() or platform.machine()}; load {os.getloadavg()[0]:.2f}")
    print(f"orders: {args.orders} Taobao payloads × 3 lines; intake → allocate → ship → invoice, vouchers\n")
    configs = {"sqlite": ("", 1), "pg1": (PG_URL, 1), "pg4": (PG_URL, 4)}
    for name in args.configs.split(","):
        url, procs = configs[name]
        var = ROOT / "var" / "bench-o2c"
        env = {**os.environ, "DATABASE_URL": url, "SIHE_VAR_DIR": str(var)}
        if url:
            for sql in ("DROP DATABASE IF EXISTS sihe_bench_o2c", "CREATE DATABASE sihe_bench_o2c"):
                subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", sql], check=True)
        else:
            var.mkdir(parents=True, exist_ok=True)
            for f in var.glob("sihe.sqlite3*"):
                f.unlink()
        cmd = [sys.executable, __file__, "--child", name, "--orders", str(args.orders), "--procs", str(procs)]
        if args.profile and name == args.configs.split(",")[0]:
            cmd.append("--profile")
        print(f"[{name}] running {args.orders} orders in {procs} process(es)…", flush=True)
        out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
        if out.stderr.strip():
            print(out.stderr.strip()[-6000:])
        r = json.loads(out.stdout.strip().splitlines()[-1])
        ratio = r["orders_per_s"] / r["raw_orders_per_s"]
        print(f"[{name}] {r['database']} × {r['procs']}: {r['orders_per_s']:.1f} orders/s "
              f"(p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms per order)")
        print(f"    SQL statements per order: {r['statements']:.1f} (intake+allocate {r['steps']['intake']:.1f}, "
              f"ship {r['steps']['ship']:.1f}, invoice {r['steps']['invoice']:.1f})")
        print("    rows written per order: " + ", ".join(f"{t} {n:g}" for t, n in r["rows"].items() if n))
        print(f"    raw-SQL ceiling (same rows, plain SQL, 1 transaction/order): {r['raw_orders_per_s']:.1f} orders/s "
              f"→ ratio {ratio:.1%} (aim ≥ {'25' if r['database'] == 'sqlite' else '20'}%)\n", flush=True)


if __name__ == "__main__":
    main()

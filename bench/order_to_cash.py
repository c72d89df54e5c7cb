"""Order to cash, end to end (prints figures; asserts nothing).

N raw Taobao trade payloads (3 lines each) go through intake → review → allocation (reservation) →
pick/pack (start picking, picked, packed) → ship (stock issue at cost, COGS voucher, revenue voucher) →
数电发票 (invoice), each step in its own transactions as a connector and a warehouse would run them.
Printed per configuration (SQLite 1 process, PostgreSQL 1, 2 and 4 processes): orders/s, p50/p99 per
order, SQL statements per order and per phase (intake, allocate, pick/pack, ship, vouchers, invoice —
statements and ms), the rows the flow wrote per order, and the raw-SQL ceiling — one plain-SQL transaction
per order writing the same number of rows (and the same guarded stock updates) — with the ratio.
`--profile` adds the functions that dominate (cProfile, cumulative) on the first 200 orders.

    .venv/bin/python bench/order_to_cash.py                      # SQLite, PG×1, PG×4; 2,000 orders
    .venv/bin/python bench/order_to_cash.py --orders 300 --configs sqlite --profile

Each run gets fresh databases of unique names: var/bench-o2c-<pid>/ (SQLite) and
sihe_bench_o2c_<pid>_<time> (PostgreSQL, dropped at the end), so runs of others do not collide.
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
PG_BASE = "postgres://postgres@127.0.0.1:5432"
SKUS = 60
WAREHOUSES = (("SH", "上海仓", "上海市", "上海市", "31.24", "121.21"), ("HZ", "杭州仓", "浙江省", "杭州市", "30.44", "120.20"),
              ("GZ", "广州仓", "广东省", "广州市", "23.32", "113.35"))
CITIES = (("广东省", "深圳市"), ("浙江省", "杭州市"), ("上海市", "上海市"), ("江苏省", "南京市"), ("北京市", "北京市"),
          ("四川省", "成都市"))


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--orders", type=int, default=2000)
    p.add_argument("--configs", default="sqlite,pg1,pg2,pg4", help="comma-separated: sqlite, pg1, pg2, pg4")
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


PHASES = ("intake", "allocate", "pick/pack", "ship", "vouchers", "invoice")


class Meter:
    """Statements and seconds per phase. Allocation runs inside intake and vouchers inside ship (one act
    each, as in production): their share is measured by wrapping `allocation.allocate` and the ledger's
    posting (`_create_posted`, `_post_together`) and taken off the enclosing phase."""

    def __init__(self, counter: Counter):
        self.counter = counter
        self.statements = dict.fromkeys(PHASES, 0)
        self.seconds = dict.fromkeys(PHASES, 0.0)
        self.inner = None  # (statements, seconds) spent in a wrapped phase during the current outer phase
        self.wrapped = []

    def wrap(self, module, name: str, phase: str) -> None:
        original = getattr(module, name)
        self.wrapped.append((module, name, original))
        meter = self

        def wrapped(*args, **kwargs):
            if meter.inner is None:  # nested call of a wrapped phase: counted by the outer one
                return original(*args, **kwargs)
            n0, t0 = meter.counter.n, time.perf_counter()
            saved, meter.inner = meter.inner, None
            try:
                return original(*args, **kwargs)
            finally:
                meter.inner = saved
                dn, dt = meter.counter.n - n0, time.perf_counter() - t0
                meter.statements[phase] += dn
                meter.seconds[phase] += dt
                meter.inner[0] += dn
                meter.inner[1] += dt

        setattr(module, name, wrapped)

    def unwrap(self) -> None:
        for module, name, original in reversed(self.wrapped):
            setattr(module, name, original)

    def run(self, phase: str, fn):
        self.inner = [0, 0.0]
        n0, t0 = self.counter.n, time.perf_counter()
        try:
            return fn()
        finally:
            self.statements[phase] += self.counter.n - n0 - self.inner[0]
            self.seconds[phase] += time.perf_counter() - t0 - self.inner[1]
            self.inner = None


def run_orders(indices: list[int]) -> dict:
    """Intake (+ allocation) → pick/pack → ship (+ vouchers) → invoice for each order, each step in its own
    durable transaction as a connector, a warehouse and an accountant would run them."""
    from django.db import connection

    from sihe.core import tx
    from sihe.core.actor import Actor
    from sihe.ledger import services as ledger
    from sihe.oms import allocation, billing, services
    from sihe.oms.fulfilment import shipments_of
    from sihe.wms import shipping

    actor = Actor.system("bench")
    times, statements = [], []
    counter = Counter()
    meter = Meter(counter)
    meter.wrap(allocation, "allocate", "allocate")
    meter.wrap(ledger, "_create_posted", "vouchers")
    if hasattr(ledger, "_post_together"):
        meter.wrap(ledger, "_post_together", "vouchers")

    def pick_pack(order):
        for shipment in shipments_of(order):
            with tx.entry():
                shipping.start_picking(shipment=shipment, actor=actor)
            with tx.entry():
                shipping.mark_picked(shipment=shipment, actor=actor)
            with tx.entry():
                shipping.mark_packed(shipment=shipment, actor=actor)

    def ship(order, i):
        with tx.entry():
            services.ship_order(order=order, carrier="SF", tracking_no=f"SF{i:010d}", actor=actor)

    def invoice(order, i):
        with tx.entry():
            billing.invoice_orders(orders=[order.pk], buyer_name=f"买家{i}", actor=actor)

    try:
        with connection.execute_wrapper(counter):
            for i in indices:
                body = json.dumps(payload(i)).encode()
                start = time.perf_counter()
                before = counter.n
                result = meter.run("intake", lambda body=body: services.receive_order(channel_code="tb", body=body,
                                                                                     actor=actor))
                meter.run("pick/pack", lambda result=result: pick_pack(result.order))
                meter.run("ship", lambda result=result, i=i: ship(result.order, i))
                meter.run("invoice", lambda result=result, i=i: invoice(result.order, i))
                times.append(time.perf_counter() - start)
                statements.append(counter.n - before)
    finally:
        meter.unwrap()
    return {"times": times, "statements": statements, "phase_statements": meter.statements,
            "phase_seconds": meter.seconds}


ROW_TABLES = ("oms_order", "oms_orderline", "oms_timelineentry", "wms_shipment", "wms_shipmentline",
              "stock_reservation", "stock_reservationline", "stock_stockmove", "costing_valuationlayer", "ledger_voucher",
              "ledger_voucherline", "invoicing_invoice", "invoicing_invoiceline", "core_event", "core_auditentry")
# the transaction of the flow a table's rows are written in (the ceiling writes them in the same one)
INTAKE_TABLES = {"oms_order", "oms_orderline", "wms_shipment", "wms_shipmentline", "stock_reservation",
                 "stock_reservationline"}
INVOICE_TABLES = {"invoicing_invoice", "invoicing_invoiceline"}
SPLIT_TABLES = {"oms_timelineentry", "core_event", "core_auditentry"}  # half with intake, half with ship


def max_ids() -> dict[str, int]:
    from django.db import connection

    out = {}
    with connection.cursor() as cur:
        for table in ROW_TABLES:
            try:
                cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - our own table names
                out[table] = cur.fetchone()[0]
            except Exception:  # noqa: BLE001 - a table another wing has not built
                out[table] = 0
    return out


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


def make_raw_tables(since: dict[str, int], n: int) -> dict:
    """Copies raw_<table> of the flow's tables with the same columns, indexes, unique and check
    constraints (PostgreSQL: LIKE … INCLUDING ALL; SQLite: the table's own DDL, foreign keys included),
    and the very rows the flow wrote (id > `since`), cut into n per-order shares."""
    from django.db import connection

    plan = {}
    with connection.cursor() as cur:
        for table in ROW_TABLES:
            cur.execute(f"DROP TABLE IF EXISTS raw_{table}")
            if connection.vendor == "postgresql":
                cur.execute(f"CREATE TABLE raw_{table} (LIKE {table} INCLUDING ALL)")
            else:
                cur.execute("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL AND type IN ('table', 'index') "
                            "ORDER BY type DESC", [table])
                for _type, name, ddl in cur.fetchall():
                    ddl = ddl.replace(f'"{table}"', f'"raw_{table}"', 1)
                    if _type == "index":
                        ddl = ddl.replace(f'"{name}"', f'"raw_{name}"', 1).replace(f'ON "{table}"', f'ON "raw_{table}"')
                    cur.execute(ddl)
            cur.execute(f"SELECT * FROM {table} WHERE id > %s ORDER BY id", [since[table]])  # noqa: S608
            columns = [c[0] for c in cur.description if c[0] != "id"]
            rows = [tuple(v for c, v in zip([c[0] for c in cur.description], row, strict=True) if c != "id")
                    for row in cur.fetchall()]
            if connection.vendor == "postgresql":  # JSON columns come back as Python objects
                rows = [tuple(json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v for v in row)
                        for row in rows]
            shares = [rows[k * len(rows) // n:(k + 1) * len(rows) // n] for k in range(n)]
            plan[table] = (columns, shares)
        cur.execute("SELECT l.id, l.product_id, l.warehouse_id, q.id FROM stock_stocklevel l JOIN stock_quant q "
                    "ON q.product_id = l.product_id AND q.warehouse_id = l.warehouse_id")
        stock = cur.fetchall()
        cur.execute("DELETE FROM core_numberseries WHERE series LIKE %s", ["bench.raw.%"])
        cur.execute("DROP TABLE IF EXISTS raw_ledger_balance")
        if connection.vendor == "postgresql":
            cur.execute("CREATE TABLE raw_ledger_balance (LIKE ledger_balance INCLUDING ALL)")
        else:
            cur.execute("CREATE TABLE raw_ledger_balance AS SELECT * FROM ledger_balance WHERE 0")
            cur.execute("CREATE UNIQUE INDEX raw_ledger_balance_key ON raw_ledger_balance (account_id, period, "
                        "partner, department, project, warehouse, cash_flow, closing)")
        cur.execute("SELECT id FROM ledger_account WHERE code IN ('1405', '6401', '1122', '6001', '2221.01.02')")
        accounts = [r[0] for r in cur.fetchall()]
    return {"tables": plan, "stock": stock, "accounts": accounts}


def raw_ceiling(indices: list[int], plan: dict) -> list[float]:
    """The same flow as plain SQL, in as many transactions as the services use (intake, three for
    pick/pack, ship, invoice): the very rows the flow wrote into copies of its tables with the same
    indexes and constraints, the reads it cannot do without (channel, products by SKU, duplicate order,
    last valuation layer), gapless counters (UPDATE … RETURNING), guarded reservation and issue updates on
    the real level and quant rows, shipment state changes, and the balance upsert."""
    from django.db import connection, transaction

    from sihe.core import numbering

    tables, stock, accounts = plan["tables"], plan["stock"], plan["accounts"]
    times = []

    def insert(cur, table, share, part=None):
        columns, shares = tables[table]
        rows = shares[share]
        if part is not None:
            half = len(rows) // 2
            rows = rows[:half] if part == 0 else rows[half:]
        if not rows:
            return []
        marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
        cols = ", ".join(f'"{c}"' for c in columns)
        cur.execute(f'INSERT INTO raw_{table} ({cols}) VALUES {", ".join([marks] * len(rows))}',  # noqa: S608
                    [v for row in rows for v in row])
        return rows

    with connection.cursor() as cur:
        for i in indices:
            share = i
            skus = [f"BENCH-{(i * 7 + j * 13) % SKUS:03d}" for j in range(3)]
            picks = [stock[(i * 7 + j * 13) % len(stock)] for j in range(3)]
            start = time.perf_counter()
            with transaction.atomic(durable=True):  # intake + allocation
                cur.execute("SELECT id, type FROM catalog_channel WHERE code = %s", ["tb"])
                cur.execute("SELECT id FROM oms_order WHERE channel_id = %s AND external_id = %s", [1, str(i)])
                cur.execute("SELECT id, sku, tax_rate FROM catalog_product WHERE sku IN (%s, %s, %s)", skus)
                numbering.next_number("bench.raw.order")
                numbering.next_number("bench.raw.shipment")
                for level, _p, _w, quant in picks:
                    cur.execute("UPDATE stock_stocklevel SET reserved = reserved + 1 WHERE id = %s "
                                "AND on_hand - reserved >= 1", [level])
                    cur.execute("UPDATE stock_quant SET reserved = reserved + 1 WHERE id = %s AND qty - reserved >= 1",
                                [quant])
                for table in INTAKE_TABLES:
                    insert(cur, table, share)
                for table in SPLIT_TABLES:
                    insert(cur, table, share, 0)
            shipments = tables["wms_shipment"][1][share]
            number = shipments[0][tables["wms_shipment"][0].index("number")] if shipments else ""
            for state in ("picking", "picked", "packed"):
                with transaction.atomic(durable=True):
                    cur.execute("UPDATE raw_wms_shipment SET state = %s WHERE number = %s", [state, number])
            with transaction.atomic(durable=True):  # ship: issue at cost, COGS and revenue vouchers
                cur.execute("SELECT id, state FROM raw_wms_shipment WHERE number = %s", [number])
                for level, product, warehouse, quant in picks:
                    cur.execute("UPDATE stock_stocklevel SET on_hand = on_hand - 1, reserved = reserved - 1 "
                                "WHERE id = %s AND on_hand >= 1", [level])
                    cur.execute("UPDATE stock_quant SET qty = qty - 1, reserved = reserved - 1 WHERE id = %s "
                                "AND qty >= 1", [quant])
                    cur.execute("SELECT running_qty, running_value FROM costing_valuationlayer WHERE product_id = %s "
                                "AND warehouse_id = %s ORDER BY date DESC, id DESC LIMIT 1", [product, warehouse])
                numbering.next_numbers("bench.raw.voucher", count=2)
                for table in ("stock_stockmove", "costing_valuationlayer", "ledger_voucher", "ledger_voucherline"):
                    insert(cur, table, share)
                for table in SPLIT_TABLES:
                    insert(cur, table, share, 1)
                cur.execute("UPDATE raw_wms_shipment SET state = %s WHERE number = %s", ["shipped", number])
                keys = [(a, "2026-12", "", "", "", "", "", False, 1, 1) for a in accounts]
                marks = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(keys))
                cur.execute("INSERT INTO raw_ledger_balance (account_id, period, partner, department, project, "
                            f"warehouse, cash_flow, closing, debit, credit) VALUES {marks} ON CONFLICT (account_id, "
                            "period, partner, department, project, warehouse, cash_flow, closing) DO UPDATE SET "
                            "debit = raw_ledger_balance.debit + excluded.debit, "
                            "credit = raw_ledger_balance.credit + excluded.credit", [v for key in keys for v in key])
            with transaction.atomic(durable=True):  # invoice
                numbering.next_number("bench.raw.invoice")
                for table in INVOICE_TABLES:
                    insert(cur, table, share)
            times.append(time.perf_counter() - start)
    return times


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
    since = max_ids()
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        run_orders(list(range(n + 20, n + 220)))
        prof.disable()
        before = table_counts()
        since = max_ids()
        stats = pstats.Stats(prof, stream=sys.stderr)
        stats.sort_stats("cumulative")
        print("PROFILE (200 orders, cumulative, sihe functions):", file=sys.stderr)
        stats.print_stats(r"sihe/", 18)
    results, wall = _in_processes(args.procs, list(range(n)), run_orders)
    after = table_counts()
    times = [t for r in results for t in r["times"]]
    statements = [s for r in results for s in r["statements"]]
    steps = {k: sum(r["phase_statements"][k] for r in results) / n for k in PHASES}
    phase_ms = {k: sum(r["phase_seconds"][k] for r in results) * 1000 / n for k in PHASES}
    rows = {t: (after[t] - before[t]) / n for t in ROW_TABLES}
    raw_plan = make_raw_tables(since, n)
    raw_results, raw_wall = _in_processes(args.procs, list(range(n)), raw_ceiling, raw_plan)
    raw_times = [t for r in raw_results for t in r]
    ordered = sorted(times)
    print(json.dumps({
        "database": connection.vendor, "procs": args.procs, "orders": n, "wall": wall, "orders_per_s": n / wall,
        "p50_ms": statistics.median(times) * 1000, "p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1000,
        "statements": statistics.mean(statements), "steps": steps, "phase_ms": phase_ms, "rows": rows,
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
    db = f"sihe_bench_o2c_{os.getpid()}_{int(time.time())}"  # unique: benches of others may run at the same time
    url = f"{PG_BASE}/{db}"
    configs = {"sqlite": ("", 1), "pg1": (url, 1), "pg2": (url, 2), "pg4": (url, 4)}
    print(f"load before: {os.getloadavg()}")
    for name in args.configs.split(","):
        url, procs = configs[name]
        var = ROOT / "var" / f"bench-o2c-{os.getpid()}"
        env = {**os.environ, "DATABASE_URL": url, "SIHE_VAR_DIR": str(var)}
        if url:
            for sql in (f"DROP DATABASE IF EXISTS {db}", f"CREATE DATABASE {db}"):
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
        print(f"    SQL statements per order: {r['statements']:.1f} (aim ≤ 60)")
        print("    per phase (statements / ms per order): " + ", ".join(
            f"{k} {r['steps'][k]:.1f} / {r['phase_ms'][k]:.2f}" for k in PHASES))
        print("    rows written per order: " + ", ".join(f"{t} {n:g}" for t, n in r["rows"].items() if n))
        print(f"    raw-SQL ceiling (the same rows into copies of the tables with their indexes, the same reads, "
              f"counters and guarded updates, 6 transactions/order): {r['raw_orders_per_s']:.1f} orders/s "
              f"→ ratio {ratio:.1%} (aim ≥ {'25' if r['database'] == 'sqlite' else '20'}%)\n", flush=True)
    if any(name.startswith("pg") for name in args.configs.split(",")):
        subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f"DROP DATABASE IF EXISTS {db}"],
                       check=False)
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()

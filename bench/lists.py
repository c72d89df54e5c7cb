"""Benchmark of the long lists (issue 18, "Pages and API"): page 1, a deep page by offset (the old way) and the same
deep page by cursor (`after`, keyset paging), for the orders, vouchers, stock moves and stock levels lists, on SQLite
and PostgreSQL, with ~1M rows in each list.

It makes a database of its own for each (a unique SQLite file in a temporary directory; a uniquely-named PostgreSQL
database), migrates it, and fills the real tables with INSERT … SELECT over a generated series (no services: this
measures reading): at --scale 1, 1,000,000 orders (3 per second: ties on received_at), 1,000,000 vouchers of one
period (2 lines each; drafts without a number tied first), 1,000,000 stock moves (1,000 a day: ties on the date) and
1,000,000 stock levels (100,000 products × 10 warehouses). Each list is read through the API in-process (Django's
test client, a bearer token: routing, auth, the count, the page and its JSON) and through its selector only (the
page's query), best of --repeat runs; the deep page is at 90 % of the list. Dropped at the end unless --keep.

    .venv/bin/python bench/lists.py --scale 0.01             # 10,000 rows a list, both databases
    .venv/bin/python bench/lists.py --scale 1 --only postgresql
    options: --pg postgres://postgres@127.0.0.1:5432  --limit 100  --repeat 3  --keep
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--scale", type=float, default=1.0, help="fraction of 1,000,000 rows per list")
parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one database (default: both, one after the other)")
parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
parser.add_argument("--limit", type=int, default=100, help="page size")
parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the best is printed")
parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
ARGS = parser.parse_args()

if ARGS.only is None:
    for database in ("sqlite", "postgresql"):
        subprocess.run([sys.executable, __file__, *sys.argv[1:], "--only", database], check=True)
    sys.exit(0)

N = max(1000, round(1_000_000 * ARGS.scale))
NAME = f"sihe_bench_lists_{os.getpid()}_{uuid.uuid4().hex[:6]}"
VAR = Path(tempfile.mkdtemp(prefix=f"{NAME}_"))
os.environ["SIHE_VAR_DIR"] = str(VAR)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sihe.settings")
PG = ARGS.only == "postgresql"
HOST = ARGS.pg.split("@", 1)[1].split(":")[0]
PORT = ARGS.pg.rsplit(":", 1)[1]
USER = ARGS.pg.split("//", 1)[1].split("@")[0]
if PG:
    subprocess.run(["createdb", "-h", HOST, "-p", PORT, "-U", USER, NAME], check=True)
    os.environ["DATABASE_URL"] = f"{ARGS.pg}/{NAME}"
else:
    os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections, connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from sihe.catalog.models import Channel, Location, Product, Uom, Warehouse, Zone  # noqa: E402
from sihe.core.actor import Actor  # noqa: E402
from sihe.core.roles import assign_role  # noqa: E402
from sihe.hub.tokens import create_token  # noqa: E402
from sihe.ledger import selectors as ledger  # noqa: E402
from sihe.ledger.models import Account, Period, Voucher, VoucherLine  # noqa: E402
from sihe.oms import selectors as oms  # noqa: E402
from sihe.oms.models import Order  # noqa: E402
from sihe.stock import selectors as stock  # noqa: E402
from sihe.stock.models import StockLevel, StockMove  # noqa: E402

T0 = time.perf_counter()
# one connection for the whole run, as a server with persistent connections keeps (and so the statements of a
# request can be counted on it)
request_started.disconnect(close_old_connections)
request_finished.disconnect(close_old_connections)
request_started.disconnect(reset_queries)


def say(text: str) -> None:
    print(f"[{time.perf_counter() - T0:7.1f}s] {text}", flush=True)


def series(n: int) -> str:
    """A FROM clause giving i = 0 … n-1."""
    if PG:
        return f"generate_series(0, {n - 1}) AS n(i)"
    return f"(WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < {n - 1}) SELECT i FROM s) AS n"


def day(expr: str) -> str:
    return f"(DATE '2025-01-01' + ({expr}))" if PG else f"date('2025-01-01', '+' || ({expr}) || ' days')"


def moment(seconds: str) -> str:
    if PG:
        return f"(TIMESTAMPTZ '2025-01-01 00:00:00+00' + ({seconds}) * INTERVAL '1 second')"
    return f"strftime('%Y-%m-%d %H:%M:%S', '2025-01-01 00:00:00', '+' || ({seconds}) || ' seconds')"


def text(expr: str) -> str:
    return f"CAST({expr} AS TEXT)" if not PG else f"({expr})::text"


def insert(model, n: int, exprs: dict[str, str]) -> None:
    """INSERT … SELECT n rows into the model's table: the given SQL per column, the field's default elsewhere."""
    columns, values, params = [], [], []
    for f in model._meta.concrete_fields:
        if f.column in exprs:
            columns.append(f.column)
            values.append(exprs[f.column].replace("%", "%%"))  # a literal % (modulo, strftime) beside the params
        elif f.primary_key or f.null:
            continue
        elif f.has_default():
            columns.append(f.column)
            values.append("%s")
            params.append(f.get_db_prep_save(f.get_default(), connection))
        else:
            columns.append(f.column)
            values.append("''")
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {series(n)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def build() -> dict:
    say(f"migrating {'PostgreSQL ' + NAME if PG else 'SQLite in ' + str(VAR)} …")
    call_command("migrate", verbosity=0)
    uom = Uom.objects.get_or_create(code="PCS", defaults={"name": "件"})[0]
    warehouses = [Warehouse.objects.create(code=f"W{w:02d}", name=f"仓库 {w}") for w in range(10)]
    zone = Zone.objects.create(warehouse=warehouses[0], code="A", name="A")
    dock = Location.objects.create(warehouse=warehouses[0], zone=zone, code="DOCK", kind="dock")
    products = N // 10
    say(f"{products:,} products, {N:,} stock levels …")
    insert(Product, products, {"sku": "'P' || " + text("100000000 + i"), "name": "'商品'", "uom_id": str(uom.pk)})
    first = Product.objects.order_by("id").values_list("id", flat=True).first()
    insert(StockLevel, N, {"product_id": f"{first} + i / 10", "warehouse_id": f"{warehouses[0].pk} + i % 10",
                           "on_hand": "5", "reserved": "0"})
    say(f"{N:,} stock moves (1,000 a day) …")
    insert(StockMove, N, {"product_id": f"{first} + i % {products}", "qty": "1", "kind": "'receipt'", "state": "'done'",
                          "date": day("i / 1000"), "reference": "'R-' || " + text("i"), "counterpart": "'supplier'",
                          "created_at": moment("i"), "created_by": "'bench'", "dst_warehouse_id": str(warehouses[0].pk),
                          "dst_location_id": str(dock.pk)})
    say(f"{N:,} vouchers of 2025-03 with {2 * N:,} lines …")
    period = Period.objects.create(code="2025-03")
    drafts = N // 100
    insert(Voucher, N, {"period_id": str(period.pk), "word": "'记'", "date": "DATE '2025-03-15'" if PG else "'2025-03-15'",
                        "number": f"CASE WHEN i < {drafts} THEN NULL ELSE i - {drafts - 1} END",
                        "status": f"CASE WHEN i < {drafts} THEN 'draft' ELSE 'posted' END", "memo": "'bench'",
                        "created_at": moment("i")})
    debit, credit = Account.objects.get(code="1002").pk, Account.objects.get(code="3001").pk
    low = Voucher.objects.order_by("id").values_list("id", flat=True).first()
    if PG:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")  # the balance trigger checks real postings
    insert(VoucherLine, 2 * N, {"voucher_id": f"{low} + i / 2", "seq": "1 + i % 2", "summary": "'bench'",
                                "account_id": f"CASE WHEN i % 2 = 0 THEN {debit} ELSE {credit} END",
                                "debit": "CASE WHEN i % 2 = 0 THEN 100 ELSE 0 END",
                                "credit": "CASE WHEN i % 2 = 1 THEN 100 ELSE 0 END"})
    if PG:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
    say(f"{N:,} orders (3 a second) …")
    channel = Channel.objects.create(code="bench", type="own", name="bench")
    insert(Order, N, {"number": "'B' || " + text("i"), "channel_id": str(channel.pk), "external_id": text("i"),
                      "status": "'new'", "ordered_at": moment("i / 3"), "channel_updated_at": moment("i / 3"),
                      "received_at": moment("i / 3"), "amount_paid": "10"})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    user = get_user_model().objects.create_user(username="bench_manager", password="bench-password-1")
    assign_role(user, "manager")
    _, token = create_token(user=user, name="bench", actor=Actor.system("bench"))
    say("built")
    return {"token": token, "period": "2025-03"}


def best(fn) -> float:
    times = []
    for _ in range(ARGS.repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def cursor_at(keyset, queryset, offset: int) -> str:
    """The `next` cursor a client holds after reading `offset` rows (the cursor of row offset-1)."""
    row = queryset.values(*keyset.fields)[offset - 1]
    return keyset.cursor(row)


def main() -> None:
    ctx = build()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {ctx['token']}", HTTP_ACCEPT_LANGUAGE="en")
    limit, deep = ARGS.limit, int(N * 0.9)
    lists = [
        ("orders", "/api/v1/orders?", oms.ORDERS, oms.orders()),
        ("vouchers", f"/api/v1/ledger/vouchers?period={ctx['period']}&", ledger.VOUCHERS,
         ledger.period_voucher_list(ctx["period"])),
        ("stock moves", "/api/v1/stock/moves?", stock.MOVES, stock.moves(limit=None)),
        ("stock levels", "/api/v1/stock/levels?", stock.LEVELS, stock.levels()),
    ]
    client.get("/api/v1/orders?limit=1")  # the token's first use
    rows = []
    for name, url, keyset, qs in lists:
        say(f"measuring {name} …")
        after = cursor_at(keyset, qs, deep)
        # the same rows either way (checked once)
        by_offset = [keyset.cursor(r) for r in qs.values(*keyset.fields)[deep:deep + limit]]
        by_cursor = [keyset.cursor(r) for r in keyset.after(qs, after, size=limit).values(*keyset.fields)[:limit]]
        assert by_offset == by_cursor, name
        key = {"stock levels": "rows", "orders": "items"}.get(name)  # vouchers and moves answer an array
        urls = {"p1": f"{url}limit={limit}", "offset": f"{url}limit={limit}&offset={deep}",
                "cursor": f"{url}limit={limit}&after={after}"}
        for u in urls.values():
            response = client.get(u)
            items = response.json()[key] if key else response.json()
            assert response.status_code == 200 and len(items) == limit, (u, response.content[:300])
        with CaptureQueriesContext(connection) as q:
            keyset.page(qs, after=after, limit=limit)
        rows.append({
            "list": name,
            "api_p1": best(lambda u=urls["p1"]: client.get(u)),
            "api_offset": best(lambda u=urls["offset"]: client.get(u)),
            "api_cursor": best(lambda u=urls["cursor"]: client.get(u)),
            "q_p1": best(lambda qs=qs, k=keyset: k.page(qs, limit=limit)),
            "q_offset": best(lambda qs=qs, k=keyset: k.page(qs, offset=deep, limit=limit)),
            "q_cursor": best(lambda qs=qs, k=keyset, a=after: k.page(qs, after=a, limit=limit)),
            "count": best(lambda qs=qs: qs.count()),
            "queries": len(q.captured_queries),
        })
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if PG else "SELECT sqlite_version()")
        version = cursor.fetchone()[0].split(",")[0]
    print()
    print(f"{'PostgreSQL' if PG else 'SQLite'} ({version}), {N:,} rows a list, page of {limit}, deep page at offset "
          f"{deep:,}; best of {ARGS.repeat}; {os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
          f"load {os.getloadavg()[0]:.2f}")
    print(f"{'list':<13} | {'API page 1':>10} {'deep offset':>11} {'deep cursor':>11} | {'page p1':>8} "
          f"{'offset':>8} {'cursor':>8} | {'count(*)':>8} | stmts")
    for r in rows:
        print(f"{r['list']:<13} | {r['api_p1']:8.1f}ms {r['api_offset']:9.1f}ms {r['api_cursor']:9.1f}ms | "
              f"{r['q_p1']:6.1f}ms {r['q_offset']:6.1f}ms {r['q_cursor']:6.1f}ms | {r['count']:6.1f}ms | {r['queries']}")
    print("(API: the whole request in-process, with its count; page: Keyset.page alone — the ids, then their rows; "
          "stmts: a cursor page's statements)")
    print(json.dumps({"database": "postgresql" if PG else "sqlite", "rows": N, "figures": rows}), file=sys.stderr)


try:
    main()
finally:
    connection.close()
    if PG and not ARGS.keep:
        subprocess.run(["dropdb", "-h", HOST, "-p", PORT, "-U", USER, NAME], check=False)
    if not ARGS.keep:
        import shutil

        shutil.rmtree(VAR, ignore_errors=True)
    elif not PG:
        print(f"kept {VAR}")

"""Benchmark of the KPIs (issue 19): a year of a company taking 1,000 orders a day, then each KPI's time.

At --scale 1 it loads, with PostgreSQL COPY into the real tables (no services: this measures reading):
  365,000 orders (2 lines each, one shipment each, paid → in Sihe seconds later → shipped hours later),
  730,000 issue moves with their valuation layers, ~31,000 receipts, internal moves up to 3,000,000 stock moves,
  revenue, cost-of-sales, receipt and settlement vouchers (~3.8 million voucher lines), 18,250 pick lists
  with 730,000 pick tasks, 1,000 closed count tasks, 13 periods (the first 11 closed).
Then for the year 2025-12-01 … 2026-11-30 it times every KPI whole and by each grouping it knows, the first
page of each drill-down, and prints them (the issue aims each KPI under 1 s). No shop-floor counts are loaded
(OEE and yield read the shop floor's minute counts, which need lines, work orders and production orders).

It makes a database of its own (a unique name), and drops it at the end unless --keep:

    .venv/bin/python bench/kpis.py --scale 0.1            # 36,500 orders …
    .venv/bin/python bench/kpis.py --scale 1 --keep       # the full year
    .venv/bin/python bench/kpis.py --db sihe_bench_kpis_…  # measure a kept database again (no build)
    options: --pg postgres://postgres@127.0.0.1:5432  --repeat 3  --no-compare

The general-ledger KPIs read the daily summary (insights_ledgerday), which the load fills with
`sihe kpis rebuild` (timed); each of them is also computed straight from the voucher lines, timed once and
compared (--no-compare skips that).
"""

import argparse
import datetime
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--scale", type=float, default=1.0, help="fraction of 1,000 orders a day for a year")
parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
parser.add_argument("--repeat", type=int, default=3, help="runs per KPI; the best and the first are printed")
parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
parser.add_argument("--db", help="measure a database kept by an earlier --keep run (no build; kept afterwards)")
parser.add_argument("--no-compare", action="store_true",
                    help="do not also time the general-ledger KPIs straight from the voucher lines")
ARGS = parser.parse_args()

DB = ARGS.db or f"sihe_bench_kpis_{os.getpid()}_{uuid.uuid4().hex[:6]}"
HOST = ARGS.pg.split("@", 1)[1].split(":")[0]
PORT = ARGS.pg.rsplit(":", 1)[1]
USER = ARGS.pg.split("//", 1)[1].split("@")[0]
if ARGS.db:
    ARGS.keep = True
else:
    subprocess.run(["createdb", "-h", HOST, "-p", PORT, "-U", USER, DB], check=True)
os.environ["DATABASE_URL"] = f"{ARGS.pg}/{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sihe.settings")
os.environ.setdefault("SIHE_PG_STATEMENT_TIMEOUT_MS", "0")  # COPY of 3 million moves is bulk work, as in `sihe`

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from sihe.catalog.models import Category, Channel, Location, Product, Uom, Warehouse, Zone  # noqa: E402
from sihe.costing.models import ValuationLayer  # noqa: E402
from sihe.insights import kpis, summary  # noqa: E402
from sihe.ledger.models import Account, Period, Voucher, VoucherLine  # noqa: E402
from sihe.oms.models import Order, OrderLine  # noqa: E402
from sihe.stock.models import StockMove  # noqa: E402
from sihe.wms.counting.models import CountTask  # noqa: E402
from sihe.wms.models import Shipment  # noqa: E402
from sihe.wms.outbound.models import PickList, PickTask, Wave  # noqa: E402

START = datetime.date(2025, 12, 1)
DAYS = 365
ORDERS_PER_DAY = max(1, round(1000 * ARGS.scale))
TOTAL_MOVES = round(3_000_000 * ARGS.scale)
rng = random.Random(19)
T0 = time.perf_counter()


def say(text: str) -> None:
    print(f"[{time.perf_counter() - T0:7.1f}s] {text}", flush=True)


def _text(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    elif hasattr(value, "obj"):  # psycopg's Json/Jsonb wrapper of a JSONField default
        value = json.dumps(value.obj)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Copy:
    """COPY rows into a model's table: every concrete column, defaults where the row says nothing. Rows go to
    a temporary file first, so several tables can be filled at once; the COPYs then run one after the other
    (a connection runs one COPY at a time) in the order the tables were opened, parents first."""

    pending: list = []

    def __init__(self, model, columns: list[str]):
        # an id the rows do not give is the sequence's
        fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.column not in columns)]
        self.table = model._meta.db_table
        self.names = [f.column for f in fields]
        defaults = []
        for f in fields:
            value = f.get_default() if f.has_default() or not f.null else None
            defaults.append(_text(f.get_db_prep_save(value, connection) if value is not None else None))
        self.defaults = defaults
        self.at = [self.names.index(c) for c in columns]
        self.rows = 0

    def __enter__(self):
        self.file = tempfile.TemporaryFile("w+", encoding="utf-8")
        Copy.pending.append(self)
        return self

    def write(self, *values):
        row = list(self.defaults)
        for i, v in zip(self.at, values, strict=True):
            row[i] = _text(v)
        self.file.write("\t".join(row) + "\n")
        self.rows += 1

    def __exit__(self, *exc):
        self.closed = True
        if exc[0] is not None or not all(getattr(c, "closed", False) for c in Copy.pending):
            return
        # the last of a nested group to close: run the group's COPYs, parents (opened first) first
        group, Copy.pending = Copy.pending, []
        for c in group:
            c._flush()

    def _flush(self):
        self.file.seek(0)
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {self.table} ({', '.join(self.names)}) FROM STDIN") as copy:
            while chunk := self.file.read(1 << 20):
                copy.write(chunk)
        self.file.close()
        say(f"  {self.table}: {self.rows:,} rows")


def aware(day: datetime.date, seconds: float) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min)) + datetime.timedelta(seconds=seconds)


def build() -> dict:
    say(f"database {DB}: migrate")
    call_command("migrate", verbosity=0)
    uom = Uom.objects.get(code="PCS")
    cats = [Category.objects.create(code=f"C{i}", name=f"品类{i}") for i in range(10)]
    whs = [Warehouse.objects.create(code=c, name=f"{c}仓") for c in ("SH", "GZ", "BJ")]
    bins = {}
    for wh in whs:
        zone = Zone.objects.create(warehouse=wh, code="A", name="A")
        bins[wh.pk] = [Location.objects.create(warehouse=wh, zone=zone, code=f"A-{a:02d}-{s:02d}", kind="bin", aisle=a,
                                               position=s).pk for a in range(1, 6) for s in range(1, 11)]
    chans = [Channel.objects.create(code=c, name=c, type=t) for c, t in
             (("TB", "taobao"), ("JD", "jd"), ("DY", "douyin"), ("PDD", "api"), ("SP", "shopify"))]
    products = [Product.objects.create(sku=f"P{i:04d}", name=f"商品{i}", uom=uom, category=cats[i % 10])
                for i in range(200)]
    cost = {p.pk: Decimal(10 + (i * 7) % 90) for i, p in enumerate(products)}
    acc = {a.code: a.pk for a in Account.objects.filter(code__in=["5001", "1122", "2221.01.06", "5401", "1405",
                                                                  "2221.01.01", "2202.01", "1012", "5601.03"])}
    periods = {}
    for m in range(13):  # the year, and the December after it (late shipments, settlements)
        first = datetime.date(START.year + (START.month + m - 1) // 12, (START.month + m - 1) % 12 + 1, 1)
        code = f"{first:%Y-%m}"
        closed = m < 11  # 2026-11 (the year's last month) and the month after are open
        nxt = datetime.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        p, _ = Period.objects.update_or_create(code=code, defaults={
            "status": "closed" if closed else "open",
            "closed_at": aware(nxt, 86400 * (1 + m % 4) + 36000) if closed else None})
        periods[code] = p.pk
    return {"cats": cats, "whs": whs, "bins": bins, "chans": chans, "products": products, "cost": cost, "acc": acc,
            "periods": periods}


def load(w: dict) -> None:
    products, whs, chans, acc, cost = w["products"], w["whs"], w["chans"], w["acc"], w["cost"]
    voucher_no: dict[str, int] = {}
    vid = lid = 0
    say(f"{ORDERS_PER_DAY * DAYS:,} orders over {DAYS} days")
    # orders, lines, shipments
    oid = mid = 0
    issue_rows = []  # (move id, day, wh, product, qty, cost, shipment number, order id)
    revenue_rows = []  # (order id, day, net, tax, total, channel code)
    with Copy(Order, ["id", "number", "channel_id", "external_id", "status", "goods_total", "amount_paid",
                      "revenue_total", "settled_total", "ordered_at", "paid_at", "channel_updated_at",
                      "received_at", "shipped_at", "promised_ship_at", "revenue_booked", "version",
                      "prices_include_tax", "currency"]) as o_copy, \
            Copy(OrderLine, ["order_id", "line_no", "product_id", "qty", "unit_price", "line_total", "amount_paid",
                             "tax_rate", "shipped_qty", "allocated_qty"]) as l_copy, \
            Copy(Shipment, ["id", "number", "warehouse_id", "state", "source_type", "source_id", "source_number",
                            "created_at", "shipped_at"]) as s_copy:
        for d in range(DAYS):
            day = START + datetime.timedelta(days=d)
            for _k in range(ORDERS_PER_DAY):
                oid += 1
                ch = chans[oid % 5]
                wh = whs[oid % 3]
                paid = aware(day, rng.uniform(0, 86000))
                received = paid + datetime.timedelta(seconds=rng.uniform(1, 20))
                hour16 = aware(day, 16 * 3600)
                promised = hour16 if paid < hour16 else hour16 + datetime.timedelta(days=1)
                shipped = paid + datetime.timedelta(hours=rng.uniform(2, 30))
                picks = rng.sample(products, 2)
                total = Decimal(0)
                for n, p in enumerate(picks, start=1):
                    qty = 1 + oid % 3
                    gross = (cost[p.pk] * Decimal("1.6") * qty).quantize(Decimal("0.01"))
                    total += gross
                    l_copy.write(oid, n, p.pk, qty, gross / qty, gross, gross, Decimal("0.13"), qty, qty)
                    mid += 1
                    issue_rows.append((mid, timezone.localdate(shipped), wh.pk, p.pk, qty, cost[p.pk], f"S{oid}", oid))
                settled = total if oid % 50 else Decimal(0)
                o_copy.write(oid, f"B{oid:07d}", ch.pk, f"E{oid}", "completed" if settled else "shipped", total, total,
                             total, settled, paid, paid, paid, received, shipped, promised, True, 1, True, "CNY")
                s_copy.write(oid, f"S{oid}", wh.pk, "shipped", "oms.order", str(oid), f"B{oid:07d}", paid, shipped)
                net = (total / Decimal("1.13")).quantize(Decimal("0.01"))
                revenue_rows.append((oid, timezone.localdate(shipped), net, total - net, total, settled))
    say("stock moves, valuation layers")
    receipts = []
    with Copy(StockMove, ["id", "product_id", "qty", "kind", "state", "date", "reference", "src_warehouse_id",
                          "src_location_id", "dst_warehouse_id", "dst_location_id", "counterpart", "unit_cost",
                          "created_at"]) as m_copy, \
            Copy(ValuationLayer, ["move_id", "product_id", "warehouse_id", "date", "kind", "method", "qty", "value",
                                  "unit_cost"]) as v_copy:
        for move_id, day, wh, pid, qty, c, ref, _oid in issue_rows:
            m_copy.write(move_id, pid, qty, "issue", "done", day, ref, wh, w["bins"][wh][pid % 50], None, None,
                         "customer", c, aware(day, 0))
            v_copy.write(move_id, pid, wh, day, "out", "moving_average", -qty, -(c * qty), c)
        # receipts: each product in each warehouse weekly, enough to cover what it issues
        issued = {}
        for _m, day, wh, pid, qty, _c, _r, _o in issue_rows:
            week = (day - START).days // 7
            issued[(week, wh, pid)] = issued.get((week, wh, pid), 0) + qty
        for (week, wh, pid), qty in sorted(issued.items()):
            mid += 1
            day = START + datetime.timedelta(days=7 * week)
            m_copy.write(mid, pid, qty + 2, "receipt", "done", day, f"PO{week}-{pid}", None, None, wh,
                         w["bins"][wh][pid % 50], "supplier", cost[pid], aware(day, 0))
            v_copy.write(mid, pid, wh, day, "in", "moving_average", qty + 2, cost[pid] * (qty + 2), cost[pid])
            receipts.append((mid, day, wh, cost[pid] * (qty + 2)))
        while mid < TOTAL_MOVES:  # putaway and replenishment inside a warehouse: no value moves, no voucher
            mid += 1
            wh = whs[mid % 3].pk
            day = START + datetime.timedelta(days=mid % DAYS)
            m_copy.write(mid, products[mid % 200].pk, 1, "transfer", "done", day, f"MV{mid}", wh,
                         w["bins"][wh][mid % 50], wh, w["bins"][wh][(mid + 7) % 50], "", None, aware(day, 0))
    say("vouchers and voucher lines")
    wh_code = {wh.pk: wh.code for wh in whs}

    def number(day):
        code = f"{day:%Y-%m}"
        voucher_no[code] = voucher_no.get(code, 0) + 1
        return w["periods"][code], voucher_no[code]

    with Copy(Voucher, ["id", "period_id", "word", "number", "date", "status", "kind", "memo", "source_type",
                        "source_id", "rule", "made_by", "posted_by", "posted_at", "created_at"]) as vc, \
            Copy(VoucherLine, ["id", "voucher_id", "seq", "summary", "account_id", "debit", "credit", "partner",
                               "warehouse"]) as lc:
        zero = Decimal("0.00")

        def voucher(day, source_type, source_id, rule, lines):
            nonlocal vid, lid
            vid += 1
            period, no = number(day)
            at = aware(day, 20 * 3600)
            vc.write(vid, period, "记", no, day, "posted", "auto", rule, source_type, str(source_id), rule, "bench",
                     "bench", at, at)
            for seq, (account, debit, credit, wh) in enumerate(lines, start=1):
                lid += 1
                lc.write(lid, vid, seq, rule, acc[account], debit, credit, "", wh)

        for oid_, day, net, tax, total, settled in revenue_rows:
            voucher(day, "oms.order", oid_, "sales.revenue",
                    [("1122", total, zero, ""), ("5001", zero, net, ""), ("2221.01.06", zero, tax, "")])
            if settled:
                fee = (settled * Decimal("0.05")).quantize(Decimal("0.01"))
                voucher(day + datetime.timedelta(days=7), "oms.order", oid_, "receipt.platform",
                        [("1012", settled - fee, zero, ""), ("5601.03", fee, zero, ""), ("1122", zero, settled, "")])
        for move_id, day, wh, _pid, qty, c, _r, _o in issue_rows:
            value = c * qty
            voucher(day, "stock_move", move_id, "stock.issue",
                    [("5401", value, zero, ""), ("1405", zero, value, wh_code[wh])])
        for move_id, day, wh, value in receipts:
            tax = (value * Decimal("0.13")).quantize(Decimal("0.01"))
            voucher(day, "stock_move", move_id, "stock.receipt",
                    [("1405", value, zero, wh_code[wh]), ("2221.01.01", tax, zero, ""), ("2202.01", zero, value + tax, "")])
    say("waves, pick lists, pick tasks, count tasks")
    per_list = 20
    with Copy(Wave, ["id", "number", "warehouse_id", "state", "created_at"]) as wc, \
            Copy(PickList, ["id", "wave_id", "number", "picker", "state", "length", "naive_length", "started_at",
                            "finished_at"]) as pc, \
            Copy(PickTask, ["picklist_id", "sequence", "shipment_id", "product_id", "location_id", "qty",
                            "picked_qty", "state"]) as tc:
        by_order = {}
        for _m, _day, wh, pid, qty, _c, _r, order_id in issue_rows:
            by_order.setdefault(order_id, []).append((wh, pid, qty))
        ids = sorted(by_order)
        for n, i in enumerate(range(0, len(ids), per_list), start=1):
            chunk = ids[i:i + per_list]
            first = revenue_rows[chunk[0] - 1][1]
            start = aware(first, 15 * 3600 + (n % 7) * 60)
            wh = by_order[chunk[0]][0][0]
            wc.write(n, f"WV{n}", wh, "done", start)
            routed = Decimal(60 + n % 80)
            pc.write(n, n, f"WV{n}-01", f"picker{n % 12}", "done", routed, routed * Decimal("1.45"), start,
                     start + datetime.timedelta(minutes=20 + n % 25))
            seq = 0
            for order_id in chunk:
                for wh_, pid, qty in by_order[order_id]:
                    seq += 1
                    tc.write(n, seq, order_id, pid, w["bins"][wh_][pid % 50], qty, qty, "done")
    with Copy(CountTask, ["number", "warehouse_id", "scope", "state", "recount_qty", "recount_pct", "tolerance_pct",
                          "created_at", "closed_at", "lines_counted", "lines_matched", "accuracy"]) as cc:
        for n in range(max(1, round(1000 * ARGS.scale))):
            day = START + datetime.timedelta(days=n % DAYS)
            counted = 50 + n % 50
            matched = counted - (n % 3)
            cc.write(f"CT{n}", whs[n % 3].pk, "zone", "closed", 5, 10, 0, aware(day, 3600), aware(day, 7200), counted,
                     matched, (Decimal(matched) * 100 / counted).quantize(Decimal("0.01")))
    say("sequences, ANALYZE")
    with connection.cursor() as cursor:
        for model in (Order, Shipment, StockMove, Voucher, VoucherLine, Wave, PickList):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        cursor.execute("ANALYZE")
        counts = {}
        for model in (Order, OrderLine, StockMove, ValuationLayer, Voucher, VoucherLine, PickTask):
            cursor.execute(f"SELECT COUNT(*) FROM {model._meta.db_table}")
            counts[model.__name__] = cursor.fetchone()[0]
    say("loaded: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))


def timed(fn) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(ARGS.repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return times[0], min(times), result


# the KPIs that read the general ledger: from the daily summary, and (for comparison) from the voucher lines
GL_KPIS = ("revenue", "cogs", "gross_profit", "gross_margin", "inventory_turnover", "days_of_stock")


def measure() -> None:
    year = kpis.Period(START, START + datetime.timedelta(days=DAYS - 1))
    compare = not ARGS.no_compare
    print(f"\nKPIs over {year.start} … {year.end} (first run / best of {ARGS.repeat}, seconds)"
          + ("; ledger = the same figure straight from the voucher lines, one run, and whether it is equal"
             if compare else ""))
    print(f"{'KPI':24} {'grouping':14} {'first':>7} {'best':>7}  {'ledger':>7} {'equal':5}  value")
    worst = 0.0
    for code, k in kpis.REGISTRY.items():
        for group_by in (None, *k.group_by):
            first, best, result = timed(lambda code=code, group_by=group_by: kpis.figure(code, year, group_by=group_by))
            worst = max(worst, best)
            shown = result["value"] if group_by is None else f"{len(result['groups'])} groups"
            straight = " " * 13
            if compare and code in GL_KPIS:
                t = time.perf_counter()
                with kpis.straight_from_ledgers():
                    direct = kpis.figure(code, year, group_by=group_by)
                same = direct["value"] == result["value"] and direct["groups"] == result["groups"]
                straight = f"{time.perf_counter() - t:7.3f} {'yes' if same else 'NO':5}"
            print(f"{code:24} {group_by or '-':14} {first:7.3f} {best:7.3f}  {straight}  {shown}", flush=True)
    print(f"slowest KPI (best run): {worst:.3f} s")
    print("\ndrill-downs, first page of 100 over the year (first / best, seconds)")
    for code in kpis.REGISTRY:
        first, best, result = timed(lambda code=code: kpis.drill(code, year, limit=100))
        print(f"{code:24} {first:7.3f} {best:7.3f}  {result['count']} documents", flush=True)


def machine() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        db_version = cursor.fetchone()[0].split(",")[0]
    return f"{platform.node()} · {os.cpu_count()} CPUs · Python {platform.python_version()} · {db_version}"


if __name__ == "__main__":
    try:
        if not ARGS.db:
            world = build()
            load(world)
            say("the KPIs' daily ledger summary from the voucher lines (sihe kpis rebuild)")
            t_rebuild = time.perf_counter()
            rows = summary.rebuild()
            say(f"  insights_ledgerday: {rows:,} rows in {time.perf_counter() - t_rebuild:.1f} s")
            say(f"built in {time.perf_counter() - T0:.1f} s (scale {ARGS.scale})")
        else:
            call_command("migrate", verbosity=0)
        print(machine())
        measure()
    finally:
        connection.close()
        if not ARGS.keep:
            subprocess.run(["dropdb", "-h", HOST, "-p", PORT, "-U", USER, DB], check=False)
        else:
            print(f"kept database {DB}")

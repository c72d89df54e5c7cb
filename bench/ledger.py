"""Benchmark of the general ledger.

1. Vouchers posted per second through the services (`book()` of a 3-line sales voucher, one
   durable transaction each, as a business act would do it).
2. With LINES voucher lines bulk-loaded by raw SQL (12 periods of 2025), the time to produce the
   trial balance and the three statements for 2025-12, beside a raw SQL GROUP BY over the same
   lines (Σ debit, Σ credit per account up to the period) measured in the same run, and the ratio.

It wipes the ledger tables of the database it runs on — run it on a database of its own:

    .venv/bin/python bench/ledger.py                                  # SQLite in var/bench-ledger-<pid>/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sihe_bench_ledger .venv/bin/python bench/ledger.py
    options: --lines 1000000 --vouchers 500
"""

import argparse
import datetime
import os
import platform
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sihe.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ["SIHE_VAR_DIR"] = str(ROOT / "var" / f"bench-ledger-{os.getpid()}")  # unique per run

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from sihe.core.actor import Actor  # noqa: E402
from sihe.ledger import balances, reports, services, statements  # noqa: E402
from sihe.ledger.models import Account, CashFlowItem, Period  # noqa: E402

TABLES = ["ledger_balance", "ledger_attachment", "ledger_voucherline", "ledger_voucher", "core_numberseries",
          "ledger_openingbalance", "ledger_period"]


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


def wipe():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        else:
            for table in TABLES:
                cursor.execute(f"DELETE FROM {table}")


def post_through_services(count: int) -> float:
    actor = Actor.system("bench")
    started = time.perf_counter()
    for n in range(count):
        net = Decimal(100 + n % 900)
        tax = (net * Decimal("0.13")).quantize(Decimal("0.01"))
        with transaction.atomic(durable=True):
            services.book(rule="sales.revenue", date=datetime.date(2025, 1, 1 + n % 28),
                          amounts={"net": net, "tax": tax, "total": net + tax}, source_type="bench.invoice",
                          source_id=str(n), memo="bench", actor=actor, dimensions={"partner": f"P{n % 200}"})
    return count / (time.perf_counter() - started)


def bulk_load(lines: int) -> tuple[int, float]:
    """Raw SQL: `lines` / 4 posted vouchers of 4 lines each over 2025-01..12."""
    vouchers = lines // 4
    ids = dict(Account.objects.values_list("code", "id"))
    cf = dict(CashFlowItem.objects.values_list("line_no", "id"))
    periods = {}
    for month in range(1, 13):
        periods[month] = Period.objects.create(code=f"2025-{month:02d}").pk
    pg = connection.vendor == "postgresql"
    month = "((v.n % 12) + 1)"
    period_case = "CASE " + " ".join(f"WHEN {month} = {m} THEN {pk}" for m, pk in periods.items()) + " END"
    if pg:
        series = f"(SELECT generate_series(1, {vouchers}) AS n) v"
        date = f"make_date(2025, {month}, (v.n % 28) + 1)"
        now = "now()"
    else:
        series = f"(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {vouchers}) SELECT n FROM s) v"
        date = f"printf('2025-%02d-%02d', {month}, (v.n % 28) + 1)"
        now = "datetime('now')"
    # pattern p: 0 Dr 1122 / Cr 5001; 1 Dr 5401 / Cr 1405; 2 Dr 1002 (CF01) / Cr 1122; 3 Dr 5602.05 / Cr 1002 (CF06)
    accounts = [ids["1122"], ids["5001"], ids["5401"], ids["1405"], ids["1002"], ids["1122"], ids["5602.05"], ids["1002"]]
    account_case = "CASE " + " ".join(f"WHEN x.k = {i} THEN {a}" for i, a in enumerate(accounts)) + " END"
    cf_case = f"CASE WHEN x.k = 4 THEN {cf[1]} WHEN x.k = 7 THEN {cf[6]} ELSE NULL END"
    amount = "(CASE WHEN x.p IN (0, 2) THEN (x.n % 997) + 1.23 ELSE (x.n % 491) + 0.77 END)"
    partner = "CASE WHEN x.k IN (0, 5) THEN 'P' || (x.n % 200) ELSE '' END"
    warehouse = "CASE WHEN x.k = 3 THEN 'W' || (x.n % 5) ELSE '' END"
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if pg:
            cursor.execute("SET LOCAL session_replication_role = replica")  # bulk load: skip per-row triggers
        cursor.execute(f"""
            INSERT INTO ledger_voucher (id, period_id, word, number, date, status, kind, memo, source_type, source_id,
                rule, made_by, reviewed_by, posted_by, created_at)
            SELECT v.n + 1000000, {period_case}, '记', ((v.n - 1) / 12) + 1, {date}, 'posted', 'manual', 'bulk', 'bench', '',
                '', 'bench', 'bench', 'bench', {now}
            FROM {series}""")
        seqs = "SELECT 1 AS seq UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4"
        cursor.execute(f"""
            INSERT INTO ledger_voucherline (voucher_id, seq, summary, account_id, debit, credit, partner, department,
                project, warehouse, cash_flow_item_id)
            SELECT x.n + 1000000, x.seq, 'bulk', {account_case},
                CASE WHEN x.seq % 2 = 1 THEN {amount} ELSE 0 END, CASE WHEN x.seq % 2 = 0 THEN {amount} ELSE 0 END,
                {partner}, '', '', {warehouse}, {cf_case}
            FROM (SELECT v.n, s.seq, (v.n + (s.seq - 1) / 2) % 4 AS p,
                         ((v.n + (s.seq - 1) / 2) % 4) * 2 + 1 - (s.seq % 2) AS k
                  FROM {series} CROSS JOIN ({seqs}) s) x""")
    load = time.perf_counter() - started
    return vouchers * 4, load


def best_of(fn, repeat=3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def raw_group_by(period: str):
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT l.account_id, SUM(l.debit), SUM(l.credit) FROM ledger_voucherline l
               JOIN ledger_voucher v ON v.id = l.voucher_id JOIN ledger_period p ON p.id = v.period_id
               WHERE v.status = 'posted' AND p.code <= %s GROUP BY l.account_id""",
            [period],
        )
        return cursor.fetchall()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--vouchers", type=int, default=500)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    print(f"machine: {machine()}")
    wipe()
    rate = post_through_services(args.vouchers)
    print(f"posting through services: {rate:,.1f} vouchers/s ({args.vouchers} × book('sales.revenue'), 3 lines, "
          "one durable transaction each)")
    wipe()
    count, load = bulk_load(args.lines)
    print(f"bulk load (raw SQL): {count:,} voucher lines in {load:.1f} s")
    started = time.perf_counter()
    rows = balances.rebuild_balances()
    print(f"balance projection rebuilt from the lines: {rows:,} rows in {time.perf_counter() - started:.1f} s")
    period = "2025-12"
    tb = reports.trial_balance(period)
    assert tb["totals"]["balanced"], "the bulk-loaded books must balance"
    assert statements.balance_sheet(period)["balanced"] and statements.cash_flow(period)["balanced"]
    raw = best_of(lambda: raw_group_by(period))
    print(f"raw SQL GROUP BY over the {count:,} lines (Σ debit/credit per account to {period}): {raw * 1000:,.1f} ms")
    for name, fn in [
        ("trial balance (科目余额表)", lambda: reports.trial_balance(period)),
        ("balance sheet (会小企01表)", lambda: statements.balance_sheet(period)),
        ("income statement (会小企02表)", lambda: statements.income_statement(period)),
        ("cash flow statement (会小企03表)", lambda: statements.cash_flow(period)),
    ]:
        took = best_of(fn)
        print(f"{name}: {took * 1000:,.1f} ms — {took / raw:.3f}× the raw GROUP BY")
    total = best_of(lambda: (reports.trial_balance(period), statements.balance_sheet(period),
                             statements.income_statement(period), statements.cash_flow(period)))
    print(f"all four together: {total * 1000:,.1f} ms — {total / raw:.3f}× the raw GROUP BY (best of 3)")
    wipe()


if __name__ == "__main__":
    main()

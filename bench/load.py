"""Load test: mixed traffic against `sihe serve` (PostgreSQL, N web workers) and `sihe worker`, then the books.

    .venv/bin/python bench/load.py                               # 20 requests/s for 5 minutes, 4 web workers
    .venv/bin/python bench/load.py --duration 60 --rate 10       # a short run
    .venv/bin/python bench/load.py --rate 30 --concurrency 24 --keep   # keep the database and the logs

One command: a fresh PostgreSQL database (sihe_load_<pid>_<time>) → `sihe migrate` → `sihe demo` →
API tokens (`sihe token create`; a second accountant, `load-accountant2`, reviews and posts) → stock
for the SKUs the orders use (POST /stock/receipts) and one confirmed purchase order per warehouse whose
expected receipt is scanned → `sihe serve --workers 4` on a free port and `sihe worker --quiet`
beside it → an open-loop client at `--rate` requests/s for `--duration` s → invariants → figures →
everything stopped and the database dropped (unless --keep).

The client is bounded: a scheduler thread puts one ticket per 1/rate s on a queue of `--concurrency`
slots, and `--concurrency` threads (one keep-alive `requests` session each) take a ticket, draw an
action from MIX and send one request (a few actions send two). A ticket that finds the queue full is
dropped and counted ("dropped": the client, or the server behind it, could not keep up). Every
request has a timeout; every POST carries a fresh Idempotency-Key (a duplicate intake may reuse the
original key, which the server must answer by replaying its first response).

Outcomes per route: ok (2xx), refused (409/422: a business refusal the mix can provoke, e.g. stock
short, counted apart) and errors (any other status, a timeout or a connection error). Latency p50/p99
is over every answered request of the route. Afterwards: `sihe stock check` clean; the trial balance
of every period with vouchers balanced; posted voucher numbers gapless per (period, word), invoice
numbers gapless per year; no duplicate order per (channel, external id), shipment or invoice number;
every external id the client sent exists exactly once; the worker has handled the whole event log.
Exit status: 0 all clean, 1 an invariant failed, 2 invariants clean but requests failed (5xx,
timeouts), 130 interrupted. Ctrl-C (or SIGTERM) during the load ends it early and still checks; during
setup or checks it goes straight to the cleanup. The server and the worker are always stopped.
"""

import argparse
import datetime
import itertools
import json
import math
import os
import queue
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG = "postgres://postgres@127.0.0.1:5432/"
SHANGHAI = ZoneInfo("Asia/Shanghai")
CITIES = (("广东省", "深圳市", "南山区"), ("浙江省", "杭州市", "西湖区"), ("上海市", "上海市", "浦东新区"),
          ("江苏省", "南京市", "鼓楼区"), ("北京市", "北京市", "朝阳区"), ("四川省", "成都市", "武侯区"),
          ("广东省", "广州市", "天河区"), ("湖北省", "武汉市", "江汉区"))
# action → weight (per 100 tickets). Reads are the "page" traffic: API lists plus HTML pages of a logged-in user.
MIX = {"intake": 25, "ship": 20, "scan": 14, "voucher": 12, "invoice": 3, "orders_list": 8, "order_detail": 3,
       "stock_levels": 6, "trial_balance": 4, "page": 5}
PAGES = ("/orders/", "/stock/", "/ledger/trial-balance/", "/")
DUPLICATE_SHARE = 0.05  # of intake tickets: an earlier order sent again (half with its original key)


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rate", type=float, default=20.0, help="requests/s offered in total (default 20)")
    p.add_argument("--duration", type=int, default=300, help="seconds of load (default 300)")
    p.add_argument("--concurrency", type=int, default=16, help="client threads = queue slots (default 16)")
    p.add_argument("--workers", type=int, default=4, help="gunicorn workers of `sihe serve` (default 4)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds per request (default 30)")
    p.add_argument("--seed", type=int, default=12)
    p.add_argument("--keep", action="store_true", help="keep the database and the temporary directory")
    return p.parse_args()


# -- processes and the database ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sihe(env: dict, *args: str) -> str:
    out = subprocess.run([str(BIN / "sihe"), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if out.returncode:
        raise SystemExit(f"sihe {' '.join(args)} failed ({out.returncode}):\n{out.stdout[-2000:]}{out.stderr[-3000:]}")
    return out.stdout


def admin_sql(sql: str) -> None:
    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        conn.execute(sql)


def start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    """A child in its own process group (so stop() ends it and its gunicorn workers, nothing else)."""
    with open(log, "ab") as out:
        return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# -- the shared state of the run --------------------------------------------------------------------


class Stats:
    """Per route: (monotonic time, ms) of answered requests, ok / refused / error counts, a few error samples."""

    def __init__(self):
        self.lock = threading.Lock()
        self.began = time.monotonic()
        self.ms = defaultdict(list)
        self.count = defaultdict(lambda: {"ok": 0, "refused": 0, "error": 0})
        self.samples: list[str] = []
        self.dropped = 0

    def record(self, route: str, outcome: str, ms: float | None, sample: str = "") -> None:
        with self.lock:
            self.count[route][outcome] += 1
            if ms is not None:
                self.ms[route].append((time.monotonic() - self.began, ms))
            if sample and outcome == "error" and len(self.samples) < 12:
                self.samples.append(f"{route}: {sample}")

    def totals(self) -> tuple[int, int, int]:
        with self.lock:
            return tuple(sum(c[k] for c in self.count.values()) for k in ("ok", "refused", "error"))


class World:
    """What the actions share: tokens, SKUs, and the pools of work the mix feeds itself with."""

    def __init__(self, run: str, rng: random.Random):
        self.lock = threading.Lock()
        self.run, self.rng, self.seq = run, rng, itertools.count(1)
        self.tokens: dict[str, str] = {}
        self.skus: list[dict] = []          # {sku, gtin, fen (list price), cost}
        self.dealers: list[str] = []
        self.sent: list[tuple] = []         # (channel, external id, body, key, order id) of each order taken in
        self.duplicated: set[tuple] = set()  # (channel, external id) sent again
        self.allocated: list[int] = []      # order ids ready to ship
        self.shipped: list[int] = []        # order ids shipped, not yet invoiced
        self.asn_lines: list[list] = []     # [asn id, gtin, units still open]
        self.drafts: list[tuple] = []       # (voucher id, maker)
        self.reviewed: list[tuple] = []     # (voucher id, maker), reviewed by the other one
        self.po_pending = False             # one client at a time buys more when the ASNs run out
        self.supplier = ""
        self.session_cookie = ""

    def pop(self, pool: list, random_pick: bool = False):
        with self.lock:
            if not pool:
                return None
            return pool.pop(self.rng.randrange(len(pool)) if random_pick else 0)

    def push(self, pool: list, item) -> None:
        with self.lock:
            pool.append(item)


def today() -> datetime.date:
    return datetime.datetime.now(SHANGHAI).date()


# -- one client thread ------------------------------------------------------------------------------


class Client:
    def __init__(self, base: str, world: World, stats: Stats, timeout: float, seed: int):
        self.base, self.world, self.stats, self.timeout = base, world, stats, timeout
        self.rng = random.Random(seed)
        self.http = requests.Session()
        self.pages = requests.Session()
        if world.session_cookie:
            self.pages.cookies.set("sessionid", world.session_cookie, domain="127.0.0.1")

    def call(self, route: str, method: str, path: str, role: str, body=None, key: str | None = None,
             ok=(200, 201), session=None) -> tuple[int, dict | None]:
        """One request, timed and recorded under `route`; returns (status, JSON or None); status 0 = no answer."""
        headers = {"Authorization": f"Bearer {self.world.tokens[role]}"} if role else {}
        if method == "POST":
            headers["Idempotency-Key"] = key or uuid.uuid4().hex
        began = time.perf_counter()
        try:
            r = (session or self.http).request(method, self.base + path, json=body, headers=headers,
                                               timeout=(5, self.timeout), allow_redirects=False)
        except requests.RequestException as exc:
            self.stats.record(route, "error", None, f"{type(exc).__name__}: {exc}"[:300])
            return 0, None
        ms = (time.perf_counter() - began) * 1000
        outcome = "ok" if r.status_code in ok else "refused" if r.status_code in (409, 422) else "error"
        self.stats.record(route, outcome, ms, f"{method} {path} → {r.status_code} {r.text[:300]}")
        try:
            data = r.json() if r.headers.get("Content-Type", "").startswith("application/json") else None
        except ValueError:
            data = None
        return r.status_code, data

    # -- actions (one ticket each) --

    def intake(self) -> None:
        w = self.world
        if w.sent and self.rng.random() < DUPLICATE_SHARE:
            with w.lock:
                channel, ext, body, key, _id = w.sent[self.rng.randrange(len(w.sent))]
                w.duplicated.add((channel, ext))
            same_key = self.rng.random() < 0.5
            route = f"POST /channels/{{code}}/orders (duplicate, {'same' if same_key else 'new'} key)"
            status, data = self.call(route, "POST", f"/api/v1/channels/{channel}/orders", "service", body,
                                     key=key if same_key else None)
            if status == 201 and not same_key:  # a new key must not make a second order
                self.stats.record("duplicate answered as a new order", "error", None, json.dumps(data)[:300])
            return
        channel, ext, body = self.order_payload()
        key = uuid.uuid4().hex
        status, data = self.call("POST /channels/{code}/orders (new)", "POST", f"/api/v1/channels/{channel}/orders",
                                 "service", body, key=key)
        if status == 201 and data:
            w.push(w.sent, (channel, ext, body, key, data["order"]["id"]))
            if data["order"]["status"] == "allocated":
                w.push(w.allocated, data["order"]["id"])

    def order_payload(self) -> tuple[str, str, dict]:
        """A new order in Sihe's own format (api, dealer) or as a Taobao trade, 1–3 lines of stocked SKUs."""
        w, rng = self.world, self.rng
        n = next(w.seq)
        picks = rng.sample(w.skus, rng.randint(1, 3))
        lines = [(p, rng.randint(1, 2)) for p in picks]
        province, city, district = rng.choice(CITIES)
        kind = rng.choices(("api", "dealer", "tb-flagship"), (50, 25, 25))[0]
        if kind == "tb-flagship":
            tid = f"39{w.run[-6:]}{n:011d}"
            orders, total = [], 0
            for k, (p, num) in enumerate(lines):
                fee = p["fen"] * num
                total += fee
                orders.append({"oid": f"{tid}{k}", "num_iid": 600000 + k, "sku_id": f"{k}{n}", "outer_sku_id": p["sku"],
                               "title": p["sku"], "sku_properties_name": "", "price": yuan(p["fen"]), "num": num,
                               "adjust_fee": "0.00", "discount_fee": "0.00", "total_fee": yuan(fee),
                               "part_mjz_discount": "0.00", "divide_order_fee": yuan(fee), "payment": yuan(fee),
                               "status": "WAIT_SELLER_SEND_GOODS", "refund_status": "NO_REFUND"})
            when = datetime.datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
            return kind, tid, {"trade_fullinfo_get_response": {"trade": {
                "tid": int(tid), "tid_str": tid, "type": "fixed", "status": "WAIT_SELLER_SEND_GOODS",
                "buyer_nick": f"tb_{n}", "buyer_open_uid": f"AAG{n:08d}", "created": when, "pay_time": when,
                "modified": when, "total_fee": yuan(total), "discount_fee": "0.00", "adjust_fee": "0.00",
                "post_fee": "0.00", "payment": yuan(total), "receiver_name": "张**", "receiver_mobile": "138****5678",
                "receiver_state": province, "receiver_city": city, "receiver_district": district,
                "receiver_address": "科技路**号", "orders": {"order": orders}}}}
        ext = f"LOAD-{w.run}-{n:06d}"
        share = 0.7 if kind == "dealer" else 1.0  # dealers buy at 70 % of the list price
        now = datetime.datetime.now(SHANGHAI).isoformat(timespec="seconds")
        body = {"order_id": ext, "status": "paid", "created_at": now, "paid_at": now,
                "receiver": {"name": "王先生", "phone": "13900001111", "province": province, "city": city,
                             "district": district, "address": "人民路 88 号"},
                "lines": [{"sku": p["sku"], "qty": str(num), "price": yuan(int(p["fen"] * share))} for p, num in lines]}
        if kind == "dealer":
            body["customer"] = rng.choice(w.dealers)
        return kind, ext, body

    def ship(self) -> None:
        w = self.world
        order = w.pop(w.allocated)
        if order is None:
            return self.intake()  # nothing allocated yet (start of the run): take an order in instead
        body = {"carrier": self.rng.choice(("SF", "ZTO", "YTO")), "tracking_no": f"T{self.world.run[-6:]}{order:08d}"}
        status, data = self.call("POST /orders/{id}/ship", "POST", f"/api/v1/orders/{order}/ship", "warehouse", body)
        if status == 422 and data and data.get("field") == "shipment":  # split order: ship each open shipment
            _s, detail = self.call("GET /orders/{id}", "GET", f"/api/v1/orders/{order}", "manager")
            for shipment in (detail or {}).get("shipments", []):
                if shipment["state"] not in ("shipped", "cancelled"):
                    status, data = self.call("POST /orders/{id}/ship", "POST", f"/api/v1/orders/{order}/ship",
                                             "warehouse", {**body, "shipment": shipment["number"]})
        if status == 200 and data and data.get("status") == "shipped":
            w.push(w.shipped, order)

    def scan(self) -> None:
        w = self.world
        qty = self.rng.randint(1, 4)
        with w.lock:
            open_lines = [line for line in w.asn_lines if line[2] >= qty]
            line = self.rng.choice(open_lines) if open_lines else None
            buy = line is None and not w.po_pending
            if line is not None:
                line[2] -= qty
            w.po_pending = w.po_pending or buy
        if line is None:
            if not buy:  # another client is buying: read instead
                return self.stock_levels()
            try:  # the expected receipts are used up: the buyer orders more (two requests)
                self.purchase(self.rng.choice(("SH", "HZ", "GZ")))
            finally:
                w.po_pending = False
            return
        self.call("POST /wms/receipts/{id}/scan", "POST", f"/api/v1/wms/receipts/{line[0]}/scan", "warehouse",
                  {"barcode": f"(01)0{line[1]}", "qty": str(qty)})

    def purchase(self, warehouse: str) -> None:
        """A purchase order under the approval limit (¥50,000), confirmed: its ASN joins the scan pool."""
        w = self.world
        picks = self.rng.sample(w.skus, min(4, len(w.skus)))
        lines = [{"sku": p["sku"], "qty": str(max(40, int(9000 / p["cost"]))), "price": f"{p['cost']:.2f}"}
                 for p in picks]
        status, po = self.call("POST /purchase-orders", "POST", "/api/v1/purchase-orders", "manager",
                               {"supplier": w.supplier, "warehouse": warehouse, "lines": lines})
        if status != 201:
            return
        status, asn = self.call("POST /purchase-orders/{id}/confirm", "POST",
                                f"/api/v1/purchase-orders/{po['id']}/confirm", "manager")
        if status == 200:
            gtins = {p["sku"]: p["gtin"] for p in picks}
            with w.lock:
                w.asn_lines += [[asn["asn_id"], gtins[ln["sku"]], int(ln["qty"])] for ln in lines]

    def voucher(self) -> None:
        """Manual vouchers, one step per ticket: post a reviewed one, else review a draft, else make one.
        Two accountants: the maker never reviews; the other one reviews and posts."""
        w = self.world
        reviewed = w.pop(w.reviewed)
        if reviewed is not None:
            maker_other = "accountant2" if reviewed[1] == "accountant" else "accountant"
            self.call("POST /ledger/vouchers/{id}/post", "POST", f"/api/v1/ledger/vouchers/{reviewed[0]}/post",
                      maker_other)
            return
        draft = w.pop(w.drafts)
        if draft is not None:
            other = "accountant2" if draft[1] == "accountant" else "accountant"
            status, _d = self.call("POST /ledger/vouchers/{id}/review", "POST",
                                   f"/api/v1/ledger/vouchers/{draft[0]}/review", other)
            if status == 200:
                w.push(w.reviewed, draft)
            return
        maker = self.rng.choice(("accountant", "accountant2"))
        amount = f"{self.rng.randint(100, 99999) / 100:.2f}"
        body = {"date": today().isoformat(), "word": "付", "memo": f"load {w.run}", "lines": [
            {"account": "5602.05", "debit": amount, "summary": "办公费"},
            {"account": "1002", "credit": amount, "summary": "办公费", "cash_flow_item": "CF06"}]}
        status, data = self.call("POST /ledger/vouchers", "POST", "/api/v1/ledger/vouchers", maker, body)
        if status == 201:
            w.push(w.drafts, (data["id"], maker))

    def invoice(self) -> None:
        w = self.world
        order = w.pop(w.shipped, random_pick=True)
        if order is None:
            return self.orders_list()
        self.call("POST /invoices", "POST", "/api/v1/invoices", "service", {"orders": [order], "buyer_name": "个人"})

    def orders_list(self) -> None:
        self.call("GET /orders?limit=50", "GET", "/api/v1/orders?limit=50", "manager")

    def order_detail(self) -> None:
        with self.world.lock:
            sent = self.world.sent[self.rng.randrange(len(self.world.sent))] if self.world.sent else None
        if sent is None:
            return self.orders_list()
        self.call("GET /orders/{id}", "GET", f"/api/v1/orders/{sent[4]}", "manager")

    def stock_levels(self) -> None:
        self.call("GET /stock/levels", "GET", "/api/v1/stock/levels", "manager")

    def trial_balance(self) -> None:
        self.call("GET /ledger/trial-balance", "GET", f"/api/v1/ledger/trial-balance?period={today():%Y-%m}",
                  "manager")

    def page(self) -> None:
        path = self.rng.choice(PAGES)
        self.call(f"GET {path} (HTML)", "GET", path, "", session=self.pages, ok=(200,))


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


# -- setup ------------------------------------------------------------------------------------------


def api(base: str, token: str, method: str, path: str, body=None) -> dict:
    r = requests.request(method, base + path, json=body, timeout=60, headers={
        "Authorization": f"Bearer {token}", **({"Idempotency-Key": uuid.uuid4().hex} if method == "POST" else {})})
    if r.status_code >= 300:
        raise SystemExit(f"setup: {method} {path} → {r.status_code} {r.text[:500]}")
    return r.json()


def prepare(base: str, world: World, args) -> None:
    """SKUs for the orders (untracked, with a GTIN and a price), stock for them in every warehouse,
    a supplier and three purchase orders whose ASNs the scans receive, a logged-in session for pages."""
    manager, wh = world.tokens["manager"], world.tokens["warehouse"]
    products = api(base, manager, "GET", "/api/v1/products?limit=1000")["items"]
    world.skus = [{"sku": p["sku"], "gtin": p["gtin"], "fen": int(float(p["list_price"]) * 100),
                   "cost": round(float(p["list_price"]) * 0.6, 2)}
                  for p in products if p["tracking"] == "none" and p["gtin"] and float(p["list_price"] or 0) > 0][:20]
    partners = api(base, manager, "GET", "/api/v1/partners?limit=1000")["items"]
    world.dealers = [p["code"] for p in partners if p["kind"] == "customer" and p["code"].startswith("DLR-")]
    world.supplier = next(p["code"] for p in partners if p["kind"] == "supplier")
    if len(world.skus) < 5 or not world.dealers:
        raise SystemExit("setup: the demo company has too few untracked SKUs or no dealers")
    # ~3 units per order, orders ≈ 30 % of the tickets; every warehouse could get all of them (×3 margin)
    units = max(200, math.ceil(args.rate * args.duration * MIX["intake"] / 100 * 3 / len(world.skus) * 3))
    for code in ("SH", "HZ", "GZ"):
        api(base, wh, "POST", "/api/v1/stock/receipts", {"warehouse": code, "reference": f"LOAD-{world.run}-{code}",
            "lines": [{"sku": s["sku"], "qty": str(units), "unit_cost": f"{s['cost']:.2f}"} for s in world.skus]})
        Client(base, world, Stats(), 60, 0).purchase(code)
    if len(world.asn_lines) < 3:
        raise SystemExit("setup: the purchase orders for receiving were not confirmed")
    login = requests.Session()
    login.get(base + "/login/", timeout=30)
    r = login.post(base + "/login/", timeout=30, allow_redirects=False, headers={"Referer": base + "/login/"},
                   data={"username": "manager", "password": "sihe-demo",
                         "csrfmiddlewaretoken": login.cookies.get("csrftoken", "")})
    world.session_cookie = login.cookies.get("sessionid", "")
    if r.status_code != 302 or not world.session_cookie:
        raise SystemExit(f"setup: login as manager failed ({r.status_code})")


# -- the load ---------------------------------------------------------------------------------------


def run_load(args, base: str, world: World, stats: Stats) -> tuple[float, bool]:
    """Offer `rate` tickets/s for `duration` s; returns the seconds the load ran and whether Ctrl-C ended it."""
    tickets: queue.Queue = queue.Queue(maxsize=args.concurrency)
    done = threading.Event()
    actions, weights = list(MIX), list(MIX.values())

    def worker(i: int) -> None:
        client = Client(base, world, stats, args.timeout, args.seed * 1000 + i)
        while True:
            action = tickets.get()
            if action is None:
                return
            try:
                getattr(client, action)()
            except Exception as exc:  # noqa: BLE001 - a bug in this script must not stop the run silently
                stats.record(f"client {action}", "error", None, f"{type(exc).__name__}: {exc}")

    def scheduler() -> None:
        rng = random.Random(args.seed)
        began = time.monotonic()
        for n in itertools.count():
            at = began + n / args.rate
            if at - began >= args.duration or done.wait(max(0.0, at - time.monotonic())):
                return
            try:
                tickets.put_nowait(rng.choices(actions, weights)[0])
            except queue.Full:
                with stats.lock:
                    stats.dropped += 1

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(args.concurrency)]
    for t in threads:
        t.start()
    feeder = threading.Thread(target=scheduler, daemon=True)
    began = stats.began = time.monotonic()
    feeder.start()
    last, last_n, interrupted = began, 0, False
    try:
        while feeder.is_alive():
            feeder.join(timeout=max(0.1, 10 - (time.monotonic() - last)))
            if time.monotonic() - last >= 10 or not feeder.is_alive():
                now = time.monotonic()
                ok, refused, errors = stats.totals()
                n = ok + refused + errors
                with world.lock:
                    pools = f"allocated {len(world.allocated)}, drafts {len(world.drafts) + len(world.reviewed)}"
                print(f"  {now - began:5.0f} s  {n:6d} requests ({(n - last_n) / (now - last):5.1f}/s)  ok {ok}  "
                      f"refused {refused}  errors {errors}  dropped {stats.dropped}  orders {len(world.sent)}  "
                      f"{pools}  load {os.getloadavg()[0]:.2f}", flush=True)
                last, last_n = now, n
    except KeyboardInterrupt:
        print("  interrupted: stopping the load, then checking", flush=True)
        done.set()
        interrupted = True
    elapsed = time.monotonic() - began
    for _t in threads:  # let what is running finish (each request has a timeout)
        tickets.put(None)
    for t in threads:
        t.join(timeout=args.timeout + 10)
    return elapsed, interrupted


# -- afterwards -------------------------------------------------------------------------------------


def rows(dsn: str, sql: str, params=()) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql, params).fetchall()


def wait_for_worker(dsn: str, seconds: float) -> tuple[int, str]:
    """Events the worker's handlers have not passed yet (0 = caught up) and the handlers' last error."""
    deadline = time.monotonic() + seconds
    while True:
        (behind, error), = rows(dsn, "SELECT (SELECT COALESCE(MAX(id), 0) FROM core_event) - COALESCE("
                                     "(SELECT last_event_id FROM hub_hubcursor WHERE name = 'handlers'), 0), "
                                     "COALESCE((SELECT last_error FROM hub_hubcursor WHERE name = 'handlers'), '')")
        if behind <= 0 or time.monotonic() > deadline:
            return behind, error
        time.sleep(1)


def checks(dsn: str, env: dict, base: str, world: World) -> list[tuple[str, bool, str]]:
    out = []
    behind, error = wait_for_worker(dsn, 120)
    out.append(("worker handled the event log", behind <= 0 and not error,
                f"{max(behind, 0)} events behind{', last error: ' + error[:200] if error else ''}"))
    stock = subprocess.run([str(BIN / "sihe"), "stock", "check"], env=env, cwd=ROOT, capture_output=True, text=True)
    text = (stock.stdout + stock.stderr).strip().splitlines()
    out.append(("sihe stock check", stock.returncode == 0 and "(0 differences)" in stock.stdout,
                text[-1] if text else f"exit {stock.returncode}"))
    for (period,) in rows(dsn, "SELECT DISTINCT p.code FROM ledger_voucher v JOIN ledger_period p ON p.id = v.period_id "
                               "WHERE v.status = 'posted' ORDER BY 1"):
        totals = api(base, world.tokens["manager"], "GET", f"/api/v1/ledger/trial-balance?period={period}")["totals"]
        out.append((f"trial balance {period} balanced", totals.get("balanced") is True,
                    f"debit {totals['debit']} credit {totals['credit']}, closing {totals['closing_debit']} / "
                    f"{totals['closing_credit']}"))
    unbalanced = rows(dsn, "SELECT voucher_id FROM ledger_voucherline l JOIN ledger_voucher v ON v.id = l.voucher_id "
                           "WHERE v.status = 'posted' GROUP BY voucher_id HAVING SUM(debit) <> SUM(credit)")
    out.append(("every posted voucher balances", not unbalanced, f"{len(unbalanced)} unbalanced"))
    numbering = rows(dsn, "SELECT p.code, v.word, COUNT(*), COUNT(DISTINCT v.number), MIN(v.number), MAX(v.number) "
                          "FROM ledger_voucher v JOIN ledger_period p ON p.id = v.period_id WHERE v.status = 'posted' "
                          "GROUP BY 1, 2 ORDER BY 1, 2")
    bad = [r for r in numbering if not (r[2] == r[3] == r[5] and r[4] == 1)]
    out.append(("voucher numbers gapless per period and word", not bad,
                "; ".join(f"{p} {w}: {n} posted, 1..{hi}" for p, w, n, _d, _lo, hi in (bad or numbering))))
    inv = rows(dsn, "SELECT LEFT(number, 2), COUNT(*), COUNT(DISTINCT RIGHT(number, 15)), "
                    "MIN(RIGHT(number, 15)::bigint), MAX(RIGHT(number, 15)::bigint) FROM invoicing_invoice GROUP BY 1")
    bad = [r for r in inv if not (r[1] == r[2] == r[4] and r[3] == 1)]
    out.append(("invoice numbers gapless per year", not bad,
                "; ".join(f"20{y}: {n} invoices, 1..{hi}" for y, n, _d, _lo, hi in (bad or inv)) or "no invoices"))
    for label, sql in (
            ("no duplicate order per (channel, external id)",
             "SELECT channel_id, external_id FROM oms_order GROUP BY 1, 2 HAVING COUNT(*) > 1"),
            ("no duplicate order number", "SELECT number FROM oms_order GROUP BY 1 HAVING COUNT(*) > 1"),
            ("no duplicate shipment number", "SELECT number FROM wms_shipment GROUP BY 1 HAVING COUNT(*) > 1"),
            ("no duplicate invoice number", "SELECT number FROM invoicing_invoice GROUP BY 1 HAVING COUNT(*) > 1")):
        found = rows(dsn, sql)
        out.append((label, not found, f"{len(found)} duplicated" + (f": {found[:5]}" if found else "")))
    with world.lock:
        sent = {(c, e) for c, e, _b, _k, _i in world.sent}
        duplicated = set(world.duplicated)
    counts = dict(((c, e), n) for c, e, n in rows(
        dsn, "SELECT c.code, o.external_id, COUNT(*) FROM oms_order o JOIN catalog_channel c ON c.id = o.channel_id "
             "WHERE o.external_id LIKE %s OR o.external_id LIKE %s GROUP BY 1, 2",
        (f"LOAD-{world.run}-%", f"39{world.run[-6:]}%")))
    wrong = [k for k in sent if counts.get(k) != 1]
    extra = [k for k in counts if k not in sent]
    out.append(("every order taken in exists once", not wrong and not extra,
                f"{len(sent)} taken in, {len(counts)} in the database, {len(wrong)} not exactly once, "
                f"{len(extra)} unknown to the client"))
    dup_wrong = [k for k in duplicated if counts.get(k) != 1]
    out.append(("every order of the duplicate set exists once", not dup_wrong,
                f"{len(duplicated)} sent again, {len(dup_wrong)} not exactly once"))
    negative = rows(dsn, "SELECT COUNT(*) FROM stock_quant WHERE qty < 0")[0][0]
    out.append(("no negative quant", negative == 0, f"{negative} negative"))
    return out


def cpu_sample(groups: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each process group (a child and its own children), of PostgreSQL's processes,
    of this client, and the machine's busy and total seconds (/proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    out = dict.fromkeys([*groups, "postgres"], 0.0)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, fields = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
        used = sum(int(fields[i]) for i in (11, 12, 13, 14)) / tick  # utime, stime + those of reaped children
        key = next((k for k, pgid in groups.items() if int(fields[2]) == pgid), "postgres" if name == "postgres" else "")
        if key:
            out[key] += used
    times = os.times()
    out["client"] = times.user + times.system
    cpu = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    out["machine_total"] = sum(cpu[:8]) / tick
    out["machine_busy"] = out["machine_total"] - (cpu[3] + cpu[4]) / tick
    return out


def cpu_delta(before: dict, after: dict) -> dict:
    d = {k: after[k] - before[k] for k in before}
    ours = d["server"] + d["worker"] + d["client"] + d["postgres"]
    return {**d, "busy": d["machine_busy"] / max(d["machine_total"], 1e-9), "other": max(0.0, d["machine_busy"] - ours)}


def pct(values: list[float], q: float) -> str:
    ordered = sorted(values)
    return f"{ordered[max(0, math.ceil(q * len(ordered)) - 1)]:.1f}" if ordered else "-"


def report(args, stats: Stats, elapsed: float, load_before: tuple, db_counts: dict, cpu: dict) -> None:
    """The table; "first/last min" are the p50 of the first and the last 60 s (drift under growing data)."""
    def row(name: str, c: dict, timed: list) -> str:
        ms = [m for _t, m in timed]
        first = [m for t, m in timed if t < 60]
        last = [m for t, m in timed if t >= elapsed - 60]
        return (f"{name:<52} {sum(c.values()):>6} {c['ok']:>6} {c['refused']:>7} {c['error']:>6} {pct(ms, 0.5):>8} "
                f"{pct(ms, 0.99):>8} {pct(first, 0.5):>9} {pct(last, 0.5):>9}")

    print(f"\n{'route':<52} {'count':>6} {'ok':>6} {'409/422':>7} {'errors':>6} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'1st min':>9} {'last min':>9}")
    for route in sorted(stats.count):
        print(row(route, stats.count[route], stats.ms[route]))
    ok, refused, errors = stats.totals()
    total = ok + refused + errors
    print(row("all routes", {"ok": ok, "refused": refused, "error": errors},
              [x for timed in stats.ms.values() for x in timed]))
    sustained = stats.dropped <= 0.01 * (total + stats.dropped)
    print(f"\nthroughput: {total / elapsed:.1f} requests/s achieved over {elapsed:.0f} s vs {args.rate:g}/s offered; "
          f"{stats.dropped} tickets dropped (client queue full): the rate was {'' if sustained else 'NOT '}sustained")
    print("business: " + ", ".join(f"{k} {v}" for k, v in db_counts.items()))
    print(f"CPU during the load: machine {cpu['busy']:.0%} busy of {os.cpu_count()} cores; server {cpu['server']:.1f} s, "
          f"worker {cpu['worker']:.1f} s, this client {cpu['client']:.1f} s, PostgreSQL (all databases) "
          f"{cpu['postgres']:.1f} s, everything else {cpu['other']:.1f} s "
          f"(server {cpu['server'] * 1000 / max(total, 1):.0f} ms CPU per request)")
    print(f"load average (1, 5, 15 min): before {', '.join(f'{x:.2f}' for x in load_before)}; "
          f"after {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if stats.samples:
        print("\nerror samples:")
        for line in stats.samples:
            print(f"  {line}")


def interrupt(signum, frame):
    raise KeyboardInterrupt  # SIGTERM cleans up like Ctrl-C


def main() -> int:
    args = parse()
    run = f"{os.getpid()}{int(time.time()) % 100000:05d}"
    db = f"sihe_load_{run}"
    dsn = PG + db
    var = Path(tempfile.mkdtemp(prefix=f"sihe-load-{run}-"))
    env = {**os.environ, "DATABASE_URL": dsn, "SIHE_VAR_DIR": str(var), "SIHE_LOG_LEVEL": "WARNING"}
    world, stats = World(run, random.Random(args.seed)), Stats()
    server = worker = None
    status = 130
    signal.signal(signal.SIGTERM, interrupt)
    load_before = os.getloadavg()
    model = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                  if ln.startswith("model name")), "?")
    print(f"machine: {os.cpu_count()} cores ({model}), Python {sys.version.split()[0]}; load average "
          f"{', '.join(f'{x:.2f}' for x in load_before)}")
    print(f"plan: {args.rate:g} requests/s for {args.duration} s, {args.concurrency} client threads; "
          f"sihe serve --workers {args.workers} (× 4 threads) + sihe worker; PostgreSQL database {db}")
    print("mix (% of tickets): " + ", ".join(f"{k} {v}" for k, v in MIX.items())
          + f"; {DUPLICATE_SHARE:.0%} of intake are duplicates")
    try:
        admin_sql(f'CREATE DATABASE "{db}"')
        began = time.monotonic()
        sihe(env, "migrate", "--no-input", "-v0")
        sihe(env, "demo")
        for user in ("manager", "warehouse", "service", "accountant"):
            world.tokens[user] = sihe(env, "token", "create", user, "--name", "load").strip().splitlines()[-1]
        world.tokens["accountant2"] = sihe(env, "token", "create", "load-accountant2", "--role", "accountant",
                                           "--create", "--name", "load").strip().splitlines()[-1]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start([str(BIN / "sihe"), "serve", "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}"],
                       env, var / "serve.log")
        worker = start([str(BIN / "sihe"), "worker", "--quiet"], env, var / "worker.log")
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(base + "/api/v1/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"sihe serve did not answer:\n{(var / 'serve.log').read_text()[-3000:]}")
            time.sleep(0.3)
        prepare(base, world, args)
        wait_for_worker(dsn, 60)  # the setup's events (ATP per receipt) before the clock starts
        print(f"setup: migrate, demo, tokens, {len(world.skus)} SKUs stocked in SH/HZ/GZ, "
              f"{len(world.asn_lines)} ASN lines to scan, server on {base}: {time.monotonic() - began:.0f} s")
        print(f"load: {args.duration} s at {args.rate:g} requests/s (a line every 10 s)", flush=True)
        groups = {"server": server.pid, "worker": worker.pid}
        cpu_before = cpu_sample(groups)
        elapsed, interrupted = run_load(args, base, world, stats)
        cpu = cpu_delta(cpu_before, cpu_sample(groups))
        results = checks(dsn, env, base, world)
        counts = {label: rows(dsn, sql)[0][0] for label, sql in (
            ("orders", "SELECT COUNT(*) FROM oms_order"),
            ("shipped", "SELECT COUNT(*) FROM oms_order WHERE status IN ('shipped', 'completed')"),
            ("received scans", "SELECT COUNT(*) FROM wms_inbound_receiptscan"),
            ("vouchers posted", "SELECT COUNT(*) FROM ledger_voucher WHERE status = 'posted'"),
            ("invoices", "SELECT COUNT(*) FROM invoicing_invoice"),
            ("events", "SELECT COUNT(*) FROM core_event"))}
        report(args, stats, elapsed, load_before, counts, cpu)
        print("\ninvariants:")
        for name, ok, detail in results:
            print(f"  [{'ok' if ok else 'FAIL'}] {name}: {detail}")
        errors = stats.totals()[2]
        status = 1 if not all(ok for _n, ok, _d in results) else 130 if interrupted else 2 if errors else 0
        verdict = {0: "clean", 1: "INVARIANT FAILED", 2: f"invariants clean, {errors} request errors",
                   130: "invariants clean, but the load was interrupted"}[status]
        if errors:  # the server's side of the errors (tracebacks of 500s, worker timeouts)
            print("\nserve.log (last 30 lines):\n" + "\n".join((var / "serve.log").read_text().splitlines()[-30:]))
        print(f"\nresult: {verdict} (exit {status})")
    except KeyboardInterrupt:
        print("\ninterrupted during setup or checks; cleaning up", flush=True)
    finally:
        stop(server)
        stop(worker)
        if args.keep:
            print(f"kept: database {db} (DATABASE_URL={dsn}), logs in {var}")
        else:
            admin_sql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            shutil.rmtree(var, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())

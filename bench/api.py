"""API benchmark: authenticated `GET /api/v1/products/{sku}` against the trivial Django JSON view
`GET /ping`, both served by the production setup (gunicorn, 2 workers, gthread) in the same run.

    .venv/bin/python bench/api.py                 # SQLite in var/bench (migrate + demo if needed)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sihe_bench .venv/bin/python bench/api.py
    .venv/bin/python bench/api.py --duration 10 --connections 16
    .venv/bin/python bench/api.py --make-run      # also: fresh clone → `make run` → /api/v1/health answers

Load comes from `wrk` (apt-get install -y wrk) or, without it, from a keep-alive Python client in
threads. Only 127.0.0.1 is used. Figures: requests/s, p50 and p99 latency, and the ratio
products/ping (the foundation issue aims at ≥ 0.5). Never used as a test assertion.
"""

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SKU = "FD-MILK-250X24"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sihe(*args: str, env: dict) -> str:
    result = subprocess.run([str(BIN / "sihe"), *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return result.stdout


def wait_for(url: str, timeout: float, process: subprocess.Popen | None = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.25)
    return False


def stop(process: subprocess.Popen) -> None:
    """Stop the process group this script started (the server and its workers), nothing else."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# -- load generators --------------------------------------------------------------------------------


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def run_wrk(url: str, headers: dict, duration: int, connections: int, threads: int) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(1) if errors else ""}


def run_python(url: str, headers: dict, duration: int, connections: int, threads: int) -> dict:
    """A keep-alive client per thread (http.client); the GIL makes it weaker than wrk."""
    host, port_path = url.removeprefix("http://").split(":", 1)
    port, path = port_path.split("/", 1)
    latencies: list[list[float]] = [[] for _ in range(connections)]
    bad = [0] * connections
    stop_at = time.monotonic() + duration

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        while time.monotonic() < stop_at:
            start = time.perf_counter()
            conn.request("GET", "/" + path, headers=headers)
            response = conn.getresponse()
            response.read()
            latencies[i].append((time.perf_counter() - start) * 1000)
            if response.status != 200:
                bad[i] += 1
        conn.close()

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    began = time.monotonic()
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    elapsed = time.monotonic() - began
    every = sorted(x for lat in latencies for x in lat)
    return {"rps": len(every) / elapsed, "p50_ms": statistics.median(every),
            "p99_ms": every[int(len(every) * 0.99) - 1], "non_2xx": sum(bad), "socket_errors": ""}


# -- the run ----------------------------------------------------------------------------------------


def machine(env: dict) -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    load = os.getloadavg()
    versions = subprocess.run(
        [sys.executable, "-c", "import django, gunicorn; print(django.__version__, gunicorn.__version__)"],
        capture_output=True, text=True, env=env).stdout.split()
    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "django": versions[0], "gunicorn": versions[1], "loadavg_1m_before": round(load[0], 2)}


def prepare(env: dict) -> str:
    """migrate + demo (idempotent) and a fresh token of a manager; returns the token."""
    sihe("migrate", "--no-input", "-v0", env=env)
    sihe("demo", env=env)
    out = sihe("token", "create", "bench-manager", "--role", "manager", "--create", "--name", "bench", env=env)
    return out.strip().splitlines()[-1]


def bench(args) -> None:
    env = dict(os.environ)
    env.setdefault("SIHE_VAR_DIR", str(ROOT / "var" / "bench"))
    env.setdefault("SIHE_LOG_LEVEL", "ERROR")
    database = "postgresql" if env.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    print(f"preparing {database} database (migrate + demo) in {env['SIHE_VAR_DIR']} …", flush=True)
    token = prepare(env)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "sihe.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--worker-class", "gthread", "--threads", "4", "--access-logfile", "/dev/null",
         "--graceful-timeout", "5"],
        env=env, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        if not wait_for(f"{base}/api/v1/health", 60, server):
            raise SystemExit(f"gunicorn did not answer: {server.stderr.read().decode() if server.poll() else ''}")
        loader = run_wrk if shutil.which("wrk") and not args.python_client else run_python
        targets = {
            "GET /ping (trivial Django JSON view)": (f"{base}/ping", {}),
            f"GET /api/v1/products/{SKU} (bearer token)": (f"{base}/api/v1/products/{SKU}",
                                                             {"Authorization": f"Bearer {token}"}),
        }
        info = machine(env) | {"database": database, "server": "gunicorn, 2 workers × 4 threads (gthread)",
                               "load generator": "wrk" if loader is run_wrk else "python http.client threads",
                               "duration_s": args.duration, "connections": args.connections}
        for url, headers in targets.values():  # warm both: imports, connections, caches
            check = urllib.request.Request(url, headers=headers)
            with urllib.request.urlopen(check, timeout=10) as response:
                assert response.status == 200, url
            loader(url, headers, 2, args.connections, args.threads)
        results = {}
        for name, (url, headers) in targets.items():
            results[name] = loader(url, headers, args.duration, args.connections, args.threads)
    finally:
        stop(server)
    ping, product = results.values()
    ratio = product["rps"] / ping["rps"]
    print()
    for key, value in info.items():
        print(f"{key:>20}: {value}")
    print()
    print(f"{'endpoint':<52} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for name, r in results.items():
        print(f"{name:<52} {r['rps']:>9.1f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['non_2xx']:>8}")
    print()
    print(f"ratio products/ping: {ratio:.2f} (aim ≥ 0.5)")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": info, "results": results, "ratio": ratio}, indent=2))


def make_run(args) -> None:
    """Seconds from a fresh clone of HEAD to `make run` answering /api/v1/health (aim ≤ 180 s)."""
    workdir = Path(tempfile.mkdtemp(prefix="sihe-make-run-"))
    clone = workdir / "sihe"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("SIHE_VAR_DIR", "DATABASE_URL", "VIRTUAL_ENV")}
    env["SIHE_BIND"] = f"127.0.0.1:{port}"
    env["PATH"] = ":".join(p for p in env.get("PATH", "").split(":") if ".venv" not in p)
    log = open(workdir / "make-run.log", "w")  # noqa: SIM115 - kept open for the child's lifetime
    print(f"fresh clone in {clone}; make run with SIHE_BIND={env['SIHE_BIND']} …", flush=True)
    began = time.monotonic()
    process = subprocess.Popen(["make", "run"], cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    # When make starts each phase: the first log line that shows it.
    markers = {"venv + pip install": "pip install", "migrate": "sihe migrate", "demo": "sihe demo",
               "server listening": "Listening at"}
    seen: dict[str, float] = {}
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            text = (workdir / "make-run.log").read_text(errors="replace")
            for phase, marker in markers.items():
                if phase not in seen and marker in text:
                    seen[phase] = time.monotonic() - began
            time.sleep(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        ok = wait_for(f"http://127.0.0.1:{port}/api/v1/health", args.make_run_timeout, process)
        seconds = time.monotonic() - began
    finally:
        done.set()
        watcher.join()
        stop(process)
        log.close()
    for phase, at in sorted(seen.items(), key=lambda item: item[1]):
        print(f"  {at:6.0f} s  {phase} starts")
    print(f"  load average (1, 5, 15 min) at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if ok:
        print(f"make run: /api/v1/health answered {seconds:.0f} s after `make run` in a fresh clone (aim ≤ 180 s)")
    else:
        print(f"make run: no answer after {seconds:.0f} s; see {workdir / 'make-run.log'}")
    if ok and not args.keep_clone:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint (default 10)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--python-client", action="store_true", help="use the Python client even if wrk exists")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--make-run", action="store_true", help="also time `make run` from a fresh clone")
    parser.add_argument("--make-run-only", action="store_true", help="only time `make run` from a fresh clone")
    parser.add_argument("--make-run-timeout", type=int, default=600)
    parser.add_argument("--keep-clone", action="store_true")
    args = parser.parse_args()
    if not args.make_run_only:
        bench(args)
    if args.make_run or args.make_run_only:
        make_run(args)


if __name__ == "__main__":
    main()

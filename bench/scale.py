"""Scale benchmark (issue 11): the same requests against a small and a large database, side by side.

    .venv/bin/python bench/scale.py --quick      # 1,000 and 100,000 cases; a 20 s surge
    .venv/bin/python bench/scale.py              # 1,000 and 1,000,000 cases; a 60 s surge
    .venv/bin/python bench/scale.py --quick --reuse   # keep databases already built at those sizes

Needs PostgreSQL (BENCH_PG, default postgres://postgres@127.0.0.1:5432). Builds h_scale_bench_<N>
with `seed_volume`, runs gunicorn (3 workers) on each (ports 8170, 8171; HITOTSUBU_BENCH=1 for the
no-op view) and prints, in one run:
  * each list, search, queue and home page (API and HTML), the admin lists and the sweeps: median
    time at the small and at the large size and their ratio (target <= 2), and the number of
    queries at page size 10 and 50 (target: equal);
  * intake requests/s against the no-op view behind the same auth (20 clients; target >= 0.5x),
    with p50/p95/p99;
  * the surge: 200 clients creating cases (60 s, 20 s with --quick): errors, cases stored once, p99;
  * EXPLAIN (ANALYZE) of the list and search queries at the large size.
The load average is printed before and after: the machine is shared, rerun when it was loaded.
Measurements of pages are taken by the server (HTTP, sequential); query counts and sweeps in a
helper process (Django's test client against the same database).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PORTS = (8170, 8171)


def db_url(size: int) -> str:
    return f"{PG}/h_scale_bench_{size}"


def env_for(size: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(DATABASE_URL=db_url(size), HITOTSUBU_BENCH="1", DEBUG="0", SECRET_KEY="bench-only-" + "x" * 40,
               ALLOWED_HOSTS="127.0.0.1,localhost,testserver", HITOTSUBU_VAR_DIR=f"/tmp/h_scale_bench_{size}",
               LOG_LEVEL="WARNING")
    return env


def manage(size: int, *args, capture=False):
    return subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env_for(size), check=True,
                          capture_output=capture, text=True)


def psql(sql: str, db: str = "postgres") -> str:
    return subprocess.run(["psql", f"{PG}/{db}", "-tAc", sql], check=True, capture_output=True, text=True).stdout.strip()


def build(size: int, reuse: bool):
    name = f"h_scale_bench_{size}"
    if reuse and psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1":
        manage(size, "migrate", "-v", "0")
        have = int(psql("SELECT count(*) FROM defects_defectcase", name) or 0)
        if have >= size:
            # Earlier runs added rows (notifications, surge cases) that autovacuum may not have
            # analysed yet: stale statistics gave plans that walked every case (0.6 s for 26 rows).
            psql("ANALYZE", name)
            print(f"  {name}: reusing ({have:,} cases), analysed")
            return
    psql(f'DROP DATABASE IF EXISTS "{name}"')
    psql(f'CREATE DATABASE "{name}"')
    manage(size, "migrate", "-v", "0")
    started = time.monotonic()
    manage(size, "seed_volume", "--cases", str(size), capture=True)
    psql("VACUUM ANALYZE", name)
    print(f"  {name}: seeded {size:,} cases in {time.monotonic() - started:.0f} s")


def start_server(size: int, port: int) -> subprocess.Popen:
    Path(f"/tmp/h_scale_bench_{size}/static").mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi", "-w", "3", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "--timeout", "120"],
        cwd=ROOT, env=env_for(size), start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if request(port, "GET", "/login/")[0] == 200:
                return process
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn on {port} did not start")


def stop(process: subprocess.Popen):
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def request(port, method, path, headers=None, body=None, timeout=120):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        all_headers = {"Accept": "application/json, text/html", **(headers or {})}
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        connection.request(method, path, body=data, headers=all_headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def helper(size: int, what: str, payload: dict | None = None) -> dict:
    """Run this file's in-Django half (bench/scale_helper.py) against one database."""
    out = subprocess.run([PY, str(ROOT / "bench" / "scale_helper.py"), what, json.dumps(payload or {})], cwd=ROOT,
                         env=env_for(size), check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- load -----------------------------------------------------------------------------------------

def intake_body(run: str, i: int) -> dict:
    return {"channel": "phone", "product": "GUM-MINT-9", "category": "packaging", "lot_code": "2026.11.20 KY1",
            "description": f"{run}-{i} 個包装が破れていました。",
            "consumer": {"name": "負荷\u3000試験", "name_kana": "フカ\u3000シケン", "postal_code": "8100001",
                         "address": "福岡県福岡市中央区天神1-1-1", "phone": "092-555-0100"}}


def load(port, path, token, clients, seconds, run_id):
    """`clients` threads POSTing for `seconds`; returns (ok, errors, latencies, references, elapsed)."""
    stop_at = time.monotonic() + seconds
    lock = threading.Lock()
    ok, errors, latencies, references = [0], [], [], []
    counter = iter(range(10**9))

    def client():
        while time.monotonic() < stop_at:
            with lock:
                i = next(counter)
            started = time.perf_counter()
            try:
                status, raw = request(port, "POST", path, {"Authorization": f"Token {token}"}, intake_body(run_id, i))
            except OSError as error:
                status, raw = 0, str(error).encode()
            took = time.perf_counter() - started
            with lock:
                latencies.append(took)
                if status == 201:
                    ok[0] += 1
                    if b'"reference"' in raw:
                        references.append(json.loads(raw)["reference"])
                else:
                    errors.append((status, raw[:200]))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return ok[0], errors, latencies, references, time.monotonic() - began


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] * 1000 if values else float("nan")


# --- main -----------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1,000 and 100,000 cases; a 20 s surge")
    parser.add_argument("--small", type=int)
    parser.add_argument("--large", type=int)
    parser.add_argument("--reuse", action="store_true", help="keep databases already seeded at the sizes")
    parser.add_argument("--repeat", type=int, default=7, help="requests per page and size (median)")
    parser.add_argument("--surge", type=int, help="surge seconds (60; 20 with --quick)")
    args = parser.parse_args()
    small = args.small or 1000
    large = args.large or (100_000 if args.quick else 1_000_000)
    surge_seconds = args.surge or (20 if args.quick else 60)
    print(f"load average before: {os.getloadavg()}")
    print(f"Building databases ({small:,} and {large:,} cases)")
    for size in (small, large):
        build(size, args.reuse)

    prep = {size: helper(size, "prepare") for size in (small, large)}
    servers = {}
    try:
        for size, port in zip((small, large), PORTS):
            servers[size] = start_server(size, port)
        ports = dict(zip((small, large), PORTS))
        targets = prep[large]["targets"]
        print(f"\n{'page':58} {'small ms':>9} {'large ms':>9} {'ratio':>6} {'q@10':>5} {'q@50':>5}")
        results = []
        counts = {size: helper(size, "queries", {"targets": prep[size]["targets"]}) for size in (small, large)}
        for index, target in enumerate(targets):
            medians = {}
            for size in (small, large):
                t = prep[size]["targets"][index]
                headers = {"Authorization": f"Token {t['token']}"} if t.get("token") else {
                    "Cookie": f"sessionid={t['session']}"}
                request(ports[size], "GET", t["path"], headers)  # warm up
                times = []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    status, _ = request(ports[size], "GET", t["path"], headers)
                    times.append(time.perf_counter() - started)
                    if status != 200:
                        print(f"  ! {t['name']} answered {status} at {size:,}")
                medians[size] = statistics.median(times) * 1000
            q = counts[large][index]
            ratio = medians[large] / medians[small]
            results.append((target["name"], ratio))
            flag = "" if ratio <= 2 and q[0] == q[1] else "  <-"
            print(f"{target['name'][:58]:58} {medians[small]:9.1f} {medians[large]:9.1f} {ratio:6.2f} "
                  f"{q[0]:5} {q[1]:5}{flag}")

        sweeps = {size: helper(size, "sweeps") for size in (small, large)}
        for (small_name, small_ms), (large_name, large_ms) in zip(sweeps[small].items(), sweeps[large].items()):
            ratio = large_ms / max(small_ms, 1e-6)
            flag = "" if ratio <= 2 else "  <-"
            print(f"{('sweep: ' + small_name)[:58]:58} {small_ms:9.1f} {large_ms:9.1f} {ratio:6.2f}{'':>12}{flag}")
            if small_name != large_name:
                print(f"{'   at the large size: ' + large_name:58}")

        token = prep[large]["hotline_token"]
        port = ports[large]
        print("\nIntake vs the no-op view (20 clients, 10 s each, large database, gunicorn -w 3)")
        figures = {}
        for name, path in (("no-op", "/api/_bench/noop/"), ("intake", "/api/cases/")):
            ok, errors, lat, _refs, elapsed = load(port, path, token, 20, 10, f"bench-{uuid.uuid4().hex[:8]}")
            figures[name] = ok / elapsed
            print(f"  {name:7} {ok / elapsed:7.1f} req/s  p50 {pct(lat, .5):6.1f} ms  p95 {pct(lat, .95):6.1f} ms  "
                  f"p99 {pct(lat, .99):6.1f} ms  errors {len(errors)}")
        print(f"  ratio intake / no-op: {figures['intake'] / figures['no-op']:.2f}  (target >= 0.5)")

        run = f"surge-{uuid.uuid4().hex[:8]}"
        print(f"\nSurge: 200 clients creating cases for {surge_seconds} s (large database)")
        ok, errors, lat, refs, elapsed = load(port, "/api/cases/", token, 200, surge_seconds, run)
        stored = helper(large, "surge_check", {"run": run})
        print(f"  accepted {ok} ({ok / elapsed:.1f}/s), errors {len(errors)}, p50 {pct(lat, .5):.0f} ms, "
              f"p95 {pct(lat, .95):.0f} ms, p99 {pct(lat, .99):.0f} ms")
        print(f"  stored: {stored['stored']} cases, {stored['duplicates']} stored twice, "
              f"{len(set(refs))} distinct references answered")
        if errors:
            print(f"  first errors: {errors[:3]}")

        print("\nEXPLAIN (ANALYZE) at the large size")
        for name, plan in helper(large, "explain").items():
            print(f"--- {name}\n{plan}")
    finally:
        for process in servers.values():
            stop(process)
    bad = [name for name, ratio in results if ratio > 2]
    print(f"\nratios above 2: {', '.join(bad) or 'none'}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()

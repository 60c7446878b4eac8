"""Intake against the no-op view, side by side in one run (issue 11 item 5: target >= 0.5x).

    .venv/bin/python bench/intake.py                  # reuses h_intake_bench (1,000 cases) if built
    .venv/bin/python bench/intake.py --rounds 3 --seconds 10 --clients 20 --rebuild

Only what item 5 needs, not bench/scale.py's big database and pages: a small PostgreSQL database
(BENCH_PG, default postgres://postgres@127.0.0.1:5432; `seed_volume --cases N` into h_intake_bench),
gunicorn -w 3 on port 8181 (HITOTSUBU_BENCH=1 mounts the no-op view, config/bench.py), and
`clients` threads POSTing to the no-op view and then to POST /api/cases/ behind the same knox token,
alternating for `rounds` rounds so that a neighbour's load on the shared machine falls on both alike.
Prints req/s, p50/p95/p99 of each round, the totals and the ratio intake / no-op; the load average
before and after (rerun when the machine was busy).

Like bench/scale.py, the server runs without REDIS_URL: Celery tasks run inline, so the outbox
handlers of the new case's events (clocks, safety, knowledge, notifications, webhooks) run in the
intake request after its commit. `--broker redis://127.0.0.1:6379/6` measures the production shape
instead: the handlers run in a Celery worker, which `--worker` starts on the same machine (its CPU
is paid for during the intake runs; before each run the bench waits until the worker has caught up,
and says how long that took). Without `--worker` it measures the request alone (workers on other
machines); the events then wait in the queue (`redis-cli -n 6 del h_intake_bench-bench`, and the
redispatch sweep, clear them).

Bodies come from a different caller each time (--same-caller: bench/scale.py's one consumer).
To profile one intake: bench/intake_profile.py.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale  # noqa: E402
from scale import load, pct, request  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def env_for(db: str, broker: str = "") -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(DATABASE_URL=f"{PG}/{db}", HITOTSUBU_BENCH="1", DEBUG="0", SECRET_KEY="bench-only-" + "x" * 40,
               ALLOWED_HOSTS="127.0.0.1,localhost,testserver", HITOTSUBU_VAR_DIR=f"/tmp/{db}", LOG_LEVEL="WARNING")
    if broker:
        env.update(REDIS_URL=broker, HITOTSUBU_CELERY_QUEUE=f"{db}-bench")
    return env


def psql(sql: str, db: str = "postgres") -> str:
    return subprocess.run(["psql", f"{PG}/{db}", "-tAc", sql], check=True, capture_output=True, text=True).stdout.strip()


def manage(env, *args):
    return subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True)


def build(db: str, cases: int, rebuild: bool, env: dict):
    if not rebuild and psql(f"SELECT 1 FROM pg_database WHERE datname = '{db}'") == "1":
        manage(env, "migrate", "-v", "0")
        have = int(psql("SELECT count(*) FROM defects_defectcase", db) or 0)
        if have >= cases:
            print(f"  {db}: reusing ({have:,} cases)")
            return
    psql(f'DROP DATABASE IF EXISTS "{db}"')
    psql(f'CREATE DATABASE "{db}"')
    manage(env, "migrate", "-v", "0")
    started = time.monotonic()
    manage(env, "seed_volume", "--cases", str(cases))
    psql("VACUUM ANALYZE", db)
    print(f"  {db}: seeded {cases:,} cases in {time.monotonic() - started:.0f} s")


TOKEN_SCRIPT = """
from django.contrib.auth import get_user_model
from accounts.models import ApiToken
_, token = ApiToken.objects.create(get_user_model().objects.get(username="hotline"))
print(token)
"""


def start(cmd, env) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)


def stop(process: subprocess.Popen):
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


_scale_body = scale.intake_body
FAMILY = ("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田")
GIVEN = ("太郎", "花子", "一郎", "恵子", "翔太", "美咲", "健", "陽菜", "大輔", "由美", "蓮", "葵")


def caller_body(run: str, i: int) -> dict:
    """bench/scale.py's intake body from a different caller each time (a launch day's calls are
    different people): with one phone number for every case, the repeat-caller lookup of each
    intake matches every case of every earlier run, and the runs stop being comparable."""
    body = _scale_body(run, i)
    salt = sum(map(ord, run)) % 9000 + 1000
    body["consumer"] = {**body["consumer"], "phone": f"090-{salt}-{i % 10000:04d}",
                        "name": f"{FAMILY[i % 12]}\u3000{GIVEN[(i // 12) % 12]}{GIVEN[(i // 144) % 12]}"}
    return body


def drain(db: str, since: str, limit: float = 300) -> float:
    """Wait until the worker has dispatched every event of this run (no PendingDispatch row written
    since `since` is left), so that the next run does not share the machine with the backlog."""
    started = time.monotonic()
    sql = f"SELECT count(*) FROM defects_pendingdispatch WHERE created_at >= '{since}'"
    while int(psql(sql, db) or 0) and time.monotonic() - started < limit:
        time.sleep(1)
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="h_intake_bench")
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--rebuild", action="store_true", help="drop and seed the database again")
    parser.add_argument("--port", type=int, default=8181)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=2, help="no-op then intake, this many times")
    parser.add_argument("--broker", default="", help="REDIS_URL for the server (default: tasks inline)")
    parser.add_argument("--worker", action="store_true", help="with --broker: run a Celery worker too")
    parser.add_argument("--same-caller", action="store_true",
                        help="every intake from one consumer, as bench/scale.py sends them")
    args = parser.parse_args()
    if not args.same_caller:
        scale.intake_body = caller_body  # load() builds its bodies with it

    print(f"load average before: {os.getloadavg()}")
    env = env_for(args.db, args.broker)
    build(args.db, args.cases, args.rebuild, env)
    since = psql("SELECT now()", args.db)
    token = manage(env, "shell", "-c", TOKEN_SCRIPT).stdout.strip().splitlines()[-1]
    Path(f"/tmp/{args.db}/static").mkdir(parents=True, exist_ok=True)
    processes = [start([str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi", "-w", "3", "-b",
                        f"127.0.0.1:{args.port}", "--log-level", "warning", "--timeout", "120"], env)]
    if args.broker and args.worker:
        processes.append(start([str(ROOT / ".venv" / "bin" / "celery"), "-A", "config", "worker", "-c", "1",
                                "-Q", env["HITOTSUBU_CELERY_QUEUE"], "--loglevel", "warning"], env))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(args.port, "GET", "/login/")[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn on {args.port} did not start") from None
                time.sleep(0.3)
        auth = {"Authorization": f"Token {token}"}
        assert request(args.port, "POST", "/api/_bench/noop/", auth, {"a": 1})[0] == 201, "no-op view missing"
        load(args.port, "/api/cases/", token, 3, 2, "warmup")  # every worker imports and connects
        print(f"\n{args.clients} clients, {args.seconds:g} s per run, gunicorn -w 3 on {args.db}, "
              f"tasks {'via ' + args.broker if args.broker else 'inline'}")
        totals = {"no-op": [0, 0.0, []], "intake": [0, 0.0, []]}
        run_id = f"bench-{uuid.uuid4().hex[:8]}"
        for round_no in range(1, args.rounds + 1):
            for name, path in (("no-op", "/api/_bench/noop/"), ("intake", "/api/cases/")):
                waited = drain(args.db, since) if args.broker and args.worker else 0
                if waited:
                    print(f"  (waited {waited:.0f} s for the worker to dispatch the previous run's events)")
                ok, errors, lat, _refs, elapsed = load(args.port, path, token, args.clients, args.seconds,
                                                       f"{run_id}-{round_no}")
                total = totals[name]
                total[0] += ok
                total[1] += elapsed
                total[2] += lat
                print(f"  round {round_no} {name:7} {ok / elapsed:7.1f} req/s  p50 {pct(lat, .5):6.1f} ms  "
                      f"p95 {pct(lat, .95):6.1f} ms  p99 {pct(lat, .99):6.1f} ms  errors {len(errors)}"
                      + (f"  first: {errors[0]}" if errors else ""))
        print()
        for name, (ok, elapsed, lat) in totals.items():
            print(f"  all     {name:7} {ok / elapsed:7.1f} req/s  p50 {pct(lat, .5):6.1f} ms  "
                  f"p95 {pct(lat, .95):6.1f} ms  p99 {pct(lat, .99):6.1f} ms")
        if args.broker and args.worker:
            print(f"  (the worker needed {drain(args.db, since):.0f} s more to dispatch the last run's events)")
        ratio = (totals["intake"][0] / totals["intake"][1]) / (totals["no-op"][0] / totals["no-op"][1])
        print(f"  ratio intake / no-op: {ratio:.2f}  (target >= 0.5)")
    finally:
        for process in processes:
            stop(process)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()

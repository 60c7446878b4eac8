"""The embedded default holds concurrency: a server started exactly as `./scripts/dev` starts it
(SQLite file under HITOTSUBU_VAR_DIR, threaded runserver, DEBUG as the script leaves it) takes 20
simultaneous intakes and 20 simultaneous transitions without one 500.

Before WAL + IMMEDIATE transactions + a busy timeout, SQLite refused the lock upgrade of a deferred
transaction at once: 15 to 18 of 20 simultaneous intakes came back 500 ("database is locked").
This runs the real script in a subprocess, so it is slow (migrate + seed_demo, ~15 s): one test.
"""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 20
NAMES = "一郎 二郎 三郎 四郎 五郎 六郎 七郎 八郎 九郎 十郎 花子 葉子 桜子 梅子 菊子 蘭 翔 陸 海 空".split()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(method, url, token=None, body=None, timeout=60):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw[:300].decode(errors="replace")


def all_at_once(jobs):
    """Run the callables in CLIENTS threads released together by a barrier; their results in order."""
    barrier = threading.Barrier(len(jobs))

    def run(job):
        barrier.wait(timeout=60)
        return job()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


@pytest.fixture
def dev_server(tmp_path):
    """`./scripts/dev` on a free port with its own var dir; yields (base url, sqlite path)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env.update(HOST="127.0.0.1", PORT=str(port), HITOTSUBU_VAR_DIR=str(tmp_path / "var"), PYTHONUNBUFFERED="1")
    log = open(tmp_path / "dev.log", "wb")
    process = subprocess.Popen([str(ROOT / "scripts" / "dev")], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            if process.poll() is not None:
                pytest.fail(f"./scripts/dev exited with {process.returncode}:\n"
                            + (tmp_path / "dev.log").read_text(errors="replace")[-3000:])
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("./scripts/dev did not start listening within 240 s:\n"
                                + (tmp_path / "dev.log").read_text(errors="replace")[-3000:])
                time.sleep(0.5)
        yield base, tmp_path / "var" / "hitotsubu.sqlite3"
    finally:
        # runserver's autoreloader runs the server in a child: stop the whole session we started.
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def test_dev_server_takes_simultaneous_intakes_and_transitions_without_a_500(dev_server):
    base, db_path = dev_server
    status, body = call("POST", f"{base}/api/auth/token/", body={"username": "hotline", "password": "demo"})
    assert status == 200, body
    token = body["token"]

    def intake(i):
        return lambda: call("POST", f"{base}/api/cases/", token, {
            "channel": "phone", "product": "GUM-MINT-9", "category": "packaging",
            "lot_code": "2026.11.20 KY1", "description": f"concurrency intake {i}: wrapper torn",
            "consumer": {"name": "並行\u3000" + NAMES[i], "name_kana": "ヘイコウ\u3000タロウ",
                         "postal_code": "8100001", "address": "福岡県福岡市中央区天神1-1-1",
                         "phone": f"092-555-{i:04d}"},
        })

    results = all_at_once([intake(i) for i in range(CLIENTS)])
    codes = [code for code, _ in results]
    assert 500 not in codes, results
    assert codes == [201] * CLIENTS, results
    references = [body["reference"] for _, body in results]
    assert len(set(references)) == CLIENTS

    with sqlite3.connect(db_path) as db:
        stored = db.execute("SELECT reference, description FROM defects_defectcase").fetchall()
    by_description = {}
    for reference, description in stored:
        by_description.setdefault(description, []).append(reference)
    for i, reference in enumerate(references):
        # Every accepted intake is stored exactly once, under the reference it was answered with.
        assert by_description[f"concurrency intake {i}: wrapper torn"] == [reference]

    # Twenty clicks on the same button: one wins, nineteen are told it already happened.
    same = references[0]
    results = all_at_once([
        (lambda: call("POST", f"{base}/api/cases/{same}/transitions/request_return/", token, {"carrier": "yamato"}))
        for _ in range(CLIENTS)])
    codes = sorted(code for code, _ in results)
    assert codes == [200] + [409] * (CLIENTS - 1), results

    # Twenty different cases moved at once: every one moves.
    results = all_at_once([
        (lambda ref=ref: call("POST", f"{base}/api/cases/{ref}/transitions/request_return/", token,
                              {"carrier": "yamato"}))
        for ref in references[1:]] + [
        (lambda: call("POST", f"{base}/api/cases/{same}/transitions/withdraw/", token, {"reason": "duplicate"}))])
    codes = [code for code, _ in results]
    assert 500 not in codes, results
    assert codes == [200] * CLIENTS, results

    with sqlite3.connect(db_path) as db:
        states = dict(db.execute("SELECT reference, state FROM defects_defectcase").fetchall())
        transitions = db.execute(
            "SELECT c.reference, COUNT(*) FROM defects_event e JOIN defects_defectcase c ON c.id = e.case_id "
            "WHERE e.transition = 'request_return' GROUP BY c.reference").fetchall()
    assert states[same] == "withdrawn"
    assert all(states[ref] == "awaiting_return" for ref in references[1:])
    # The demo data has its own returns: only the cases opened here are counted.
    assert {ref: n for ref, n in transitions if ref in references} == {ref: 1 for ref in references}

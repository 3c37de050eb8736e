"""Load and fault test of autosave on PostgreSQL, run by hand: `make load` (both modes), or
`.venv/bin/python bench/load_autosave.py [--kill-worker]`.

1. Creates a throwaway PostgreSQL database beside DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test),
   migrates and seeds it, and makes N town-editor accounts (one town each, random passwords) with started
   assessments.
2. Starts gunicorn (2+ sync workers) on 127.0.0.1 (a free port in 5401-5499) against that database.
3. N concurrent users sign in and autosave answers for D seconds, each recording every acknowledged save
   (question, value, version). A connection error (a killed worker) is retried with the same request.
4. Checks that every acknowledged save is in the database: per answer, the latest acknowledged value and version
   equal what is stored. Prints requests, errors, connection errors, acknowledged and lost.

--kill-worker: SIGKILLs one gunicorn worker a third of the way in and another two thirds in (gunicorn starts
new ones); their in-flight requests fail with connection errors, which are counted separately and retried.
Exit status 0 only when nothing was lost and there were no errors (connection errors from killed workers are
expected and are not errors).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/test"
PORTS = range(5401, 5500)


# --- database and accounts -----------------------------------------------------------------------------

def create_database(base: str) -> tuple[str, str]:
    import psycopg

    parts = urlsplit(base.replace("postgresql+psycopg://", "postgresql://"))
    name = f"muni_assess_load_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(urlunsplit(parts), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name)), name


def drop_database(base: str, name: str) -> None:
    import psycopg

    parts = urlsplit(base.replace("postgresql+psycopg://", "postgresql://"))
    with psycopg.connect(urlunsplit(parts), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Account:
    email: str
    password: str
    town_id: int
    questions: list[tuple[str, list[str]]]  # (question id, its choices)


def prepare(db_url: str, secret: str, users: int, state: str = "CT") -> tuple[list[Account], int]:
    """Migrate, seed reference data, and create one town editor with a started assessment per town."""
    from muni_assess import contentstore, create_app
    from muni_assess.assess import services
    from muni_assess.auth.services import create_user
    from muni_assess.dbsetup import migrate_to_latest
    from muni_assess.extensions import db
    from muni_assess.models import Town
    from muni_assess.passwords import random_password
    from muni_assess.seed import seed_reference

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": secret, "STATE": state})
    with app.app_context():
        migrate_to_latest()
        seed_reference(state)
        cycle = app.config["CURRENT_CYCLE"]
        qs = contentstore.current_set()
        questions = [(q.id, [o.value for o in q.options]) for s in qs.sections_for(state) for q in s.questions
                     if q.type == "single" and len(q.options) > 1]
        towns = list(db.session.scalars(db.select(Town).where(Town.state == state).order_by(Town.name).limit(users)))
        accounts = []
        for town in towns:
            password = random_password()
            user = create_user(f"load.{town.id}@example.org", "town_editor", password, town=town.name, state=state)
            services.start(town, cycle, user, from_previous=False)
            accounts.append(Account(user.email, password, town.id, questions))
        db.session.commit()
        db.engine.dispose()
    return accounts, cycle


# --- gunicorn ------------------------------------------------------------------------------------------

def free_port() -> int:
    for port in random.sample(list(PORTS), len(PORTS)):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("No free port in 5401-5499.")


def start_gunicorn(db_url: str, secret: str, port: int, workers: int, chdir: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": db_url, "MUNI_ASSESS_SECRET_KEY": secret,
           "MUNI_ASSESS_SESSION_COOKIE_SECURE": "false"}  # plain http on 127.0.0.1
    gunicorn = Path(sys.executable).with_name("gunicorn")
    cmd = [str(gunicorn), "--chdir", str(chdir), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
           "--timeout", "30", "--graceful-timeout", "5", "--log-level", "warning", "muni_assess:create_app()"]
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            status, _, _ = request(port, "GET", "/healthz", {})
            if status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not become healthy in 60 s")


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in children.read_text().split()] if children.exists() else []


# --- HTTP client (stdlib only: one connection per request, cookies kept by hand) -------------------------

def request(port: int, method: str, path: str, cookies: dict, body: dict | list | None = None,
            headers: dict | None = None) -> tuple[int, dict, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        hdrs = dict(headers or {})
        if cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        data = None
        if body is not None:
            data = urlencode(body, doseq=True)
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        text = resp.read().decode("utf-8", "replace")
        for header in resp.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]
        return resp.status, dict(resp.getheaders()), text
    finally:
        conn.close()


CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')


def sign_in(port: int, account: Account, cycle: int, attempts: int = 5) -> tuple[dict, str]:
    """Sign in (retrying connection errors and timeouts: argon2 is slow on a busy machine); cookies, CSRF token."""
    for attempt in range(attempts):
        try:
            return _sign_in(port, account, cycle)
        except (OSError, http.client.HTTPException):
            if attempt == attempts - 1:
                raise
            time.sleep(1)
    raise AssertionError("unreachable")


def _sign_in(port: int, account: Account, cycle: int) -> tuple[dict, str]:
    cookies: dict = {}
    _, _, page = request(port, "GET", "/auth/login", cookies)
    token = CSRF_META.search(page).group(1)
    status, headers, _ = request(port, "POST", "/auth/login", cookies,
                                 {"email": account.email, "password": account.password, "csrf_token": token})
    if status != 302 or "/auth/login" in headers.get("Location", ""):
        raise RuntimeError(f"sign-in failed for {account.email}: {status}")
    _, _, page = request(port, "GET", f"/towns/{account.town_id}/{cycle}/", cookies)
    return cookies, CSRF_META.search(page).group(1)


# --- the load ------------------------------------------------------------------------------------------

@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    errors: int = 0
    connection_errors: int = 0
    timeouts: int = 0
    acknowledged: int = 0
    statuses: Counter = field(default_factory=Counter)
    crashed: list = field(default_factory=list)
    latencies: list = field(default_factory=list)
    # (town id, question id) -> (value, version) of the latest acknowledged save
    latest: dict = field(default_factory=dict)


def user_loop(port: int, account: Account, session: tuple[dict, str], cycle: int, stop: float, stats: Stats,
              seed: int) -> None:
    try:
        _user_loop(port, account, session, cycle, stop, stats, seed)
    except Exception as exc:  # a client bug must show in the report, not vanish with its thread
        with stats.lock:
            stats.crashed.append(f"{account.email}: {type(exc).__name__}: {exc}")
            stats.errors += 1


def _user_loop(port: int, account: Account, session: tuple[dict, str], cycle: int, stop: float, stats: Stats,
               seed: int) -> None:
    rng = random.Random(seed)
    cookies, token = session
    versions: dict[str, int] = {}
    headers = {"X-Requested-With": "fetch", "X-CSRFToken": token}
    while time.monotonic() < stop:
        qid, choices = rng.choice(account.questions)
        value = rng.choice(choices)
        body = {"value": value, "note": f"load {rng.randrange(10**6)}", "version": str(versions.get(qid, 0))}
        path = f"/towns/{account.town_id}/{cycle}/answers/{quote(qid)}"
        while True:  # retry the same save on a connection error (a killed worker)
            started = time.monotonic()
            try:
                status, _, text = request(port, "POST", path, cookies, body, headers)
            except TimeoutError:
                with stats.lock:
                    stats.timeouts += 1
                continue
            except (OSError, http.client.HTTPException):
                with stats.lock:
                    stats.connection_errors += 1
                time.sleep(0.05)
                continue
            break
        elapsed = time.monotonic() - started
        reply = json.loads(text) if status == 200 else {}
        ok = reply.get("status") in ("saved", "unchanged")
        with stats.lock:
            stats.requests += 1
            stats.statuses[status] += 1
            stats.latencies.append(elapsed)
            if ok:
                version = reply["version"]
                versions[qid] = version
                stats.acknowledged += 1
                stats.latest[(account.town_id, qid)] = (value, body["note"], version)
            else:
                stats.errors += 1


def killer(master: int, stop: float, duration: float, killed: list) -> None:
    for fraction in (1 / 3, 2 / 3):
        time.sleep(max(0.0, stop - duration * (1 - fraction) - time.monotonic()))
        pids = worker_pids(master)
        if pids:
            victim = random.choice(pids)
            os.kill(victim, signal.SIGKILL)
            killed.append((round(duration * fraction), victim))


def verify(db_url: str, stats: Stats, cycle: int) -> tuple[int, int]:
    """Compare every answer's latest acknowledged save with the database: (checked, lost)."""
    import psycopg

    with psycopg.connect(db_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        rows = conn.execute("SELECT s.town_id, a.question_id, a.value, a.note, a.version FROM answer a "
                            "JOIN assessment s ON s.id = a.assessment_id WHERE s.cycle = %s", [cycle]).fetchall()
    stored = {(t, q): (v, n, ver) for t, q, v, n, ver in rows}
    lost = 0
    for key, (value, note, version) in stats.latest.items():
        have = stored.get(key)
        if have is None or have[0] != value or have[1] != note or have[2] != version:
            lost += 1
            print(f"LOST {key}: acknowledged {(value, note, version)!r}, stored {have!r}", file=sys.stderr)
    return len(stats.latest), lost


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of autosaving")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (2 or more)")
    parser.add_argument("--kill-worker", action="store_true", help="SIGKILL a gunicorn worker mid-run (twice)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DB),
                        help="a PostgreSQL server; the run uses its own throwaway database beside this one")
    parser.add_argument("--chdir", default=str(ROOT), help="the source tree gunicorn serves")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    args = parser.parse_args()
    if args.workers < 2:
        parser.error("--workers must be 2 or more")
    sys.path.insert(0, args.chdir)

    secret = secrets.token_hex(32)
    db_url, db_name = create_database(args.database_url)
    proc = None
    try:
        accounts, cycle = prepare(db_url, secret, args.users)
        port = free_port()
        proc = start_gunicorn(db_url, secret, port, args.workers, Path(args.chdir))
        print(f"gunicorn pid {proc.pid}, {args.workers} workers on 127.0.0.1:{port}; database {db_name}; "
              f"{len(accounts)} town editors; {args.duration:.0f} s{'; killing workers' if args.kill_worker else ''}")
        started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:  # sign everyone in first: the clock starts with all users ready
            sessions = list(pool.map(lambda a: sign_in(port, a, cycle), accounts))
        print(f"{len(sessions)} users signed in in {time.monotonic() - started:.0f} s; autosaving...")
        stats = Stats()
        stop = time.monotonic() + args.duration
        threads = [threading.Thread(target=user_loop, args=(port, a, sessions[i], cycle, stop, stats, i), daemon=True)
                   for i, a in enumerate(accounts)]
        killed: list = []
        if args.kill_worker:
            threads.append(threading.Thread(target=killer, args=(proc.pid, stop, args.duration, killed), daemon=True))
        for t in threads:
            t.start()
        for t in threads:
            t.join(args.duration + 120)
        checked, lost = verify(db_url, stats, cycle)
        report(args, stats, checked, lost, killed)
        return 0 if lost == 0 and stats.errors == 0 else 1
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)
        if not args.keep:
            drop_database(args.database_url, db_name)


def report(args, stats: Stats, checked: int, lost: int, killed: list) -> None:
    rate = stats.requests / args.duration
    rows = [("mode", "kill-worker" if args.kill_worker else "steady"), ("users", args.users),
            ("duration (s)", f"{args.duration:.0f}"), ("gunicorn workers", args.workers),
            ("workers SIGKILLed", ", ".join(f"pid {pid} at {t}s" for t, pid in killed) or "none"),
            ("requests", stats.requests), ("requests/s", f"{rate:.0f}"),
            ("latency p50 / p95 / max (ms)", " / ".join(f"{percentile(stats.latencies, p) * 1000:.0f}"
                                                        for p in (0.5, 0.95, 1.0))),
            ("HTTP statuses", ", ".join(f"{k}: {v}" for k, v in sorted(stats.statuses.items()))),
            ("errors (non-200 answers)", stats.errors), ("connection errors (retried)", stats.connection_errors),
            ("timeouts > 30 s (retried)", stats.timeouts),
            ("acknowledged saves", stats.acknowledged), ("answers checked", checked), ("lost", lost),
            ("client threads crashed", len(stats.crashed))]
    width = max(len(k) for k, _ in rows)
    print("-" * (width + 30))
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    print("-" * (width + 30))
    for line in stats.crashed:
        print("crashed:", line)


if __name__ == "__main__":
    sys.exit(main())

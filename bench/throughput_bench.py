"""Page throughput against the limit: the same gunicorn command (127.0.0.1, 2 sync workers) serving a Flask
hello-world route, a signed-in questionnaire section page, and an autosave POST, measured with wrk in one run.
Run by hand (`make bench`); prints one table.

    .venv/bin/python bench/throughput_bench.py [--duration 10] [--connections 16] [--workers 2]

Prints requests per second, p50 and p99 latency for each, and the ratios section/hello and autosave/hello: the
ratios, not the absolute figures, are what carry from one (shared, noisy) machine to another.
Aims (issue 9): section/hello >= 0.5, autosave/hello >= 0.3, section p99 < 50 ms at 16 connections.
Runs on the demo data in a throwaway PostgreSQL database beside DATABASE_URL when that is set (what `make
bench` does), otherwise in a throwaway SQLite file.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import nullcontext
from http.cookiejar import CookieJar
from pathlib import Path

from benchlib import migrated_app, print_table, throwaway_postgres, verdict

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench password for throughput 42"
HELLO = "from flask import Flask\napp = Flask(__name__)\n\n\n@app.route('/')\ndef hello():\n    return 'hello'\n"
# 16 single-choice questions: each wrk thread saves its own, alternating two answers and tracking the version.
AUTOSAVE_LUA = textwrap.dedent("""
    local questions = {%s}
    local values = {%s}
    local counter = 0
    local threads = {}
    function setup(thread)
      counter = counter + 1
      thread:set("id", counter)
      table.insert(threads, thread)
    end
    function init(args)
      version = 0
      flip = 0
      q = questions[((id - 1) %% #questions) + 1]
      a = values[((id - 1) %% #values) + 1]
    end
    function request()
      flip = 1 - flip
      local v = a[flip + 1]
      local body = "value=" .. v .. "&note=&version=" .. version
      return wrk.format("POST", "%s" .. q, {["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Requested-With"] = "fetch", ["X-CSRFToken"] = "%s", ["Cookie"] = "%s"}, body)
    end
    function response(status, headers, body)
      local v = string.match(body, '"version":%%s*(%%d+)')
      if v then version = tonumber(v) end
      if status ~= 200 then errors = (errors or 0) + 1 end
    end
""")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(url: str) -> tuple[int, list[tuple[str, list[str]]]]:
    """Migrate, seed CT with demo data, and give Andover's editor a known password; return the town id and the
    questions the autosave run will use."""
    from muni_assess import contentstore
    from muni_assess.auth.services import create_user
    from muni_assess.demo import seed_demo
    from muni_assess.extensions import db
    from muni_assess.models import Town
    from muni_assess.seed import seed_reference

    app = migrated_app({"SECRET_KEY": "bench-secret", "SQLALCHEMY_DATABASE_URI": url, "STATE": "CT",
                        "CURRENT_CYCLE": 2026})
    with app.app_context():
        seed_reference("CT")
        seed_demo("CT", 2026)
        create_user("bench.editor@example.org", "town_editor", PASSWORD, town="Andover")
        db.session.commit()
        tid = db.session.scalar(db.select(Town.id).where(Town.name == "Andover"))
        qs = contentstore.current_set()
        singles = [(q.id, [o.value for o in q.options if not o.dont_know][:2]) for s in qs.sections_for("CT")
                   for q in s.questions if q.type == "single" and not q.show_if][:16]
        db.engine.dispose()
    return tid, singles


def gunicorn(target: str, port: int, workers: int, env: dict, cwd: Path) -> subprocess.Popen:
    cmd = [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
           "--access-logfile", "/dev/null", "--error-logfile", "-", "--log-level", "warning", target]
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz" if "muni" in target else
                                   f"http://127.0.0.1:{port}/", timeout=1)
            return proc
        except urllib.error.HTTPError:
            return proc
        except OSError:  # not listening yet, or still booting
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"gunicorn did not start: {proc.stderr.read().decode()[:2000]}")


def wrk(url: str, duration: int, connections: int, extra: list[str]) -> dict:
    threads = min(connections, os.cpu_count() or 2) if "-s" not in extra else connections
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency",
                          *extra, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p):
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"rps": rps, "p50": pct(50), "p99": pct(99), "errors": int(non2xx.group(1)) if non2xx else 0}


def sign_in(base: str) -> tuple[str, str]:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/auth/login").read().decode()
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"email": "bench.editor@example.org", "password": PASSWORD,
                                   "csrf_token": token}).encode()
    page = opener.open(f"{base}/auth/login", data=body).read().decode()  # follows the redirect home
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, csrf


def status_of(url: str, cookie: str) -> int:
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie})).status
    except urllib.error.HTTPError as exc:
        return exc.code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk; `make bench` does it as root)")
    engine = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    with tempfile.TemporaryDirectory(prefix="throughput_bench_") as tmp_name:
        tmp = Path(tmp_name)
        database = (throwaway_postgres(os.environ["DATABASE_URL"], "muni_bench_web") if engine == "PostgreSQL"
                    else nullcontext(f"sqlite:///{tmp / 'bench.sqlite3'}"))
        with database as url:
            results = run(args, tmp, url)
    hello = results["hello world"]["rps"]
    aims = {"section page": (0.5, "section/hello >= 0.50"), "autosave POST": (0.3, "autosave/hello >= 0.30")}
    rows = []
    for name, r in results.items():
        ratio = r["rps"] / hello
        aim, text = aims.get(name, (None, ""))
        rows.append([name, f"{r['rps']:.0f}", f"{r['p50']:.1f}", f"{r['p99']:.1f}", f"{ratio:.2f}", r["errors"], text,
                     verdict(ratio, aim, at_least=True) if aim else ""])
    section = results["section page"]
    rows.append(["section page p99", "", "", f"{section['p99']:.1f}", "", "", "p99 < 50 ms",
                 verdict(section["p99"], 50.0)])
    print_table(f"Page throughput (gunicorn {args.workers} sync workers on 127.0.0.1, wrk {args.connections} "
                f"connections, {args.duration} s each, {engine}, demo data)",
                ["", "req/s", "p50 ms", "p99 ms", "vs hello", "non-2xx", "aim", ""], rows,
                ["hello world: a one-line Flask app served by the same gunicorn command.",
                 "section page: a town editor's questionnaire section (backup), signed in.",
                 "autosave POST: each wrk thread saves its own single-choice answer, alternating two values; its "
                 "first save meets the demo answer's newer version and gets the 409 conflict answer, then it goes "
                 "on from the version that answer returns (the non-2xx count)."])


def run(args, tmp: Path, url: str) -> dict:
    procs = []
    try:
        tid, singles = prepare(url)
        (tmp / "hello_app.py").write_text(HELLO)
        env = {**os.environ, "MUNI_ASSESS_SECRET_KEY": "bench-secret", "MUNI_ASSESS_DATABASE_URL": url,
               "MUNI_ASSESS_SESSION_COOKIE_SECURE": "false",  # plain http on 127.0.0.1
               "MUNI_ASSESS_CURRENT_CYCLE": "2026", "PYTHONPATH": f"{tmp}:{ROOT}"}
        hello_port, app_port = free_port(), free_port()
        procs.append(gunicorn("hello_app:app", hello_port, args.workers, env, tmp))
        procs.append(gunicorn("muni_assess:create_app()", app_port, args.workers, env, ROOT))
        base = f"http://127.0.0.1:{app_port}"
        cookie, csrf = sign_in(base)
        section = f"{base}/towns/{tid}/2026/sections/backup"
        assert status_of(section, cookie) == 200, "the signed-in section page did not load"
        lua = tmp / "autosave.lua"
        lua.write_text(AUTOSAVE_LUA % (
            ", ".join(f'"{q}"' for q, _ in singles), ", ".join(f'{{"{v[0]}", "{v[1]}"}}' for _, v in singles),
            f"/towns/{tid}/2026/answers/", csrf, cookie))
        return {
            "hello world": wrk(f"http://127.0.0.1:{hello_port}/", args.duration, args.connections, []),
            "section page": wrk(section, args.duration, args.connections, ["-H", f"Cookie: {cookie}"]),
            "autosave POST": wrk(base + "/", args.duration, args.connections, ["-s", str(lua)]),
        }
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=10)


if __name__ == "__main__":
    main()

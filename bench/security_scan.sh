#!/usr/bin/env bash
# wapiti and sqlmap (Debian packages) against a local instance with demo data, signed in as a town editor.
# Run by hand from the repository root:  bench/security_scan.sh
#
# - The instance: a throwaway SQLite database in a temp folder (or, with DATABASE_URL set to a PostgreSQL server,
#   a throwaway database beside it), `init-db`, `seed --demo`, one town editor for Andover with a random password;
#   gunicorn (2 workers) on 127.0.0.1 at a free port in 5401-5499, production settings (Secure cookies, CSP...),
#   served over HTTPS as a deployment is, with a self-signed certificate for 127.0.0.1 made for this run (so the
#   app's HTTPS-only headers, HSTS among them, are what the scanners see; neither scanner checks certificates).
# - Both scanners get the editor's session cookie, are scoped to that 127.0.0.1 port, and are bounded in time:
#   wapiti crawls for at most SCAN_MINUTES (default 4) and spends at most ATTACK_SECONDS (default 60) in each of
#   its 14 attack modules; sqlmap at most SQLMAP_MINUTES (default 6) per target (twice that for sign-in).
# - Sign-out URLs, and submitting/starting/reopening an assessment, are excluded so the scanners neither end their
#   own session nor lock the assessment they are attacking. Forms are posted with the page's CSRF token (wapiti
#   takes it from the form; sqlmap sends the session's token, fetched afresh after wapiti, as X-CSRFToken and
#   in the section form's body, and fetches the sign-in form's token before each sign-in attempt). Over HTTPS,
#   Flask-WTF also wants a same-origin Referer on every form post (as a browser sends): both scanners send one.
# - The autosave target is answered once before sqlmap starts, so sqlmap's unchanged request is a 200 "unchanged"
#   (a stale version with a different value is a 409 conflict, by design).
# - Nothing leaves 127.0.0.1: wapiti's Wappalyzer module would download its database from the web when it loads;
#   the wrapper below turns that download off.
# - Reports go to $OUT (default ./scan-reports/<timestamp>/); the summary is printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/.venv/bin
SCAN_MINUTES=${SCAN_MINUTES:-4}
ATTACK_SECONDS=${ATTACK_SECONDS:-60}
SQLMAP_MINUTES=${SQLMAP_MINUTES:-6}
OUT=${OUT:-$ROOT/scan-reports/$(date -u +%Y%m%dT%H%M%SZ)}
# Debian's wapiti and sqlmap: installed when missing and we run as root (a fresh machine), else a clear stop.
missing=()
for tool in wapiti sqlmap curl openssl; do command -v $tool >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing ${missing[*]} (Debian packages)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "missing: ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
fi
[ -x "$BIN/gunicorn" ] || { echo "no $BIN/gunicorn: run 'make venv' first" >&2; exit 2; }
mkdir -p "$OUT"
WORK=$(mktemp -d)
PORT=$("$BIN/python" - <<'EOF'
import random, socket
for port in random.sample(range(5401, 5500), 99):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
EOF
)
BASE="https://127.0.0.1:$PORT"
export MUNI_ASSESS_SECRET_KEY
MUNI_ASSESS_SECRET_KEY=$("$BIN/python" -c "import secrets; print(secrets.token_hex(32))")
DBNAME=""
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  DBNAME="muni_assess_scan_$$"
  ADMIN_URL=$DATABASE_URL
  psql "$ADMIN_URL" -qc "CREATE DATABASE \"$DBNAME\"" >/dev/null
  export DATABASE_URL="${ADMIN_URL%/*}/$DBNAME"
else
  export DATABASE_URL="sqlite:///$WORK/scan.sqlite3"
fi
GUNICORN_PID=""
cleanup() {
  [ -n "$GUNICORN_PID" ] && kill "$GUNICORN_PID" 2>/dev/null && wait "$GUNICORN_PID" 2>/dev/null || true
  [ -n "$DBNAME" ] && psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS \"$DBNAME\" WITH (FORCE)" >/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
echo "== instance: $BASE (database ${DBNAME:-SQLite in $WORK}; self-signed certificate for this run)"
"$BIN/muni-assess" init-db >/dev/null 2>&1
"$BIN/muni-assess" seed --demo >/dev/null   # demo logins are not printed here: the scan uses its own account
PASSWORD=$("$BIN/python" -c "from muni_assess.passwords import random_password; print(random_password())")
"$BIN/muni-assess" create-user --email scan.editor@example.org --role town_editor --town Andover \
  --password "$PASSWORD" >/dev/null
# Sign-in throttling is switched off for this instance only, so the scanners reach the sign-in code itself
# (with it on, sqlmap's login probes would mostly get 429s).
MUNI_ASSESS_RATELIMIT_ENABLED=false "$BIN/gunicorn" --workers 2 --bind "127.0.0.1:$PORT" \
  --certfile "$WORK/cert.pem" --keyfile "$WORK/key.pem" --log-level warning --access-logfile "$OUT/access.log" \
  "muni_assess:create_app()" 2>"$OUT/gunicorn.log" &
GUNICORN_PID=$!
for _ in $(seq 100); do curl -kfsS "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

# Sign in; print the session cookie, the CSRF token, Andover's id and the cycle (tab-separated).
read -r COOKIE TOKEN TOWN CYCLE < <(SCAN_PASSWORD="$PASSWORD" "$BIN/python" - "$PORT" <<'EOF'
import http.client, os, re, ssl, sys, urllib.parse
port = int(sys.argv[1]); cookies = {}
def call(method, path, body=None, headers=None):
    c = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=ssl._create_unverified_context())
    h = {"Referer": f"https://127.0.0.1:{port}/", **(headers or {})}  # Flask-WTF checks it on HTTPS
    if cookies:
        h["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body is not None:
        body, h["Content-Type"] = urllib.parse.urlencode(body), "application/x-www-form-urlencoded"
    c.request(method, path, body=body, headers=h)
    r = c.getresponse(); text = r.read().decode()
    for sc in r.msg.get_all("Set-Cookie") or []:
        name, _, rest = sc.partition("="); cookies[name] = rest.split(";", 1)[0]
    return r.status, r.getheader("Location", ""), text
meta = re.compile(r'name="csrf-token" content="([^"]+)"')
_, _, page = call("GET", "/auth/login")
status, loc, _ = call("POST", "/auth/login", {"email": "scan.editor@example.org",
                                               "password": os.environ["SCAN_PASSWORD"],
                                               "csrf_token": meta.search(page)[1]})
assert status == 302 and "login" not in loc, (status, loc)
_, loc, _ = call("GET", "/")
town, cycle = re.search(r"/towns/(\d+)/", loc)[1], None
_, loc, _ = call("GET", f"/towns/{town}/")
cycle = re.search(r"/towns/\d+/(\d+)/", loc)[1]
_, _, page = call("GET", f"/towns/{town}/{cycle}/")
token = meta.search(page)[1]
# Answer the autosave target once, so sqlmap's baseline request (same value and note) is a stable 200 "unchanged".
page = call("GET", f"/towns/{town}/{cycle}/sections/backup")[2]
version = re.search(r'name="v_backup_location"[^>]*value="(\d+):', page) or re.search(
    r'value="(\d+):[^"]*"[^>]*name="v_backup_location"', page)
status, _, body = call("POST", f"/towns/{town}/{cycle}/answers/backup_location",
                       {"value": "near_town", "note": "scan", "version": version[1] if version else "0"},
                       {"X-Requested-With": "fetch", "X-CSRFToken": token})
assert status == 200, (status, body[:300])
print(f"session={cookies['session']}", token, town, cycle)
EOF
)
echo "== signed in as scan.editor@example.org (town editor, Andover = town $TOWN, cycle $CYCLE)"
COOKIE_HEADER="Cookie: $COOKIE"
EXCLUDE=(-x "$BASE/auth/logout" -x "$BASE/auth/account/sign-out-everywhere" -x "$BASE/auth/two-step*"
         -x "$BASE/auth/account/password" -x "$BASE/static/*" -x "$BASE/towns/*/submit" -x "$BASE/towns/*/start"
         -x "$BASE/towns/*/reopen")
# Debian's wapiti 3.0.4 builds exclusion regexes with a trailing "(?ms)", which Python 3.11 refuses; this
# wrapper runs it with that one function fixed (flags first), everything else as packaged.
cat >"$WORK/wapiti.py" <<'EOF'
import re
import sys

import wapitiCore.attack.mod_wapp as mod_wapp
import wapitiCore.net.crawler as crawler
from wapitiCore.main.wapiti import wapiti_main


def wildcard_translate(pattern):
    return re.compile("(?ms)" + "".join(".*" if c == "*" else re.escape(c) for c in pattern) + r"\Z")


crawler.wildcard_translate = wildcard_translate
# Every module is loaded, even unselected ones, and Wappalyzer's loads its database from the web: not here.
mod_wapp.mod_wapp.update = lambda self: print("(wapp database not downloaded: offline scan)")
sys.argv[0] = "wapiti"
sys.exit(wapiti_main())
EOF

MODULES="blindsql,cookieflags,crlf,csp,csrf,exec,file,http_headers,permanentxss,redirect,sql,xss,methods,htaccess"
echo "== wapiti (crawl at most ${SCAN_MINUTES} min, then at most ${ATTACK_SECONDS} s per module: $MODULES)"
set +e
timeout $((SCAN_MINUTES * 60 + 14 * ATTACK_SECONDS + 600)) /usr/bin/python3 "$WORK/wapiti.py" -u "$BASE/" --scope folder -H "$COOKIE_HEADER" \
  -s "$BASE/towns/$TOWN/$CYCLE/" -s "$BASE/towns/$TOWN/$CYCLE/sections/backup" -s "$BASE/towns/$TOWN/$CYCLE/results" \
  "${EXCLUDE[@]}" \
  -m "$MODULES" \
  --max-scan-time $((SCAN_MINUTES * 60)) --max-attack-time "$ATTACK_SECONDS" -d 4 --flush-session \
  --store-session "$WORK/wapiti-session" --store-config "$WORK/wapiti-config" \
  -f txt -o "$OUT/wapiti.txt" --no-bugreport -v 1 >"$OUT/wapiti.log" 2>&1
echo "wapiti exit status $?"
set -e
if [ -f "$OUT/wapiti.txt" ]; then
  sed -n '/Summary of vulnerabilities/,/^$/p; /Summary of anomalies/,/^$/p' "$OUT/wapiti.txt"
else
  tail -20 "$OUT/wapiti.log"
fi

# A fresh CSRF token for the session (Flask-WTF tokens last an hour; wapiti may have taken most of one).
TOKEN=$(curl -kfsS -H "$COOKIE_HEADER" "$BASE/towns/$TOWN/$CYCLE/" | sed -n 's/.*name="csrf-token" content="\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] || { echo "the scan's session ended during wapiti: no CSRF token" >&2; exit 1; }
echo "== sqlmap (max ${SQLMAP_MINUTES} min per target)"
sqlmap_run() {  # name, then sqlmap arguments
  local name=$1; shift
  local threads="--threads=4"
  [[ " $* " == *" --csrf-url="* ]] && threads=""  # sqlmap refetches the token one request at a time
  set +e
  timeout $((SQLMAP_MINUTES * 60)) sqlmap --batch --flush-session --output-dir="$WORK/sqlmap" \
    --level=3 --risk=2 $threads --disable-coloring --cookie="$COOKIE" -H "X-CSRFToken: $TOKEN" --referer="$BASE/" \
    --skip="csrf_token" "$@" >"$OUT/sqlmap-$name.log" 2>&1
  local rc=$?
  set -e
  echo "-- sqlmap $name (exit $rc):"
  grep -E "is vulnerable|might be injectable|might not be injectable|does not seem to be injectable|all tested parameters|identified the following injection|heuristic \(basic\) test shows|WAF/IPS|CRITICAL|ERROR" \
    "$OUT/sqlmap-$name.log" | sed 's/^/   /' | sort | uniq -c | head -40
}
# the autosave endpoint (form body, version and note too), its URL parts, and the no-JavaScript section form
sqlmap_run autosave -u "$BASE/towns/$TOWN/$CYCLE/answers/backup_location" -H "X-Requested-With: fetch" \
  --data "value=near_town&note=scan&version=0" --method POST
sqlmap_run url-parts -u "$BASE/towns/$TOWN/$CYCLE/sections/backup*" --method GET
sqlmap_run autosave-qid -u "$BASE/towns/$TOWN/$CYCLE/answers/backup_location*" -H "X-Requested-With: fetch" \
  --data "value=near_town&note=scan&version=0" --method POST
# the no-JavaScript section form, posted with the session's CSRF token (csrf_token itself is not injected)
sqlmap_run section-form -u "$BASE/towns/$TOWN/$CYCLE/sections/backup" --method POST \
  --data "csrf_token=$TOKEN&q_backup_location=near_town&note_backup_location=scan&v_backup_location=0%3A&save=Save"
# the audit trail's filters (a town editor reads its own town's events) and a grant program id in the URL
sqlmap_run audit-filters -u "$BASE/admin/audit?town=$TOWN&action=answer.change&page=1" --method GET
sqlmap_run grant-program -u "$BASE/towns/$TOWN/$CYCLE/grants/slcgp*/new" --method GET
# sign-in, as a visitor: sqlmap fetches the form's CSRF token before each attempt (one request at a time)
SQLMAP_MINUTES=$((SQLMAP_MINUTES * 2)) sqlmap_run login -u "$BASE/auth/login" \
  --data "email=a%40example.org&password=aaaaaaaaaaaaaaaa&csrf_token=x" \
  --csrf-token=csrf_token --csrf-url="$BASE/auth/login" --cookie=""
echo "== reports in $OUT"
echo "HTTP 500 answers during the scans: $(awk '$9 == 500' "$OUT/access.log" | wc -l) of $(wc -l <"$OUT/access.log") requests"
echo "== summary"
if [ -f "$OUT/wapiti.txt" ]; then
  found=$(awk '/Summary of vulnerabilities/ {on=1; next} /Summary of anomalies/ {on=0}
               on && match($0, / : +[0-9]+$/) && substr($0, RSTART + 3) + 0 > 0 {print}' "$OUT/wapiti.txt")
  if [ -n "$found" ]; then
    echo "wapiti: vulnerabilities reported (details in $OUT/wapiti.txt):"
    echo "$found" | sed 's/^ */   /'
  else
    echo "wapiti: no category with a vulnerability count above 0"
  fi
else
  echo "wapiti: no report written (see $OUT/wapiti.log)"
fi
injectable=$(grep -l "identified the following injection point" "$OUT"/sqlmap-*.log || true)
echo "sqlmap: $(ls "$OUT"/sqlmap-*.log | wc -l) targets; injectable: ${injectable:-none}"

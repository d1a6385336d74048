#!/usr/bin/env bash
# The Web Profile in a real browser: headless Chromium loads a page that uses sampjs
# (installed from npm here), served from a local origin on samp-hub's allow list. The
# page registers through the Web Profile, receives a table.load.votable sent by an
# astropy Standard Profile client, fetches the table through the hub's URL translator,
# and sends coord.pointAt.sky back. The same page from an origin not on the list is
# refused. See README.md next to this file.
#
#   bash tests/web/run.sh
#
# Knobs: WEB_SKIP_BUILD=1 (use target/release/samp-hub as it is), WEB_KEEP_TMP=1.
# Installs what is missing (chromium, npm, JSAMP's nothing: only astropy, through
# tests/interop/lib.sh's venv). Uses port 21012: nothing else may use it meanwhile.
# Prints PASS/FAIL lines and "N passed, M failed"; exits 1 if anything failed.

WEB_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WEB_WORK="$WEB_HERE/.work"
LAST_RUN="$WEB_WORK/last-run"
# shellcheck source=../interop/lib.sh
source "$WEB_HERE/../interop/lib.sh"
[ "${WEB_SKIP_BUILD:-0}" = 1 ] && INTEROP_SKIP_BUILD=1
[ "${WEB_KEEP_TMP:-0}" = 1 ] && INTEROP_KEEP_TMP=1

WEB_PORT=21012
SAMPJS_VERSION=1.0.3
PLAYWRIGHT_VERSION=1.65.1
T_NPM=300
T_PAGE=60          # page loaded -> registered (or refused)
T_PEER=150         # the astropy peer's whole exchange with the page

# wait_report TEXT SECS: wait until the page reports a line containing TEXT
wait_report() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    grep -qF -- "$1" "$TMP/reports.txt" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# start_chromium URL NAME -> CHROME_PID (a timeout wrapper leading its process group)
start_chromium() {
  timeout -k 5 600 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu \
    --disable-dev-shm-usage --no-first-run --no-default-browser-check \
    --disable-extensions --user-data-dir="$TMP/chrome-$2" "$1" \
    </dev/null >"$TMP/chrome-$2.log" 2>&1 &
  CHROME_PID=$!
  PIDS+=("$CHROME_PID")
}

section "setup: browser, sampjs, astropy, samp-hub"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  note "apt-get install chromium"
  apt_install chromium >"$TMP/apt-chromium.log" 2>&1 || tail_of "$TMP/apt-chromium.log" 20 "apt-get output"
  CHROMIUM=$(command -v chromium || true)
fi
if ! command -v npm >/dev/null 2>&1; then
  note "apt-get install npm"
  apt_install npm >"$TMP/apt-npm.log" 2>&1 || tail_of "$TMP/apt-npm.log" 20 "apt-get output"
fi
SAMPJS="$WEB_WORK/node_modules/sampjs/samp.js"
PLAYWRIGHT="$WEB_WORK/node_modules/playwright-core"
if { [ ! -f "$SAMPJS" ] || [ ! -d "$PLAYWRIGHT" ]; } && command -v npm >/dev/null 2>&1; then
  note "npm install sampjs@$SAMPJS_VERSION playwright-core@$PLAYWRIGHT_VERSION (no browser download: Debian's chromium is used)"
  mkdir -p "$WEB_WORK"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 timeout "$T_NPM" npm install --prefix "$WEB_WORK" --no-audit --no-fund \
    "sampjs@$SAMPJS_VERSION" "playwright-core@$PLAYWRIGHT_VERSION" \
    </dev/null >"$TMP/npm.log" 2>&1 || tail_of "$TMP/npm.log" 20 "npm output"
fi
setup_astropy
build_samp_hub
ready=1
[ -n "$CHROMIUM" ] && note "$("$CHROMIUM" --version 2>/dev/null)" || { fail setup-chromium "chromium not installable"; ready=0; }
[ -f "$SAMPJS" ] && note "sampjs $SAMPJS_VERSION from npm" || { fail setup-sampjs "sampjs not installed from npm"; ready=0; }
[ "$SETUP_ASTROPY" = 1 ] && [ "$SAMP_HUB_OK" = 1 ] || ready=0

if [ "$ready" = 1 ] && ! (exec 3<>"/dev/tcp/127.0.0.1/$WEB_PORT") 2>/dev/null; then
  section "browser: sampjs in headless Chromium <-> astropy through samp-hub --web"
  mkdir -p "$TMP/site"
  cp "$WEB_HERE/page.html" "$SAMPJS" "$TMP/site/"
  : >"$TMP/reports.txt"
  timeout -k 5 600 python3 "$WEB_HERE/serve.py" "$TMP/site" "$TMP/site.port" "$TMP/reports.txt" \
    </dev/null >"$TMP/serve.log" 2>&1 &
  PIDS+=("$!")
  for ((i = 0; i < 100; i++)); do [ -s "$TMP/site.port" ] && break; sleep 0.1; done
  SITE_PORT=$(cat "$TMP/site.port" 2>/dev/null)
  ALLOWED="http://localhost:$SITE_PORT"
  OTHER="http://127.0.0.1:$SITE_PORT"
  note "page served at $ALLOWED/page.html (on the allow list) and $OTHER/page.html (not)"
  HUB_EXTRA=(--web --web-port "$WEB_PORT" --web-allow-origin "$ALLOWED")
  if start_hub samp-hub "$TMP/hub" 1; then
    HUB_EXTRA=()
    hub_pid=$HUB_PID

    # An origin not on the allow list: refused (the hub refuses, the browser sees no CORS).
    start_chromium "$OTHER/page.html?tag=other" other
    # (Chromium asks first with a CORS preflight, which the hub refuses; a client that
    # skips it gets a fault from samp.webhub.register: the curl check tests that.)
    if wait_report "other: registration failed" "$T_PAGE" &&
       sed 's/\x1b\[[0-9;]*m//g' "$HUB_LOG" | grep -Eq "refused.*origin=$OTHER|origin $OTHER is not on"; then
      pass browser-refused "a page from $OTHER was refused: $(sed 's/\x1b\[[0-9;]*m//g' "$HUB_LOG" | grep -m1 -E "refused.*origin=$OTHER|origin $OTHER is not on" | sed 's/^.*samp_hub::web[a-z:]*: //' | cut -c1-160); the page saw: $(grep -m1 'other: registration failed' "$TMP/reports.txt" | cut -c 8-)"
    else
      fail browser-refused "the page from $OTHER was not refused as expected"
      tail_of "$TMP/reports.txt" 10 "page reports"
      tail_of "$HUB_LOG" 20 "hub log"
    fi
    stop_pid "$CHROME_PID" 5 || true

    # The allowed origin: registers, gets the table, fetches it, points back.
    start_chromium "$ALLOWED/page.html?tag=allowed" allowed
    if wait_report "allowed: callable, subscribed" "$T_PAGE"; then
      pass browser-register "sampjs page registered from $ALLOWED and subscribed ($(grep -m1 'allowed: registered' "$TMP/reports.txt" | cut -c 10-))"
      in_hub_env "$TMP/hub" timeout -k 5 "$T_PEER" "$PY" "$WEB_HERE/desktop_peer.py" "$TMP" \
        </dev/null >"$TMP/peer.log" 2>&1
      rc=$?
      indent <"$TMP/peer.log"
      if [ "$rc" = 0 ] && grep -q "allowed: fetched through the translator: HTTP 200" "$TMP/reports.txt"; then
        pass browser-exchange "astropy -> page: table.load.votable, fetched through the URL translator (HTTP 200); page -> astropy: coord.pointAt.sky with the table's position"
      else
        fail browser-exchange "$(grep -m1 '^FAILED:' "$TMP/peer.log" | cut -c 9-200) (exit $rc)"
        tail_of "$TMP/reports.txt" 20 "page reports"
        tail_of "$HUB_LOG" 30 "hub log"
      fi
      # The 512 MiB image the peer sent last: streamed whole, the hub's memory flat.
      want="allowed: fetched the image through the translator: HTTP 200, $((512 * 1024 * 1024)) bytes"
      t0=$(now)
      if [ "$rc" = 0 ] && wait_report "$want" "$T_PAGE"; then
        hub_proc=$(tr ' ' '\n' <"/proc/$hub_pid/task/$hub_pid/children" 2>/dev/null | head -n 1)
        peak=$(awk '/^VmHWM:/ {print int($2 / 1024)}' "/proc/$hub_proc/status" 2>/dev/null)
        if [ -n "$peak" ] && [ "$peak" -lt 100 ]; then
          pass browser-large-file "the page streamed a 512 MiB image through the translator in $(secs "$t0" "$(now)") s; hub peak RSS ${peak} MiB"
        else
          fail browser-large-file "hub peak RSS '${peak:-unknown}' MiB (want < 100) after a 512 MiB translation"
        fi
      else
        fail browser-large-file "the page did not report the whole image: $(grep -m1 'allowed: .*image' "$TMP/reports.txt" | tail -n 1 | cut -c1-200)"
        tail_of "$TMP/reports.txt" 10 "page reports"
        tail_of "$HUB_LOG" 20 "hub log"
      fi
    else
      fail browser-register "the page from $ALLOWED did not register"
      tail_of "$TMP/reports.txt" 10 "page reports"
      tail_of "$TMP/chrome-allowed.log" 20 "chromium output"
      tail_of "$HUB_LOG" 20 "hub log"
    fi
    note "page reports:"; indent <"$TMP/reports.txt"
    stop_pid "$CHROME_PID" 5 || true
    stop_hub "$hub_pid" || fail browser-hub-stop "samp-hub did not stop on SIGTERM"
  else
    HUB_EXTRA=()
    fail browser "could not start samp-hub --web: $WAIT_REASON"
  fi
elif [ "$ready" = 1 ]; then
  fail browser "port $WEB_PORT is in use by another process"
fi

# The hub's status page: two astropy clients listed, a notification in the log without a
# reload, a wrong token 404 (playwright-core driving Debian's chromium).
if [ "$ready" = 1 ] && [ -d "$PLAYWRIGHT" ]; then
  section "status page: samp-hub's /status/TOKEN in headless Chromium"
  if start_hub samp-hub "$TMP/status-hub" 1; then
    hub_pid=$HUB_PID
    STATUS_URL=$(lock_value "$HUB_LOCK" samp-hub.status-url)
    note "status page at ${STATUS_URL%/*}/<token> (from the lockfile)"
    in_hub_env "$TMP/status-hub" timeout -k 5 200 "$PY" "$WEB_HERE/status_clients.py" \
      "$TMP/status.ready" "$TMP/status.go" "$TMP/status.done" </dev/null >"$TMP/status-clients.log" 2>&1 &
    cpid=$!
    PIDS+=("$cpid")
    for ((i = 0; i < 600; i++)); do [ -s "$TMP/status.ready" ] && break; alive "$cpid" || break; sleep 0.1; done
    mkdir -p "$WEB_WORK"
    (cd "$WEB_WORK" && cp "$WEB_HERE/status_page.mjs" . &&
      timeout -k 5 120 node status_page.mjs "$CHROMIUM" "$STATUS_URL" "$TMP/status.go" \
        "$TMP/status.done" "$WEB_WORK/status-page.png") </dev/null >"$TMP/status-page.log" 2>&1
    rc=$?
    for ((i = 0; i < 100; i++)); do alive "$cpid" || break; sleep 0.1; done
    alive "$cpid" && stop_pid "$cpid" 2
    indent <"$TMP/status-page.log"
    if [ "$rc" = 0 ] && ! grep -q '^FAILED' "$TMP/status-page.log"; then
      pass status-page "lists both astropy clients (no JavaScript needed), shows their notification live, 404 for a wrong token; screenshot in tests/web/.work/status-page.png"
    else
      fail status-page "$(grep -m1 '^FAILED' "$TMP/status-page.log" | cut -c 9-200) (exit $rc)"
      tail_of "$TMP/status-clients.log" 10 "astropy clients"
      tail_of "$HUB_LOG" 20 "hub log"
    fi
    stop_hub "$hub_pid"
  else
    fail status-page "could not start samp-hub: $WAIT_REASON"
  fi
elif [ "$ready" = 1 ]; then
  fail status-page "playwright-core not installed from npm"
fi

section "summary (browser test)"
for r in "${RESULTS[@]}"; do echo "  $r"; done
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]

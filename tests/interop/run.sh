#!/usr/bin/env bash
# SAMP hub interop suite: JSAMP hubtester/calcstorm and astropy.samp clients
# against a hub under test (default: this repository's samp-hub).
# See tests/interop/README.md. Usage:  bash tests/interop/run.sh
#
# Environment knobs (all optional):
#   INTEROP_HUB=samp-hub|jsamp|astropy   hub under test (default samp-hub)
#   INTEROP_CHECKS=lifecycle,hubtester,calcstorm,compare,astropy   subset to run
#   INTEROP_SKIP_BUILD=1       use the existing target/release/samp-hub as is
#   INTEROP_SAMP_HUB_BIN=PATH  test this samp-hub binary instead (implies no build)
#   INTEROP_NCLIENT / INTEROP_NQUERY   calcstorm size (default 20 / 100)
#   INTEROP_ASTROPY_SPEC       pip requirement for astropy (default astropy==8.0.2)
#   INTEROP_KEEP_TMP=1         keep the private temp dir (logs, lockfiles)
#
# Every step runs under `timeout`; all hubs/clients use private lockfiles in a
# fresh mktemp dir via SAMP_HUB=std-lockurl:file://...; ~/.samp is never used.
# Exits non-zero if any check fails; the last line is "N passed, M failed".

set -uo pipefail   # no -e: each check records PASS/FAIL and the suite goes on
export LC_ALL=C    # '.' as decimal point in $EPOCHREALTIME and awk

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK="$HERE/.work"
VENV="$WORK/venv"
PY="$VENV/bin/python"
JSAMP_JAR=/usr/share/java/jsamp.jar
JAVA_OPTS=(-Djava.awt.headless=true -Djsamp.localhost=127.0.0.1)
SAMP_HUB_BIN=${INTEROP_SAMP_HUB_BIN:-"$ROOT/target/release/samp-hub"}

INTEROP_HUB=${INTEROP_HUB:-samp-hub}
INTEROP_CHECKS=${INTEROP_CHECKS:-lifecycle,hubtester,calcstorm,compare,astropy}
NCLIENT=${INTEROP_NCLIENT:-20}
NQUERY=${INTEROP_NQUERY:-100}
ASTROPY_SPEC=${INTEROP_ASTROPY_SPEC:-astropy==8.0.2}

# Time limits (seconds).
T_APT=900          # apt-get update / install
T_PIP=600          # venv + pip install astropy
T_BUILD=1500       # cargo build --release -p samp-hub
T_HUBTESTER=300
T_CALCSTORM=300
T_PY=120           # astropy client script
T_HUB_READY=30     # hub start -> lockfile written
T_HUB_STOP=10      # SIGTERM -> exit
T_HUB_LIFE=1500    # hard cap on any hub process (safety net if we get SIGKILLed)

case "$INTEROP_HUB" in
  samp-hub) HUB_LABEL=samp-hub ;;
  jsamp)    HUB_LABEL="JSAMP hub" ;;
  astropy)  HUB_LABEL="astropy hub" ;;
  *) echo "run.sh: INTEROP_HUB must be samp-hub, jsamp or astropy (got '$INTEROP_HUB')" >&2; exit 2 ;;
esac

TMP=$(mktemp -d /tmp/samp-interop.XXXXXX) || { echo "run.sh: mktemp failed" >&2; exit 2; }
PIDS=()
PASSED=0
FAILED=0
RESULTS=()

# ---------------------------------------------------------------- helpers

section() { printf '\n==================== %s ====================\n' "$*"; }
note()    { printf '  %s\n' "$*"; }
pass()    { PASSED=$((PASSED + 1)); RESULTS+=("PASS  $1"); printf 'PASS: %s - %s\n' "$1" "$2"; }
fail()    { FAILED=$((FAILED + 1)); RESULTS+=("FAIL  $1"); printf 'FAIL: %s - %s\n' "$1" "$2"; }
want()    { [[ ",$INTEROP_CHECKS," == *",$1,"* ]]; }
now()     { if [ -n "${EPOCHREALTIME:-}" ]; then printf '%s' "$EPOCHREALTIME"; else date +%s.%N; fi; }
secs()    { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
indent()  { sed 's/^/    | /'; }
tail_of() { # file [lines] [title]
  local f=$1 n=${2:-40} t=${3:-$1}
  printf '  --- last %s lines of %s ---\n' "$n" "$t"
  if [ -s "$f" ]; then tail -n "$n" "$f" | indent; else note "(empty)"; fi
}

# Process state from /proc: true while the process exists and is not a zombie.
alive() {
  local st
  st=$(sed -E 's/^.*\) (.).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}

forget_pid() {
  local p keep=()
  for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

# stop_pid PID [grace]: SIGTERM the process (a `timeout` wrapper, which forwards
# the signal to the hub), wait up to grace seconds, then SIGKILL its process
# group (timeout made itself group leader, so that is the wrapper plus the hub).
# Sets STOP_RC (exit status) and STOP_SECS; returns 1 if it had to be killed.
stop_pid() {
  local pid=$1 grace=${2:-$T_HUB_STOP} t0 i forced=0
  t0=$(now)
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < grace * 10; i++)); do alive "$pid" || break; sleep 0.1; done
  if alive "$pid"; then
    forced=1
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  STOP_RC=$?
  STOP_SECS=$(secs "$t0" "$(now)")
  forget_pid "$pid"
  return $forced
}

cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  for p in "${PIDS[@]}"; do
    if alive "$p"; then stop_pid "$p" 5 || true; else wait "$p" 2>/dev/null; fi
  done
  if [ -d "$TMP" ]; then
    # keep the logs of the latest run for inspection / CI artifacts
    rm -rf "$WORK/last-run" && mkdir -p "$WORK/last-run" &&
      (cd "$TMP" && find . -name '*.log' -exec cp --parents {} "$WORK/last-run" \;) 2>/dev/null
    if [ "${INTEROP_KEEP_TMP:-0}" = 1 ]; then
      echo "(kept $TMP)"
    else
      rm -rf "$TMP"
    fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

APT_UPDATED=0
apt_install() { # apt_install PKG... (apt-get update once per run)
  if [ "$APT_UPDATED" = 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive timeout "$T_APT" apt-get update -q </dev/null || return 1
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive timeout "$T_APT" apt-get install -y -q "$@" </dev/null
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else echo "need root (or sudo) for: $*" >&2; return 1
  fi
}

jsamp() { # jsamp CMD ARGS... (never /usr/bin/jsamp: it re-splits quoted args)
  java "${JAVA_OPTS[@]}" -cp "$JSAMP_JAR" org.astrogrid.samp.JSamp "$@"
}

lock_value() { sed -n "s/^$2=//p" "$1" 2>/dev/null | head -n 1; }

# wait_for_lock LOCK PID SECS [STALE_SECRET]: wait until LOCK has a
# samp.hub.xmlrpc.url= line (and a secret other than STALE_SECRET).
# Sets WAIT_REASON on failure.
wait_for_lock() {
  local lock=$1 pid=$2 limit=$3 stale=${4:-} i
  for ((i = 0; i < limit * 10; i++)); do
    if grep -qs '^samp.hub.xmlrpc.url=' "$lock" &&
       { [ -z "$stale" ] || [ "$(lock_value "$lock" samp.secret)" != "$stale" ]; }; then
      return 0
    fi
    if ! alive "$pid"; then
      wait "$pid" 2>/dev/null
      WAIT_REASON="hub process exited (status $?) before writing the lockfile"
      forget_pid "$pid"
      return 1
    fi
    sleep 0.1
  done
  WAIT_REASON="no lockfile with samp.hub.xmlrpc.url after ${limit} s"
  return 1
}

# hub_cmd KIND LOCK VERBOSE -> HUB_CMD array
hub_cmd() {
  case $1 in
    samp-hub) HUB_CMD=("$SAMP_HUB_BIN" --lockfile "$2" --addr 127.0.0.1)
              [ "$3" = 1 ] && HUB_CMD+=(-v) ;;
    jsamp)    HUB_CMD=(java "${JAVA_OPTS[@]}" -cp "$JSAMP_JAR" org.astrogrid.samp.JSamp
                       hub -mode no-gui -profiles std) ;;
    astropy)  HUB_CMD=("$PY" "$HERE/astropy_hub.py" --lockfile "$2") ;;
  esac
}

# start_hub KIND DIR [VERBOSE] [STALE_SECRET]: start a hub owning DIR/lock.
# Sets HUB_PID, HUB_LOCK, HUB_LOG, HUB_URL; returns 1 (WAIT_REASON) on failure.
start_hub() {
  local kind=$1 dir=$2 verbose=${3:-0} stale=${4:-}
  mkdir -p "$dir/home"
  HUB_LOCK="$dir/lock"
  HUB_LOG="$dir/hub.log"
  hub_cmd "$kind" "$HUB_LOCK" "$verbose"
  SAMP_HUB="std-lockurl:file://$HUB_LOCK" HOME="$dir/home" \
    timeout -k 10 "$T_HUB_LIFE" "${HUB_CMD[@]}" </dev/null >"$HUB_LOG" 2>&1 &
  HUB_PID=$!
  PIDS+=("$HUB_PID")
  wait_for_lock "$HUB_LOCK" "$HUB_PID" "$T_HUB_READY" "$stale" || return 1
  HUB_URL=$(lock_value "$HUB_LOCK" samp.hub.xmlrpc.url)
  return 0
}

stop_hub() { # stop_hub PID: SIGTERM, wait; returns 1 if it had to be killed
  [ -n "${1:-}" ] || return 0
  stop_pid "$1" "$T_HUB_STOP"
}

# hub_env DIR: run the remaining args with SAMP_HUB and a private HOME for DIR
in_hub_env() {
  local dir=$1; shift
  mkdir -p "$dir/home"
  env -u XDG_CONFIG_HOME -u XDG_CACHE_HOME \
    SAMP_HUB="std-lockurl:file://$dir/lock" HOME="$dir/home" "$@"
}

# ---------------------------------------------------------------- setup

SETUP_JSAMP=0
SETUP_ASTROPY=0
SETUP_HUB=0

setup_jsamp() {
  section "setup: JSAMP"
  local pkgs=()
  [ -f "$JSAMP_JAR" ] || pkgs+=(jsamp)                           # pulls in a JRE too
  command -v java >/dev/null 2>&1 || pkgs+=(default-jre-headless)
  if [ ${#pkgs[@]} -gt 0 ]; then
    note "apt-get install ${pkgs[*]}"
    apt_install "${pkgs[@]}" >"$TMP/apt.log" 2>&1 || tail_of "$TMP/apt.log" 30 "apt-get output"
  fi
  if [ -f "$JSAMP_JAR" ] && command -v java >/dev/null 2>&1 &&
     timeout 60 jsamp -version </dev/null >"$TMP/jsamp-version.log" 2>&1; then
    note "JSAMP $(sed -n 's/^ *\([0-9][0-9.]*\) *$/\1/p' "$TMP/jsamp-version.log" | head -n 1), $(java -version 2>&1 | head -n 1)"
    SETUP_JSAMP=1
  else
    fail setup-jsamp "JSAMP unavailable ($JSAMP_JAR missing or java not runnable)"
  fi
}

setup_astropy() {
  section "setup: astropy venv ($VENV)"
  if [ -x "$PY" ] && ! timeout 60 "$PY" -c 'import sys' </dev/null >/dev/null 2>&1; then
    note "existing venv is broken; recreating"
    rm -rf "$VENV"
  fi
  if [ ! -x "$PY" ]; then
    mkdir -p "$WORK"
    if ! timeout "$T_PIP" python3 -m venv "$VENV" </dev/null >"$TMP/venv.log" 2>&1; then
      note "python3 -m venv failed; trying to install python3-venv"
      rm -rf "$VENV"
      apt_install python3-venv >>"$TMP/venv.log" 2>&1
      timeout "$T_PIP" python3 -m venv "$VENV" </dev/null >>"$TMP/venv.log" 2>&1 ||
        tail_of "$TMP/venv.log" 20 "venv output"
    fi
  fi
  if [ -x "$PY" ] && ! in_hub_env "$TMP/pycheck" timeout 120 "$PY" -W ignore -c 'import astropy.samp' \
       </dev/null >/dev/null 2>&1; then
    note "pip install $ASTROPY_SPEC"
    timeout "$T_PIP" "$PY" -m pip install --disable-pip-version-check -q "$ASTROPY_SPEC" \
      </dev/null >"$TMP/pip.log" 2>&1 || tail_of "$TMP/pip.log" 30 "pip output"
  fi
  local v
  if [ -x "$PY" ] && v=$(in_hub_env "$TMP/pycheck" timeout 120 "$PY" -W ignore -c \
        'import astropy, astropy.samp, sys; print(astropy.__version__, "on Python", sys.version.split()[0])' \
        </dev/null 2>"$TMP/pycheck.log"); then
    note "astropy $v"
    SETUP_ASTROPY=1
  else
    tail_of "$TMP/pycheck.log" 10 "import error"
    fail setup-astropy "astropy.samp not importable in $VENV"
  fi
}

setup_hub() {
  case "$INTEROP_HUB" in
    jsamp)   SETUP_HUB=$SETUP_JSAMP; return ;;
    astropy) SETUP_HUB=$SETUP_ASTROPY; return ;;
  esac
  section "setup: cargo build --release -p samp-hub"
  if [ "${INTEROP_SKIP_BUILD:-0}" = 1 ] || [ -n "${INTEROP_SAMP_HUB_BIN:-}" ]; then
    note "not building: using the existing $SAMP_HUB_BIN"
  else
    local t0; t0=$(now)
    if (cd "$ROOT" && timeout "$T_BUILD" cargo build --release -p samp-hub) \
         </dev/null >"$TMP/build.log" 2>&1; then
      note "built in $(secs "$t0" "$(now)") s"
    else
      tail_of "$TMP/build.log" 40 "cargo build output"
      fail build "cargo build --release -p samp-hub failed"
      return
    fi
  fi
  if [ -x "$SAMP_HUB_BIN" ]; then
    SETUP_HUB=1
  else
    fail build "$SAMP_HUB_BIN missing"
  fi
}

# needs NAME jsamp|astropy|hub...: report a skipped check as FAIL
needs() {
  local name=$1 what; shift
  for what in "$@"; do
    case $what in
      jsamp)   [ "$SETUP_JSAMP" = 1 ]   || { fail "$name" "not run: JSAMP setup failed"; return 1; } ;;
      astropy) [ "$SETUP_ASTROPY" = 1 ] || { fail "$name" "not run: astropy setup failed"; return 1; } ;;
      hub)     [ "$SETUP_HUB" = 1 ]     || { fail "$name" "not run: $HUB_LABEL unavailable"; return 1; } ;;
    esac
  done
}

# ---------------------------------------------------------------- checks

# Lifecycle: stale lockfile replaced; lockfile mode 0600 and parseable by
# astropy; a second hub on the same lockfile refuses to start; SIGTERM ->
# samp.hub.event.shutdown reaches a client, process exits, lockfile removed.
check_lifecycle() {
  local name=lifecycle dir="$TMP/lifecycle" probs=() info=() watch_pid="" wrc i
  section "lifecycle: $HUB_LABEL start/refuse/stop"
  needs "$name" hub astropy || return
  mkdir -p "$dir"
  local stale=stale-secret-0000
  printf '# stale lockfile left by a dead hub\nsamp.secret=%s\nsamp.hub.xmlrpc.url=http://127.0.0.1:1/xmlrpc\nsamp.profile.version=1.3\n' \
    "$stale" >"$dir/lock"
  chmod 600 "$dir/lock"
  if ! start_hub "$INTEROP_HUB" "$dir" 1 "$stale"; then
    fail "$name" "hub did not replace a stale lockfile: $WAIT_REASON"
    tail_of "$dir/hub.log" 30 "hub log"
    [ -n "${HUB_PID:-}" ] && alive "$HUB_PID" && stop_hub "$HUB_PID"
    return
  fi
  local pid=$HUB_PID
  info+=("stale lockfile replaced")
  note "lockfile: $(grep -v '^#' "$HUB_LOCK" | sed 's/^samp\.secret=.*/samp.secret=<hidden>/' | tr '\n' ' ')"

  local mode; mode=$(stat -c %a "$HUB_LOCK")
  if [ "$mode" = 600 ]; then info+=("mode 0600"); else probs+=("lockfile mode is $mode, want 600"); fi
  local k
  for k in samp.secret samp.hub.xmlrpc.url samp.profile.version; do
    grep -q "^$k=." "$HUB_LOCK" || probs+=("lockfile lacks $k")
  done
  # astropy's read_lockfile does `key, val = line.split("=")` on every line not
  # starting with '#': blank lines or a second '=' make astropy clients crash.
  if grep -v '^#' "$HUB_LOCK" | grep -qv '^[A-Za-z0-9._-]\+=[^=]*$'; then
    probs+=("lockfile has blank lines or extra '=' (astropy cannot parse it)")
  fi

  # A client subscribed to samp.hub.event.shutdown.
  # (a plain command, not a function, so that $! is the timeout wrapper itself)
  env -u XDG_CONFIG_HOME -u XDG_CACHE_HOME SAMP_HUB="std-lockurl:file://$HUB_LOCK" \
    HOME="$dir/home" timeout -k 5 60 "$PY" "$HERE/shutdown_watch.py" "$dir/watch.ready" 40 \
    </dev/null >"$dir/watch.log" 2>&1 &
  watch_pid=$!
  PIDS+=("$watch_pid")
  for ((i = 0; i < 300; i++)); do
    [ -s "$dir/watch.ready" ] && break
    alive "$watch_pid" || break
    sleep 0.1
  done
  if [ ! -s "$dir/watch.ready" ]; then
    probs+=("shutdown watcher could not register: $(tail -n 1 "$dir/watch.log")")
  fi

  # A second hub on the same lockfile must refuse and leave the lockfile alone.
  cp "$HUB_LOCK" "$dir/lock.before"
  hub_cmd "$INTEROP_HUB" "$HUB_LOCK" 1
  in_hub_env "$dir" timeout -k 5 20 "${HUB_CMD[@]}" </dev/null >"$dir/hub2.log" 2>&1
  local rc2=$?
  if [ "$rc2" = 124 ] || [ "$rc2" = 137 ]; then
    probs+=("second hub on a live lockfile did not exit within 20 s")
  elif [ "$rc2" = 0 ]; then
    probs+=("second hub on a live lockfile exited with status 0 (want non-zero)")
  else
    info+=("2nd instance refused (exit $rc2)")
  fi
  if ! cmp -s "$HUB_LOCK" "$dir/lock.before"; then
    probs+=("second hub modified/removed the live hub's lockfile")
  fi
  alive "$pid" || probs+=("first hub died when a second one was started")

  # SIGTERM: shutdown broadcast, exit, lockfile removed.
  if stop_hub "$pid"; then
    info+=("exit ${STOP_SECS} s after SIGTERM")
  else
    probs+=("hub still running ${T_HUB_STOP} s after SIGTERM (killed)")
  fi
  if [ -e "$HUB_LOCK" ]; then probs+=("lockfile not removed on SIGTERM"); else info+=("lockfile removed"); fi
  if [ -n "$watch_pid" ]; then
    for ((i = 0; i < 100; i++)); do alive "$watch_pid" || break; sleep 0.1; done
    if alive "$watch_pid"; then stop_pid "$watch_pid" 2 || true; wrc=timeout
    else wait "$watch_pid"; wrc=$?; forget_pid "$watch_pid"; fi
    if [ "$wrc" = 0 ]; then info+=("shutdown event delivered")
    elif [ -s "$dir/watch.ready" ]; then
      probs+=("client got no samp.hub.event.shutdown ($(tail -n 1 "$dir/watch.log"))")
    fi
  fi

  if [ ${#probs[@]} -eq 0 ]; then
    pass "$name" "$(IFS=,; echo "${info[*]}" | sed 's/,/, /g')"
  else
    fail "$name" "$(IFS=';'; echo "${probs[*]}" | sed 's/;/; /g')"
    tail_of "$dir/hub.log" 30 "hub log"
    tail_of "$dir/hub2.log" 15 "second hub log"
    tail_of "$dir/watch.log" 10 "shutdown watcher output"
  fi
}

check_hubtester() {
  local name=hubtester dir="$TMP/hubtester"
  section "hubtester: JSAMP hubtester against $HUB_LABEL"
  needs "$name" hub jsamp || return
  if ! start_hub "$INTEROP_HUB" "$dir" 1; then
    fail "$name" "could not start $HUB_LABEL: $WAIT_REASON"; tail_of "$HUB_LOG" 30 "hub log"; return
  fi
  local pid=$HUB_PID t0 rc dt nwarn
  t0=$(now)
  in_hub_env "$dir" timeout -k 10 "$T_HUBTESTER" \
    java "${JAVA_OPTS[@]}" -cp "$JSAMP_JAR" org.astrogrid.samp.JSamp hubtester \
    </dev/null >"$dir/hubtester.log" 2>&1
  rc=$?
  dt=$(secs "$t0" "$(now)")
  local hub_alive=1; alive "$pid" || hub_alive=0
  stop_hub "$pid"
  nwarn=$(grep -c WARNING "$dir/hubtester.log")
  if [ "$rc" = 0 ] && [ "$nwarn" = 0 ]; then
    pass "$name" "exit 0, no WARNING, ${dt} s"
  else
    local why="exit $rc"
    [ "$rc" = 124 ] && why="timed out after ${T_HUBTESTER} s (hubtester spin-waits forever if a message/reply is lost)"
    [ "$nwarn" != 0 ] && why="$why, $nwarn WARNING line(s): $(grep -m1 -A1 WARNING "$dir/hubtester.log" | tr '\n' ' ' | cut -c1-160)"
    [ "$hub_alive" = 0 ] && why="$why, hub process had died"
    fail "$name" "$why"
    tail_of "$dir/hubtester.log" 200 "hubtester output"
    tail_of "$HUB_LOG" 40 "hub log"
  fi
}

# run_calcstorm DIR MODE LOGFILE -> CS_RC, CS_SECS (wall), CS_ELAPSED (calcstorm's own)
run_calcstorm() {
  local dir=$1 mode=$2 log=$3 t0
  t0=$(now)
  in_hub_env "$dir" timeout -k 10 "$T_CALCSTORM" \
    java "${JAVA_OPTS[@]}" -cp "$JSAMP_JAR" org.astrogrid.samp.JSamp calcstorm \
    -nclient "$NCLIENT" -nquery "$NQUERY" -mode "$mode" </dev/null >"$log" 2>&1
  CS_RC=$?
  CS_SECS=$(secs "$t0" "$(now)")
  CS_ELAPSED=$(sed -n 's/^Elapsed time: \([0-9]*\) ms.*/\1/p' "$log" | tail -n 1)
}

declare -A CS_TIMES=()
check_calcstorm() {
  local mode name dir
  section "calcstorm: -nclient $NCLIENT -nquery $NQUERY against $HUB_LABEL"
  for mode in sync async notify random; do
    name="calcstorm-$mode"
    needs "$name" hub jsamp || continue
    dir="$TMP/calcstorm-$mode"
    if ! start_hub "$INTEROP_HUB" "$dir" 0; then
      fail "$name" "could not start $HUB_LABEL: $WAIT_REASON"; tail_of "$HUB_LOG" 30 "hub log"; continue
    fi
    local pid=$HUB_PID
    run_calcstorm "$dir" "$mode" "$dir/calcstorm.log"
    local hub_alive=1; alive "$pid" || hub_alive=0
    stop_hub "$pid"
    if [ "$CS_RC" = 0 ]; then
      CS_TIMES[$mode]=$CS_SECS
      pass "$name" "${CS_SECS} s wall (calcstorm: ${CS_ELAPSED:-?} ms)"
    else
      local why="exit $CS_RC after ${CS_SECS} s"
      [ "$CS_RC" = 124 ] && why="timed out after ${T_CALCSTORM} s (calcstorm waits forever for lost messages)"
      [ "$hub_alive" = 0 ] && why="$why, hub process had died"
      fail "$name" "$why"
      tail_of "$dir/calcstorm.log" 30 "calcstorm output"
      tail_of "$HUB_LOG" 30 "hub log"
    fi
  done
}

# calcstorm random against the hub under test vs JSAMP's own hub: two runs
# each, interleaved, best of each compared. FAIL if the hub under test is slower.
check_compare() {
  local name=compare-jsamp
  section "compare: calcstorm random ${NCLIENT}x${NQUERY}, $HUB_LABEL vs JSAMP hub"
  needs "$name" hub jsamp || return
  if want calcstorm && [ -z "${CS_TIMES[random]:-}" ]; then
    # each run could burn its whole ${T_CALCSTORM} s timeout again
    fail "$name" "not run: calcstorm-random already failed against $HUB_LABEL"
    return
  fi
  local dh="$TMP/compare-under-test" dj="$TMP/compare-jsamp" hpid jpid
  if ! start_hub "$INTEROP_HUB" "$dh" 0; then
    fail "$name" "could not start $HUB_LABEL: $WAIT_REASON"; return
  fi
  hpid=$HUB_PID
  if ! start_hub jsamp "$dj" 0; then
    fail "$name" "could not start JSAMP hub: $WAIT_REASON"; tail_of "$HUB_LOG" 20 "JSAMP hub log"
    stop_hub "$hpid"; return
  fi
  jpid=$HUB_PID
  local h=() j=() he=() je=() bad="" r
  for r in 1 2; do
    run_calcstorm "$dh" random "$dh/calcstorm-$r.log"
    [ "$CS_RC" = 0 ] || { bad="$HUB_LABEL run $r exited $CS_RC"; tail_of "$dh/calcstorm-$r.log" 20 "calcstorm output"; break; }
    h+=("$CS_SECS"); he+=("${CS_ELAPSED:-?}")
    run_calcstorm "$dj" random "$dj/calcstorm-$r.log"
    [ "$CS_RC" = 0 ] || { bad="JSAMP hub run $r exited $CS_RC"; tail_of "$dj/calcstorm-$r.log" 20 "calcstorm output"; break; }
    j+=("$CS_SECS"); je+=("${CS_ELAPSED:-?}")
  done
  stop_hub "$hpid"
  stop_hub "$jpid"
  if [ -n "$bad" ]; then fail "$name" "$bad"; return; fi
  local hb jb ratio
  hb=$(printf '%s\n' "${h[@]}" | sort -g | head -n 1)
  jb=$(printf '%s\n' "${j[@]}" | sort -g | head -n 1)
  ratio=$(awk -v a="$jb" -v b="$hb" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  note "runs (wall s): $HUB_LABEL ${h[*]}; JSAMP hub ${j[*]}"
  note "calcstorm's own elapsed (ms): $HUB_LABEL ${he[*]}; JSAMP hub ${je[*]}"
  echo "calcstorm random ${NCLIENT}x${NQUERY}: $HUB_LABEL $hb s, JSAMP hub $jb s, ratio ${ratio}x"
  if awk -v r="$ratio" 'BEGIN { exit !(r >= 1.0) }'; then
    pass "$name" "$HUB_LABEL best $hb s vs JSAMP hub best $jb s (ratio ${ratio}x >= 1.0)"
  else
    fail "$name" "$HUB_LABEL slower than JSAMP's hub: best $hb s vs $jb s (ratio ${ratio}x < 1.0)"
  fi
}

check_astropy() {
  local name=astropy-clients dir="$TMP/astropy"
  section "astropy: two SAMPIntegratedClients via $HUB_LABEL"
  needs "$name" hub astropy || return
  if ! start_hub "$INTEROP_HUB" "$dir" 1; then
    fail "$name" "could not start $HUB_LABEL: $WAIT_REASON"; tail_of "$HUB_LOG" 30 "hub log"; return
  fi
  local pid=$HUB_PID rc t0 dt
  t0=$(now)
  in_hub_env "$dir" timeout -k 10 "$T_PY" "$PY" "$HERE/astropy_clients.py" \
    </dev/null >"$dir/clients.log" 2>&1
  rc=$?
  dt=$(secs "$t0" "$(now)")
  indent <"$dir/clients.log"
  stop_hub "$pid"
  if [ "$rc" = 0 ]; then
    pass "$name" "$(grep -c '^ok:' "$dir/clients.log") assertion groups ok, ${dt} s"
  else
    local why
    why=$(grep -m1 '^FAILED:' "$dir/clients.log" | cut -c 9-220)
    [ "$rc" = 124 ] && why="timed out after ${T_PY} s${why:+ ($why)}"
    fail "$name" "${why:-exit $rc}"
    tail_of "$HUB_LOG" 40 "hub log"
  fi
}

# ---------------------------------------------------------------- main

section "SAMP interop suite: hub under test = $HUB_LABEL (INTEROP_HUB=$INTEROP_HUB)"
note "checks: $INTEROP_CHECKS; temp dir $TMP"
T_START=$(now)

if want hubtester || want calcstorm || want compare || [ "$INTEROP_HUB" = jsamp ]; then
  setup_jsamp
fi
if want astropy || want lifecycle || [ "$INTEROP_HUB" = astropy ]; then
  setup_astropy
fi
setup_hub

want lifecycle && check_lifecycle
want hubtester && check_hubtester
want calcstorm && check_calcstorm
want compare   && check_compare
want astropy   && check_astropy

section "summary ($HUB_LABEL, $(secs "$T_START" "$(now)") s)"
for r in "${RESULTS[@]}"; do echo "  $r"; done
if [ ${#CS_TIMES[@]} -gt 0 ]; then
  line="  calcstorm wall times (s):"
  for m in sync async notify random; do [ -n "${CS_TIMES[$m]:-}" ] && line+=" $m ${CS_TIMES[$m]}"; done
  echo "$line"
fi
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]

# Shared by the interop scripts (run.sh, ../web/run.sh): settings, process
# helpers, PASS/FAIL bookkeeping, and the setup of JSAMP, astropy and samp-hub.
# Source it from bash after setting nothing: it computes HERE/ROOT from its own path.
# shellcheck shell=bash

set -uo pipefail   # no -e: each check records PASS/FAIL and the suite goes on
export LC_ALL=C    # '.' as decimal point in $EPOCHREALTIME and awk

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)   # tests/interop, whoever sources this
ROOT=$(cd "$HERE/../.." && pwd)
WORK="$HERE/.work"
VENV="$WORK/venv"
LAST_RUN=${LAST_RUN:-"$WORK/last-run"}   # where the logs of the latest run are kept
PY="$VENV/bin/python"
JSAMP_JAR=/usr/share/java/jsamp.jar
JAVA_OPTS=(-Djava.awt.headless=true -Djsamp.localhost=127.0.0.1)
SAMP_HUB_BIN=${INTEROP_SAMP_HUB_BIN:-"$ROOT/target/release/samp-hub"}

INTEROP_HUB=${INTEROP_HUB:-samp-hub}
INTEROP_CHECKS=${INTEROP_CHECKS:-lifecycle,hubtester,calcstorm,compare,astropy,clients,web,flood,tls,cli}
CLIENT_HUBS=${INTEROP_CLIENT_HUBS:-samp-hub,jsamp,astropy}
EXAMPLES="$ROOT/target/release/examples"
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
T_STEP=60          # one client step of the `clients` check (astropy script, send, messagesender)
T_APP_READY=30     # Rust example app start -> registered
T_APP_EXIT=5       # hub SIGTERM -> Rust example app exits by itself

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
XFAILED=0
RESULTS=()

# ---------------------------------------------------------------- helpers

section() { printf '\n==================== %s ====================\n' "$*"; }
note()    { printf '  %s\n' "$*"; }
pass()    { PASSED=$((PASSED + 1)); RESULTS+=("PASS  $1"); printf 'PASS: %s - %s\n' "$1" "$2"; }
fail()    { FAILED=$((FAILED + 1)); RESULTS+=("FAIL  $1"); printf 'FAIL: %s - %s\n' "$1" "$2"; }
# a check that failed only because of a documented bug in third-party software
xfail()   { XFAILED=$((XFAILED + 1)); RESULTS+=("XFAIL $1"); printf 'XFAIL: %s - %s\n' "$1" "$2"; }
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
    rm -rf "$LAST_RUN" && mkdir -p "$LAST_RUN" &&
      (cd "$TMP" && find . -name '*.log' -exec cp --parents {} "$LAST_RUN" \;) 2>/dev/null
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
JSAMP_CMD=(java "${JAVA_OPTS[@]}" -cp "$JSAMP_JAR" org.astrogrid.samp.JSamp)  # for env/timeout

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
# (HUB_EXTRA: more arguments for samp-hub, e.g. --web; empty by default)
HUB_EXTRA=()
hub_cmd() {
  case $1 in
    samp-hub) HUB_CMD=("$SAMP_HUB_BIN" --lockfile "$2" --addr 127.0.0.1 "${HUB_EXTRA[@]}")
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

# cargo_build CHECK LOG ARGS...: `cargo build --release ARGS` in the repository, within
# $T_BUILD, output to LOG; notes how long it took, or shows LOG's tail, FAILs CHECK and
# returns 1.
cargo_build() {
  local check=$1 log=$2 t0; shift 2
  t0=$(now)
  if (cd "$ROOT" && timeout "$T_BUILD" cargo build --release "$@") </dev/null >"$log" 2>&1; then
    note "built in $(secs "$t0" "$(now)") s"
  else
    tail_of "$log" 40 "cargo build output"
    fail "$check" "cargo build --release $* failed"
    return 1
  fi
}

# build_samp_hub: build (once per run) and check $SAMP_HUB_BIN -> SAMP_HUB_OK=0/1
SAMP_HUB_OK=""
build_samp_hub() {
  [ -n "$SAMP_HUB_OK" ] && return
  SAMP_HUB_OK=0
  section "setup: cargo build --release -p samp-hub"
  if [ "${INTEROP_SKIP_BUILD:-0}" = 1 ] || [ -n "${INTEROP_SAMP_HUB_BIN:-}" ]; then
    note "not building: using the existing $SAMP_HUB_BIN"
  else
    cargo_build build "$TMP/build.log" -p samp-hub || return
  fi
  if [ -x "$SAMP_HUB_BIN" ]; then
    SAMP_HUB_OK=1
  else
    fail build "$SAMP_HUB_BIN missing"
  fi
}

setup_hub() {
  case "$INTEROP_HUB" in
    jsamp)    SETUP_HUB=$SETUP_JSAMP ;;
    astropy)  SETUP_HUB=$SETUP_ASTROPY ;;
    samp-hub) build_samp_hub; SETUP_HUB=$SAMP_HUB_OK ;;
  esac
}

# setup_examples: build the Rust example apps the `clients` check runs (viewer only
# if examples/viewer.rs exists) -> SETUP_EXAMPLES=0/1, HAVE_VIEWER=0/1
SETUP_EXAMPLES=0
HAVE_VIEWER=0
setup_examples() {
  # With `tls`: the tls checks send over HTTPS with examples/send (and the hub is built
  # with it too, so the shared crates are compiled once for both).
  local ex=(--features tls --example echo --example send) e
  [ -f "$ROOT/examples/viewer.rs" ] && { HAVE_VIEWER=1; ex+=(--example viewer); }
  section "setup: cargo build --release ${ex[*]}"
  if [ "${INTEROP_SKIP_BUILD:-0}" = 1 ]; then
    note "not building: using the existing binaries in $EXAMPLES"
  else
    cargo_build build-examples "$TMP/build-examples.log" "${ex[@]}" || return
  fi
  for e in echo send $([ "$HAVE_VIEWER" = 1 ] && echo viewer); do
    [ -x "$EXAMPLES/$e" ] || { fail build-examples "$EXAMPLES/$e missing"; return; }
  done
  SETUP_EXAMPLES=1
}

# needs NAME jsamp|astropy|hub...: report a skipped check as FAIL
needs() {
  local name=$1 what; shift
  for what in "$@"; do
    case $what in
      jsamp)   [ "$SETUP_JSAMP" = 1 ]   || { fail "$name" "not run: JSAMP setup failed"; return 1; } ;;
      astropy) [ "$SETUP_ASTROPY" = 1 ] || { fail "$name" "not run: astropy setup failed"; return 1; } ;;
      hub)     [ "$SETUP_HUB" = 1 ]     || { fail "$name" "not run: $HUB_LABEL unavailable"; return 1; } ;;
      examples) [ "$SETUP_EXAMPLES" = 1 ] || { fail "$name" "not run: example apps not built"; return 1; } ;;
    esac
  done
}


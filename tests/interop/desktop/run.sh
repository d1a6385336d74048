#!/usr/bin/env bash
# Desktop interop: TOPCAT, SAOImage DS9 and Aladin, headless under xvfb-run, through
# this repository's samp-hub, checked by examples/desktop_probe/ (samp::mtypes against
# the real applications, both directions). See README.md next to this file.
#
#   bash tests/interop/desktop/run.sh                 # from any directory
#   DESKTOP_APPS=ds9,aladin bash tests/interop/desktop/run.sh
#
# Knobs (all optional):
#   DESKTOP_APPS=topcat,ds9,aladin   the applications to start and check
#   DESKTOP_SKIP_BUILD=1             use the existing release binaries
#   DESKTOP_SAMP_HUB_BIN=PATH        run this samp-hub (implies no build of the hub)
#   DESKTOP_KEEP_TMP=1               keep the private temp dir (logs, lockfile, data)
#
# Installs what is missing with apt-get (as root or through sudo -n): xvfb, xauth, the
# applications, python3. Every process gets a private HOME; the hub and the probe bind
# 127.0.0.1; the lockfile is private (SAMP_HUB=std-lockurl:...; Aladin, which reads only
# $HOME/.samp, gets a copy there). Every wait is bounded; an EXIT trap stops the process
# groups this script started, by PID. Prints PASS/FAIL/SKIP lines and "N passed, M failed";
# exits 1 if anything failed.

set -uo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
APPS=${DESKTOP_APPS:-topcat,ds9,aladin}
HUB_BIN=${DESKTOP_SAMP_HUB_BIN:-"$ROOT/target/release/samp-hub"}
PROBE_BIN="$ROOT/target/release/examples/desktop_probe"

T_APT=900        # apt-get update / install
T_BUILD=1500     # each cargo build
T_HUB_READY=30   # hub start -> lockfile
T_APP_READY=120  # application start -> registered with the hub
T_PROBE=600      # all the probe's checks
T_STOP=15        # SIGTERM -> exit
T_LIFE=3600      # hard cap on any process started here

TMP=$(mktemp -d /tmp/samp-desktop.XXXXXX) || { echo "run.sh: mktemp failed" >&2; exit 2; }
LOCK="$TMP/lock"
export SAMP_HUB="std-lockurl:file://$LOCK"
PIDS=()          # process groups we started (each led by a `timeout`)
PASSED=0
FAILED=0
T0=$SECONDS

pass() { PASSED=$((PASSED + 1)); printf 'PASS: %s - %s\n' "$1" "$2"; }
fail() { FAILED=$((FAILED + 1)); printf 'FAIL: %s - %s\n' "$1" "$2"; }
note() { printf '  %s\n' "$*"; }
want() { [[ ",$APPS," == *",$1,"* ]]; }
tail_of() { # FILE [LINES]
  printf '  --- last %s lines of %s ---\n' "${2:-25}" "$1"
  tail -n "${2:-25}" "$1" 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g; s/^/    | /'
}
alive() { # PID: exists and is not a zombie
  local st
  st=$(sed -E 's/^.*\) (.).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}

# stop_group PID: SIGTERM the process group PID leads (a `timeout` we started, with
# everything under it), wait up to T_STOP s, then SIGKILL the group. STOP_FORCED=1 if so.
stop_group() {
  local pid=$1 i
  STOP_FORCED=0
  kill -TERM -- "-$pid" 2>/dev/null
  for ((i = 0; i < T_STOP * 10; i++)); do alive "$pid" || break; sleep 0.1; done
  if alive "$pid"; then
    STOP_FORCED=1
    kill -KILL -- "-$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  local keep=() p
  for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  for p in "${PIDS[@]}"; do stop_group "$p"; done
  if [ "${DESKTOP_KEEP_TMP:-0}" = 1 ] || [ "$FAILED" != 0 ]; then
    echo "(logs kept in $TMP)"
  else
    rm -rf "$TMP"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else echo "need root (or sudo) for: $*" >&2; return 1
  fi
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# start_group NAME CMD...: run CMD (with the environment given by the caller through
# `env`) under `timeout`, which leads a new process group; log to $TMP/NAME.log.
start_group() {
  local name=$1; shift
  timeout -k 10 "$T_LIFE" "$@" </dev/null >"$TMP/$name.log" 2>&1 &
  STARTED=$!
  PIDS+=("$STARTED")
}

registrations() { sed 's/\x1b\[[0-9;]*m//g' "$TMP/hub.log" 2>/dev/null | grep -c ' registered client='; }

# ---------------------------------------------------------------- 1. install

echo "== desktop interop: $APPS (temp dir $TMP)"
for app in ${APPS//,/ }; do
  case $app in topcat|ds9|aladin) ;; *) fail "$app" "unknown application (DESKTOP_APPS: topcat,ds9,aladin)" ;; esac
done
pkgs=()
for p in xvfb xauth; do installed "$p" || pkgs+=("$p"); done
want topcat && { installed topcat || pkgs+=(topcat); }
want ds9 && { installed saods9 || pkgs+=(saods9); }
want aladin && { installed aladin || pkgs+=(aladin); }
command -v python3 >/dev/null 2>&1 || pkgs+=(python3)
if [ ${#pkgs[@]} -gt 0 ]; then
  note "apt-get install ${pkgs[*]}"
  if ! { as_root env DEBIAN_FRONTEND=noninteractive timeout "$T_APT" apt-get update -q &&
         as_root env DEBIAN_FRONTEND=noninteractive timeout "$T_APT" apt-get install -y -q "${pkgs[@]}"; } \
       </dev/null >"$TMP/apt.log" 2>&1; then
    tail_of "$TMP/apt.log" 30
    fail install "apt-get install ${pkgs[*]} failed"
  fi
fi
for tool in xvfb-run xauth python3; do
  command -v "$tool" >/dev/null 2>&1 || fail install "$tool is not available"
done

# ---------------------------------------------------------------- 2. build

if [ "${DESKTOP_SKIP_BUILD:-0}" != 1 ]; then
  # The same features and packages as the interop suite's builds, so CI compiles the
  # shared crates once (and keeps one copy of them on disk).
  builds=("cargo build --release --features tls --example desktop_probe")
  [ -z "${DESKTOP_SAMP_HUB_BIN:-}" ] && builds+=("cargo build --release -p samp-hub")
  for b in "${builds[@]}"; do
    note "$b"
    # shellcheck disable=SC2086  # $b is one of the two literal commands above
    if ! (cd "$ROOT" && timeout "$T_BUILD" $b) </dev/null >>"$TMP/build.log" 2>&1; then
      tail_of "$TMP/build.log" 40
      fail build "$b failed"
    fi
  done
fi
for bin in "$HUB_BIN" "$PROBE_BIN"; do [ -x "$bin" ] || fail build "$bin is missing"; done
[ "$FAILED" = 0 ] || { echo "$PASSED passed, $FAILED failed"; exit 1; }

# ---------------------------------------------------------------- 3. data

mkdir -p "$TMP/data"
cp "$HERE/table.vot" "$TMP/data/table.vot"
if ! timeout 60 python3 "$HERE/make_image.py" "$TMP/data/image.fits" </dev/null >"$TMP/data.log" 2>&1; then
  tail_of "$TMP/data.log"
  fail data "make_image.py failed"
fi

# ---------------------------------------------------------------- 4. hub and applications

mkdir -p "$TMP/home-hub"
start_group hub env HOME="$TMP/home-hub" "$HUB_BIN" --lockfile "$LOCK" --addr 127.0.0.1 -v
HUB_PID=$STARTED
for ((i = 0; i < T_HUB_READY * 10; i++)); do
  grep -qs '^samp.hub.xmlrpc.url=' "$LOCK" && break
  alive "$HUB_PID" || break
  sleep 0.1
done
if grep -qs '^samp.hub.xmlrpc.url=' "$LOCK"; then
  pass hub "samp-hub at $(sed -n 's/^samp.hub.xmlrpc.url=//p' "$LOCK")"
else
  tail_of "$TMP/hub.log"
  fail hub "no lockfile after ${T_HUB_READY} s"
  echo "$PASSED passed, $FAILED failed"
  exit 1
fi

XVFB=(xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp")
# One at a time, each until it has registered: xvfb-run -a picks a free display number,
# and a second one started at the same moment could pick the same.
for app in topcat ds9 aladin; do
  want "$app" || continue
  home="$TMP/home-$app"
  mkdir -p "$home/tmp"
  case $app in
    topcat) cmd=(topcat -Djava.io.tmpdir="$home/tmp" -Djsamp.localhost=127.0.0.1 -nohub -samp) ;;
    ds9)    cmd=(ds9 -samp connect) ;;    # DS9 honours SAMP_HUB; TMP is its temp dir
    aladin) install -m 600 "$LOCK" "$home/.samp"  # Aladin reads only ~/.samp
            cmd=(java -Xmx1024m -Duser.home="$home" -Djava.io.tmpdir="$home/tmp"
                 -jar /usr/share/java/aladin.jar -nohub -local) ;;
  esac
  before=$(registrations)
  start_group "$app" env HOME="$home" TMP="$home/tmp" "${XVFB[@]}" "${cmd[@]}"
  pid=$STARTED t=$SECONDS
  while [ "$(registrations)" -le "$before" ] && alive "$pid" &&
        [ $((SECONDS - t)) -lt "$T_APP_READY" ]; do
    sleep 0.2
  done
  if [ "$(registrations)" -gt "$before" ]; then
    pass "$app" "started under xvfb-run, registered after $((SECONDS - t)) s"
  else
    tail_of "$TMP/$app.log"
    fail "$app" "not registered with the hub within ${T_APP_READY} s"
  fi
done

# ---------------------------------------------------------------- 5. the probe

probe_apps=""
for app in topcat ds9 aladin; do
  want "$app" && probe_apps="$probe_apps,$app"
done
mkdir -p "$TMP/home-probe"
note "desktop_probe --apps ${probe_apps#,}"
(cd "$TMP" && HOME="$TMP/home-probe" timeout -k 10 "$T_PROBE" "$PROBE_BIN" \
   --apps "${probe_apps#,}" --table "$TMP/data/table.vot" --image "$TMP/data/image.fits") \
   </dev/null 2>&1 | tee "$TMP/probe.log"
probe_rc=${PIPESTATUS[0]}
probe_pass=$(grep -c '^PASS:' "$TMP/probe.log")
probe_fail=$(grep -c '^FAIL:' "$TMP/probe.log")
PASSED=$((PASSED + probe_pass))
FAILED=$((FAILED + probe_fail))
if [ "$probe_rc" != 0 ] && [ "$probe_fail" = 0 ]; then
  fail probe "desktop_probe exited with status $probe_rc and no FAIL line"
fi

# ---------------------------------------------------------------- 6. shut down

stop_group "$HUB_PID"
if [ "$STOP_FORCED" = 0 ] && [ ! -e "$LOCK" ]; then
  pass shutdown "samp-hub exited on SIGTERM and removed its lockfile"
else
  fail shutdown "samp-hub: killed=$STOP_FORCED, lockfile left=$([ -e "$LOCK" ] && echo yes || echo no)"
fi
stuck=""
for pid in "${PIDS[@]}"; do
  stop_group "$pid"
  [ "$STOP_FORCED" = 1 ] && stuck="$stuck $pid"
done
[ -n "$stuck" ] && note "had to SIGKILL the process groups of:$stuck"

if [ "$FAILED" != 0 ]; then
  for log in hub topcat ds9 aladin; do [ -s "$TMP/$log.log" ] && tail_of "$TMP/$log.log" 15; done
fi
echo "run time $((SECONDS - T0)) s"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]

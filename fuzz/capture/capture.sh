#!/usr/bin/env bash
# Captures real XML-RPC documents exchanged by other SAMP implementations, for the fuzz
# seed corpora. See fuzz/seeds/README.md for what came from where.
#
#   bash fuzz/capture/capture.sh [OUTDIR]        (default OUTDIR: /tmp/samp-capture)
#
# For each hub (JSAMP's, astropy's, and this repository's samp-hub if it is built) it
# starts the hub with a private lockfile and HOME, puts proxy.py in front of it (each
# client reads a lockfile naming the proxy; callbacks are routed through it too), and
# runs clients: JSAMP hubtester, snooper, messagesender and calcstorm, TOPCAT and DS9
# (under Xvfb), and astropy_session.py. Every request and response body lands in
# OUTDIR/<hub>/, the hubs' lockfiles (and their SAMP_HUB/HOME) in OUTDIR/lockfiles/.
#
# Isolation: the whole run happens inside a private network namespace (unshare --net,
# loopback only), so no server started here is reachable from outside, not even one that
# binds every interface (DS9's callback server does: Tcl `socket -server`, no -myaddr).
# ~/.samp is never used: SAMP_HUB names a private lockfile, HOME is private. Only processes started
# here are stopped, by PID. Needs root (for unshare), java + jsamp, topcat, saods9, xvfb,
# and python3 (a venv with astropy==8.0.2 is made in the work dir unless CAPTURE_PY names
# a python that has astropy).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${1:-/tmp/samp-capture}
OUT=$(mkdir -p "$OUT" && cd "$OUT" && pwd)

# Re-run ourselves inside a fresh network namespace with only loopback up.
if [ -z "${CAPTURE_IN_NETNS:-}" ]; then
  exec unshare --net -- env CAPTURE_IN_NETNS=1 bash -c \
    'ip link set lo up && exec bash "$0" "$1"' "${BASH_SOURCE[0]}" "$OUT" </dev/null
fi

WORK=$(mktemp -d /tmp/samp-capture-work.XXXXXX)
JAVA=(java -Djava.awt.headless=true -Djsamp.localhost=127.0.0.1)
JSAMP=("${JAVA[@]}" -cp /usr/share/java/jsamp.jar org.astrogrid.samp.JSamp)
SAMP_HUB_BIN="$ROOT/target/release/samp-hub"
PIDS=()

log() { printf '[capture] %s\n' "$*"; }

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  sleep 1
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  [ -n "${CAPTURE_KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A python with astropy.
PY=${CAPTURE_PY:-}
if [ -z "$PY" ]; then
  PY="$WORK/venv/bin/python"
  log "making a venv with astropy==8.0.2"
  python3 -m venv "$WORK/venv" && "$WORK/venv/bin/pip" install -q astropy==8.0.2 \
    || { log "pip install astropy failed"; exit 1; }
fi

# A VOTable for TOPCAT to load.
VOT="$WORK/capture.vot"
cat >"$VOT" <<'EOF'
<?xml version="1.0"?>
<VOTABLE version="1.3" xmlns="http://www.ivoa.net/xml/VOTable/v1.3">
 <RESOURCE><TABLE name="capture">
  <FIELD name="id" datatype="int"/><FIELD name="ra" datatype="double" unit="deg"/>
  <FIELD name="dec" datatype="double" unit="deg"/><FIELD name="name" datatype="char" arraysize="*"/>
  <DATA><TABLEDATA>
   <TR><TD>1</TD><TD>10.5</TD><TD>-20.25</TD><TD>alpha</TD></TR>
   <TR><TD>2</TD><TD>180.0</TD><TD>45.0</TD><TD>beta &amp; gamma</TD></TR>
   <TR><TD>3</TD><TD>359.9</TD><TD>-89.9</TD><TD>delta</TD></TR>
  </TABLEDATA></DATA>
 </TABLE></RESOURCE>
</VOTABLE>
EOF

# An X server for TOPCAT and DS9 (unix socket only).
DISPLAY_NUM=:77
Xvfb "$DISPLAY_NUM" -nolisten tcp -screen 0 1280x1024x24 >"$WORK/xvfb.log" 2>&1 &
PIDS+=($!)
export DISPLAY=$DISPLAY_NUM

wait_file() { # wait_file PATH SECONDS
  local i
  for ((i = 0; i < $2 * 10; i++)); do [ -s "$1" ] && return 0; sleep 0.1; done
  return 1
}

# client_env DIR LABEL: sets CENV, the environment of client LABEL: a private HOME and a
# lockfile that names the proxy. Run it as `env "${CENV[@]}" CMD...`.
client_env() {
  local dir=$1 label=$2
  local cdir="$dir/clients/$label"
  mkdir -p "$cdir/home"
  sed "s|^samp\.hub\.xmlrpc\.url=.*|samp.hub.xmlrpc.url=$PROXY_BASE/c/$label|" "$dir/hublock" >"$cdir/lock"
  chmod 600 "$cdir/lock"
  CENV=(-u XDG_CONFIG_HOME -u XDG_CACHE_HOME SAMP_HUB="std-lockurl:file://$cdir/lock"
        HOME="$cdir/home" CAPTURE_VOTABLE="$VOT")
}

# registered KIND LABEL: whether client LABEL has declared its subscriptions yet.
registered() {
  compgen -G "$OUT/$1/*-$2-call-samp.hub.declareSubscriptions.xml" >/dev/null
}

# session KIND: one hub, the proxy, and the clients.
session() {
  local kind=$1 dir="$WORK/$1" hub_pid proxy_pid gui_pids=()
  mkdir -p "$dir/home" "$OUT/$kind" "$OUT/lockfiles"
  log "=== hub: $kind"
  local hubcmd
  case $kind in
    jsamp) hubcmd=("${JSAMP[@]}" hub -mode no-gui -profiles std) ;;
    astropy) hubcmd=("$PY" "$ROOT/tests/interop/astropy_hub.py" --lockfile "$dir/hublock") ;;
    samp-hub) hubcmd=("$SAMP_HUB_BIN" --lockfile "$dir/hublock" --addr 127.0.0.1) ;;
  esac
  SAMP_HUB="std-lockurl:file://$dir/hublock" HOME="$dir/home" \
    timeout -k 5 1800 "${hubcmd[@]}" </dev/null >"$dir/hub.log" 2>&1 &
  hub_pid=$!
  PIDS+=("$hub_pid")
  if ! wait_file "$dir/hublock" 60; then
    log "hub $kind did not write its lockfile"; tail -n 20 "$dir/hub.log"; return 1
  fi
  sleep 1
  cp "$dir/hublock" "$OUT/lockfiles/$kind.lock"
  # The hub's SAMP_HUB and HOME, one a line (the form the lockfile fuzz target reads).
  printf 'std-lockurl:file://%s\n%s\n' "$dir/hublock" "$dir/home" >"$OUT/lockfiles/$kind.env"

  "$PY" "$HERE/proxy.py" --hub-lockfile "$dir/hublock" --out "$OUT/$kind" \
    --ready "$dir/proxy.ready" >"$dir/proxy.log" 2>&1 &
  proxy_pid=$!
  PIDS+=("$proxy_pid")
  wait_file "$dir/proxy.ready" 20 || { log "proxy did not start"; cat "$dir/proxy.log"; return 1; }
  PROXY_BASE=$(cat "$dir/proxy.ready")

  log "hubtester"
  client_env "$dir" hubtester; env "${CENV[@]}" timeout -k 5 300 "${JSAMP[@]}" hubtester \
    >"$dir/hubtester.log" 2>&1 </dev/null
  log "  exit $? ($(grep -c WARNING "$dir/hubtester.log") WARNING lines)"

  # Long-lived listeners: JSAMP's snooper, TOPCAT, DS9.
  client_env "$dir" snooper; env "${CENV[@]}" timeout -k 5 600 "${JSAMP[@]}" snooper -clientname "capture snooper" \
    >"$dir/snooper.log" 2>&1 </dev/null &
  gui_pids+=($!); PIDS+=($!)
  client_env "$dir" topcat; env "${CENV[@]}" timeout -k 5 600 topcat -Djsamp.localhost=127.0.0.1 \
    >"$dir/topcat.log" 2>&1 </dev/null &
  gui_pids+=($!); PIDS+=($!)
  client_env "$dir" ds9; env "${CENV[@]}" timeout -k 5 600 ds9 -xpa no -samp connect \
    >"$dir/ds9.log" 2>&1 </dev/null &
  gui_pids+=($!); PIDS+=($!)
  log "waiting for snooper, TOPCAT and DS9 to register"
  local i label
  for ((i = 0; i < 90; i++)); do
    registered "$kind" topcat && registered "$kind" ds9 && registered "$kind" snooper && break
    sleep 1
  done
  sleep 3
  for label in topcat ds9 snooper; do
    if registered "$kind" "$label"; then log "  $label registered"
    else log "  $label did NOT register (see $OUT/logs/$kind/$label.log)"; fi
  done

  log "astropy session (with peers)"
  client_env "$dir" astropy; env "${CENV[@]}" timeout -k 5 300 "$PY" "$HERE/astropy_session.py" --peers \
    >"$dir/astropy.log" 2>&1 </dev/null
  log "  exit $?: $(grep -c '^ok:' "$dir/astropy.log") ok, $(grep -c '^fault' "$dir/astropy.log") faults"

  log "messagesender"
  local ms=(timeout -k 5 60 "${JSAMP[@]}" messagesender)
  client_env "$dir" msgsender; env "${CENV[@]}" "${ms[@]}" -mtype samp.app.ping -mode sync \
    >>"$dir/msgsender.log" 2>&1 </dev/null
  client_env "$dir" msgsender; env "${CENV[@]}" "${ms[@]}" -mtype table.load.votable -mode async \
    -param url "file://$VOT" -param table-id ms-t1 -param name "sent by messagesender" \
    >>"$dir/msgsender.log" 2>&1 </dev/null
  client_env "$dir" msgsender; env "${CENV[@]}" "${ms[@]}" -mtype coord.pointAt.sky -mode notify \
    -param ra 83.63 -param dec 22.01 >>"$dir/msgsender.log" 2>&1 </dev/null
  client_env "$dir" msgsender; env "${CENV[@]}" "${ms[@]}" -mtype ds9.get -mode sync -targetname SAOImageDS9 \
    -param cmd version -sendername "capture sender" -sendermeta x-capture.key "a <b> & c" \
    >>"$dir/msgsender.log" 2>&1 </dev/null
  client_env "$dir" msgsender; env "${CENV[@]}" "${ms[@]}" -mtype x-capture.unknown -mode sync \
    >>"$dir/msgsender.log" 2>&1 </dev/null

  log "calcstorm"
  client_env "$dir" calcstorm; env "${CENV[@]}" timeout -k 5 300 "${JSAMP[@]}" calcstorm -nclient 3 -nquery 8 -mode random \
    >"$dir/calcstorm.log" 2>&1 </dev/null
  log "  exit $?"

  local p
  for p in "${gui_pids[@]}"; do kill "$p" 2>/dev/null; done
  sleep 2
  kill "$hub_pid" 2>/dev/null   # hub shutdown: samp.hub.event.shutdown to the clients left
  sleep 3
  kill "$proxy_pid" 2>/dev/null
  for p in "${gui_pids[@]}" "$hub_pid" "$proxy_pid"; do
    for ((i = 0; i < 50; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
  done
  mkdir -p "$OUT/logs/$kind"
  cp "$dir"/*.log "$OUT/logs/$kind/" 2>/dev/null
  log "  $(ls "$OUT/$kind" | wc -l) documents captured"
}

HUBS=${CAPTURE_HUBS:-jsamp astropy samp-hub}
for h in $HUBS; do
  if [ "$h" = samp-hub ] && [ ! -x "$SAMP_HUB_BIN" ]; then
    log "skipping samp-hub: $SAMP_HUB_BIN not built (cargo build --release -p samp-hub)"
    continue
  fi
  session "$h"
done
log "done: $OUT"

# The `cli` checks of the interop suite (sourced by run.sh after lib.sh): the `samp`
# command line (package samp-cli) with JSAMP's own tools, through samp-hub:
#   (a) `samp send` notifies JSAMP's snooper, which logs the MType and params, and calls
#       it with --mode sync (JSAMP answers; the JSON line is read with python3's json);
#   (b) JSAMP's messagesender notifies and calls (sync) `samp snoop --json`, whose lines
#       are read with python3's json: mtype, params, kind and the sender's name;
#   (c) `samp clients --json` lists the snooper.
# Every step runs under `timeout`; background processes are stopped by PID.
# shellcheck shell=bash

SAMP_CLI_BIN=${INTEROP_SAMP_CLI_BIN:-"$ROOT/target/release/samp"}
T_CLI_READY=30     # JSAMP snooper / samp snoop start -> registered

# build_samp_cli: build (once per run) and check $SAMP_CLI_BIN; returns 1 (and FAILs) if
# it is not there.
CLI_BUILT=""
build_samp_cli() {
  if [ -n "$CLI_BUILT" ]; then [ "$CLI_BUILT" = 1 ]; return; fi
  CLI_BUILT=0
  if [ "${INTEROP_SKIP_BUILD:-0}" = 1 ] || [ -n "${INTEROP_SAMP_CLI_BIN:-}" ]; then
    note "not building: using the existing $SAMP_CLI_BIN"
  else
    cargo_build cli-build "$TMP/build-cli.log" -p samp-cli || return 1
  fi
  [ -x "$SAMP_CLI_BIN" ] || { fail cli-build "$SAMP_CLI_BIN missing"; return 1; }
  CLI_BUILT=1
}

# cli_json FILE PYTHON-EXPRESSION...: python3 reads FILE as JSON lines (or one JSON
# document) into `lines`, runs the code (which prints what it found and exits non-zero
# on a mismatch).
cli_json() {
  local file=$1 code=$2
  timeout 30 python3 -c "
import json, sys
text = open(sys.argv[1], encoding='utf-8').read()
lines = [json.loads(l) for l in text.splitlines() if l.strip()]
$code
" "$file"
}

# cli_wait SECS CMD...: run CMD every 0.2 s until it succeeds, at most SECS seconds.
cli_wait() {
  local limit=$1 i; shift
  for ((i = 0; i < limit * 5; i++)); do "$@" && return 0; sleep 0.2; done
  return 1
}

check_cli() {
  section "cli: the samp command line with JSAMP's snooper and messagesender ($HUB_LABEL)"
  if [ "$INTEROP_HUB" != samp-hub ]; then
    note "skipped: the cli checks run through samp-hub only (INTEROP_HUB=$INTEROP_HUB)"
    return
  fi
  needs cli hub jsamp || return
  build_samp_cli || return
  local dir="$TMP/cli" hpid spid npid rc out snoop_bad=0
  if ! start_hub samp-hub "$dir" 1; then
    fail cli "could not start samp-hub: $WAIT_REASON"; tail_of "$HUB_LOG" 20 "hub log"; return
  fi
  hpid=$HUB_PID
  local env_hub=(env -u XDG_CONFIG_HOME -u XDG_CACHE_HOME
                 SAMP_HUB="std-lockurl:file://$dir/lock" HOME="$dir/home")
  local samp=(in_hub_env "$dir" timeout -k 5 "$T_STEP" "$SAMP_CLI_BIN")

  # JSAMP's snooper: logs every message it gets on stdout. (A plain command in the
  # background, not a function, so that $! is the timeout wrapper itself.)
  "${env_hub[@]}" timeout -k 5 300 "${JSAMP_CMD[@]}" snooper -clientname jsamp-snooper \
    </dev/null >"$dir/snooper.log" 2>&1 &
  spid=$!
  PIDS+=("$spid")
  # (c) and readiness: `samp clients --json` lists the snooper once it has registered.
  cli_snooper_listed() {
    "${samp[@]}" clients --json </dev/null >"$dir/clients.json" 2>"$dir/clients.err" &&
      cli_json "$dir/clients.json" "
rows = [r for r in lines[0] if r.get('name') == 'jsamp-snooper']
if len(rows) != 1 or rows[0]['callable'] is not True or rows[0]['subscriptions'] < 1:
    sys.exit(1)
print(rows[0]['id'], 'jsamp-snooper, callable,', rows[0]['subscriptions'], 'subscriptions, of', len(lines[0]), 'clients')
" >"$dir/clients.found" 2>&1
  }
  if cli_wait "$T_CLI_READY" cli_snooper_listed; then
    pass cli-clients "samp clients --json lists $(cat "$dir/clients.found")"
  else
    fail cli-clients "samp clients --json did not list jsamp-snooper within ${T_CLI_READY} s: $(tr '\n' ' ' <"$dir/clients.json" | cut -c1-200) $(tr '\n' ' ' <"$dir/clients.err" | cut -c1-200)"
    tail_of "$dir/snooper.log" 20 "snooper output"
  fi

  # (a) samp send -> snooper: a notification with params, then a synchronous call.
  "${samp[@]}" send test.cli.notify greeting=hello 'list=[1, "two"]' 'map={"k": "v"}' \
    --to JSAMP-SNOOPER </dev/null >"$dir/send.log" 2>&1
  rc=$?
  cli_snooper_got() {
    grep -q '"samp.mtype": "test.cli.notify"' "$dir/snooper.log" &&
      grep -q '"greeting": "hello"' "$dir/snooper.log" &&
      grep -q '"two"' "$dir/snooper.log" && grep -q '"k": "v"' "$dir/snooper.log"
  }
  if [ "$rc" = 0 ] && grep -q ': notified' "$dir/send.log" && cli_wait 10 cli_snooper_got; then
    pass cli-send-notify "samp send --to JSAMP-SNOOPER: snooper logged test.cli.notify with greeting=hello, list [\"1\",\"two\"], map {k: v}"
  else
    fail cli-send-notify "exit $rc ($(tr '\n' ' ' <"$dir/send.log" | cut -c1-200)); snooper log has the message: $(cli_snooper_got && echo yes || echo no)"
    tail_of "$dir/snooper.log" 30 "snooper output"
  fi
  "${samp[@]}" send test.cli.sync q=42 --to jsamp-snooper --mode sync --json \
    </dev/null >"$dir/send-sync.json" 2>"$dir/send-sync.err"
  rc=$?
  if [ "$rc" = 0 ] && out=$(cli_json "$dir/send-sync.json" "
[l] = lines
assert l['name'] == 'jsamp-snooper', l
assert l['status'] in ('samp.ok', 'samp.warning'), l
assert l['response']['samp.status'] == l['status'], l
print(l['id'], l['status'], json.dumps(l['response'].get('samp.error', {}).get('samp.errortxt', '')))
" 2>&1) && grep -q '"samp.mtype": "test.cli.sync"' "$dir/snooper.log"; then
    pass cli-send-sync "samp send --mode sync --json: the snooper answered: $out"
  else
    fail cli-send-sync "exit $rc: $(tail -n 1 <<<"$out") $(tr '\n' ' ' <"$dir/send-sync.json" | cut -c1-200) $(tr '\n' ' ' <"$dir/send-sync.err" | cut -c1-200)"
  fi
  stop_pid "$spid" 5 || true

  # (b) messagesender -> samp snoop --json.
  "${env_hub[@]}" timeout -k 5 300 "$SAMP_CLI_BIN" snoop --json \
    </dev/null >"$dir/snoop.json" 2>"$dir/snoop.err" &
  npid=$!
  PIDS+=("$npid")
  if ! cli_wait "$T_CLI_READY" grep -q 'registered as' "$dir/snoop.err"; then
    fail cli-snoop "samp snoop did not register within ${T_CLI_READY} s"
    tail_of "$dir/snoop.err" 10 "snoop stderr"
    stop_pid "$npid" 5 || true
    stop_hub "$hpid"
    return
  fi
  local mode ms_rc=()
  for mode in notify sync; do
    in_hub_env "$dir" timeout -k 5 "$T_STEP" "${JSAMP_CMD[@]}" messagesender \
      -mtype "test.jsamp.$mode" -param p1 v1 -param p2 "two words" -mode "$mode" \
      -targetname "samp snoop" -sendername jsamp-sender </dev/null >"$dir/ms-$mode.log" 2>&1
    ms_rc+=("$?")
  done
  cli_snoop_has_both() {
    cli_json "$dir/snoop.json" "
got = [l['mtype'] for l in lines]
sys.exit(0 if 'test.jsamp.notify' in got and 'test.jsamp.sync' in got else 1)
" >/dev/null 2>&1
  }
  cli_wait 10 cli_snoop_has_both
  for mode in notify sync; do
    local kind=notification rcm=${ms_rc[0]}
    [ "$mode" = sync ] && { kind=call; rcm=${ms_rc[1]}; }
    if out=$(cli_json "$dir/snoop.json" "
found = [l for l in lines if l['mtype'] == 'test.jsamp.$mode']
assert len(found) == 1, 'test.jsamp.$mode lines: %d' % len(found)
l = found[0]
assert l['kind'] == '$kind', l
assert l['params'] == {'p1': 'v1', 'p2': 'two words'}, l['params']
assert l['sender_name'] == 'jsamp-sender', l
assert ('msg_id' in l) == ('$kind' == 'call'), l
print('%s from %s (%s) at %s, params %s' % (l['kind'], l['sender_name'], l['sender'], l['time'], json.dumps(l['params'])))
" 2>&1) && [ "$rcm" = 0 ] && { [ "$mode" = notify ] || grep -q 'samp.ok' "$dir/ms-sync.log"; }; then
      pass "cli-snoop-$mode" "messagesender -mode $mode -> samp snoop --json: $out"
    else
      fail "cli-snoop-$mode" "messagesender exit $rcm: $(tail -n 1 <<<"$out")"
      snoop_bad=1
      tail_of "$dir/ms-$mode.log" 15 "messagesender output"
    fi
  done
  if stop_pid "$npid" 5 && [ "$STOP_RC" = 0 ]; then
    pass cli-snoop-exit "samp snoop exits 0 on SIGTERM (${STOP_SECS} s)"
  else
    fail cli-snoop-exit "samp snoop: exit status $STOP_RC after SIGTERM"
    snoop_bad=1
  fi
  if [ "$snoop_bad" = 1 ]; then
    tail_of "$dir/snoop.json" 20 "samp snoop --json output"
    tail_of "$dir/snoop.err" 10 "samp snoop stderr"
  fi
  stop_hub "$hpid"
}

# The `web` and `flood` checks of the interop suite (sourced by run.sh, which has
# sourced lib.sh): samp-hub's Web Profile with JSAMP's hubtester and calcstorm speaking
# it (SAMP_HUB=web-appname:...), the Standard Profile tester against the same hub, curl
# checks of CORS / Private Network Access / the URL translator, and a flood of a
# recipient that never answers. They use the Web Profile's port 21012: nothing else
# may be listening there, and nothing else using it may run at the same time.
# shellcheck shell=bash

WEB_PORT=21012
WEB_ORIGIN=http://localhost:8000
T_FLOOD=300

# port_free PORT: nothing listens on 127.0.0.1:PORT
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# web_env NAME CMD...: run CMD as a Web Profile client called NAME (JSAMP's tools)
web_env() {
  local name=$1; shift
  env -u XDG_CONFIG_HOME -u XDG_CACHE_HOME SAMP_HUB="web-appname:$name" HOME="$TMP/web-home" "$@"
}

# start_web_hub DIR ARGS...: samp-hub with the Web Profile on -> HUB_PID (0/1 as start_hub)
start_web_hub() {
  local dir=$1; shift
  mkdir -p "$TMP/web-home"
  HUB_EXTRA=(--web --web-port "$WEB_PORT" "$@")
  start_hub samp-hub "$dir" 1
  local rc=$?
  HUB_EXTRA=()
  return $rc
}

check_web() {
  section "web: samp-hub --web with JSAMP's Web Profile clients, and curl"
  if [ "$INTEROP_HUB" != samp-hub ]; then
    note "skipped: the web checks test samp-hub's Web Profile (INTEROP_HUB=$INTEROP_HUB)"
    return
  fi
  needs web hub jsamp || return
  if ! port_free "$WEB_PORT"; then
    fail web "port $WEB_PORT is in use by another process: the Web Profile checks need it"
    return
  fi
  command -v curl >/dev/null 2>&1 || apt_install curl >"$TMP/apt-curl.log" 2>&1
  web_jsamp_tools
  web_curl
}

# hubtester (Web Profile, then Standard Profile) and calcstorm through one hub.
web_jsamp_tools() {
  local dir="$TMP/web" pid rc nwarn t0 mode
  if ! start_web_hub "$dir" --web-accept-all --web-no-mtype-restrictions; then
    fail web-hubtester "could not start samp-hub --web: $WAIT_REASON"; tail_of "$HUB_LOG" 30 "hub log"; return
  fi
  pid=$HUB_PID
  t0=$(now)
  web_env tester timeout -k 10 "$T_HUBTESTER" "${JSAMP_CMD[@]}" hubtester \
    </dev/null >"$dir/hubtester-web.log" 2>&1
  rc=$?
  nwarn=$(grep -c WARNING "$dir/hubtester-web.log")
  if [ "$rc" = 0 ] && [ "$nwarn" = 0 ]; then
    pass web-hubtester "JSAMP hubtester through the Web Profile: exit 0, no WARNING, $(secs "$t0" "$(now)") s"
  else
    fail web-hubtester "exit $rc, $nwarn WARNING line(s)"
    tail_of "$dir/hubtester-web.log" 60 "hubtester output"
    tail_of "$HUB_LOG" 30 "hub log"
  fi
  t0=$(now)
  in_hub_env "$dir" timeout -k 10 "$T_HUBTESTER" "${JSAMP_CMD[@]}" hubtester \
    </dev/null >"$dir/hubtester-std.log" 2>&1
  rc=$?
  nwarn=$(grep -c WARNING "$dir/hubtester-std.log")
  if [ "$rc" = 0 ] && [ "$nwarn" = 0 ]; then
    pass web-hub-std-hubtester "Standard Profile hubtester on the same hub with the Web Profile on: exit 0, no WARNING, $(secs "$t0" "$(now)") s"
  else
    fail web-hub-std-hubtester "exit $rc, $nwarn WARNING line(s)"
    tail_of "$dir/hubtester-std.log" 60 "hubtester output"
  fi
  for mode in sync async notify random; do
    t0=$(now)
    web_env storm timeout -k 10 "$T_CALCSTORM" "${JSAMP_CMD[@]}" calcstorm \
      -nclient "$NCLIENT" -nquery "$NQUERY" -mode "$mode" </dev/null >"$dir/calcstorm-$mode.log" 2>&1
    rc=$?
    if [ "$rc" = 0 ]; then
      pass "web-calcstorm-$mode" "${NCLIENT}x${NQUERY} through the Web Profile, $(secs "$t0" "$(now)") s wall ($(sed -n 's/^Elapsed time: \([0-9]*\) ms.*/\1/p' "$dir/calcstorm-$mode.log") ms)"
    else
      local why="exit $rc"
      [ "$rc" = 124 ] && why="timed out after ${T_CALCSTORM} s (a message or reply was lost)"
      fail "web-calcstorm-$mode" "$why"
      tail_of "$dir/calcstorm-$mode.log" 30 "calcstorm output"
      tail_of "$HUB_LOG" 30 "hub log"
    fi
  done
  if stop_hub "$pid"; then note "hub stopped ${STOP_SECS} s after SIGTERM"
  else fail web-hub-stop "samp-hub --web still running ${T_HUB_STOP} s after SIGTERM"; fi
}

# curl against a hub that allows one origin and cannot ask (stdin is no terminal).
web_curl() {
  local dir="$TMP/web-curl" pid probs=() info=() h url reg trans code body
  if ! start_web_hub "$dir" --web-allow-origin "$WEB_ORIGIN"; then
    fail web-curl "could not start samp-hub --web: $WAIT_REASON"; tail_of "$HUB_LOG" 30 "hub log"; return
  fi
  pid=$HUB_PID
  url="http://localhost:$WEB_PORT/"
  # Preflight from the allowed origin: CORS and Private Network Access headers.
  h=$(curl -s -D - -o /dev/null -X OPTIONS -H "Origin: $WEB_ORIGIN" \
        -H 'Access-Control-Request-Method: POST' \
        -H 'Access-Control-Request-Private-Network: true' "$url" | tr -d '\r')
  if grep -qi "^access-control-allow-origin: $WEB_ORIGIN$" <<<"$h" &&
     grep -qi '^access-control-allow-private-network: true$' <<<"$h" &&
     grep -qi '^access-control-allow-methods: POST$' <<<"$h"; then
    info+=("allowed origin's preflight gets CORS + PNA headers")
  else
    probs+=("allowed origin's preflight lacks CORS/PNA headers: $(tr '\n' ' ' <<<"$h")")
  fi
  # From another origin: none.
  h=$(curl -s -D - -o /dev/null -X OPTIONS -H 'Origin: http://evil.example' \
        -H 'Access-Control-Request-Method: POST' \
        -H 'Access-Control-Request-Private-Network: true' "$url" | tr -d '\r')
  if grep -qi '^access-control-' <<<"$h"; then
    probs+=("a disallowed origin got CORS headers: $(grep -i '^access-control-' <<<"$h" | tr '\n' ' ')")
  else
    info+=("disallowed origin gets none ($(head -n 1 <<<"$h"))")
  fi
  # Registration: refused for the other origin, accepted for the allowed one.
  local regdoc='<?xml version="1.0"?><methodCall><methodName>samp.webhub.register</methodName><params><param><value><struct><member><name>samp.name</name><value>curl</value></member></struct></value></param></params></methodCall>'
  body=$(curl -s -H 'Origin: http://evil.example' -H 'Content-Type: text/plain' --data "$regdoc" "$url")
  if grep -q 'not on the hub' <<<"$body"; then info+=("registration from it refused with a fault")
  else probs+=("registration from a disallowed origin not refused: $body"); fi
  reg=$(curl -s -H "Origin: $WEB_ORIGIN" -H 'Content-Type: text/plain' --data "$regdoc" "$url")
  trans=$(sed -n 's|.*<name>samp.url-translator</name><value><string>\([^<]*\)</string>.*|\1|p' <<<"$reg")
  if [ -z "$trans" ]; then
    probs+=("no samp.url-translator in the reg-info: $reg")
  else
    # The translator refuses a URL nobody sent and a file: URL.
    code=$(curl -s -o "$dir/t1.txt" -w '%{http_code}' "${trans}http://127.0.0.1:1/never-sent")
    [ "$code" = 403 ] && info+=("translator: untracked URL 403") ||
      probs+=("translator answered $code for an untracked URL")
    code=$(curl -s -o "$dir/t2.txt" -w '%{http_code}' "${trans}file:///etc/passwd")
    [ "$code" = 403 ] && info+=("file:///etc/passwd 403") ||
      probs+=("translator answered $code for file:///etc/passwd")
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://localhost:$WEB_PORT/translator/not-a-token?file:///etc/passwd")
    [ "$code" = 403 ] || probs+=("translator answered $code for an unknown token")
  fi
  # A page reaching the hub under another host name (DNS rebinding) is refused.
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: evil.example:21012' --data "$regdoc" "$url")
  [ "$code" = 403 ] && info+=("foreign Host 403") || probs+=("a foreign Host header got $code")
  stop_hub "$pid" || probs+=("hub did not stop on SIGTERM")
  if [ ${#probs[@]} -eq 0 ]; then
    pass web-curl "$(IFS=,; echo "${info[*]}" | sed 's/,/; /g')"
  else
    fail web-curl "$(IFS=';'; echo "${probs[*]}" | sed 's/;/; /g')"
    tail_of "$HUB_LOG" 30 "hub log"
  fi
}

# flood: 100,000 notifications to a recipient that accepts and never answers.
check_flood() {
  local name=flood dir="$TMP/flood" rc
  section "flood: a recipient that never answers, 100,000 notifications ($HUB_LABEL)"
  if [ "$INTEROP_HUB" != samp-hub ]; then
    note "skipped: the caps under test are samp-hub's"
    return
  fi
  needs "$name" hub || return
  HUB_EXTRA=(--delivery-timeout 2)
  if ! start_hub samp-hub "$dir" 0; then
    HUB_EXTRA=()
    fail "$name" "could not start samp-hub: $WAIT_REASON"; return
  fi
  HUB_EXTRA=()
  # HUB_PID is the `timeout` wrapper; the hub is its child.
  local hub_proc
  hub_proc=$(tr ' ' '\n' <"/proc/$HUB_PID/task/$HUB_PID/children" 2>/dev/null | head -n 1)
  if [ -z "$hub_proc" ]; then
    fail "$name" "cannot find the hub process under $HUB_PID"; stop_hub "$HUB_PID"; return
  fi
  # Python's standard library only: xmlrpc.client is an independent XML-RPC stack.
  in_hub_env "$dir" timeout -k 10 "$T_FLOOD" python3 "$HERE/flood.py" "$hub_proc" 100000 64 \
    </dev/null >"$dir/flood.log" 2>&1
  rc=$?
  indent <"$dir/flood.log"
  stop_hub "$HUB_PID"
  if [ "$rc" = 0 ]; then
    pass "$name" "$(grep -o 'RSS peak [0-9]* KiB' "$dir/flood.log" | head -n 1) (< 64 MiB), senders refused past the cap, recipient ejected, memory reused"
  else
    fail "$name" "$(grep -m1 '^FAILED:' "$dir/flood.log" | cut -c 9-240)${rc:+ (exit $rc)}"
    tail_of "$HUB_LOG" 20 "hub log"
  fi
}

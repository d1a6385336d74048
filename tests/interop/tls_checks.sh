# The `tls` checks of the interop suite (sourced by run.sh after lib.sh): samp-hub over
# HTTPS with independent TLS stacks. Python's standard library (ssl + xmlrpc) registers
# and serves its callbacks over HTTPS and gets a notification from examples/send; OpenSSL's
# s_client shows the negotiated version and that TLS 1.2 is refused under --tls-min 1.3;
# JSAMP's hubtester runs against the TLS hub with a Java trust store; plain HTTP on the
# TLS port gets a readable refusal.
# shellcheck shell=bash

check_tls() {
  section "tls: samp-hub over HTTPS with Python ssl, OpenSSL and Java"
  if [ "$INTEROP_HUB" != samp-hub ]; then
    note "skipped: JSAMP's and astropy's hubs do not speak HTTPS"
    return
  fi
  needs tls hub examples || return
  command -v openssl >/dev/null 2>&1 || apt_install openssl >"$TMP/apt-openssl.log" 2>&1
  command -v curl >/dev/null 2>&1 || apt_install curl >"$TMP/apt-curl.log" 2>&1
  local dir="$TMP/tls" ca="$TMP/tls/ca" pid url port rc CL_KIND=samp-hub
  HUB_EXTRA=(--tls-self-signed "$ca" --tls-min 1.3)
  if ! start_hub samp-hub "$dir" 1; then
    HUB_EXTRA=()
    fail tls "could not start samp-hub over HTTPS: $WAIT_REASON"; tail_of "$HUB_LOG" 20 "hub log"; return
  fi
  HUB_EXTRA=()
  pid=$HUB_PID
  url=$HUB_URL
  port=$(sed -n 's|^https://[^:]*:\([0-9]*\)/.*|\1|p' <<<"$url")
  note "hub at $url; local CA in $ca"

  # Python's ssl: a client and an HTTPS callback server, and a notification from send.
  in_hub_env "$dir" timeout -k 5 90 python3 "$HERE/tls_peer.py" "$ca/ca.pem" "$ca/client.pem" \
    "$ca/client-key.pem" "$dir/peer.ready" </dev/null >"$dir/peer.log" 2>&1 &
  local ppid=$!
  PIDS+=("$ppid")
  local i
  for ((i = 0; i < 300; i++)); do [ -s "$dir/peer.ready" ] && break; alive "$ppid" || break; sleep 0.1; done
  step "$dir" "$dir/send.log" env SSL_CERT_FILE="$ca/ca.pem" "$EXAMPLES/send" --to-name python-tls \
    --mtype tls.test --param x=over-https --mode notify
  for ((i = 0; i < 300; i++)); do alive "$ppid" || break; sleep 0.1; done
  if alive "$ppid"; then stop_pid "$ppid" 2 || true; rc=timeout
  else wait "$ppid"; rc=$?; forget_pid "$ppid"; fi
  indent <"$dir/peer.log"
  if [ "$rc" = 0 ] && grep -q "over-https" "$dir/peer.log"; then
    pass tls-python "Python ssl + xmlrpc registered, declared metadata and got tls.test from examples/send on its own HTTPS callback server"
  else
    fail tls-python "$(grep -m1 '^FAILED:' "$dir/peer.log" | cut -c 9-200) (exit $rc; send: $(tr '\n' ' ' <"$dir/send.log" | cut -c1-120))"
    tail_of "$HUB_LOG" 20 "hub log"
  fi

  # OpenSSL: TLS 1.3 verified against the local CA; TLS 1.2 refused.
  local s13 s12
  s13=$(echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" -CAfile "$ca/ca.pem" -tls1_3 2>&1)
  s12=$(echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" -CAfile "$ca/ca.pem" -tls1_2 2>&1)
  # "New, TLSv1.3" is printed at the handshake; the session block with "Protocol :"
  # only if the server's session ticket arrives before s_client reads EOF (a race).
  if grep -q 'New, TLSv1.3, Cipher is' <<<"$s13" && grep -q 'Verify return code: 0 (ok)' <<<"$s13" &&
     grep -q 'alert protocol version' <<<"$s12"; then
    pass tls-openssl "$(openssl version | cut -d' ' -f1-2): $(grep -m1 -o 'TLSv1.3, Cipher is [A-Z0-9_]*' <<<"$s13"), certificate verified; -tls1_2 refused (alert protocol version)"
  else
    fail tls-openssl "1.3: $(grep -m1 -E 'New,|error' <<<"$s13"); 1.2: $(grep -m1 -E 'alert|Protocol' <<<"$s12")"
  fi

  # Plain HTTP on the TLS port.
  local plain
  plain=$(curl -s -w ' %{http_code}' --data x "http://127.0.0.1:$port/xmlrpc")
  if [[ "$plain" == *"use an https:// URL"*" 400" ]]; then
    pass tls-plain-http "plain HTTP on the HTTPS port: 400 \"$(head -n 1 <<<"$plain")\", and the hub goes on"
  else
    fail tls-plain-http "answer: $plain"
  fi
  stop_hub "$pid"

  # JSAMP's hubtester with a Java trust store holding the local CA (JSAMP's own
  # callback servers stay plain HTTP; the hub calls them so).
  if [ "$SETUP_JSAMP" = 1 ] && command -v keytool >/dev/null 2>&1; then
    local jdir="$TMP/tls-jsamp" nwarn
    HUB_EXTRA=(--tls-self-signed "$ca")
    if start_hub samp-hub "$jdir" 1; then
      HUB_EXTRA=()
      keytool -importcert -noprompt -alias samp-hub -file "$ca/ca.pem" -keystore "$jdir/trust.jks" \
        -storepass changeit </dev/null >"$jdir/keytool.log" 2>&1
      in_hub_env "$jdir" timeout -k 10 "$T_HUBTESTER" java "${JAVA_OPTS[@]}" \
        -Djavax.net.ssl.trustStore="$jdir/trust.jks" -Djavax.net.ssl.trustStorePassword=changeit \
        -cp "$JSAMP_JAR" org.astrogrid.samp.JSamp hubtester </dev/null >"$jdir/hubtester.log" 2>&1
      rc=$?
      nwarn=$(grep -c WARNING "$jdir/hubtester.log")
      stop_hub "$HUB_PID"
      if [ "$rc" = 0 ] && [ "$nwarn" = 0 ]; then
        pass tls-hubtester "JSAMP hubtester against $(cut -d/ -f1-3 <<<"$HUB_URL") with -Djavax.net.ssl.trustStore: exit 0, no WARNING"
      else
        fail tls-hubtester "exit $rc, $nwarn WARNING line(s)"
        tail_of "$jdir/hubtester.log" 30 "hubtester output"
      fi
    else
      HUB_EXTRA=()
      fail tls-hubtester "could not start samp-hub: $WAIT_REASON"
    fi
  fi
}

#!/usr/bin/env bash
# Runs every fuzz target of samp-protocol for SECONDS each, one after the other, on stable
# Rust (cargo-fuzz with `--sanitizer none`: coverage-guided libFuzzer, no ASan).
#
#   bash fuzz/run.sh SECONDS            e.g. bash fuzz/run.sh 30
#   FUZZ_TARGETS="xmlrpc lockfile" bash fuzz/run.sh 60      a subset
#
# Each target starts from fuzz/seeds/<target>/ (committed, read-only here) plus the
# working corpus fuzz/corpus/<target>/ (kept between runs, gitignored), where new inputs
# go. libFuzzer options: -max_total_time=SECONDS, -timeout=10 (an input taking longer is a
# hang), -rss_limit_mb=2048 (more is an out-of-memory finding), -max_len=65536, and the
# dictionary fuzz/dict/<target>.dict if there is one. Extra libFuzzer options can be given
# in FUZZ_ARGS. Findings are saved in fuzz/artifacts/<target>/ (crash-*, timeout-*, oom-*).
#
# Prints, per target: executions, exec/s, final cov and ft, corpus size, and findings;
# full logs go to fuzz/artifacts/logs/<target>.log. Exits non-zero if any target crashed,
# hung or ran out of memory, or did not build. Needs no stdin; works from any directory.
set -uo pipefail

usage() { echo "usage: bash fuzz/run.sh SECONDS" >&2; exit 2; }
[ $# -eq 1 ] || usage
SECONDS_PER_TARGET=$1
[[ "$SECONDS_PER_TARGET" =~ ^[1-9][0-9]*$ ]] || usage

FUZZ_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$FUZZ_DIR" || exit 2
TARGETS=${FUZZ_TARGETS:-xmlrpc lockfile convert}
CARGO_FUZZ_VERSION=0.13.2

export PATH="$HOME/.cargo/bin:$PATH"
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "run.sh: installing cargo-fuzz $CARGO_FUZZ_VERSION (cargo install --locked)"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked </dev/null \
    || { echo "run.sh: cargo install cargo-fuzz failed" >&2; exit 2; }
fi
echo "run.sh: $(cargo fuzz --version), $(rustc --version)"

# Stable Rust: no sanitizer (ASan needs nightly's -Zsanitizer). Coverage instrumentation
# (-Cpasses=sancov-module, trace-compares) and debug assertions work on stable.
FUZZ_FLAGS=(--sanitizer none)

echo "run.sh: building ${TARGETS}"
if ! cargo fuzz build "${FUZZ_FLAGS[@]}" </dev/null; then
  echo "run.sh: build failed" >&2
  exit 1
fi

mkdir -p artifacts/logs
declare -a SUMMARY=()
FAILED=0

# field NAME LOG: the value of libFuzzer's final `stat::NAME:` line.
stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }

for t in $TARGETS; do
  if [ ! -f "fuzz_targets/$t.rs" ]; then
    echo "run.sh: no fuzz target '$t'" >&2
    FAILED=1
    SUMMARY+=("$t: no such target")
    continue
  fi
  mkdir -p "corpus/$t" "artifacts/$t" "seeds/$t"
  log="artifacts/logs/$t.log"
  before=$(ls "artifacts/$t" | sort)
  args=(-max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048
        -max_len=65536 -print_final_stats=1)
  [ -f "dict/$t.dict" ] && args+=(-dict="dict/$t.dict")
  # shellcheck disable=SC2206
  [ -n "${FUZZ_ARGS:-}" ] && args+=($FUZZ_ARGS)
  echo
  echo "=== $t: ${SECONDS_PER_TARGET}s, seeds: $(ls "seeds/$t" | wc -l) files, corpus: $(ls "corpus/$t" | wc -l) files"
  # A safety net well past -max_total_time, for a hang libFuzzer itself cannot interrupt.
  timeout -k 30 $((SECONDS_PER_TARGET + 600)) \
    cargo fuzz run "${FUZZ_FLAGS[@]}" "$t" "corpus/$t" "seeds/$t" -- "${args[@]}" \
    </dev/null >"$log" 2>&1
  rc=$?
  after=$(ls "artifacts/$t" | sort)
  new=$(comm -13 <(echo "$before") <(echo "$after") | grep -E '^(crash|timeout|oom|leak)-' || true)
  execs=$(stat number_of_executed_units "$log")
  eps=$(stat average_exec_per_sec "$log")
  # The last libFuzzer status line: "#N  DONE  cov: C ft: F corp: K/SIZE ..."
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([^ ]*\).*/\1/p' <<<"$last")
  status=ok
  if [ "$rc" != 0 ] || [ -n "$new" ]; then
    FAILED=1
    if grep -q 'ERROR: libFuzzer: timeout' "$log"; then status="HANG"
    elif grep -q -E 'ERROR: libFuzzer: out-of-memory|malloc\(.*\) exceeds' "$log"; then status="OUT OF MEMORY"
    elif grep -q -E 'ERROR: libFuzzer: deadly signal|panicked at' "$log"; then status="CRASH"
    elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then status="HUNG (killed by the safety timeout)"
    else status="FAILED (exit $rc)"; fi
  fi
  echo "    executions: ${execs:-?}  exec/s: ${eps:-?}  cov: ${cov:-?}  ft: ${ft:-?}  corpus: ${corp:-?} (files: $(ls "corpus/$t" | wc -l))"
  if [ "$status" = ok ]; then
    echo "    findings: none"
  else
    echo "    findings: $status"
    grep -m 3 -E 'panicked at|ERROR: libFuzzer' "$log" | sed 's/^/      /'
    for f in $new; do echo "      input: fuzz/artifacts/$t/$f"; done
    echo "      log: fuzz/$log"
  fi
  SUMMARY+=("$t: $status, ${execs:-?} execs, ${eps:-?} exec/s, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}")
done

echo
echo "=== summary (${SECONDS_PER_TARGET}s per target)"
printf '  %s\n' "${SUMMARY[@]}"
if [ "$FAILED" != 0 ]; then
  echo "run.sh: FAILED: a target crashed, hung, ran out of memory or did not run"
  exit 1
fi
echo "run.sh: all targets clean"

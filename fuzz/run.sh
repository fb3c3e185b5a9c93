#!/usr/bin/env bash
# Run the core's fuzz target (fuzz/fuzz_engine.c, built by CMake with
# clang + libFuzzer into BUILD_DIR/fuzz/fuzz_engine).
#
#   bash fuzz/run.sh --replay BUILD_DIR
#       run every committed seed (fuzz/seeds/) and every past crash input
#       (fuzz/regressions/) once; fails if any breaks an invariant.
#   bash fuzz/run.sh BUILD_DIR SECONDS [libFuzzer options...]
#       fuzz for SECONDS, starting from the seeds, the regressions and the
#       corpus earlier runs left in BUILD_DIR/fuzz/corpus/ (new inputs go
#       there, never into the repository).  E.g. the documented long run:
#       bash fuzz/run.sh build-san 3600 -jobs=2 -workers=2
#
# A crash (an invariant violation aborts; ASan/UBSan reports too) leaves
# its input in BUILD_DIR/fuzz/artifacts/ and makes this script fail with
# the command that reproduces it.  Once fixed, copy the input into
# fuzz/regressions/ so that fuzz:replay keeps checking it.
#
# The seeds come from the test captures:
#   python3 fuzz/pcap2seed.py fuzz/seeds test-captures/*.pcap*
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
die() { printf 'fuzz/run.sh: %s\n' "$*" >&2; exit 2; }

replay=0
if [ "${1:-}" = --replay ]; then
  replay=1
  shift
fi
[ $# -ge 1 ] || die "usage: run.sh --replay BUILD_DIR | run.sh BUILD_DIR SECONDS [libFuzzer options]"
build=$(cd "$1" && pwd -P) || die "no build folder $1"
shift
bin=$build/fuzz/fuzz_engine
[ -x "$bin" ] || die "no fuzz target at $bin: configure with -DTCPPHASE_FUZZ=ON (or TCPPHASE_SANITIZE=ON) and build"

inputs=()
for d in "$here/seeds" "$here/regressions"; do
  [ -d "$d" ] && inputs+=("$d")
done

if [ "$replay" -eq 1 ]; then
  files=()
  for d in "${inputs[@]}"; do
    for f in "$d"/*; do
      [ -f "$f" ] && files+=("$f")
    done
  done
  [ "${#files[@]}" -gt 0 ] || die "no seeds in $here/seeds"
  echo "replaying ${#files[@]} inputs (seeds and past crashes)"
  exec "$bin" "${files[@]}"
fi

[ $# -ge 1 ] || die "how many seconds?"
seconds=$1
shift
corpus=$build/fuzz/corpus
artifacts=$build/fuzz/artifacts
mkdir -p "$corpus" "$artifacts"
log=$build/fuzz/last-run.log

echo "fuzzing for $seconds s: corpus $corpus (+ ${inputs[*]})"
status=0
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$@" \
  "$corpus" "${inputs[@]}" >"$log" 2>&1 || status=$?

# The last lines say how it went; the whole log stays in $log.
grep -E '^(#[0-9]+ +DONE|stat::|Done [0-9]+ runs|INFO: Seed:)' "$log" || true
# With -jobs, each worker's log (fuzz-N.log, in the working folder) counts too.
cat "$log" fuzz-*.log 2>/dev/null | grep -E '^stat::number_of_executed_units' \
  | awk '{n += $2} END {if (n) print "executions in all: " n}' || true
if [ "$status" -ne 0 ]; then
  echo "FUZZING FOUND A FAILURE (exit $status). The report:"
  grep -E -B2 -A30 'ERROR: |invariant violated|runtime error|deadly signal' "$log" | head -80 || tail -40 "$log"
  ls -t "$artifacts" 2>/dev/null | head -3 | sed "s|^|  input: $artifacts/|"
  echo "Reproduce with: $bin INPUT"
  exit 1
fi
echo "no crash; corpus now $(find "$corpus" -type f | wc -l) inputs"

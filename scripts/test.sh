#!/usr/bin/env bash
# Build tcpphase and run every test.
#
#   bash scripts/test.sh [extra ctest arguments, e.g. -R golden: or -L unit]
#
# On Debian 12 it first installs whatever the tests need and is missing
# (the package list of scripts/lib.sh, no questions asked), then configures
# ./build if needed, always rebuilds it (so the tests never run a stale
# plugin), and runs `ctest --test-dir build --output-on-failure`.  Exits
# with ctest's status.  Works as root (tshark then runs as nobody, see
# scripts/tshark-as-user.sh) and as a normal user (sudo for apt only).
#
# Then it does the same in a second build folder configured with
# -DTCPPHASE_SANITIZE=ON (ASan + UBSan), where the short fuzz run and the
# short mutation campaign run too.  Exits non-zero if any test failed.
#
# Environment: TCPPHASE_BUILD (build folder, default ./build);
#              TCPPHASE_SAN_BUILD (sanitizer build folder, default ./build-san);
#              TCPPHASE_SKIP_SANITIZE=1 (skip the sanitizer build: says so loudly);
#              TCPPHASE_SKIP_APT=1 (never call apt-get; fail if something is missing).
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT=$(tp_repo_root)
cd "$ROOT"
BUILD=${TCPPHASE_BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
export TCPPHASE_BUILD="$BUILD"

if [ "${TCPPHASE_SKIP_APT:-0}" = 1 ]; then
  missing=$(tp_missing_packages | tr '\n' ' ')
  [ -z "${missing// /}" ] || tp_die "missing Debian packages (TCPPHASE_SKIP_APT=1, so not installing): $missing"
else
  tp_install_packages
fi

# Configure only when there is no build yet (keeps the user's cache
# options); cmake --build re-runs the configuration by itself when a
# CMakeLists.txt or the set of captures changed.
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  tp_log "Configuring $BUILD"
  cmake -S "$ROOT" -B "$BUILD"
fi
jobs=$(nproc 2>/dev/null || echo 2)
tp_log "Building $BUILD ($jobs jobs)"
cmake --build "$BUILD" --parallel "$jobs"

tp_log "Running the tests: ctest --test-dir $BUILD --output-on-failure $*"
status=0
rm -rf "$BUILD/summaries"
ctest --test-dir "$BUILD" --output-on-failure --parallel "$jobs" "$@" || status=$?
# Figures that tests leave for the reader (e.g. the Zeek agreement), shown
# even when they pass, since ctest hides a passing test's output.
for f in "$BUILD"/summaries/*.txt; do
  [ -f "$f" ] && cat "$f"
done

# Second build: everything with AddressSanitizer + UndefinedBehaviorSanitizer
# (cmake -DTCPPHASE_SANITIZE=ON), the same tests again under them (tshark
# runs with the ASan runtime preloaded, see cmake/sanitize.cmake), plus
# what only makes sense there: the short fuzz run of the core and the short
# capture mutation campaign (docs/hostile-input.md).  Two tests are left
# to the first build: the GUI test (the Qt GUI is not run with the ASan
# runtime preloaded) and bench-quick (it measures nothing, and timing a
# sanitized plugin would mean nothing either).
san_status=0
if [ "${TCPPHASE_SKIP_SANITIZE:-0}" = 1 ]; then
  tp_warn "TCPPHASE_SKIP_SANITIZE=1: the sanitizer build and its tests were NOT run"
else
  SAN_BUILD=${TCPPHASE_SAN_BUILD:-build-san}
  case "$SAN_BUILD" in /*) ;; *) SAN_BUILD="$ROOT/$SAN_BUILD" ;; esac
  if [ ! -f "$SAN_BUILD/CMakeCache.txt" ]; then
    tp_log "Configuring $SAN_BUILD (ASan + UBSan)"
    cmake -S "$ROOT" -B "$SAN_BUILD" -DTCPPHASE_SANITIZE=ON
  fi
  tp_log "Building $SAN_BUILD ($jobs jobs)"
  cmake --build "$SAN_BUILD" --parallel "$jobs"
  tp_log "Running the tests under ASan + UBSan: ctest --test-dir $SAN_BUILD --output-on-failure $*"
  TCPPHASE_BUILD="$SAN_BUILD" ctest --test-dir "$SAN_BUILD" --output-on-failure \
    --parallel "$jobs" -E '^(gui|bench-quick)$' "$@" || san_status=$?
fi

if [ "$status" -eq 0 ] && [ "$san_status" -eq 0 ]; then
  tp_log "All tests passed"
  exit 0
fi
[ "$status" -eq 0 ] || tp_log "Some tests failed in $BUILD (ctest exit status $status); see above"
[ "$san_status" -eq 0 ] || tp_log "Some tests failed under the sanitizers in $SAN_BUILD (ctest exit status $san_status); see above"
exit 1

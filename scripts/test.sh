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
# Environment: TCPPHASE_BUILD (build folder, default ./build);
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
if [ "$status" -eq 0 ]; then
  tp_log "All tests passed"
else
  tp_log "Some tests failed (ctest exit status $status); see above"
fi
exit "$status"

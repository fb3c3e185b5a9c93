#!/usr/bin/env bash
# Run tshark with the tcpphase plugin that was just built, whoever calls it.
#
#   bash scripts/tshark-as-user.sh [tshark arguments...]
#   e.g. bash scripts/tshark-as-user.sh -n -2 -r test-captures/real-mixed.pcap -Y tcpphase
#
# Why: Wireshark ignores the personal plugin folder and WIRESHARK_PLUGIN_DIR
# when it runs as root, and a globally installed tcpphase.so may be stale.
# So this script keeps a scratch folder
#
#   ${TCPPHASE_BUILD:-build}/tshark-env/
#       home/                          HOME for tshark (empty profile)
#       plugins/X.Y/epan/tcpphase.so   copy of the freshly built plugin
#
# X.Y is the Wireshark major.minor the build found (BUILD/wireshark-abi,
# written by cmake/wireshark.cmake): Wireshark looks only there.
#
# and runs tshark with HOME and WIRESHARK_PLUGIN_DIR pointing into it and
# an otherwise empty environment (LANG=C.UTF-8, TZ=UTC).  As root, tshark
# runs as the user nobody (setpriv); as anyone else, as the caller.
# WIRESHARK_PLUGIN_DIR replaces the global plugin folder for a non-root
# user, so only this tcpphase.so can load.
#
# As root:
#   - if nobody cannot reach the build folder (e.g. a clone under /root,
#     which is mode 0700), the scratch folder lives in a private mktemp
#     folder under /tmp instead, recorded in build/tshark-env/redirect;
#   - capture files given with -r that nobody cannot read are copied into
#     the scratch folder first (the bundled test-captures are normally
#     world-readable, so this is rare);
#   - output files (-w) must be somewhere nobody may write.
#
# Fails loudly (exit 3) if tcpphase does not load; checked once per built
# plugin with `tshark -G plugins`.
#
# Environment:
#   TCPPHASE_BUILD   build folder (default: build, relative to the repo root)
#   TCPPHASE_PLUGIN  the built plugin (default: $TCPPHASE_BUILD/plugins/X.Y/epan/tcpphase.so)
#   TSHARK           the tshark to run (default: tshark from PATH)
# A sanitizer build leaves $TCPPHASE_BUILD/sanitizer.env (LD_PRELOAD of the
# ASan runtime, ASAN_OPTIONS, UBSAN_OPTIONS); its lines join the environment.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

me=$(basename "$0")
die() { printf '%s: ERROR: %s\n' "$me" "$*" >&2; exit 1; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
BUILD=${TCPPHASE_BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
[ -f "$BUILD/wireshark-abi" ] \
  || die "no $BUILD/wireshark-abi: configure first (cmake -S . -B build), or set TCPPHASE_BUILD"
WS_ABI=$(cat "$BUILD/wireshark-abi")
[[ "$WS_ABI" =~ ^[0-9]+\.[0-9]+$ ]] || die "$BUILD/wireshark-abi says '$WS_ABI', not MAJOR.MINOR"
SO=${TCPPHASE_PLUGIN:-$BUILD/plugins/$WS_ABI/epan/tcpphase.so}

TSHARK_BIN=$(command -v "${TSHARK:-tshark}" 2>/dev/null) \
  || die "tshark not found (install it: apt-get install tshark, or run bash scripts/setup.sh)"
[ -f "$SO" ] \
  || die "no built plugin at $SO: build first (cmake -S . -B build && cmake --build build), or set TCPPHASE_BUILD"

RUN_USER=nobody
RUN_GROUP=nogroup
IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1

as_runner() {
  if [ "$IS_ROOT" -eq 1 ]; then
    setpriv --reuid="$RUN_USER" --regid="$RUN_GROUP" --clear-groups "$@"
  else
    "$@"
  fi
}

ENV_DIR="$BUILD/tshark-env"
mkdir -p "$ENV_DIR"

# One caller at a time prepares the folder (ctest runs tests in parallel).
exec 9>"$ENV_DIR/.lock"
flock 9

RUN_DIR=$ENV_DIR
if [ "$IS_ROOT" -eq 1 ]; then
  chmod 0755 "$ENV_DIR"
  if ! as_runner test -x "$ENV_DIR" 2>/dev/null; then
    # nobody cannot reach the build folder: use a private folder in /tmp.
    RUN_DIR=""
    if [ -f "$ENV_DIR/redirect" ]; then
      RUN_DIR=$(cat "$ENV_DIR/redirect")
      # Reuse it only if it is still ours.
      if [ ! -d "$RUN_DIR" ] || [ -L "$RUN_DIR" ] || [ "$(stat -c %u "$RUN_DIR")" != 0 ]; then
        RUN_DIR=""
      fi
    fi
    if [ -z "$RUN_DIR" ]; then
      RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tcpphase-tshark-env.XXXXXXXX")
      printf '%s\n' "$RUN_DIR" >"$ENV_DIR/redirect"
    fi
    chmod 0755 "$RUN_DIR"
    as_runner test -x "$RUN_DIR" \
      || die "user $RUN_USER cannot reach $RUN_DIR either; set TMPDIR to a folder everyone can traverse"
  fi
fi

mkdir -p "$RUN_DIR/home" "$RUN_DIR/plugins/$WS_ABI/epan" "$RUN_DIR/inputs"
chmod 0755 "$RUN_DIR/plugins" "$RUN_DIR/plugins/$WS_ABI" "$RUN_DIR/plugins/$WS_ABI/epan"
chmod 0755 "$RUN_DIR/inputs"
if [ "$IS_ROOT" -eq 1 ]; then
  chown "$RUN_USER:$RUN_GROUP" "$RUN_DIR/home"
fi
chmod 0755 "$RUN_DIR/home"

# Refresh the plugin copy when the build changed it.
DEST="$RUN_DIR/plugins/$WS_ABI/epan/tcpphase.so"
STAMP="$RUN_DIR/.plugin-loaded"
if ! cmp -s "$SO" "$DEST" 2>/dev/null; then
  cp -f "$SO" "$DEST.tmp.$$"
  chmod 0644 "$DEST.tmp.$$"
  mv -f "$DEST.tmp.$$" "$DEST"
  rm -f "$STAMP"
fi

run_env=(
  env -i
  HOME="$RUN_DIR/home"
  WIRESHARK_PLUGIN_DIR="$RUN_DIR/plugins"
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  LANG=C.UTF-8
  TZ=UTC
)
# A sanitizer build (cmake -DTCPPHASE_SANITIZE=ON) writes the environment
# tshark needs to load its plugin: the ASan runtime preloaded, and options.
if [ -f "$BUILD/sanitizer.env" ]; then
  while IFS= read -r line; do
    case "$line" in ''|'#'*) continue ;; esac
    run_env+=("$line")
  done <"$BUILD/sanitizer.env"
fi

# Check once per plugin copy that tshark really loads it.
if [ ! -f "$STAMP" ]; then
  errfile="$RUN_DIR/.plugin-check.err"
  out=$(cd / && as_runner "${run_env[@]}" "$TSHARK_BIN" -G plugins 2>"$errfile") || true
  err=$(cat "$errfile")
  rm -f "$errfile"
  # A loaded plugin is a line "tcpphase.so<TAB>version<TAB>dissector<TAB>path".
  if ! grep -q '^tcpphase\.so[[:space:]]' <<<"$out"; then
    {
      echo "$me: ERROR: tshark did not load the tcpphase plugin."
      echo "  plugin copy: $DEST (from $SO)"
      if [ "$IS_ROOT" -eq 1 ]; then
        echo "  run as: $RUN_USER:$RUN_GROUP (setpriv)"
      else
        echo "  run as: $(id -un)"
      fi
      echo "  WIRESHARK_PLUGIN_DIR=$RUN_DIR/plugins HOME=$RUN_DIR/home"
      echo "  tshark -G plugins listed no tcpphase.so; its messages were:"
      # shellcheck disable=SC2001
      if [ -n "$err" ]; then sed 's/^/    /' <<<"$err"; else echo "    (none)"; fi
    } >&2
    exit 3
  fi
  grep '^tcpphase\.so' <<<"$out" >"$STAMP"
fi

# Capture files the runner cannot read are copied into the scratch folder.
args=()
want_file=0
for a in "$@"; do
  path=""
  if [ "$want_file" -eq 1 ]; then
    path=$a
    want_file=0
  elif [ "$a" = "-r" ]; then
    want_file=1
    args+=("$a")
    continue
  elif [[ "$a" == -r?* ]]; then
    path=${a#-r}
  fi
  if [ -n "$path" ] && [ "$IS_ROOT" -eq 1 ] && [ "$path" != "-" ] \
     && [ -r "$path" ] && ! as_runner test -r "$path" 2>/dev/null; then
    abs=$(readlink -f "$path")
    key=$(printf '%s' "$abs" | cksum | cut -d' ' -f1)
    copy="$RUN_DIR/inputs/$key-$(basename "$abs")"
    if ! cmp -s "$abs" "$copy" 2>/dev/null; then
      cp -f "$abs" "$copy.tmp.$$"
      chmod 0644 "$copy.tmp.$$"
      mv -f "$copy.tmp.$$" "$copy"
    fi
    path=$copy
  fi
  if [ -n "$path" ]; then
    if [[ "$a" == -r?* ]]; then args+=("-r$path"); else args+=("$path"); fi
  else
    args+=("$a")
  fi
done

# Preparation done: let other callers in, then hand over to tshark.
exec 9>&-
# A working folder nobody cannot enter makes tshark complain (it looks for
# files such as IOR.txt there); relative -r paths were copied above.
if [ "$IS_ROOT" -eq 1 ] && ! as_runner test -x . 2>/dev/null; then
  cd "$RUN_DIR/home"
fi
if [ "$IS_ROOT" -eq 1 ]; then
  exec setpriv --reuid="$RUN_USER" --regid="$RUN_GROUP" --clear-groups \
    "${run_env[@]}" "$TSHARK_BIN" "${args[@]}"
else
  exec "${run_env[@]}" "$TSHARK_BIN" "${args[@]}"
fi

#!/usr/bin/env bash
# What tcpphase adds to tshark's work per packet, counted in instructions.
#
#   bash bench/treecost.sh [-b BUILD] [-n PACKETS] [-w WORKDIR] [-k] [MODE...]
#
# MODE is any of: fields (-T fields -e frame.number -e tcp.flags), V (-V),
# Y (-Y tcp), 2Y (-2 -Y tcp); all four by default.  Two more put the
# alternatives in tcpphase's place, for the target "each alternative costs at
# least 10x tcpphase's overhead" (docs/performance.md) in repeatable units: Ylua (-Y tcp with
# bench/phase.lua, a Lua post-dissector) and Yprime (-Y tcp with
# bench/primealt's primed C post-dissector); compare their "added" with Y's.
#
# Wall times on a shared 2-core machine wobble by several percent; callgrind's
# instruction counts do not, so they are what decides whether a change to the
# tree-building code pays.  For each mode, tshark runs under callgrind four
# times: without and with this build's tcpphase.so, on the first packet only
# (-c 1: startup, plugin registration, one packet) and on all PACKETS of a
# gencap "mix" capture.  Per packet = (all - first) / (PACKETS - 1), so the
# startup cost, which is not what a long capture pays, drops out.
#
# Plugins: as bench/bench.py does, two plugin folders built from the global
# one minus any tcpphase.so, one of them plus this build's tcpphase.so, and
# WIRESHARK_PLUGIN_DIR pointing at one; as root, tshark (and valgrind with
# it) runs as nobody through setpriv, since root ignores WIRESHARK_PLUGIN_DIR.
#
# Counts are not bit-for-bit repeatable (hash seeds, address layout, mostly in
# the start-up run, whose variation is divided by the packets): on 3000
# packets "added" moves by about +-300 instructions between identical runs, on
# the default 10000 by about +-100; a change below that needs a second run.
#
# -k keeps each callgrind profile in WORKDIR (callgrind_annotate them to see
# where the difference goes).  About 4 minutes per mode for 10000 packets
# (-V and Ylua: about 8) on an idle core.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
BUILD=$ROOT/build
PACKETS=10000
WORK=/tmp/tcpphase-treecost
KEEP=0
GLOBAL_PLUGINS=/usr/lib/x86_64-linux-gnu/wireshark/plugins

die() { printf 'treecost: ERROR: %s\n' "$*" >&2; exit 1; }

while getopts "b:n:w:k" opt; do
  case $opt in
    b) BUILD=$(cd "$OPTARG" && pwd -P) ;;
    n) PACKETS=$OPTARG ;;
    w) WORK=$OPTARG ;;
    k) KEEP=1 ;;
    *) die "usage: $0 [-b BUILD] [-n PACKETS] [-w WORKDIR] [-k] [fields|V|Y|2Y|Ylua|Yprime ...]" ;;
  esac
done
shift $((OPTIND - 1))
MODES=("$@")
[ ${#MODES[@]} -gt 0 ] || MODES=(fields V Y 2Y)
[[ "$PACKETS" =~ ^[0-9]+$ ]] && [ "$PACKETS" -ge 2 ] || die "-n needs a number >= 2"

[ -f "$BUILD/wireshark-abi" ] || die "no $BUILD/wireshark-abi: configure first"
ABI=$(cat "$BUILD/wireshark-abi")     # Wireshark's major.minor: the plugin folder
SO=$BUILD/plugins/$ABI/epan/tcpphase.so
GENCAP=$BUILD/bench/gencap
[ -f "$SO" ] && [ -x "$GENCAP" ] || die "no $SO or $GENCAP: build first"
command -v valgrind >/dev/null || die "valgrind not found (apt-get install valgrind)"
TSHARK=$(command -v tshark) || die "tshark not found"

as_runner() {
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
  else
    "$@"
  fi
}

mkdir -p "$WORK/home"
chmod 0755 "$WORK"
[ "$(id -u)" -eq 0 ] && chown nobody:nogroup "$WORK/home" "$WORK"
as_runner test -w "$WORK" || die "user nobody cannot write $WORK: use -w under /tmp"

# Plugin folders: none (global plugins without tcpphase), with (plus ours),
# prime (plus the primed C alternative).
PRIME=$BUILD/bench/plugins/$ABI/epan/primealt.so
[ -f "$PRIME" ] || die "no $PRIME: build first"
for name in none with prime; do
  rm -rf "$WORK/plugins-$name"
  cp -rs "$GLOBAL_PLUGINS" "$WORK/plugins-$name"
  mkdir -p "$WORK/plugins-$name/$ABI/epan"
  rm -f "$WORK/plugins-$name/$ABI/epan/tcpphase.so"
done
cp "$SO" "$WORK/plugins-with/$ABI/epan/tcpphase.so"
cp "$PRIME" "$WORK/plugins-prime/$ABI/epan/primealt.so"
cp "$ROOT/bench/phase.lua" "$WORK/phase.lua"
chmod -R a+rX "$WORK/plugins-none" "$WORK/plugins-with" "$WORK/plugins-prime" "$WORK/phase.lua"

CAP=$WORK/mix-$PACKETS.pcap
[ -f "$CAP" ] || "$GENCAP" mix -n "$PACKETS" -o "$CAP" >/dev/null
chmod 0644 "$CAP"

# Instructions of one tshark run (callgrind's "Collected" total).
count() {
  local plugins=$1 tag=$2; shift 2
  local out=/dev/null log
  [ "$KEEP" -eq 1 ] && out=$WORK/callgrind.$tag
  log=$(cd "$WORK/home" && as_runner env -i HOME="$WORK/home" \
          WIRESHARK_PLUGIN_DIR="$WORK/plugins-$plugins" \
          PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 TZ=UTC \
          valgrind --tool=callgrind --callgrind-out-file="$out" \
          "$TSHARK" -n -r "$CAP" "$@" 2>&1 >/dev/null) \
    || die "failed: tshark $* ($plugins)"$'\n'"$log"
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' <<<"$log"
}

# Check the folders do what they say, once.
as_runner env -i HOME="$WORK/home" WIRESHARK_PLUGIN_DIR="$WORK/plugins-with" \
  "$TSHARK" -G plugins 2>/dev/null | grep -q '^tcpphase\.so' \
  || die "tcpphase.so does not load from $WORK/plugins-with"
if as_runner env -i HOME="$WORK/home" WIRESHARK_PLUGIN_DIR="$WORK/plugins-none" \
     "$TSHARK" -G plugins 2>/dev/null | grep -q '^tcpphase\.so'; then
  die "tcpphase.so loads from $WORK/plugins-none"
fi

printf '%s packets of gencap mix (%s)\n' "$PACKETS" "$CAP"
printf '%-8s %14s %14s %14s %8s\n' mode "without/pkt" "with/pkt" "added/pkt" "added"
for mode in "${MODES[@]}"; do
  # "with" is tcpphase, or the alternative in its place.
  with=with extra=()
  case $mode in
    fields) args=(-T fields -e frame.number -e tcp.flags) ;;
    V)      args=(-V) ;;
    Y)      args=(-Y tcp) ;;
    2Y)     args=(-2 -Y tcp) ;;
    Ylua)   args=(-Y tcp); with=none; extra=(-X "lua_script:$WORK/phase.lua") ;;
    Yprime) args=(-Y tcp); with=prime ;;
    *) die "unknown mode $mode" ;;
  esac
  declare -A per=()
  for side in none with; do
    if [ "$side" = none ]; then plugins=none; more=(); else plugins=$with; more=("${extra[@]}"); fi
    one=$(count "$plugins" "$mode.$side.1" -c 1 "${args[@]}" "${more[@]}")
    all=$(count "$plugins" "$mode.$side.all" "${args[@]}" "${more[@]}")
    per[$side]=$(( (all - one) / (PACKETS - 1) ))
  done
  added=$(( per[with] - per[none] ))
  printf '%-8s %14d %14d %14d %7s%%\n' "$mode" "${per[none]}" "${per[with]}" "$added" \
    "$(awk -v a="$added" -v b="${per[none]}" 'BEGIN { printf "%+.1f", 100 * a / b }')"
done

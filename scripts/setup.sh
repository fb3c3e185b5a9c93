#!/usr/bin/env bash
# Set up tcpphase on Debian 12 or 13 (or testing/unstable): install the build dependencies, build the
# plugin and tcpphase-annotate in ./build, install them (the plugin where
# Wireshark will load it), and show the plugin labelling a bundled capture.
#
#   bash scripts/setup.sh
#
# Safe to run again: it installs only missing packages, rebuilds what
# changed and reinstalls the plugin.
#
# Where the plugin goes:
#   - as a normal user: the personal plugin folder
#     ~/.local/lib/wireshark/plugins/X.Y/epan/ (no root needed for that step;
#     sudo is used only for apt-get, and only if packages are missing);
#   - as root: the global plugin folder
#     /usr/lib/x86_64-linux-gnu/wireshark/plugins/X.Y/epan/, because Wireshark
#     ignores root's personal plugin folder (and WIRESHARK_PLUGIN_DIR).
#   X.Y is the installed Wireshark's major.minor (4.0 on Debian 12, 4.4 on
#   Debian 13, 4.6 on testing/unstable).
#
# Environment: TCPPHASE_BUILD (build folder, default ./build).
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT=$(tp_repo_root)
cd "$ROOT"
BUILD=${TCPPHASE_BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac

tp_log "tcpphase setup in $ROOT"
tp_install_packages

if [ "$(id -u)" -eq 0 ]; then
  USER_INSTALL=OFF
  tp_log "Running as root: the plugin goes into Wireshark's global plugin folder (root's personal folder is ignored by Wireshark)"
else
  USER_INSTALL=ON
  tp_log "Running as $(id -un): the plugin goes into your personal plugin folder"
fi

tp_build "$ROOT" "$BUILD" -DTCPPHASE_USER_INSTALL="$USER_INSTALL"

SO="$BUILD/plugins/$(cat "$BUILD/wireshark-abi")/epan/tcpphase.so"
[ -f "$SO" ] || tp_die "the build did not produce $SO"

tp_log "Installing the plugin and tcpphase-annotate"
cmake --install "$BUILD"
# tcpphase-annotate goes to ~/.local/bin (a user) or /usr/local/bin (root).
if [ "$USER_INSTALL" = ON ]; then BIN_DIR="$HOME/.local/bin"; else BIN_DIR=/usr/local/bin; fi
if [ -x "$BIN_DIR/tcpphase-annotate" ]; then
  case ":$PATH:" in
    *":$BIN_DIR:"*) tp_log "tcpphase-annotate installed in $BIN_DIR (tcpphase-annotate --help)" ;;
    *) tp_warn "tcpphase-annotate is in $BIN_DIR, which is not on your PATH: add it, or run $BIN_DIR/tcpphase-annotate" ;;
  esac
fi

# The "tcpphase" configuration profile: your personal profiles folder, and for
# root also the global profiles folder (every user sees it there).
tp_install_profile "$ROOT" "${XDG_CONFIG_HOME:-$HOME/.config}/wireshark/profiles"
if [ "$(id -u)" -eq 0 ]; then
  tp_install_profile "$ROOT" /usr/share/wireshark/profiles
fi

echo
tp_log "Plugins Wireshark loads (tshark -G plugins | grep tcpphase):"
# tshark warns on stderr when run as root; that is expected here.
if ! tshark -G plugins 2>/dev/null | grep tcpphase; then
  tp_die "tshark does not list the tcpphase plugin after installation. Look at: tshark -G plugins; and where 'cmake --install $BUILD' put tcpphase.so"
fi

# A labelled packet list of a bundled capture, columns aligned.
ALIGN='
import sys
rows = [l.rstrip("\n").split("\t") for l in sys.stdin]
w = [max(len(r[i]) if i < len(r) else 0 for r in rows) for i in range(max(map(len, rows), default=0))]
for r in rows:
    print("  ".join(c.ljust(w[i]) for i, c in enumerate(r)).rstrip())
'
CAP=""
for c in test-captures/real-mixed.pcap test-captures/real-*.pcap* test-captures/*.pcap*; do
  if [ -f "$c" ]; then CAP=$c; break; fi
done
echo
if [ -z "$CAP" ]; then
  tp_warn "no capture found under test-captures/ to show; try: tshark -n -2 -r YOUR.pcap -Y tcpphase -O tcpphase"
else
  tp_log "tcpphase labels on $CAP (two-pass: tshark -n -2 -r $CAP -T fields ...):"
  tshark -n -2 -r "$CAP" -T fields -E header=y \
    -e frame.number -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport \
    -e tcp.flags.str -e tcpphase.step -e tcpphase.state.sender \
    -e tcpphase.state.receiver -e tcpphase.anomaly 2>/dev/null \
    | python3 -c "$ALIGN" \
    || tp_die "tshark could not label $CAP (run the command above without 2>/dev/null to see why)"
fi

echo
tp_log "Done. Next: bash scripts/test.sh"

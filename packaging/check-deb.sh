#!/usr/bin/env bash
# Install a wireshark-plugin-tcpphase .deb on this machine, as root, and check
# that it works: tshark (as root, so from the global plugin folder) lists the
# plugin and labels a bundled capture exactly as its reviewed golden file
# says, and tcpphase-annotate runs.
#
#   bash packaging/check-deb.sh FILE.deb [--remove]
#
# --remove: remove the package again afterwards (for a machine whose own
# Wireshark must stay as it was, e.g. the host of a CI run).
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

ROOT=$(tp_repo_root)
DEB=${1:-}
REMOVE=${2:-}
PACKAGE=wireshark-plugin-tcpphase
CAPTURE=real-mixed
[ -f "$DEB" ] || tp_die "usage: $0 FILE.deb [--remove]"
[ "$(id -u)" -eq 0 ] || tp_die "$0 installs a package: run it as root"
DEB=$(readlink -f "$DEB")

removed=0
remove_package() {
  if [ "$REMOVE" = --remove ] && [ "$removed" -eq 0 ]; then
    removed=1
    DEBIAN_FRONTEND=noninteractive apt-get remove -y -q "$PACKAGE" >/dev/null
    tp_log "Removed $PACKAGE again"
  fi
}
trap remove_package EXIT

# Files installed by hand (scripts/setup.sh as root) would be overwritten by
# the package, and deleted with it by --remove: refuse rather.
if [ "$REMOVE" = --remove ] && ! dpkg-query -W "$PACKAGE" >/dev/null 2>&1; then
  while read -r path; do
    if [ -e "$path" ] && [ ! -d "$path" ]; then
      tp_die "$path exists and belongs to no package (installed by hand?): with --remove it would be deleted; move it away first"
    fi
  done < <(dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ { sub(/^\./, "", $NF); print $NF }')
fi

tp_log "apt-get install $DEB"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$DEB" >/dev/null

tp_log "tshark -G plugins (as root: the global plugin folder only)"
listed=$(tshark -G plugins 2>/dev/null | grep '^tcpphase\.so' || true)
[ -n "$listed" ] || tp_die "tshark -G plugins does not list tcpphase.so after installing $DEB"
echo "  $listed"
dpkg -L "$PACKAGE" | grep -q "/plugins/.*/epan/tcpphase.so$" \
  || tp_die "$PACKAGE does not own a tcpphase.so in a plugin folder"

# Labels of a bundled capture against its reviewed golden file: the same
# columns, in the same order, as tests/golden/README.md describes.
golden="$ROOT/tests/golden/$CAPTURE.tsv"
header=$(grep -v '^#' "$golden" | head -1)
fields=()
for f in $header; do fields+=(-e "$f"); done
got=$(mktemp)
tshark -n -2 -r "$ROOT/test-captures/$CAPTURE.pcap" -T fields -E header=y -E separator=/t \
  -E occurrence=a -E aggregator=, "${fields[@]}" 2>/dev/null >"$got"
if ! diff <(grep -v '^#' "$golden") "$got" >/dev/null; then
  diff <(grep -v '^#' "$golden") "$got" | head -20 >&2
  rm -f "$got"
  tp_die "the installed plugin labels $CAPTURE differently from tests/golden/$CAPTURE.tsv"
fi
tp_log "$CAPTURE: $(($(wc -l <"$got") - 1)) frames labelled as tests/golden/$CAPTURE.tsv says"
rm -f "$got"

out=$(mktemp -d)
chmod 0755 "$out"
tcpphase-annotate -o "$out" "$ROOT/test-captures/$CAPTURE.pcap" >/dev/null \
  || tp_die "the installed tcpphase-annotate failed on $CAPTURE.pcap"
ls "$out"/* >/dev/null 2>&1 || tp_die "tcpphase-annotate wrote nothing"
rm -rf "$out"
[ -d /usr/share/wireshark/profiles/tcpphase ] || tp_die "the tcpphase profile is not installed"
tp_log "$PACKAGE works: plugin, tcpphase-annotate and profile"
remove_package

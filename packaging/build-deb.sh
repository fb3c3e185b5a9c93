#!/usr/bin/env bash
# Build the Debian package wireshark-plugin-tcpphase for the Debian release
# this runs on, against the Wireshark installed here:
#
#   bash packaging/build-deb.sh [BUILD_DIR [OUT_DIR]]
#
# BUILD_DIR defaults to ./build-deb, OUT_DIR to ./dist.  Needs the build
# dependencies (scripts/setup.sh installs them) and dpkg-dev; no root.
#
# The package holds the plugin (in Wireshark's global plugin folder for this
# major.minor), tcpphase-annotate (/usr/bin) and the "tcpphase" profile
# (/usr/share/wireshark/profiles/tcpphase).  A plugin is tied to the exact
# libwireshark it was built against, so besides what dpkg-shlibdeps finds,
# the package depends on that libwireshark package at that exact version:
# apt refuses it next to any other Wireshark instead of installing a plugin
# Wireshark would not load.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

ROOT=$(tp_repo_root)
BUILD=${1:-$ROOT/build-deb}
OUT=${2:-$ROOT/dist}
PACKAGE=wireshark-plugin-tcpphase

for tool in dpkg-deb dpkg-shlibdeps dpkg-query cmake; do
  command -v "$tool" >/dev/null 2>&1 || tp_die "$tool not found (apt-get install dpkg-dev cmake)"
done

tp_log "Configuring $BUILD for the package"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTCPPHASE_USER_INSTALL=OFF -DTCPPHASE_BIN_INSTALL_DIR=/usr/bin >/dev/null
cmake --build "$BUILD" --parallel "$(nproc 2>/dev/null || echo 2)" \
  --target tcpphase tcpphase-annotate >/dev/null

STAGE="$BUILD/deb-root"
rm -rf "$STAGE"
DESTDIR="$STAGE" cmake --install "$BUILD" --strip >/dev/null
tp_install_profile "$ROOT" "$STAGE/usr/share/wireshark/profiles"

WS_ABI=$(cat "$BUILD/wireshark-abi")
SO=$(find "$STAGE" -path "*/plugins/$WS_ABI/epan/tcpphase.so")
BIN="$STAGE/usr/bin/tcpphase-annotate"
[ -f "$SO" ] || tp_die "the install did not put tcpphase.so under plugins/$WS_ABI/epan"
[ -x "$BIN" ] || tp_die "the install did not put tcpphase-annotate in /usr/bin"

# The libwireshark package the plugin was linked against, at its version.
libws_so=$(readelf -d "$SO" | sed -n 's/.*NEEDED.*\[\(libwireshark\.so\.[0-9]*\)\].*/\1/p')
[ -n "$libws_so" ] || tp_die "tcpphase.so does not link libwireshark"
libws_pkg=$(dpkg-query -S "*/$libws_so" | head -1 | cut -d: -f1)
[ -n "$libws_pkg" ] || tp_die "no installed package holds $libws_so"
libws_ver=$(dpkg-query -W -f='${Version}' "$libws_pkg")

# Everything else, from the libraries' own shlibs/symbols files.
SHLIBS_DIR=$(mktemp -d)
trap 'rm -rf "$SHLIBS_DIR"' EXIT
mkdir "$SHLIBS_DIR/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$PACKAGE" "$PACKAGE" \
  >"$SHLIBS_DIR/debian/control"
shlibs=$(cd "$SHLIBS_DIR" && dpkg-shlibdeps -O -e"$SO" -e"$BIN" 2>/dev/null \
  | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || tp_die "dpkg-shlibdeps found no dependencies"
# Its looser libwireshark entry gives way to the exact one.
shlibs=$(sed -E "s/(^|, )$libws_pkg \([^)]*\)//; s/^, //" <<<"$shlibs")

# The release in the version (…-1~bookworm): unstable calls itself by the
# next release's name in os-release, but "forky/sid" in debian_version.
. /etc/os-release
release=${VERSION_CODENAME:-unknown}
case "$(cat /etc/debian_version 2>/dev/null)" in */sid) release=sid ;; esac
version_upstream=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$BUILD/CMakeCache.txt")
VERSION="$version_upstream-1~$release"
ARCH=$(dpkg --print-architecture)

mkdir -p "$STAGE/DEBIAN" "$STAGE/usr/share/doc/$PACKAGE"
cat >"$STAGE/usr/share/doc/$PACKAGE/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: tcpphase

Files: *
Copyright: 2026 the tcpphase developers
License: GPL-2.0-or-later
 On Debian systems the full text of the GNU General Public License version 2
 is in /usr/share/common-licenses/GPL-2.
COPYRIGHT
installed_size=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
cat >"$STAGE/DEBIAN/control" <<CONTROL
Package: $PACKAGE
Version: $VERSION
Architecture: $ARCH
Maintainer: tcpphase developers <tcpphase@localhost>
Installed-Size: $installed_size
Depends: $libws_pkg (= $libws_ver), $shlibs
Recommends: tshark | wireshark
Section: net
Priority: optional
Description: TCP connection phases for Wireshark (plugin and batch tool)
 A Wireshark $WS_ABI plugin that labels every TCP segment with its place in
 the connection's life (handshake, established, teardown, reset) and the
 RFC 9293 states of both endpoints, and flags simultaneous open,
 self-connect, half-close, data after FIN, refused or unanswered SYNs and
 TIME_WAIT surprises.  Also tcpphase-annotate, which writes the same labels
 as pcapng packet comments, and the "tcpphase" Wireshark profile.
CONTROL

mkdir -p "$OUT"
DEB="$OUT/${PACKAGE}_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$DEB" >/dev/null
tp_log "Built $DEB ($(du -h "$DEB" | cut -f1)): Wireshark $WS_ABI, Depends: $libws_pkg (= $libws_ver)"

#!/usr/bin/env bash
# Build and test tcpphase against the Wireshark of another Debian release,
# in a chroot: Debian 13 (trixie, Wireshark 4.4) or unstable (sid, 4.6).
#
#   bash scripts/chroot.sh SUITE test     build, then run every test but the GUI one
#   bash scripts/chroot.sh SUITE deb OUT  build the .deb (packaging/build-deb.sh),
#                                         put it in OUT, install it in a second
#                                         fresh copy of the chroot with apt-get and
#                                         check it there (packaging/check-deb.sh)
#   bash scripts/chroot.sh SUITE shell    an interactive shell in a fresh copy
#
# Needs root, debootstrap and Debian's archive (http://deb.debian.org/debian,
# nothing else).  The chroot with the build dependencies installed is kept as
# a tarball in $TCPPHASE_CHROOT_CACHE (default /var/cache/tcpphase), named by
# suite and UTC date, so a second run on the same day unpacks it (seconds)
# instead of running debootstrap and apt-get again (a couple of minutes).
# Older tarballs of the same suite are deleted when a new one is made.
#
# Every run unpacks a fresh copy under $TCPPHASE_CHROOT_WORK (default
# /var/tmp), copies the sources in (the files git knows, plus untracked ones
# not ignored) and the tests' peer data folder beside them if it exists, mounts /proc, /dev and
# /dev/pts, and always unmounts them again before deleting the copy: deleting
# across a bind-mounted /dev would delete the host's device nodes.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SUITE=${1:-}
ACTION=${2:-test}
case "$SUITE" in
  trixie|forky|sid) ;;
  *) tp_die "usage: $0 trixie|forky|sid test|deb OUT|shell" ;;
esac
[ "$(id -u)" -eq 0 ] || tp_die "$0 needs root (debootstrap, chroot, mount)"

ROOT=$(tp_repo_root)
MIRROR=http://deb.debian.org/debian
CACHE=${TCPPHASE_CHROOT_CACHE:-/var/cache/tcpphase}
WORK=${TCPPHASE_CHROOT_WORK:-/var/tmp}
JOBS=$(nproc 2>/dev/null || echo 2)

# What the chroot needs to build and run the tests and to build a .deb
# (dpkg-dev: dpkg-shlibdeps): valgrind for tests/growth.py, parallel for
# tests/annotate_shard.py.  The browsers' packages stay out: the GUI test
# and the report's Chromium test run on the host only (see SKIPPED_TESTS).
CHROOT_PACKAGES=(
  build-essential cmake pkg-config tshark wireshark-dev libglib2.0-dev
  python3 python3-scapy time dpkg-dev valgrind parallel
)
# Tests that need a browser or Wireshark's Qt GUI, not run in a chroot.
SKIPPED_TESTS='^(gui|ladder:browser)$'

# ---- Mounts and cleanup ------------------------------------------------------

MOUNTED=()     # mount points, in mount order
CHROOTS=()     # chroot folders to delete at exit

mount_in() {   # mount_in CHROOT
  local c=$1
  mount -t proc proc "$c/proc"; MOUNTED+=("$c/proc")
  mount --bind /dev "$c/dev"; MOUNTED+=("$c/dev")
  mount --bind /dev/pts "$c/dev/pts"; MOUNTED+=("$c/dev/pts")
}

unmount_all() {
  local i
  for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
    umount "${MOUNTED[i]}" 2>/dev/null || umount -l "${MOUNTED[i]}" 2>/dev/null || true
  done
  MOUNTED=()
}

# Delete a chroot copy only when nothing is mounted below it any more.
remove_chroot() {
  local c=$1
  [ -d "$c" ] || return 0
  if findmnt -rn -o TARGET | grep -q "^$c/"; then
    tp_warn "something is still mounted under $c: NOT deleting it (see findmnt)"
    return 1
  fi
  rm -rf --one-file-system "$c"
}

cleanup() {
  local status=$?
  unmount_all
  local c
  for c in "${CHROOTS[@]}"; do remove_chroot "$c" || status=1; done
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_chroot() {  # in_chroot CHROOT COMMAND...: a clean environment, as root
  local c=$1
  shift
  chroot "$c" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TZ=UTC \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    DEBIAN_FRONTEND=noninteractive "$@"
}

# ---- The cached chroot ---------------------------------------------------------

# Sets TARBALL to the tarball of SUITE for today, making it if needed.
# (No command substitution here or below: a subshell would not run the
# EXIT trap, and could leave a mount behind.)
cached_tarball() {
  local today tarball tmp
  today=$(date -u +%Y%m%d)
  # The package list is part of the name: a changed list makes a new chroot.
  tarball="$CACHE/$SUITE-$today-$(printf '%s\n' "${CHROOT_PACKAGES[@]}" | cksum | cut -d' ' -f1).tar"
  if [ -f "$tarball" ]; then
    tp_log "Using the cached $SUITE chroot $tarball"
    TARBALL=$tarball
    return 0
  fi
  command -v debootstrap >/dev/null 2>&1 \
    || tp_die "debootstrap not found (apt-get install debootstrap)"
  mkdir -p "$CACHE" "$WORK"
  tmp="$WORK/tcpphase-$SUITE-new.$$"
  CHROOTS+=("$tmp")
  remove_chroot "$tmp"
  mkdir "$tmp"
  tp_log "debootstrap $SUITE into $tmp (about a minute)"
  debootstrap --variant=minbase "$SUITE" "$tmp" "$MIRROR" >"$tmp.log" 2>&1 \
    || { tail -20 "$tmp.log" >&2; tp_die "debootstrap $SUITE failed (log above)"; }
  rm -f "$tmp.log"
  # A Release file past its Valid-Until date (sid's, at times) is accepted
  # inside this chroot only; the host's apt configuration is not touched.
  echo 'Acquire::Check-Valid-Until "false";' >"$tmp/etc/apt/apt.conf.d/99tcpphase-no-valid-until"
  echo 'wireshark-common wireshark-common/install-setuid boolean false' \
    | chroot "$tmp" debconf-set-selections
  mount_in "$tmp"
  tp_log "apt-get install in the $SUITE chroot: ${CHROOT_PACKAGES[*]}"
  in_chroot "$tmp" apt-get update -q >/dev/null
  in_chroot "$tmp" apt-get install -y -q --no-install-recommends "${CHROOT_PACKAGES[@]}" >/dev/null
  in_chroot "$tmp" apt-get clean
  unmount_all
  tar -C "$tmp" -cf "$tarball.tmp.$$" .   # two runs may race: each its own
  mv "$tarball.tmp.$$" "$tarball"
  find "$CACHE" -maxdepth 1 -name "$SUITE-*.tar" ! -name "${tarball##*/}" -delete
  remove_chroot "$tmp"
  tp_log "Cached $tarball ($(du -h "$tarball" | cut -f1))"
  TARBALL=$tarball
}

# Unpacks a fresh chroot from the tarball, with the sources in /src/tcpphase
# (and the peer data folder in /src/shared); sets NEW_CHROOT to its folder.
FRESH_COUNT=0
fresh_chroot() {
  local tarball=$1 c
  FRESH_COUNT=$((FRESH_COUNT + 1))
  c="$WORK/tcpphase-$SUITE.$$.$FRESH_COUNT"
  CHROOTS+=("$c")
  remove_chroot "$c"
  mkdir "$c"
  tar -C "$c" -xf "$tarball"
  mkdir -p "$c/src/tcpphase"
  (cd "$ROOT" && git ls-files -co --exclude-standard -z \
     | tar --null -T - -cf -) | tar -C "$c/src/tcpphase" -xf -
  if [ -d "$ROOT/../shared" ]; then
    cp -rL "$ROOT/../shared" "$c/src/shared"   # it may be a symlink
  fi
  chmod -R a+rX "$c/src"
  NEW_CHROOT=$c
}

# ---- Actions -------------------------------------------------------------------

cached_tarball
tarball=$TARBALL
fresh_chroot "$tarball"
C=$NEW_CHROOT
mount_in "$C"
tp_log "$SUITE: $(in_chroot "$C" tshark --version 2>/dev/null | head -1)"

case "$ACTION" in
  test)
    in_chroot "$C" cmake -S /src/tcpphase -B /build >/dev/null
    in_chroot "$C" cmake --build /build --parallel "$JOBS" >/dev/null
    tp_log "$SUITE: ctest (every test but $SKIPPED_TESTS)"
    status=0
    in_chroot "$C" ctest --test-dir /build --output-on-failure --parallel "$JOBS" \
      -E "$SKIPPED_TESTS" || status=$?
    for f in "$C"/build/summaries/*.txt; do
      [ -f "$f" ] && cat "$f"
    done
    [ "$status" -eq 0 ] || tp_die "$SUITE: some tests failed (ctest exit status $status)"
    tp_log "$SUITE: all tests passed"
    ;;
  deb)
    OUT=${3:-}
    [ -n "$OUT" ] || tp_die "usage: $0 $SUITE deb OUT"
    mkdir -p "$OUT"
    OUT=$(cd "$OUT" && pwd -P)
    in_chroot "$C" bash /src/tcpphase/packaging/build-deb.sh /build-deb /out
    deb=$(ls "$C"/out/*.deb)
    cp "$deb" "$OUT/"
    deb=$OUT/$(basename "$deb")
    tp_log "$SUITE: built $deb"
    # Install and check it in a second copy that never saw the build.
    unmount_all
    fresh_chroot "$tarball"
    C2=$NEW_CHROOT
    mount_in "$C2"
    mkdir -p "$C2/tmp/deb"
    cp "$deb" "$C2/tmp/deb/"
    in_chroot "$C2" bash /src/tcpphase/packaging/check-deb.sh "/tmp/deb/$(basename "$deb")"
    ;;
  shell)
    in_chroot "$C" bash -l || true
    ;;
  *) tp_die "unknown action $ACTION (test, deb OUT or shell)" ;;
esac

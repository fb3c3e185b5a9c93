# Shared helpers for scripts/setup.sh and scripts/test.sh.  Source it; do not run it.
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash

# The Debian packages needed to build the plugin and run every test, on
# Debian 12 (bookworm) and 13 (trixie) alike, and testing/unstable.
# setup.sh and test.sh install the same list, so a machine that passed
# setup.sh can run the tests and the other way round.
TCPPHASE_APT_PACKAGES=(
  build-essential
  cmake
  pkg-config
  tshark
  wireshark-dev
  libglib2.0-dev
  python3
  python3-scapy
  # tcpphase-annotate --shard, run as N processes (tests/annotate_shard.py).
  parallel
  # The GUI test (tests/gui.py): Wireshark's Qt GUI (see below) on a
  # virtual display, screenshots, OCR, keyboard and mouse input.
  xvfb
  xauth
  imagemagick
  tesseract-ocr
  xdotool
  # The HTML report's test (tests/ladder_browser.py): a real browser, headless.
  chromium
  # Hostile input (docs/hostile-input.md): the ASan/UBSan build uses gcc's runtimes, the
  # core's fuzz target clang's libFuzzer.
  libasan8
  libubsan1
  clang
  libclang-rt-dev
  # tests/growth.py and bench/treecost.sh count instructions with callgrind.
  valgrind
)
# Wireshark's Qt GUI is wireshark-qt up to Debian 12, wireshark from 13 on
# (where wireshark-qt no longer exists).
if grep -qs '^VERSION_CODENAME=bookworm$' /etc/os-release; then
  TCPPHASE_APT_PACKAGES+=(wireshark-qt)
else
  TCPPHASE_APT_PACKAGES+=(wireshark)
fi

# What .ci/run needs besides: chroots of newer Debian releases
# (scripts/chroot.sh) and Debian packages (packaging/build-deb.sh).
TCPPHASE_CI_PACKAGES=(
  debootstrap
  dpkg-dev
)

tp_log()  { printf '==> %s\n' "$*" >&2; }
tp_warn() { printf 'WARNING: %s\n' "$*" >&2; }
tp_die()  { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# Repository root: the parent of the folder holding this file.
tp_repo_root() {
  (cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
}

# Prints nothing when root; "sudo" when sudo exists; fails otherwise.
tp_sudo() {
  if [ "$(id -u)" -eq 0 ]; then
    return 0
  fi
  if command -v sudo >/dev/null 2>&1; then
    echo sudo
    return 0
  fi
  tp_die "not root and sudo is not installed: install these Debian packages by hand: ${TCPPHASE_APT_PACKAGES[*]}"
}

# Packages of TCPPHASE_APT_PACKAGES that are not installed, one a line.
tp_missing_packages() {
  local p status
  for p in "${TCPPHASE_APT_PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    if [ "$status" != "installed" ]; then
      echo "$p"
    fi
  done
}

# Install whatever is missing, without a single question.  Does nothing
# (and needs no network) when everything is already there.
tp_install_packages() {
  if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    tp_die "this script expects Debian 12 (apt-get/dpkg-query not found); install by hand: ${TCPPHASE_APT_PACKAGES[*]}"
  fi
  local missing
  missing=$(tp_missing_packages | tr '\n' ' ')
  if [ -z "${missing// /}" ]; then
    tp_log "Debian packages: all present (${TCPPHASE_APT_PACKAGES[*]})"
    return 0
  fi
  local sudo
  sudo=$(tp_sudo)
  tp_log "Installing Debian packages: $missing"
  # tshark's dumpcap would otherwise ask whether non-root users may capture.
  # Answer "no" up front (the safe default; run dpkg-reconfigure
  # wireshark-common later to change it).
  if command -v debconf-set-selections >/dev/null 2>&1; then
    echo 'wireshark-common wireshark-common/install-setuid boolean false' \
      | $sudo debconf-set-selections
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  # shellcheck disable=SC2086  # $missing is a word list on purpose
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
  missing=$(tp_missing_packages | tr '\n' ' ')
  [ -z "${missing// /}" ] || tp_die "still missing after apt-get install: $missing"
}

# Configure (once) and build (always) in BUILD_DIR; extra args go to cmake -S/-B.
tp_build() {
  local root=$1 build=$2
  shift 2
  local jobs
  jobs=$(nproc 2>/dev/null || echo 2)
  tp_log "Configuring in $build"
  cmake -S "$root" -B "$build" "$@"
  tp_log "Building ($jobs jobs)"
  cmake --build "$build" --parallel "$jobs"
}

# Install the "tcpphase" Wireshark configuration profile (profile/tcpphase/)
# as PROFILES_DIR/tcpphase, e.g. ~/.config/wireshark/profiles or, for every
# user, /usr/share/wireshark/profiles.  Its coloring rules come first and
# Wireshark's default rules (/usr/share/wireshark/colorfilters) are appended,
# so everything else keeps its usual colours.  Replaces an older copy whole.
tp_install_profile() {
  local root=$1 profiles=$2
  local src="$root/profile/tcpphase" dest="$profiles/tcpphase" tmp
  [ -d "$src" ] || tp_die "no profile at $src"
  mkdir -p "$profiles"
  tmp=$(mktemp -d "$profiles/.tcpphase.XXXXXX")
  cp "$src"/* "$tmp"/
  local defaults=/usr/share/wireshark/colorfilters
  if [ -f "$defaults" ]; then
    grep -v '^# DO NOT EDIT' "$defaults" >>"$tmp/colorfilters"
  fi
  chmod 0755 "$tmp"
  chmod 0644 "$tmp"/*
  rm -rf "$dest"
  mv "$tmp" "$dest"
  tp_log "Wireshark profile installed: $dest (select it with: wireshark -C tcpphase)"
}

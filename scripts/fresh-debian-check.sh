#!/usr/bin/env bash
# Runs the README's set-up on a bare Debian 12, as a new user's machine starts: a root made with
# mmdebstrap --variant=apt (nothing installed but apt), holding a copy of the checkout's HEAD
# (git archive: only committed files travel).
#
#   scripts/fresh-debian-check.sh         the whole check, about 30 minutes:
#       1. the README's test command, scripts/test.sh (every package, every test);
#       2. the README's quick start, scripts/quickstart.sh, under Xvfb: the window stays up;
#       3. scripts/package.sh, then in a second bare root `apt install ./layerloom_*.deb` and
#          the installed programs: layerloom-cli summary and train on the shipped files, the
#          GUI offscreen and under Xvfb (a screenshot lands in build/fresh-debian/);
#   scripts/fresh-debian-check.sh --ci    what CI runs, a few minutes: the packages of
#       scripts/debian-packages.txt and scripts/debian-test-packages.txt installed from nothing,
#       every part configured, and the core and CLI compiled for x86-64-v4 (AVX-512) with
#       warnings as errors.
#
# Needs root (or sudo) and Debian's mmdebstrap, which it installs when missing. The bare root is
# made once and kept in /var/tmp/layerloom-fresh-debian/base; every run starts from a copy.
# Downloaded packages and ccache's cache are shared with this machine, so repeated runs are fast.
set -euo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode=full
case "${1:-}" in
    "") ;;
    --ci) mode=ci ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "fresh-debian-check.sh: unknown option '$1'" >&2; exit 64 ;;
esac
if [ "$(id -u)" -ne 0 ]; then exec sudo --preserve-env=CI "$0" "$@"; fi

work=/var/tmp/layerloom-fresh-debian
base="$work/base"
out="$src/build/fresh-debian"
mkdir -p "$work" "$out"

if ! command -v mmdebstrap >/dev/null; then
    echo "==> Installing mmdebstrap"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
fi
if [ ! -d "$base" ]; then
    # The same mirror this machine's apt uses.
    mirror="$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
    [ -n "$mirror" ] || mirror="$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)"
    [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
    echo "==> Making a bare Debian 12 root from $mirror (once)"
    rm -rf "$base.tmp"
    mmdebstrap --mode=root --variant=apt bookworm "$base.tmp" \
        "deb $mirror bookworm main" "deb $mirror bookworm-updates main" >"$work/mmdebstrap.log" 2>&1 \
        || { cat "$work/mmdebstrap.log"; exit 1; }
    mv "$base.tmp" "$base"
fi

mounted=()
cleanup() {
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
    mounted=()
}
trap cleanup EXIT

# A fresh copy of the bare root in $work/$1, with /proc, /sys, /dev, the package cache and
# ccache's cache mounted.
fresh_root() {
    local root="$work/$1"
    cleanup
    # Whatever an interrupted run left mounted in the old copy (the machine's /dev, /sys and
    # caches) is unmounted first, and rm never crosses into another file system.
    local m
    while read -r m; do umount -l "$m" 2>/dev/null || true; done \
        < <(awk -v r="$root" '$2 == r || index($2, r "/") == 1 {print $2}' /proc/mounts | sort -r)
    rm -rf --one-file-system "$root"
    cp -a "$base" "$root"
    cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    # The network as this machine reaches it: where TLS passes a proxy with its own certificate
    # authority, this machine trusts it, and so does the root (a user's machine needs none).
    if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
        mkdir -p "$root/etc/ssl/certs"
        cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/layerloom-check-ca.crt"
    fi
    mount -t proc proc "$root/proc"; mounted+=("$root/proc")
    mount --rbind /sys "$root/sys"; mounted+=("$root/sys")
    mount --rbind /dev "$root/dev"; mounted+=("$root/dev")
    mount --bind /var/cache/apt/archives "$root/var/cache/apt/archives"
    mounted+=("$root/var/cache/apt/archives")
    local cache="${CCACHE_DIR:-$HOME/.cache/ccache}"
    mkdir -p "$cache" "$root/root/.cache/ccache"
    mount --bind "$cache" "$root/root/.cache/ccache"; mounted+=("$root/root/.cache/ccache")
    # apt keeps what it downloads, in the shared cache.
    echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > "$root/etc/apt/apt.conf.d/10keep"
}

# Runs a command in the root $1 as root, in /src, with a clean environment.
in_root() {
    local root="$work/$1"; shift
    chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        LANG=C.UTF-8 CI="${CI:-}" NODE_EXTRA_CA_CERTS=/etc/ssl/certs/layerloom-check-ca.crt \
        /bin/bash -c "cd /src 2>/dev/null || cd /; $*"
}

step() { echo; echo "==> [fresh Debian 12] $*"; }

fresh_root build
mkdir -p "$work/build/src"
git -C "$src" archive HEAD | tar -x -C "$work/build/src"

if [ "$mode" = ci ]; then
    step "scripts/setup.sh --tests --core -- -DLAYERLOOM_MARCH=x86-64-v4 -DLAYERLOOM_WERROR=ON"
    in_root build "bash scripts/setup.sh --tests --core -- -DLAYERLOOM_MARCH=x86-64-v4 -DLAYERLOOM_WERROR=ON"
    step "passed: the packages install, every part configures, the core builds for AVX-512"
    exit 0
fi

step "the README's test command: bash scripts/test.sh"
in_root build "bash scripts/test.sh"

step "the README's quick start under Xvfb: bash scripts/quickstart.sh (the window must stay up)"
in_root build "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends xvfb xauth >/dev/null"
set +e
in_root build "timeout 20 xvfb-run -a -s '-screen 0 1600x1000x24' bash scripts/quickstart.sh"
rc=$?
set -e
if [ "$rc" -ne 124 ]; then echo "quickstart.sh ended with $rc before 20 s: the window did not stay up" >&2; exit 1; fi

step "the Debian package: bash scripts/package.sh"
in_root build "bash scripts/package.sh"
deb="$(ls -t "$work"/build/src/build/layerloom_*.deb | head -n 1)"
cp "$deb" "$out/"

fresh_root install
cp "$deb" "$work/install/tmp/"
step "apt install ./$(basename "$deb") on another bare root"
in_root install "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /tmp/$(basename "$deb") >/tmp/apt.log 2>&1 || { cat /tmp/apt.log; exit 1; }"
step "the installed programs"
in_root install "set -ex
layerloom-cli --version
layerloom-cli summary /usr/share/layerloom/examples/lstm_autoencoder.loom
cd /tmp && layerloom-cli train /usr/share/layerloom/examples/lstm_autoencoder.loom --data sample:sunspots.csv --epochs 1 --out /tmp/run --quiet
test -s /tmp/run/weights.llw
test -s /usr/share/man/man1/layerloom-cli.1.gz
test -s /usr/share/applications/org.layerloom.LayerLoom.desktop
set +e; QT_QPA_PLATFORM=offscreen timeout 10 layerloom; rc=\$?; set -e
test \$rc -eq 124"
step "the desktop's view: the entry, the metadata, the .loom type"
in_root install "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends desktop-file-utils appstream shared-mime-info xvfb xauth imagemagick >/dev/null
set -ex
desktop-file-validate /usr/share/applications/org.layerloom.LayerLoom.desktop
appstreamcli validate --no-net --pedantic /usr/share/metainfo/org.layerloom.LayerLoom.metainfo.xml || appstreamcli validate --no-net /usr/share/metainfo/org.layerloom.LayerLoom.metainfo.xml
grep -q 'application/x-layerloom-project:\*\.loom' /usr/share/mime/globs
xvfb-run -a -s '-screen 0 1600x1000x24' bash -c 'layerloom /usr/share/layerloom/examples/lstm_autoencoder_skips.loom & sleep 8; import -window root /tmp/installed.png; kill %1'"
cp "$work/install/tmp/installed.png" "$out/installed.png"
step "passed: the README's commands and the package on a bare Debian 12 ($out/installed.png)"

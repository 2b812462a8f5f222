#!/usr/bin/env bash
# Sets everything up and builds (see setup.sh), then writes the Debian package
# build/layerloom_<version>_amd64.deb: the portable build (any x86-64 processor), the manual
# pages, the desktop entry, the examples and the sample series. Install it with
#   sudo apt install ./build/layerloom_<version>_amd64.deb
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
cd "$root/build"
if grep -q '^LAYERLOOM_MARCH:STRING=..*' CMakeCache.txt; then
    echo "package.sh: build/ is built for one processor (LAYERLOOM_MARCH); a package must run" >&2
    echo "on any x86-64 one. Reconfigure with -DLAYERLOOM_MARCH= (empty) first." >&2
    exit 1
fi
echo "==> Writing the Debian package"
cpack -G DEB > cpack.log 2>&1 || { cat cpack.log; exit 1; }
deb="$(ls -t "$root"/build/layerloom_*.deb | head -n 1)"
echo "==> $deb"
dpkg-deb --field "$deb" Package Version Architecture Depends Recommends

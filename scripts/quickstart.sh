#!/usr/bin/env bash
# Sets everything up (see setup.sh) and opens LayerLoom on its built-in U-Net skip autoencoder.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "LayerLoom is built, but there is no display to open it on." >&2
    echo "On a desktop, run: $root/build/app/layerloom" >&2
    exit 1
fi
exec "$root/build/app/layerloom" "$@"

#!/usr/bin/env bash
# Runs the window's test suite (ui.*) again and again while another program keeps a core busy,
# as on a loaded CI machine or a user's desktop: the tests wait for conditions, never for a
# fixed time, so they must pass every round.
#   scripts/ui-soak.sh [ROUNDS] [BUILD]    default: 20 rounds, build/
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-20}"
build="${2:-$root/build}"
# The load: one busy loop, niced like nothing else (a compiler, a browser tab).
bash -c 'while :; do :; done' &
load=$!
trap 'kill "$load" 2>/dev/null || true' EXIT
echo "==> The window's tests, $rounds rounds beside a busy core (pid $load)"
ctest --test-dir "$build" -R '^ui\.' --repeat "until-fail:$rounds" --output-on-failure -j 1

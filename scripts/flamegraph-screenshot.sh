#!/usr/bin/env bash
# Renders a flame graph from a store and screenshots it with headless Chromium, to look at what users will see.
#
#   scripts/flamegraph-screenshot.sh STORE SERVICE OUT.png [flamegraph options...]
#   e.g. scripts/flamegraph-screenshot.sh headroom-demo/.headroom/headroom.sqlite shop diff.png \
#          --diff --before ..2026-11-02T19:59:59Z --after 2026-11-02T20:00:00Z..
set -euo pipefail
[ $# -ge 3 ] || { sed -n 2,6p "$0"; exit 2; }
store="$1"; service="$2"; png="$3"; shift 3
cd "$(dirname "$0")/.."
command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
bin="${HEADROOM_BIN:-.build/debug/headroom}"
[ -x "$bin" ] || swift build --product headroom >/dev/null
svg="$(mktemp --suffix .svg)"
trap 'rm -f "$svg"' EXIT
"$bin" flamegraph --store "$store" --service "$service" --out "$svg" "$@" >/dev/null
height=$(sed -n 's/.*<svg [^>]*height="\([0-9]*\)".*/\1/p' "$svg" | head -1)
chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=1220,"$((height + 20))" \
  --screenshot="$(realpath -m "$png")" "file://$svg" 2>/dev/null
echo "wrote $png (${height}px tall SVG, $(stat -c %s "$svg") bytes)"

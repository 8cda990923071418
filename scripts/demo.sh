#!/usr/bin/env bash
# The demo command: installs py-spy if needed, builds Headroom and runs the whole defense loop on the bundled
# example. Extra arguments go to `headroom demo` (e.g. --format json, --workdir DIR, --seconds 4).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-tools.sh
swift build -c release --product headroom >&2
exec .build/release/headroom demo "$@"

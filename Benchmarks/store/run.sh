#!/usr/bin/env bash
# Team-mode store benchmark: the same fleet pushes ingested (ingest log, then compaction) into the SQLite store and
# into PostgreSQL 15 (a throwaway cluster under a temp dir, or --database URL), in one run; prints pushes/s for each
# and the ratio, after counting every sample back.
#
#   Benchmarks/store/run.sh [PUSHES] [--database postgres://…]     (default 4,000 pushes)
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/ensure-tools.sh >/dev/null
swift build -c release --product headroom-store-bench >/dev/null
exec .build/release/headroom-store-bench "$@"

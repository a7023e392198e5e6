#!/usr/bin/env bash
# The long crash-torture run for release checks: kill -9 slotd at random moments (also during snapshots and
# compaction), tear the WAL, damage snapshots, and check every acknowledged operation after each restart.
# Usage: scripts/crash-torture.sh [CYCLES]   (default 100). Prints the totals line at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
cycles="${1:-100}"
SLOTD_TORTURE_CYCLES="$cycles" swift test --filter CrashTortureTests 2>&1 | tee /tmp/slotd-crash-torture.log |
    grep -E "crash torture:|✘|Test run" || true
grep -q "crash torture: cycles=$cycles .* lost=0 double_booked=0" /tmp/slotd-crash-torture.log

#!/usr/bin/env bash
# Run every fuzz target for SECONDS each (default 600) and print executions and crashes.
# cargo fuzz needs nightly flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them.
# Usage: fuzz/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
seconds="${1:-600}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
for target in payload_parse embed_locate; do
    mkdir -p "corpus/$target" "artifacts/$target"
    log="artifacts/$target.log"
    cargo fuzz run "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -artifact_prefix="artifacts/$target/" -print_final_stats=1 \
        >"$log" 2>&1 || true
    execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    crashes=$(find "artifacts/$target" -type f | wc -l)
    echo "$target: ${execs:-?} executions in ${seconds}s, $crashes crash inputs (log: fuzz/$log)"
done

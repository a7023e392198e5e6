#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer, shipped with the Swift toolchain) of the decoders that read bytes from outside:
# the JSON parser, the request decoder, the journal record decoder, the snapshot reader and the iCalendar reader.
#
#   scripts/fuzz.sh build                 compile the targets into .build-fuzz/
#   scripts/fuzz.sh run TARGET SECONDS    fuzz one target (json, request, record, snapshot, restore, calendar)
#   scripts/fuzz.sh ci SECONDS            build, then fuzz every target SECONDS each; fails on any finding
#   scripts/fuzz.sh list                  the target names
#
# Extra libFuzzer options go after `--` (for `run`), e.g. `-- -jobs=2 -workers=2`.
# The modules are compiled with swiftc directly, outside SwiftPM, so that the main build never sees the fuzzer
# flags; `-enable-testing` lets the targets reach the internal decoders with `@testable import`.
# Seeds are read from Fuzz/Corpus/TARGET (committed, read only); what the fuzzer learns goes to
# .build-fuzz/corpus/TARGET, findings (crash-*, oom-*, timeout-*, leak-*) to .build-fuzz/findings/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(json request record snapshot restore calendar)
ci_targets=("${targets[@]}")
build=.build-fuzz
# Modules in dependency order, and the system libraries SlotJournal links.
modules=(SlotDomain SlotJSON SlotWire SlotJournal SlotCalendar)
optimization=${FUZZ_OPTIMIZATION:--O}

source_of() {
    case "$1" in
    json) echo Fuzz/Targets/FuzzJSON.swift ;;
    request) echo Fuzz/Targets/FuzzRequest.swift ;;
    record) echo Fuzz/Targets/FuzzRecord.swift ;;
    snapshot) echo Fuzz/Targets/FuzzSnapshot.swift Fuzz/Targets/Shared/ResealedSnapshot.swift ;;
    restore) echo Fuzz/Targets/FuzzRestore.swift Fuzz/Targets/Shared/ResealedSnapshot.swift ;;
    calendar) echo Fuzz/Targets/FuzzCalendar.swift ;;
    *) echo "unknown target '$1' (targets: ${targets[*]})" >&2; exit 2 ;;
    esac
}

swiftc_flags() {
    echo -parse-as-library -sanitize=fuzzer,address -g "$optimization" -I "$build/modules" \
        -I Sources/CSQLite -I Sources/CZlib
}

build_all() {
    # libFuzzer's runtime ships with the Swift toolchain for Linux (next to its clang), not with Debian's swift.
    local toolchain
    toolchain=$(dirname "$(dirname "$(command -v swiftc)")")
    if ! compgen -G "$toolchain/lib/clang/*/lib/linux/libclang_rt.fuzzer-$(uname -m).a" >/dev/null; then
        echo "fuzz: no libFuzzer runtime under $toolchain/lib/clang (use a swift.org toolchain for Linux)" >&2
        exit 1
    fi
    mkdir -p "$build/modules"
    local module stale=""
    for module in "${modules[@]}"; do
        # Rebuild a module when any of its sources (or this script) is newer than its object, and every module
        # after one that was rebuilt (they come in dependency order).
        local object="$build/modules/$module.o"
        if [ -z "$stale" ] && [ -f "$object" ] &&
            [ -z "$(find "Sources/$module" "$0" -newer "$object" -print -quit)" ]; then
            continue
        fi
        stale=yes
        echo "fuzz: compiling $module"
        # shellcheck disable=SC2046
        swiftc $(swiftc_flags) -module-name "$module" -package-name slotd -enable-testing -whole-module-optimization \
            -emit-module -emit-module-path "$build/modules/$module.swiftmodule" \
            -c -o "$object" Sources/"$module"/*.swift
        # swiftc leaves an output it would write unchanged as it was, old time included.
        touch "$object"
    done
    local target
    for target in "${targets[@]}"; do
        echo "fuzz: linking fuzz-$target"
        # shellcheck disable=SC2046
        swiftc $(swiftc_flags) -use-ld=lld -module-name "Fuzz_$target" $(source_of "$target") \
            "$build"/modules/*.o -lsqlite3 -lz -o "$build/fuzz-$target"
    done
}

run_one() {
    local target=$1 seconds=$2
    shift 2
    source_of "$target" >/dev/null
    local learned="$build/corpus/$target" findings="$build/findings/$target" seeds="Fuzz/Corpus/$target"
    [ "$target" = restore ] && seeds=Fuzz/Corpus/snapshot
    mkdir -p "$learned" "$findings"
    echo "fuzz: $target for ${seconds}s"
    # SWIFT_BACKTRACE=enable=no: Swift's own crash handler can hang a fuzzing run that hits a trap.
    # -rss_limit_mb / -malloc_limit_mb: an input that makes the decoder allocate more than this is a finding.
    # -timeout: one input taking longer than this is a finding (every decoder here is linear in its input).
    SWIFT_BACKTRACE=enable=no "$build/fuzz-$target" "$learned" "$seeds" \
        -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 \
        -artifact_prefix="$findings/" -print_final_stats=1 "$@"
}

case "${1:-}" in
list) printf '%s\n' "${targets[@]}" ;;
build) build_all ;;
run)
    [ $# -ge 3 ] || { echo "usage: $0 run TARGET SECONDS [-- libFuzzer options]" >&2; exit 2; }
    target=$2 seconds=$3
    shift 3
    [ "${1:-}" = "--" ] && shift
    [ -x "$build/fuzz-$target" ] || build_all
    run_one "$target" "$seconds" "$@"
    ;;
ci)
    [ $# -ge 2 ] || { echo "usage: $0 ci SECONDS_PER_TARGET" >&2; exit 2; }
    build_all
    failed=()
    for target in "${ci_targets[@]}"; do
        # libFuzzer prints a line per new input; CI keeps the whole log in a file and shows its summary.
        log="$build/ci-$target.log"
        if run_one "$target" "$2" >"$log" 2>&1; then
            grep -E '^(fuzz:|Done|stat::)' "$log" || true
        else
            failed+=("$target")
            tail -n 80 "$log"
        fi
    done
    if [ ${#failed[@]} -gt 0 ]; then
        echo "fuzz: findings in ${failed[*]} (inputs in $build/findings/)" >&2
        exit 1
    fi
    ;;
*)
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac

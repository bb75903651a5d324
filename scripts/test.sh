#!/usr/bin/env bash
# Runs Zhimei's whole test suite on a fresh machine or an old one; installs what it needs.
#
#   scripts/test.sh                 every stage
#   scripts/test.sh sqlite e2e      only the named stages (deps and build run when needed)
#
# Stages:  deps     Debian + PyPI packages, text-engine data (scripts/text/setup-data.sh)
#          build    swift build --build-tests (debug)
#          sqlite   swift test on SQLite                  (with a moto S3 server)
#          pg       swift test on PostgreSQL              (throw-away cluster on 127.0.0.1:55432)
#          e2e      headless Chromium browser test, then the schemathesis API fuzz,
#                   against a freshly started server with demo data
#
# Environment: ZHIMEI_TEST_PG_PORT (55432), ZHIMEI_TEST_S3_PORT (55433), ZHIMEI_E2E_PORT (18080),
#   ZHIMEI_FUZZ_MAX_TIME (seconds, 300), ZHIMEI_FUZZ_MAX_EXAMPLES (per operation, 40),
#   ZHIMEI_SWIFT_TEST_TIMEOUT (seconds per swift test pass, 1200),
#   ZHIMEI_SWIFT_TEST_ARGS (extra `swift test` arguments, e.g. "--filter AuthTests").
# Exits non-zero when any stage fails. Logs go to .build/test-logs/. The closing line is
# "N passed, N failed" over every test run (XCTest both passes + browser tests + fuzzed operations).
set -euo pipefail
cd "$(dirname "$0")/.."
ZHIMEI_ROOT="$PWD"
# shellcheck source=lib/common.sh
. scripts/lib/common.sh
. scripts/lib/postgres.sh
. scripts/lib/moto.sh
. scripts/lib/server.sh

export LANG="${LANG:-C.UTF-8}"
unset DATABASE_URL ZHIMEI_TEST_DATABASE_URL ZHIMEI_DATA_DIR
# The text engine's data (jieba dictionary, HMM, IDF; OpenCC), written by scripts/text/setup-data.sh and
# read by the text tests, the app's tests and the e2e server.
export ZHIMEI_TEXT_DATA="${ZHIMEI_TEXT_DATA:-$ZHIMEI_ROOT/data/text}"
LOG_DIR="${ZHIMEI_TEST_LOG_DIR:-$ZHIMEI_ROOT/.build/test-logs}"
mkdir -p "$LOG_DIR"
export ZHIMEI_LOG_DIR="$LOG_DIR"
E2E_PORT="${ZHIMEI_E2E_PORT:-18080}"
SWIFT_TIMEOUT="${ZHIMEI_SWIFT_TEST_TIMEOUT:-1200}"
T0=$SECONDS

# ---- stage selection -------------------------------------------------------------------------
ALL_STAGES=(deps build sqlite pg e2e)
if [ $# -gt 0 ]; then WANT=" $* "; else WANT=" ${ALL_STAGES[*]} "; fi
for s in $WANT; do
    case " ${ALL_STAGES[*]} " in *" $s "*) ;; *) die "unknown stage '$s' (stages: ${ALL_STAGES[*]})" ;; esac
done
wants() { [[ "$WANT" == *" $1 "* ]]; }
if wants sqlite || wants pg || wants e2e; then WANT+="deps build "; fi

# ---- bookkeeping -----------------------------------------------------------------------------
SUMMARY=()
TOTAL_PASSED=0
TOTAL_FAILED=0
FAILED_STAGES=()
record() {  # record NAME STATUS SECONDS PASSED FAILED [NOTE]
    local name="$1" status="$2" secs="$3" p="${4:-0}" f="${5:-0}" note="${6:-}"
    TOTAL_PASSED=$((TOTAL_PASSED + p)); TOTAL_FAILED=$((TOTAL_FAILED + f))
    [ "$status" = ok ] || FAILED_STAGES+=("$name")
    local counts="$(printf '%4s passed, %s failed' "$p" "$f")"
    case "$name" in deps|build) counts="" ;; esac
    SUMMARY+=("$(printf '%-7s %-7s %7s  %s%s' "$name" "$status" "$(fmt_secs "$secs")" "$counts" "${note:+  ($note)}")")
}

SUMMARY_DONE=0
print_summary() {
    SUMMARY_DONE=1
    echo
    echo "==================================== summary ===================================="
    local line; for line in "${SUMMARY[@]}"; do echo "$line"; done
    echo "total   $(fmt_secs $((SECONDS - T0)))"
    if [ ${#FAILED_STAGES[@]} -gt 0 ]; then echo "FAILED: ${FAILED_STAGES[*]}"; else echo "all stages passed"; fi
    echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
}

cleanup() {
    local rc=$?
    set +e
    bg_stop_all
    pg_stop
    if [ "$SUMMARY_DONE" = 0 ]; then  # stopped early (error, signal): still say so plainly
        record aborted FAILED 0 0 1 "scripts/test.sh stopped early with exit $rc"
        print_summary
        [ "$rc" = 0 ] && rc=1
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# swift_counts LOGFILE : prints "passed failed" from XCTest's and Swift Testing's closing lines.
swift_counts() {
    "$PYTHON" - "$1" <<'PY'
import re, sys
text = open(sys.argv[1], errors="replace").read()
passed = failed = 0
# "Executed 254 tests, with 3 tests skipped and 0 failures …": the skipped part is optional; skipped tests count as neither.
m = re.findall(r"Executed (\d+) tests?, with (?:(\d+) tests? skipped and )?(\d+) failures?", text)
if m:
    total, skipped, fails = m[-1]   # the last one is the overall total
    total, skipped, fails = int(total), int(skipped or 0), int(fails)
    passed += total - skipped - fails; failed += fails
# Swift Testing: "Test run with N tests in M suites passed|failed after X seconds[ with K issues]."
for n, outcome, issues in re.findall(r"Test run with (\d+) tests?(?: in \d+ suites?)? (passed|failed) after [^\n]*?(?:with (\d+) issues?)?\.?$", text, re.M):
    n = int(n)
    if outcome == "passed":
        passed += n
    else:
        f = min(n, int(issues)) if issues else 1
        passed += n - f; failed += f
print(passed, failed)
PY
}

# run_swift_tests NAME [extra swift test args...]
run_swift_tests() {
    local name="$1"; shift
    local logfile="$LOG_DIR/swift-test-$name.log" start=$SECONDS rc
    log "swift test ($name)"
    set +e
    # shellcheck disable=SC2086
    timeout --kill-after=30 "$SWIFT_TIMEOUT" swift test --skip-build "$@" ${ZHIMEI_SWIFT_TEST_ARGS:-} 2>&1 \
        | tee "$logfile" \
        | grep -E --line-buffered -v "^Test Case '.*' (started|passed)|^Test Suite '.*' (started|passed)|^(◇|✔) Test |^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:+-]+ (trace|debug|info|notice) "
    rc=${PIPESTATUS[0]}
    set -e
    local counts p f note="log $logfile"
    counts="$(swift_counts "$logfile")"; p="${counts% *}"; f="${counts#* }"
    [ "$rc" = 124 ] && note="timed out after ${SWIFT_TIMEOUT}s; $note"
    if [ "$rc" = 0 ] && [ "$f" = 0 ]; then
        record "$name" ok $((SECONDS - start)) "$p" 0 "$note"
    else
        [ "$f" = 0 ] && f=1
        record "$name" FAILED $((SECONDS - start)) "$p" "$f" "exit $rc; $note"
    fi
}

# ---- deps ------------------------------------------------------------------------------------
if wants deps; then
    start=$SECONDS
    log "dependencies"
    ensure_swift
    debs=(curl ca-certificates)
    if wants pg && ! pg_find_bin; then debs+=(postgresql); fi
    if wants e2e; then debs+=(chromium chromium-driver fonts-noto-cjk); fi
    apt_ensure "${debs[@]}"
    pip_ensure "requests=requests" "moto.server=moto[server]" "flask_cors=moto[server]"
    if wants e2e; then pip_ensure "pytest=pytest" "selenium=selenium>=4.10" "schemathesis=schemathesis>=4" "feedparser=feedparser"; fi
    log "text-engine data"
    deps_note=""
    text_data_setup || { deps_note="scripts/text/setup-data.sh failed"; warn "$deps_note"; }
    if [ -z "$deps_note" ]; then record deps ok $((SECONDS - start)) 0 0
    else record deps FAILED $((SECONDS - start)) 0 1 "$deps_note"; fi
fi

# ---- build -----------------------------------------------------------------------------------
BUILD_OK=1
if wants build; then
    start=$SECONDS
    log "swift build --build-tests (debug; the first build of Vapor + Fluent takes 10+ minutes)"
    set +e
    # Progress: every 100th step, errors, and the closing line.
    swift build --build-tests 2>&1 | tee "$LOG_DIR/build.log" \
        | build_progress
    rc=${PIPESTATUS[0]}
    set -e
    if [ "$rc" = 0 ]; then
        record build ok $((SECONDS - start)) 0 0
    else
        BUILD_OK=0
        grep -E 'error:' "$LOG_DIR/build.log" | head -n 40 >&2 || true
        record build FAILED $((SECONDS - start)) 0 1 "log $LOG_DIR/build.log"
    fi
fi
BIN_DIR="$(swift build --show-bin-path 2>/dev/null || echo "$ZHIMEI_ROOT/.build/debug")"
export ZHIMEI_BIN="${ZHIMEI_BIN:-$BIN_DIR/zhimei}"

# ---- swift tests: SQLite, then PostgreSQL -----------------------------------------------------
if [ "$BUILD_OK" = 1 ] && { wants sqlite || wants pg; }; then
    log "S3 test server (moto)"
    # Without it the S3 blob-store test fails (it needs ZHIMEI_TEST_S3_ENDPOINT); the rest still runs.
    moto_start || record moto FAILED 0 0 1 "moto S3 server did not start; log $LOG_DIR/moto.log"
    if wants sqlite; then run_swift_tests sqlite; fi
    if wants pg; then
        log "PostgreSQL"
        start=$SECONDS
        if pg_start; then
            # The text engine does not touch the database: its tests ran in the SQLite pass.
            run_swift_tests pg --skip '^ZhimeiTextTests\.' --skip '^ZhimeiReviewTests\.'
        else
            record pg FAILED $((SECONDS - start)) 0 1 "PostgreSQL did not start"
        fi
        pg_stop
        unset ZHIMEI_TEST_DATABASE_URL
    fi
fi

# ---- end-to-end: browser, then API fuzz --------------------------------------------------------
if [ "$BUILD_OK" = 1 ] && wants e2e; then
    log "e2e server"
    start=$SECONDS
    if server_start "$ZHIMEI_BIN" "$E2E_PORT"; then
        log "browser test (headless Chromium)"
        set +e
        timeout --kill-after=30 900 "$PYTHON" -m pytest -p no:cacheprovider -q -rfE --tb=short \
            --junitxml="$LOG_DIR/browser-junit.xml" tests/e2e/test_*.py 2>&1 | tee "$LOG_DIR/browser.log"
        rc=${PIPESTATUS[0]}
        set -e
        read -r p f < <("$PYTHON" - "$LOG_DIR/browser-junit.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except Exception:
    print(0, 0); sys.exit()
p = f = 0
for c in root.iter("testcase"):
    if c.find("failure") is not None or c.find("error") is not None: f += 1
    elif c.find("skipped") is None: p += 1
print(p, f)
PY
)
        if [ "$rc" = 0 ]; then record browser ok $((SECONDS - start)) "$p" "$f"
        else [ "$f" = 0 ] && f=1; record browser FAILED $((SECONDS - start)) "$p" "$f" "exit $rc; log $LOG_DIR/browser.log"; fi

        log "API fuzz (schemathesis)"
        start=$SECONDS
        set +e
        ZHIMEI_FUZZ_REPORT_DIR="$LOG_DIR/fuzz" timeout --kill-after=30 $(( ${ZHIMEI_FUZZ_MAX_TIME:-300} + 300 )) \
            "$PYTHON" tests/e2e/fuzz_api.py 2>&1 | tee "$LOG_DIR/fuzz.log"
        rc=${PIPESTATUS[0]}
        set -e
        read -r p f < <(sed -n 's/^fuzz: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$LOG_DIR/fuzz.log" | tail -n 1; echo "0 0")
        if [ "$rc" = 0 ]; then record fuzz ok $((SECONDS - start)) "$p" "$f"
        else [ "$f" = 0 ] && f=1; record fuzz FAILED $((SECONDS - start)) "$p" "$f" "exit $rc; log $LOG_DIR/fuzz.log"; fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            record server FAILED 0 0 1 "the e2e server died; log $SERVER_DATA/server.log"
            server_log_tail "$SERVER_DATA/server.log"
        elif grep -q -E 'Fatal error|Segmentation fault|Crash report|💣' "$SERVER_DATA/server.log"; then
            record server FAILED 0 0 1 "server log has a crash; $SERVER_DATA/server.log"
            server_log_tail "$SERVER_DATA/server.log"
        fi
        cp "$SERVER_DATA/server.log" "$LOG_DIR/e2e-server.log" 2>/dev/null || true
        bg_stop "$SERVER_PID"
        rm -rf "$SERVER_DATA"
    else
        record e2e FAILED $((SECONDS - start)) 0 1 "the server did not start"
    fi
    E2E_P=0; E2E_F=0
    for line in "${SUMMARY[@]}"; do
        case "$line" in browser*|fuzz*|server*)
            n=$(sed -E 's/.* ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/' <<<"$line"); E2E_P=$((E2E_P + ${n% *})); E2E_F=$((E2E_F + ${n#* }));;
        esac
    done
    echo
    echo "e2e: $E2E_P passed, $E2E_F failed"
fi

print_summary
[ ${#FAILED_STAGES[@]} -eq 0 ]

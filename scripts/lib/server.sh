# shellcheck shell=bash
# Starts a throw-away Zhimei server for the end-to-end tests: fresh data dir, demo data, SQLite.
# server_start BIN PORT : (PORT or the next free one) exports ZHIMEI_E2E_BASE_URL (http://localhost:PORT), sets SERVER_PID/SERVER_DATA.

server_start() {
    local bin="$1" port
    port="$(pick_port "$2")" || { warn "no free port for the e2e server"; return 1; }
    SERVER_DATA="$(mktemp -d /tmp/zhimei-e2e.XXXXXX)"
    local envs=(env -u DATABASE_URL ZHIMEI_DATA_DIR="$SERVER_DATA" ZHIMEI_BCRYPT_COST=6
                ZHIMEI_PUBLIC_URL="http://localhost:$port" ZHIMEI_RESOURCES="$ZHIMEI_ROOT" ZHIMEI_LOG_LEVEL="${ZHIMEI_LOG_LEVEL:-notice}"
                SWIFT_BACKTRACE="enable=yes,interactive=no,color=no")
    "${envs[@]}" "$bin" demo >"$SERVER_DATA/demo.log" 2>&1 || { cat "$SERVER_DATA/demo.log" >&2; return 1; }
    bg_start "$SERVER_DATA/server.log" "${envs[@]}" "$bin" serve --hostname 127.0.0.1 --port "$port"
    SERVER_PID=$BG_PID
    if ! wait_http "http://127.0.0.1:$port/healthz" 90 "$SERVER_PID"; then
        tail -n 40 "$SERVER_DATA/server.log" >&2
        return 1
    fi
    export ZHIMEI_E2E_BASE_URL="http://localhost:$port"
    info "zhimei serve on $ZHIMEI_E2E_BASE_URL (pid $SERVER_PID, data $SERVER_DATA, log $SERVER_DATA/server.log)"
}

# server_log_tail LOG : what a crashed server printed last (its crash report names the request's code path).
server_log_tail() {
    echo "---- last lines of the e2e server log ($1) ----"
    tail -n 120 "$1" 2>/dev/null | cut -c1-400
    echo "---- end of server log ----"
}

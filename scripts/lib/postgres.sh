# shellcheck shell=bash
# A throw-away PostgreSQL cluster for the test suite: initdb in a temp dir owned by `postgres`,
# listening on 127.0.0.1:$ZHIMEI_TEST_PG_PORT (default 55432, or the next free port) with trust auth,
# database zhimei_test. pg_start exports ZHIMEI_TEST_DATABASE_URL (returns non-zero on failure);
# pg_stop stops the cluster and removes its directory.

PG_TMP=""
PG_BIN=""

pg_find_bin() {
    local d
    if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
        PG_BIN="$(dirname "$(readlink -f "$(command -v initdb)")")"; return 0
    fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && PG_BIN="$d" && return 0
    done
    return 1
}

pg_start() {
    if ! pg_find_bin; then
        apt_ensure postgresql
        pg_find_bin || { warn "PostgreSQL server binaries not found after installing postgresql"; return 1; }
    fi
    if ! id postgres >/dev/null 2>&1; then
        useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi
    local port
    port="$(pick_port "${ZHIMEI_TEST_PG_PORT:-55432}")" || { warn "no free port for PostgreSQL"; return 1; }
    PG_TMP="$(mktemp -d /tmp/zhimei-pg.XXXXXX)"
    local as_pg=()
    if is_root; then chown postgres: "$PG_TMP"; as_pg=(runuser -u postgres --); fi  # initdb refuses root
    if ! "${as_pg[@]}" "$PG_BIN/initdb" -D "$PG_TMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
            >"$PG_TMP/initdb.log" 2>&1 \
       && ! "${as_pg[@]}" "$PG_BIN/initdb" -D "$PG_TMP/data" -U postgres -A trust -E UTF8 --no-sync \
            >>"$PG_TMP/initdb.log" 2>&1; then
        cat "$PG_TMP/initdb.log" >&2; warn "initdb failed"; return 1
    fi
    if ! "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_TMP -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >/dev/null; then
        tail -n 30 "$PG_TMP/server.log" >&2; warn "PostgreSQL did not start"; return 1
    fi
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres zhimei_test || { warn "createdb zhimei_test failed"; return 1; }
    export ZHIMEI_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/zhimei_test"
    info "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($PG_TMP)"
}

pg_stop() {
    [ -n "$PG_TMP" ] || return 0
    if [ -f "$PG_TMP/data/postmaster.pid" ]; then
        local as_pg=(); is_root && as_pg=(runuser -u postgres --)
        "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_TMP"
    PG_TMP=""
}

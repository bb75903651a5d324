# shellcheck shell=bash
# A throw-away PostgreSQL cluster for the test suite: initdb in a temp dir owned by `postgres`,
# listening on 127.0.0.1:$ZHIMEI_TEST_PG_PORT (default 55432) with trust auth, database zhimei_test.
# pg_start exports ZHIMEI_TEST_DATABASE_URL; pg_stop stops the cluster and removes its directory.

ZHIMEI_TEST_PG_PORT="${ZHIMEI_TEST_PG_PORT:-55432}"
PG_TMP=""
PG_BIN=""

pg_find_bin() {
    local d
    if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
        PG_BIN="$(dirname "$(readlink -f "$(command -v initdb)")")"; return 0
    fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$d/initdb" ] && PG_BIN="$d" && return 0
    done
    return 1
}

pg_start() {
    if ! pg_find_bin; then
        apt_ensure postgresql
        pg_find_bin || die "PostgreSQL server binaries not found after installing postgresql"
    fi
    if ! id postgres >/dev/null 2>&1; then
        useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi
    port_free "$ZHIMEI_TEST_PG_PORT" || die "port $ZHIMEI_TEST_PG_PORT is in use (set ZHIMEI_TEST_PG_PORT)"
    PG_TMP="$(mktemp -d /tmp/zhimei-pg.XXXXXX)"
    chown postgres: "$PG_TMP"
    local as_pg=(runuser -u postgres --)
    is_root || as_pg=()  # not root: run as ourselves
    "${as_pg[@]}" "$PG_BIN/initdb" -D "$PG_TMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
        >"$PG_TMP/initdb.log" 2>&1 \
        || "${as_pg[@]}" "$PG_BIN/initdb" -D "$PG_TMP/data" -U postgres -A trust -E UTF8 --no-sync >>"$PG_TMP/initdb.log" 2>&1 \
        || { cat "$PG_TMP/initdb.log" >&2; die "initdb failed"; }
    "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $ZHIMEI_TEST_PG_PORT -k $PG_TMP -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null \
        || { tail -n 30 "$PG_TMP/server.log" >&2; die "PostgreSQL did not start"; }
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$ZHIMEI_TEST_PG_PORT" -U postgres zhimei_test \
        || die "createdb zhimei_test failed"
    export ZHIMEI_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$ZHIMEI_TEST_PG_PORT/zhimei_test"
    info "PostgreSQL $("$PG_BIN/postgres" --version | awk "{print \$3}") on 127.0.0.1:$ZHIMEI_TEST_PG_PORT ($PG_TMP)"
}

pg_stop() {
    [ -n "$PG_TMP" ] && [ -d "$PG_TMP/data" ] || return 0
    local as_pg=(runuser -u postgres --); is_root || as_pg=()
    "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_TMP"
    PG_TMP=""
}

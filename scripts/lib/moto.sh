# shellcheck shell=bash
# A local S3-compatible server (moto's server mode, PyPI `moto[server]`) for the S3 blob-store test.
# moto_start exports ZHIMEI_TEST_S3_ENDPOINT (and test credentials); stop it with bg_stop_all.

ZHIMEI_TEST_S3_PORT="${ZHIMEI_TEST_S3_PORT:-55433}"

moto_start() {
    pip_ensure "moto.server=moto[server]" "flask=moto[server]" "flask_cors=moto[server]"
    port_free "$ZHIMEI_TEST_S3_PORT" || die "port $ZHIMEI_TEST_S3_PORT is in use (set ZHIMEI_TEST_S3_PORT)"
    local logfile="${ZHIMEI_LOG_DIR:-/tmp}/moto.log"
    bg_start "$logfile" "$PYTHON" -c 'import sys; from moto.server import main; sys.exit(main())' \
        -H 127.0.0.1 -p "$ZHIMEI_TEST_S3_PORT"
    MOTO_PID=$BG_PID
    wait_http "http://127.0.0.1:$ZHIMEI_TEST_S3_PORT/" 60 "$MOTO_PID" \
        || { tail -n 20 "$logfile" >&2; die "moto server did not start"; }
    export ZHIMEI_TEST_S3_ENDPOINT="http://127.0.0.1:$ZHIMEI_TEST_S3_PORT"
    export ZHIMEI_TEST_S3_ACCESS_KEY="${ZHIMEI_TEST_S3_ACCESS_KEY:-test}"
    export ZHIMEI_TEST_S3_SECRET_KEY="${ZHIMEI_TEST_S3_SECRET_KEY:-test}"
    export ZHIMEI_TEST_S3_REGION="${ZHIMEI_TEST_S3_REGION:-us-east-1}"
    info "moto S3 on $ZHIMEI_TEST_S3_ENDPOINT (pid $MOTO_PID)"
}

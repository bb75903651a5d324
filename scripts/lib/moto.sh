# shellcheck shell=bash
# A local S3-compatible server (moto's server mode, PyPI `moto[server]`) for the S3 blob-store test.
# moto_start exports ZHIMEI_TEST_S3_ENDPOINT and test credentials (returns non-zero on failure);
# bg_stop_all stops it.

moto_start() {
    pip_ensure "moto.server=moto[server]" "flask_cors=moto[server]"
    local port logfile="${ZHIMEI_LOG_DIR:-/tmp}/moto.log"
    port="$(pick_port "${ZHIMEI_TEST_S3_PORT:-55433}")" || { warn "no free port for moto"; return 1; }
    bg_start "$logfile" "$PYTHON" -c 'import sys; from moto.server import main; sys.exit(main())' -H 127.0.0.1 -p "$port"
    MOTO_PID=$BG_PID
    if ! wait_http "http://127.0.0.1:$port/" 60 "$MOTO_PID"; then
        tail -n 20 "$logfile" >&2; warn "moto server did not start"; return 1
    fi
    export ZHIMEI_TEST_S3_ENDPOINT="http://127.0.0.1:$port"
    export ZHIMEI_TEST_S3_ACCESS_KEY="${ZHIMEI_TEST_S3_ACCESS_KEY:-test}"
    export ZHIMEI_TEST_S3_SECRET_KEY="${ZHIMEI_TEST_S3_SECRET_KEY:-test}"
    export ZHIMEI_TEST_S3_REGION="${ZHIMEI_TEST_S3_REGION:-us-east-1}"
    info "moto S3 on $ZHIMEI_TEST_S3_ENDPOINT (pid $MOTO_PID)"
}

#!/usr/bin/env bash
# Runs Zhimei on this machine: installs what it needs, builds the release binary, prepares the
# text-engine data, seeds the demo data and sample content (idempotent) and starts the server in the foreground.
#
#   scripts/run.sh                      build, seed and serve on http://localhost:8080
#   ZHIMEI_PORT=9000 scripts/run.sh     another port
#   scripts/run.sh --no-demo            do not seed the demo data
#   scripts/run.sh --no-samples         demo accounts only, no sample stories, leads, topics or posts
#
# Environment (all optional): ZHIMEI_HOSTNAME (0.0.0.0), ZHIMEI_PORT (8080), ZHIMEI_PUBLIC_PORT (port + 1; empty = off),
#   ZHIMEI_DATA_DIR (./data),
#   ZHIMEI_PUBLIC_URL (http://localhost:$ZHIMEI_PORT), DATABASE_URL (PostgreSQL instead of SQLite),
#   ZHIMEI_BUILD=debug (build and run the debug binary instead), ZHIMEI_SKIP_BUILD=1 (use what is built).
# Every other ZHIMEI_* setting is passed through to the server (see docs/operations.md).
set -euo pipefail
cd "$(dirname "$0")/.."
ZHIMEI_ROOT="$PWD"
# shellcheck source=lib/common.sh
. scripts/lib/common.sh

DEMO=1
SAMPLES=(--sample-content)
for arg in "$@"; do
    case "$arg" in
        --no-demo) DEMO=0 ;;
        --no-samples) SAMPLES=() ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) die "unknown option $arg (try --help)" ;;
    esac
done

export ZHIMEI_HOSTNAME="${ZHIMEI_HOSTNAME:-0.0.0.0}"
export ZHIMEI_PORT="${ZHIMEI_PORT:-8080}"
export ZHIMEI_DATA_DIR="${ZHIMEI_DATA_DIR:-$ZHIMEI_ROOT/data}"
export ZHIMEI_PUBLIC_URL="${ZHIMEI_PUBLIC_URL:-http://localhost:$ZHIMEI_PORT}"
# The public edge port (public site and content API only, served from the page cache); ZHIMEI_PUBLIC_PORT= turns it off.
export ZHIMEI_PUBLIC_PORT="${ZHIMEI_PUBLIC_PORT-$((ZHIMEI_PORT + 1))}"
export ZHIMEI_RESOURCES="${ZHIMEI_RESOURCES:-$ZHIMEI_ROOT}"
CONFIG="${ZHIMEI_BUILD:-release}"
mkdir -p "$ZHIMEI_DATA_DIR"

log "dependencies"
ensure_swift

if [ "${ZHIMEI_SKIP_BUILD:-0}" != 1 ]; then
    log "swift build -c $CONFIG --product zhimei (the first build of Vapor + Fluent takes 10+ minutes)"
    # Progress: every 100th step, errors, and the closing line.
    if ! swift build -c "$CONFIG" --product zhimei 2>&1 \
        | build_progress; then
        die "build failed (run: swift build -c $CONFIG --product zhimei)"
    fi
fi
BIN="$(swift build -c "$CONFIG" --show-bin-path)/zhimei"
[ -x "$BIN" ] || die "$BIN not found"

if [ -f scripts/text/setup-data.sh ]; then
    log "text-engine data"
    text_data_setup || warn "scripts/text/setup-data.sh failed; text features may be limited"
fi

if [ "$DEMO" = 1 ]; then
    log "demo data"
    "$BIN" demo "${SAMPLES[@]}"
fi

port_free "$ZHIMEI_PORT" || die "port $ZHIMEI_PORT is in use (set ZHIMEI_PORT)"
cat <<INFO

  智媒 Zhimei — http://localhost:$ZHIMEI_PORT   (listening on $ZHIMEI_HOSTNAME:$ZHIMEI_PORT, data in $ZHIMEI_DATA_DIR${DATABASE_URL:+, PostgreSQL})
INFO
if [ "$DEMO" = 1 ]; then cat <<'INFO'

  Demo logins (password for all: Zhimei@2026)
    admin               platform admin 平台管理员 (湖南融媒体云)
    hunan-editor        platform editor 省平台编辑
    liuyang-admin       tenant admin 单位管理员   (浏阳市融媒体中心; also ningxiang-*, shaoshan-*)
    liuyang-chief       chief editor 总编辑 (终审)
    liuyang-editor      editor 编辑 (初审/复审)
    liuyang-reporter    reporter 记者
    liuyang-reviewer    reviewer 审校员 (复审; added with the sample content)
  Change these passwords before exposing the server to anyone.
INFO
fi
echo
exec "$BIN" serve --hostname "$ZHIMEI_HOSTNAME" --port "$ZHIMEI_PORT"

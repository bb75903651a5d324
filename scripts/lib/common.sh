# shellcheck shell=bash
# Shared helpers for scripts/run.sh and scripts/test.sh: logging, idempotent installs, waiting.
# Source it; it sets nothing else. Everything here is quick when the thing is already there.

ZHIMEI_ROOT="${ZHIMEI_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
PYTHON="${PYTHON:-python3}"

if [ -t 2 ]; then
    log() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }
else
    log() { printf '\n==> %s\n' "$*" >&2; }
fi
info() { printf '    %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }

# apt_ensure PKG... : installs the Debian packages that are not installed yet.
# Runs `apt-get update` only when an install fails (a fresh machine has no package lists).
apt_ensure() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null || die "missing Debian packages (${missing[*]}) and no apt-get"
    local sudo=""
    if ! is_root; then command -v sudo >/dev/null && sudo="sudo" || die "need root to install: ${missing[*]}"; fi
    info "apt-get install ${missing[*]}"
    local apt=($sudo env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=600
               -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    if ! "${apt[@]}" install --no-install-recommends "${missing[@]}" >/tmp/zhimei-apt.log 2>&1; then
        info "apt-get update"
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600 update >>/tmp/zhimei-apt.log 2>&1 || true
        "${apt[@]}" install --no-install-recommends "${missing[@]}" >>/tmp/zhimei-apt.log 2>&1 \
            || { tail -n 30 /tmp/zhimei-apt.log >&2; die "apt-get install ${missing[*]} failed"; }
    fi
}

# pip_ensure "module=requirement" ... : pip-installs each requirement whose module does not import.
pip_ensure() {
    local need=() spec mod req
    for spec in "$@"; do
        mod="${spec%%=*}"; req="${spec#*=}"
        "$PYTHON" -c "import $mod" >/dev/null 2>&1 || need+=("$req")
    done
    [ ${#need[@]} -eq 0 ] && return 0
    if ! "$PYTHON" -m pip --version >/dev/null 2>&1; then
        apt_ensure python3-pip
    fi
    info "pip install ${need[*]}"
    "$PYTHON" -m pip install -q --disable-pip-version-check "${need[@]}" >/tmp/zhimei-pip.log 2>&1 \
        || "$PYTHON" -m pip install -q --disable-pip-version-check --break-system-packages "${need[@]}" >>/tmp/zhimei-pip.log 2>&1 \
        || { tail -n 30 /tmp/zhimei-pip.log >&2; die "pip install ${need[*]} failed"; }
    hash -r
}

# Swift toolchain: the machine provides it (Swift 6.x under /opt/swift or on PATH).
ensure_swift() {
    if ! command -v swift >/dev/null; then
        for d in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
            [ -x "$d/swift" ] && export PATH="$d:$PATH" && break
        done
    fi
    command -v swift >/dev/null || die "Swift 6 toolchain not found (install it from swift.org and put it on PATH)"
    # Libraries the Vapor/Fluent build links against; normally present already.
    apt_ensure zlib1g-dev libsqlite3-dev curl
}

# Runs the text engine's data set-up (owned by scripts/text/) when it is there.
text_data_setup() {
    local s="$ZHIMEI_ROOT/scripts/text/setup-data.sh"
    if [ -f "$s" ] && [ -x "$s" ]; then
        "$s"
    elif [ -f "$s" ]; then
        bash "$s"
    fi
}

# wait_http URL SECONDS [PID] : waits until URL answers (any HTTP status), or fails.
wait_http() {
    local url="$1" secs="${2:-60}" pid="${3:-}" i
    for ((i = 0; i < secs * 4; i++)); do
        if curl -s -o /dev/null --max-time 2 "$url"; then return 0; fi
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
        sleep 0.25
    done
    return 1
}

# port_free PORT : true when nothing listens on 127.0.0.1:PORT.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pick_port PORT : prints PORT, or the next free one of the 20 after it when PORT is taken.
pick_port() {
    local p
    for ((p = $1; p < $1 + 20; p++)); do
        if port_free "$p"; then
            [ "$p" = "$1" ] || warn "port $1 is in use; using $p"
            echo "$p"; return 0
        fi
    done
    return 1
}

# Background processes started through bg_start are stopped by bg_stop_all (call it in an EXIT trap).
ZHIMEI_BG_PIDS=()
bg_start() {  # bg_start LOGFILE CMD... ; sets BG_PID
    local logfile="$1"; shift
    setsid "$@" >"$logfile" 2>&1 < /dev/null &
    BG_PID=$!
    ZHIMEI_BG_PIDS+=("$BG_PID")
}
bg_stop() {  # bg_stop PID : TERM its process group, then KILL after 5 s
    local pid="$1" i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 20; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}
bg_stop_all() {
    local pid
    for pid in "${ZHIMEI_BG_PIDS[@]}"; do bg_stop "$pid"; done
    ZHIMEI_BG_PIDS=()
}

# build_progress : filters `swift build` output down to errors, every 100th step and the closing line.
build_progress() {
    local n=0 line
    while IFS= read -r line; do
        case "$line" in
            *error:*|*"Build complete"*|*"Compiling plugin"*) printf '%s\n' "$line" ;;
            "["[0-9]*) n=$((n + 1)); if [ $((n % 100)) = 1 ]; then printf '%s\n' "$line"; fi ;;
        esac
    done
}

# fmt_secs N : "1m05s"
fmt_secs() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

#!/usr/bin/env bash
# Installs the data ZhimeiText needs and exports it into $ZHIMEI_TEXT_DATA
# (default: ${ZHIMEI_DATA_DIR:-./data}/text). Idempotent and fast on re-run.
#   - jieba (PyPI `jieba`, or Debian `python3-jieba`): dict.txt, HMM parameters, idf.txt
#   - OpenCC (Debian `libopencc1.1`, `opencc`, `libopencc-data`) for Traditional/Simplified conversion
# Set ZHIMEI_SKIP_APT=1 to never call apt-get.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATA_DIR="${ZHIMEI_TEXT_DATA:-${ZHIMEI_DATA_DIR:-./data}/text}"
mkdir -p "$DATA_DIR"
PY="${PYTHON:-python3}"

have_root() { [ "$(id -u)" = 0 ]; }
apt_install() {
    [ "${ZHIMEI_SKIP_APT:-0}" = 1 ] && return 1
    have_root || return 1
    command -v apt-get >/dev/null || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1 && return 0
    apt-get update -q >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1
}

# 1. jieba data
if [ -s "$DATA_DIR/dict.txt" ] && [ -s "$DATA_DIR/hmm.txt" ] && [ -s "$DATA_DIR/idf.txt" ]; then
    :
else
    if ! "$PY" -c 'import jieba' >/dev/null 2>&1; then
        echo "setup-data: installing jieba" >&2
        "$PY" -m pip install -q jieba >/dev/null 2>&1 || apt_install python3-jieba || {
            echo "setup-data: could not install jieba; run 'pip install jieba' or 'apt-get install python3-jieba'" >&2; exit 1; }
    fi
    "$PY" "$HERE/export_jieba_data.py" "$DATA_DIR"
    echo "setup-data: exported jieba data to $DATA_DIR" >&2
fi

# 2. OpenCC shared library and configuration files
if ! ldconfig -p 2>/dev/null | grep -q 'libopencc\.so' || [ ! -f /usr/share/opencc/s2t.json ]; then
    echo "setup-data: installing OpenCC (libopencc1.1 opencc libopencc-data)" >&2
    apt_install libopencc1.1 libopencc-data opencc || echo "setup-data: OpenCC not installed; Traditional/Simplified conversion will be unavailable (apt-get install libopencc1.1 libopencc-data)" >&2
fi
exit 0

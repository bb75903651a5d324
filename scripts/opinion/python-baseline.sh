#!/usr/bin/env bash
# Runs the Python baseline of `zhimei bench opinion` (jieba + snownlp); installs snownlp into a cached pip target
# (${TMPDIR:-/tmp}/zhimei-opinion-py) when it is not importable.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="${PYTHON:-python3}"
TARGET="${TMPDIR:-/tmp}/zhimei-opinion-py"
if ! "$PY" -c 'import snownlp' >/dev/null 2>&1; then
    if [ ! -d "$TARGET/snownlp" ]; then "$PY" -m pip install -q --no-deps --target "$TARGET" snownlp==0.12.3 >/dev/null 2>&1; fi
    export PYTHONPATH="$TARGET${PYTHONPATH:+:$PYTHONPATH}"
fi
"$PY" -c 'import jieba' >/dev/null 2>&1 || "$PY" -m pip install -q jieba >/dev/null 2>&1
exec "$PY" "$HERE/python_pipeline.py" "$1"

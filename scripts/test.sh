#!/usr/bin/env bash
# Every test of the project (run by `make test`, which trains first).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD" TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
PY=.venv/bin/python

echo "== ruff (unused / undefined names, syntax)"
.venv/bin/ruff check .

echo "== knowledge -> NLU lookup tables in sync"
$PY scripts/gen_lookups.py --check

echo "== rasa data validate"
$PY scripts/validate_data.py

echo "== conversation test stories (rasa test --e2e: NLU and dialogue)"
rm -rf results/stories
.venv/bin/rasa test core --e2e --model models/support-bot.tar.gz --stories tests/stories \
  --fail-on-prediction-errors --out results/stories --no-plot > results.stories.log 2>&1 || {
  grep -v "Warning\|warn(" results.stories.log | tail -60; echo "conversation tests FAILED"; exit 1; }
grep -h "Correct:\|Accuracy:" results.stories.log | head -4 || true
echo "conversation tests passed: $(grep -c '^- story:\|^  - story:' tests/stories/*.yml | awk -F: '{s+=$2} END {print s}') stories"

echo "== pytest"
$PY -m pytest -q -p no:cacheprovider

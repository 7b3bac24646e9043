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

echo "== conversation test stories: dialogue (rasa test --fail-on-prediction-errors)"
rm -rf results/stories results/stories-e2e
.venv/bin/rasa test core --model models/support-bot.tar.gz --stories tests/stories \
  --fail-on-prediction-errors --out results/stories --no-plot > results.stories.log 2>&1 || {
  grep -v "Warning\|warn(" results.stories.log | tail -60; echo "dialogue story tests FAILED"; exit 1; }
grep -h "Correct:" results.stories.log | head -2

echo "== conversation test stories: end to end with the user's text (rasa test --e2e)"
.venv/bin/rasa test core --e2e --model models/support-bot.tar.gz --stories tests/stories \
  --out results/stories-e2e --no-plot > results.stories-e2e.log 2>&1 || {
  grep -v "Warning\|warn(" results.stories-e2e.log | tail -60; echo "e2e story tests FAILED to run"; exit 1; }
$PY scripts/story_floor.py results/stories-e2e

echo "== pytest"
$PY -m pytest -q -p no:cacheprovider

# Two commands do everything on a fresh clone:
#   make shell   set up, train what is missing, talk to the bot
#   make test    set up, train what is missing, run every test
PY      := .venv/bin/python
RASA    := .venv/bin/rasa
MODEL   := models/support-bot.tar.gz
SPACY   := build/spacy_pipeline/meta.json
STAMP   := .venv/.installed
WEBCHAT := build/webchat/webchat.js
NPM_STAMP := web/node_modules/.package-lock.json
export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

KNOWLEDGE   := $(wildcard knowledge/*.yml)
TRAIN_DATA  := $(wildcard data/*.yml data/nlu/*.yml)

.PHONY: help install train shell run actions test lint validate bench lock audit clean webchat browser insights purge
.DEFAULT_GOAL := help

help:  ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  \1\t\2/' | expand -t 14

install: $(STAMP)  ## set up .venv from requirements.lock (pyenv Python 3.10)

$(STAMP): requirements.lock .python-version scripts/bootstrap.sh
	bash scripts/bootstrap.sh

$(SPACY): $(STAMP) scripts/build_spacy.py $(KNOWLEDGE) support/names.py support/text.py components/spacy_lemmas.py
	$(PY) scripts/build_spacy.py build/spacy_pipeline

data/nlu/lookups.yml: $(STAMP) scripts/gen_lookups.py $(KNOWLEDGE) support/names.py
	$(PY) scripts/gen_lookups.py

$(MODEL): $(SPACY) data/nlu/lookups.yml config.yml domain.yml $(TRAIN_DATA)
	$(RASA) train --fixed-model-name support-bot --out models

train: $(MODEL)  ## build the spaCy pipeline and lookups, train what changed

# The web chat widget: rasa-webchat as pinned in web/package-lock.json, its
# built file copied to build/webchat/ (served at /webhooks/chat/webchat.js).
$(NPM_STAMP): web/package.json web/package-lock.json
	npm ci --prefix web --ignore-scripts --no-audit --no-fund
	touch $@

$(WEBCHAT): $(STAMP) $(NPM_STAMP) scripts/build_webchat.py
	$(PY) scripts/build_webchat.py

webchat: $(WEBCHAT)  ## build the web chat widget (rasa-webchat, pinned in web/)

# Debian's chromium + chromium-driver for the browser test (as root; else a hint)
browser:  ## install Debian's chromium + chromium-driver (browser test)
	bash scripts/install_browser.sh

shell: $(MODEL)  ## talk to the bot in the terminal (rasa shell + action server)
	$(PY) scripts/launch.py shell

run: $(MODEL) $(WEBCHAT)  ## serve REST, WhatsApp and the web chat on 127.0.0.1 (+ action server)
	$(PY) scripts/launch.py run

actions: $(STAMP)  ## run the action server alone
	$(PY) scripts/launch.py actions

validate: $(MODEL)  ## check domain, data and stories (rasa data validate + project checks)
	$(PY) scripts/validate_data.py

test: $(MODEL) $(WEBCHAT) browser  ## every test: ruff, data validation, dialogue and e2e stories, pytest (unit to browser)
	bash scripts/test.sh

bench: $(MODEL)  ## speed and size against the bare rasa init bot -> reports/bench.md
	$(PY) scripts/bench.py

.PHONY: eval eval-nlu
eval: $(MODEL)  ## play the five held-out conversation sets through REST and WhatsApp -> reports/eval_*.md
	$(PY) scripts/eval_conversations.py
	$(PY) scripts/eval_conversations.py --set tests/conversations_blind
	$(PY) scripts/eval_conversations.py --set tests/conversations_fresh
	$(PY) scripts/eval_conversations.py --set tests/conversations_fresh2
	$(PY) scripts/eval_conversations.py --set tests/conversations_fresh3
	$(PY) scripts/eval_conversations.py --channel whatsapp --workers 12
	$(PY) scripts/eval_conversations.py --channel whatsapp --workers 12 --set tests/conversations_blind
	$(PY) scripts/eval_conversations.py --channel whatsapp --workers 12 --set tests/conversations_fresh
	$(PY) scripts/eval_conversations.py --channel whatsapp --workers 12 --set tests/conversations_fresh2
	$(PY) scripts/eval_conversations.py --channel whatsapp --workers 12 --set tests/conversations_fresh3

eval-nlu: $(SPACY) data/nlu/lookups.yml  ## compare NLU pipelines on tests/nlu_heldout -> reports/eval_nlu.md
	$(PY) scripts/eval_nlu.py

# Operators: figures, charts and the review queue from the tracker store
# (reports/insights.html, insights.json, review_queue.yml); the retention purge
# (RETENTION_DAYS). Both take ENDPOINTS=endpoints.production.yml for the scaled profile.
ENDPOINTS ?= endpoints.yml
insights: $(STAMP)  ## figures, charts and the review queue from the tracker store
	$(PY) scripts/insights.py --endpoints $(ENDPOINTS)

purge: $(STAMP)  ## erase conversations older than RETENTION_DAYS
	$(PY) scripts/privacy.py --endpoints $(ENDPOINTS) purge

# Known advisories of every pinned package (pip-audit, run isolated through uv:
# its own dependencies clash with Rasa 3.6's pins). Needs PyPI's JSON API;
# --strict fails when a package could not be checked. See README, Security.
PIP_AUDIT := pip-audit==2.10.1
audit:  ## known advisories of every pinned package (pip-audit)
	.venv/bin/uv tool run --from '$(PIP_AUDIT)' pip-audit --requirement requirements.lock \
	  --no-deps --disable-pip --strict --progress-spinner off --desc on

lock: $(STAMP)  ## regenerate requirements.lock from requirements.in
	.venv/bin/uv pip compile requirements.in --python-version 3.10 -o requirements.lock

lint: $(STAMP)  ## ruff over the whole project
	.venv/bin/ruff check .

clean:  ## remove build, models and run files
	rm -rf build models var .rasa results reports/tmp

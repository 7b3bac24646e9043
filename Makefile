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

.PHONY: install train shell run actions test test-unit test-stories validate bench lock audit clean webchat browser insights purge

install: $(STAMP)

$(STAMP): requirements.lock .python-version scripts/bootstrap.sh
	bash scripts/bootstrap.sh

$(SPACY): $(STAMP) scripts/build_spacy.py $(KNOWLEDGE) support/names.py support/text.py components/spacy_lemmas.py
	$(PY) scripts/build_spacy.py build/spacy_pipeline

data/nlu/lookups.yml: $(STAMP) scripts/gen_lookups.py $(KNOWLEDGE) support/names.py
	$(PY) scripts/gen_lookups.py

$(MODEL): $(SPACY) data/nlu/lookups.yml config.yml domain.yml $(TRAIN_DATA)
	$(RASA) train --fixed-model-name support-bot --out models

train: $(MODEL)

# The web chat widget: rasa-webchat as pinned in web/package-lock.json, its
# built file copied to build/webchat/ (served at /webhooks/chat/webchat.js).
$(NPM_STAMP): web/package.json web/package-lock.json
	npm ci --prefix web --ignore-scripts --no-audit --no-fund
	touch $@

$(WEBCHAT): $(STAMP) $(NPM_STAMP) scripts/build_webchat.py
	$(PY) scripts/build_webchat.py

webchat: $(WEBCHAT)

# Debian's chromium + chromium-driver for the browser test (as root; else a hint)
browser:
	bash scripts/install_browser.sh

shell: $(MODEL)
	$(PY) scripts/launch.py shell

run: $(MODEL) $(WEBCHAT)
	$(PY) scripts/launch.py run

actions: $(STAMP)
	$(PY) scripts/launch.py actions

validate: $(MODEL)
	$(PY) scripts/validate_data.py

test: $(MODEL) $(WEBCHAT) browser
	bash scripts/test.sh

bench: $(MODEL)
	$(PY) scripts/bench.py

.PHONY: eval eval-nlu
eval: $(MODEL)
	$(PY) scripts/eval_conversations.py

eval-nlu: $(SPACY) data/nlu/lookups.yml
	$(PY) scripts/eval_nlu.py

# Operators: figures, charts and the review queue from the tracker store
# (reports/insights.html, insights.json, review_queue.yml); the retention purge
# (RETENTION_DAYS). Both take ENDPOINTS=endpoints.production.yml for the scaled profile.
ENDPOINTS ?= endpoints.yml
insights: $(STAMP)
	$(PY) scripts/insights.py --endpoints $(ENDPOINTS)

purge: $(STAMP)
	$(PY) scripts/privacy.py --endpoints $(ENDPOINTS) purge

# Known advisories of every pinned package (pip-audit, run isolated through uv:
# its own dependencies clash with Rasa 3.6's pins). Needs PyPI's JSON API;
# --strict fails when a package could not be checked. See README, Security.
PIP_AUDIT := pip-audit==2.10.1
audit:
	.venv/bin/uv tool run --from '$(PIP_AUDIT)' pip-audit --requirement requirements.lock \
	  --no-deps --disable-pip --strict --progress-spinner off --desc on

lock: $(STAMP)
	.venv/bin/uv pip compile requirements.in --python-version 3.10 -o requirements.lock

clean:
	rm -rf build models var .rasa results reports/tmp

# Two commands on a fresh machine: `make run` (set up + demo + serve) and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# Stamps name the pins they installed, so changing a requirements file reinstalls.
STAMP := $(VENV)/.run-$(shell cat requirements.txt pyproject.toml | md5sum | cut -c1-8)
DEV_STAMP := $(VENV)/.dev-$(shell cat requirements.txt requirements-dev.txt pyproject.toml | md5sum | cut -c1-8)

.PHONY: run test setup migrate demo serve browser lint clean bench

# Runtime pins only: `make run` does not wait for the test tools.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.run-*; touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.dev-*; touch $(DEV_STAMP)

setup: $(DEV_STAMP)

migrate: $(STAMP)
	$(BIN)/sihe migrate --no-input -v0

demo: migrate
	$(BIN)/sihe demo

# Web server on http://127.0.0.1:8000 and the outbox worker beside it; Ctrl-C stops both.
run: demo
	@$(BIN)/sihe demo --logins
	@bash scripts/run.sh

serve: migrate
	$(BIN)/sihe serve

# Debian's chromium for the browser tests (never a browser download).
browser:
	@{ command -v chromium && command -v pdftotext; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei poppler-utils >/dev/null) \
	      || echo "could not install chromium: browser tests will be skipped (or fail under CI=true)"; \
	  else echo "chromium missing: run 'sudo apt-get install -y chromium fonts-wqy-zenhei poppler-utils' for the browser and PDF tests"; fi; }

lint: $(DEV_STAMP)
	$(BIN)/ruff check sihe tests bench
	$(BIN)/lint-imports --no-cache
	$(BIN)/sihe makemigrations --check --dry-run -v0

test: $(DEV_STAMP) browser lint
	$(BIN)/pytest $(PYTEST_ARGS)

bench: demo
	$(BIN)/python bench/api.py

clean:
	rm -rf $(VENV) var

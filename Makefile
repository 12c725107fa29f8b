# GenAI Study Desk. `make run` and `make test` are all a fresh Linux machine needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)
LOCK_TOOL := pip-tools==7.7.0
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test crashtest bench lint screenshots package clean lock

# Every dependency comes from requirements.lock (exact versions and hashes), so a fresh machine
# installs what the last `make lock` tested; the app itself goes in editable, without its deps.
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --require-hashes -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

# Refresh the lock after changing the dependencies in pyproject.toml (the only way to change it).
lock:
	@test -x .venv-lock/bin/pip-compile || ($(PYTHON) -m venv .venv-lock && .venv-lock/bin/pip install -q $(LOCK_TOOL))
	.venv-lock/bin/pip-compile -q --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links --no-emit-trusted-host \
	  --extra test --extra dev --extra build -o requirements.lock pyproject.toml

run: $(STAMP)
	$(BIN)/genai-desktop

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

# SIGKILL the review loop 200 times; `make test` runs the same test with 20 rounds.
crashtest: $(STAMP)
	CRASH_ROUNDS=200 QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -s tests/crash

bench: $(STAMP)
	$(BIN)/python bench/run.py

lint: $(STAMP)
	$(BIN)/ruff check genai_desktop tests bench

# One-folder and one-file executables plus an archive of the folder, into dist/ (see README).
package: $(STAMP)
	$(BIN)/python packaging/build.py --mode both --dist dist

screenshots: $(STAMP)
	@mkdir -p screenshots
	for theme in light dark; do \
	  $(BIN)/genai-desktop --data-dir screenshots/.data screenshot screenshots/library-$$theme.png --theme $$theme; \
	done

clean:
	rm -rf build dist *.egg-info .pytest_cache screenshots

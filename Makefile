# GenAI Study Desk. `make run` and `make test` are all a fresh Linux machine needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test crashtest bench lint screenshots package clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,dev,build]'
	@rm -f $(VENV)/.installed-*
	@touch $@

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

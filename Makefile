# interview-coach: `make run` and `make test` set everything up on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEBIAN_PACKAGES := flite espeak-ng
TYPED := bot storage

.PHONY: install run test lint typecheck bench bench-quick bench-stt clean system-packages

install: system-packages $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11+ is required ($(PYTHON) is older)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

system-packages:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
		command -v $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing Debian packages:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else \
			echo "missing system packages:$$missing"; \
			echo "install them with: sudo apt-get install -y$$missing"; exit 1; \
		fi; \
	fi

run: install
	$(BIN)/coach run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy $(TYPED)

test: lint typecheck
	$(BIN)/pytest

bench: install
	$(BIN)/python -m bench

bench-quick: install
	$(BIN)/python -m bench --quick

bench-stt: install
	$(BIN)/python bench/stt_wer.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

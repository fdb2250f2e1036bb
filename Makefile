# make run   : set up, build the index of corpus/, start the chat app
# make test  : set up, run lint, types and the test suite (make test-fast: without slow tests)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PORT   ?= 8501

.PHONY: install index run test test-fast lint bench browser-check clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch==2.13.0 is the CPU wheel on this machine's disk; a bare torch pulls CUDA builds.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[st,dev,ray]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

index: install
	$(VENV)/bin/newsqa build --corpus corpus --index embeddings

run: index
	$(VENV)/bin/streamlit run app.py --server.port $(PORT) --server.headless true

lint: install
	$(VENV)/bin/ruff check src tests app.py benchmarks scripts
	$(VENV)/bin/mypy

# Progress per file and the 10 slowest tests; test-fast leaves out the tests marked slow.
test: install lint
	$(PY) -m pytest --durations=10

test-fast: install lint
	$(PY) -m pytest --durations=10 -m "not slow"

bench: install
	$(PY) -m pip install -q -e '.[compare]'
	$(PY) benchmarks/run_all.py

browser-check: install
	bash scripts/browser_check.sh

clean:
	rm -rf $(VENV) embeddings .pytest_cache .mypy_cache .ruff_cache

# mhtrain: every command sets up its own environment first (.venv), so each works on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Test workers: four on two cores, because some tests spend their time waiting on a kernel,
# a browser or a subprocess while others could run.
JOBS   ?= 4

.PHONY: help setup data data-check test lint format bench lab course book clean

help:
	@echo "make data    set up .venv and regenerate synthetic_data/ (byte-reproducible)"
	@echo "make test    set up .venv and run the whole test suite"
	@echo "make book    set up, build the lesson pages and the executed book into _build/html"
	@echo "make lab     make your own learner workspace and open JupyterLab there"
	@echo "make course  build a demo nbgrader course in course/ (see book/tutor-guide.md)"
	@echo "make bench   print speed and memory figures"
	@echo "make lint    ruff lint and format check"

# The installed files are compiled up front (a sandboxed marking kernel cannot write compiled
# files, so without them each one would compile its libraries afresh), on every core at once:
# pip compiles one file at a time. As with pip's own compiling, a file that does not compile is
# left to Python to read as source.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-compile -e '.[dev,book]'
	$(BIN)/python -m compileall -qq -j 0 $(VENV)/lib mhtrain || true
	@touch $(STAMP)

setup: $(STAMP)

data: setup
	$(BIN)/mhtrain generate --shipped

data-check: setup
	$(BIN)/mhtrain generate --shipped --check

test: setup
	$(BIN)/python -m pytest -n $(JOBS) --dist loadgroup

lint: setup
	$(BIN)/ruff check mhtrain tests scripts
	$(BIN)/ruff format --check mhtrain tests scripts

format: setup
	$(BIN)/ruff check --fix mhtrain tests scripts
	$(BIN)/ruff format mhtrain tests scripts

bench: setup
	$(BIN)/python scripts/bench.py

book: data
	$(BIN)/mhtrain book
	@echo "The course website is ready: open _build/html/index.html in your web browser."

lab: setup
	$(BIN)/mhtrain lab

course: setup
	$(BIN)/mhtrain course init course

clean:
	rm -rf _build course workspace book/lessons .pytest_cache .hypothesis

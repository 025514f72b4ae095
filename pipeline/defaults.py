"""Default settings of the CLI and the Python API, each defined once.

Model folders are relative to the working directory: in a checkout, `make model` builds them.
"""
from __future__ import annotations

from pathlib import Path

# Pipeline folders as `make model` lays them out.
MODEL_DIR = Path("models/tariffscope")  # entities and events: what extract loads by default
ENTITY_MODEL_DIR = Path("models/tariffscope-entities")
EVENT_MODEL_DIR = Path("models/event-classifier")  # the trained classifier the full pipeline sources
TRAINING_CONFIG = Path("configs/event_classifier.cfg")

# extract
BATCH_SIZE = 32
N_PROCESS = 1
MAX_CHARS = 20_000_000  # longer documents go to the error output
# Pieces of a long document are processed separately (spaCy's parser and NER need memory in
# proportion to the text); cuts fall at paragraph breaks.
CHUNK_CHARS = 100_000
# Characters of text in one spaCy batch at most (the parser's and NER's memory grows with it):
# 32 pieces of a 5 MB document (3.2 M characters) in one batch peaked at 9 GB, three at 1.5 GB.
PIPE_BATCH_CHARS = 150_000

# extract --engine dask
DASK_WORKERS = 2
SHARD_SIZE = 200
DASK_RETRIES = 2

# load / export
DB_URL = "sqlite:///tariffscope.db"
DB_BATCH_SIZE = 1000
PARQUET_CHUNK_ROWS = 50_000

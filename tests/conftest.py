from __future__ import annotations

import re
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

REPO = Path(__file__).resolve().parent.parent
SEED_PATH = REPO / "corpus" / "samples" / "kyodo-2025-05-01-japan-us-tariff-talks.txt"


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipeline.assemble import assemble

    folder = tmp_path_factory.mktemp("model") / "tariffscope-entities"
    assemble(REPO / "configs" / "entities.cfg", folder)
    return folder


@pytest.fixture(scope="session")
def nlp(model_dir: Path) -> Language:
    return spacy.load(model_dir)


@pytest.fixture(scope="session")
def seed_text() -> str:
    raw = SEED_PATH.read_text(encoding="utf-8")
    header = re.match(r"\s*date\s+\S+\s+", raw)
    assert header is not None
    return raw[header.end():]


def ents(doc, label: str) -> list:
    return [e for e in doc.ents if e.label_ == label]


@pytest.fixture(scope="session")
def full_model_dir(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full pipeline (entities + the committed, trained event classifier)."""
    from pipeline.assemble import assemble
    from pipeline.defaults import EVENT_MODEL_DIR

    folder = tmp_path_factory.mktemp("full") / "tariffscope"
    assemble(REPO / "configs" / "tariffscope.cfg", folder,
             {"paths.entities": str(model_dir), "paths.event_model": str(REPO / EVENT_MODEL_DIR)})
    return folder


@pytest.fixture(scope="session")
def full_nlp(full_model_dir: Path) -> Language:
    return spacy.load(full_model_dir)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", help="also run the tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --slow (make test-slow)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)

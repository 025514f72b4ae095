"""Checks every component test runs (save/load round trip, n_process 1 vs 2), and code run by
a fresh interpreter for the tests of what a process imports."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import spacy
from spacy.language import Language

from pipeline.output import entities_of
from tests.conftest import REPO


def run_fresh(code: str) -> str:
    """stdout of ``code`` run by a new interpreter in the repository (one that has imported
    nothing yet)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO).stdout


def component_output(nlp: Language, texts: list[str], label: str, n_process: int = 1) -> list[list[dict]]:
    return [[e for e in entities_of(doc) if e["label"] == label]
            for doc in nlp.pipe(texts, n_process=n_process, batch_size=2)]


def assert_round_trip(nlp: Language, tmp_path: Path, component: str, label: str, texts: list[str]) -> None:
    """The component's data files are saved in the pipeline folder and the reloaded pipeline
    gives the same output."""
    folder = tmp_path / "saved"
    nlp.to_disk(folder)
    pipe = nlp.get_pipe(component)
    for name in pipe.data_files:
        assert (folder / component / name).read_text(encoding="utf-8") == pipe.data[name]
    reloaded = spacy.load(folder)
    assert reloaded.get_pipe(component).data == pipe.data
    before = component_output(nlp, texts, label)
    assert any(before), "the round-trip texts must produce entities"
    assert component_output(reloaded, texts, label) == before
    # bytes round trip of the component alone
    fresh = spacy.load(folder)
    fresh.get_pipe(component).from_bytes(pipe.to_bytes())
    assert component_output(fresh, texts, label) == before


def assert_same_with_two_processes(nlp: Language, texts: list[str], label: str) -> None:
    one = component_output(nlp, texts, label, n_process=1)
    two = component_output(nlp, texts, label, n_process=2)
    assert any(one)
    assert one == two


def blank_pipeline(component: str, config: dict | None = None) -> Language:
    """spacy.blank("en") with a sentencizer and one tariffscope component, initialized from the
    package's data files: unit tests of the component's own rules, without the base models."""
    import pipeline.components  # noqa: F401  (registers the factories)

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(component, config=config or {})
    nlp.initialize()
    return nlp


def labelled(nlp: Language, text: str) -> list[tuple[str, str]]:
    """(text, label) of the tariffscope entities ``nlp`` finds in ``text``."""
    return [(e["text"], e["label"]) for e in entities_of(nlp(text))]

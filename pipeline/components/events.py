"""event_classifier: labels every sentence with trade events using the fine-tuned transformer.

The weights, tokenizer, labels and thresholds live in the component's folder of the saved
pipeline, so ``spacy.load(models/...)`` is the whole model.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import minibatch

from ..extensions import register_extensions
from ..gazetteer import DEFAULT_DATA_DIR, read_tsv

MODEL_FILES = ("event_model.safetensors", "event_model.json", "config.json", "tokenizer.json", "tokenizer_config.json")
GATE_FILE = "event_gate.tsv"


@dataclass(frozen=True)
class EventGate:
    """A cheap, high-recall test of whether a sentence can report an event: it holds an entity
    of one of ``entity_labels`` or one of ``words`` (lower-case form or lemma). Sentences that
    fail it are not sent to the classifier (benchmarks/event_gate.py measures its recall)."""

    entity_labels: frozenset[str]
    words: frozenset[str]

    @classmethod
    def from_text(cls, text: str) -> EventGate:
        rows = read_tsv(text)
        return cls(frozenset(r["value"] for r in rows if r["kind"] == "entity_label"),
                   frozenset(r["value"].lower() for r in rows if r["kind"] == "word"))

    def passes(self, sentence: Span) -> bool:
        if any(ent.label_ in self.entity_labels for ent in sentence.ents):
            return True
        words = self.words
        return any(token.lower_ in words or token.lemma_.lower() in words for token in sentence)


class EventClassifier(Pipe):
    def __init__(self, nlp: Language, name: str, *, sentence_batch_size: int, max_length: int, num_threads: int,
                 runtime: str, quantize: bool, fp32_layers: list[int], min_sentence_chars: int,
                 gate_sentences: bool) -> None:
        from ..events.model import RUNTIMES

        register_extensions()
        if runtime not in RUNTIMES:
            raise ValueError(f"{name}: runtime must be one of {RUNTIMES}, not {runtime!r}")
        self.name = name
        self.runtime = runtime
        self.sentence_batch_size = sentence_batch_size
        self.max_length = max_length
        self.num_threads = num_threads
        self.quantize = quantize
        self.fp32_layers = tuple(fp32_layers)
        self.min_sentence_chars = min_sentence_chars
        self.gate_sentences = gate_sentences
        self.gate_data: str | None = None  # the text of event_gate.tsv, saved with the pipeline
        self.gate: EventGate | None = None
        self.model_dir: Path | None = None
        self._model: Any = None
        self._threads_set_in: int | None = None  # pid of the process whose torch threads were set

    # -- model files -------------------------------------------------------------------------
    def initialize(self, get_examples: Callable[[], Iterable[Example]] | None = None, *, nlp: Language | None = None,
                   model_dir: str | None = None, data_dir: str | None = None) -> None:
        if not model_dir:
            raise ValueError(f"{self.name}: initialize needs model_dir, a folder written by `tariffscope train`")
        self._use(Path(model_dir))
        if self.gate_sentences:
            self._set_gate((Path(data_dir) if data_dir else DEFAULT_DATA_DIR) / GATE_FILE)

    def _set_gate(self, path: Path) -> None:
        self.gate_data = path.read_text(encoding="utf-8")
        self.gate = EventGate.from_text(self.gate_data)

    def _use(self, folder: Path) -> None:
        missing = [name for name in MODEL_FILES if not (folder / name).exists()]
        if missing:
            raise FileNotFoundError(f"{self.name}: {folder} lacks {missing}")
        self.model_dir = folder
        self._model = None

    @property
    def event_model(self) -> Any:
        """Loaded on first use, once per process (not at import or spacy.load time)."""
        if self._model is None:
            if self.model_dir is None:
                raise ValueError(f"{self.name} has no model: initialize it or load a saved pipeline")
            from ..events.model import load_event_model

            threads = self._set_threads()
            self._model = load_event_model(self.model_dir, self.runtime, threads=threads, quantize=self.quantize,
                                           fp32_layers=self.fp32_layers, max_length=self.max_length)
        return self._model

    def _set_threads(self) -> int:
        """One thread in a worker process (nlp.pipe(n_process=...), Dask): the workers share
        the cores, and a process forked from one that already ran torch's thread pool hangs if
        it uses that pool. Elsewhere num_threads (0: the runtime's default). Returns the
        number for the runtime (0 = its default)."""
        import multiprocessing

        threads = 1 if multiprocessing.parent_process() is not None else self.num_threads
        if self.runtime == "torch" and self._threads_set_in != os.getpid():
            import torch

            if threads > 0:
                torch.set_num_threads(threads)
            self._threads_set_in = os.getpid()
        return threads

    @property
    def labels(self) -> tuple[str, ...]:
        """The event labels (empty until a model is initialized or loaded)."""
        import json

        if self.model_dir is None:
            return ()
        return tuple(json.loads((self.model_dir / "event_model.json").read_text(encoding="utf-8"))["labels"])

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """The model files (unless "model" is in ``exclude``), and for onnxruntime the ONNX
        graphs: copied from the folder the model came from when it has them (a saved
        pipeline), exported only from a bare trained model."""
        if "model" in exclude:
            return
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        if self.model_dir is None:
            raise ValueError(f"{self.name} has no model to save")
        if self.gate_data is not None:
            (folder / GATE_FILE).write_text(self.gate_data, encoding="utf-8")
        if self.model_dir.resolve() == folder.resolve():
            return
        for name in MODEL_FILES:
            shutil.copyfile(self.model_dir / name, folder / name)
        if self.runtime == "onnxruntime":
            self._save_onnx(folder)

    def _save_onnx(self, folder: Path) -> None:
        """The ONNX graph (and the int8 one when quantize is on), so that loading the saved
        pipeline neither exports nor quantizes."""
        from ..events.model import ONNX_FILE, int8_onnx_name, onnx_graph

        assert self.model_dir is not None
        kept = int8_onnx_name(self.fp32_layers) if self.quantize else None
        names = [ONNX_FILE] + ([kept] if kept else [])
        if all((self.model_dir / name).exists() for name in names):
            for name in names:
                shutil.copyfile(self.model_dir / name, folder / name)
        else:
            graph = onnx_graph(self.model_dir)
            (folder / ONNX_FILE).write_bytes(graph)
            if kept:
                int8 = onnx_graph(self.model_dir, quantize=True, fp32_layers=self.fp32_layers, fp32_graph=graph)
                (folder / kept).write_bytes(int8)
        for stale in folder.glob("event_model.int8*.onnx"):  # from an earlier save with other settings
            if stale.name != kept:
                stale.unlink()

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> EventClassifier:
        self._use(Path(path))
        if self.gate_sentences:
            if not (Path(path) / GATE_FILE).exists():
                raise FileNotFoundError(f"{self.name}: gate_sentences is on but {path} has no {GATE_FILE}")
            self._set_gate(Path(path) / GATE_FILE)
        return self

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_model"] = None  # reloaded from model_dir in a worker process
        return state

    # -- prediction --------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size):
            batch = list(batch)
            self.set_annotations(batch, self.predict(batch))
            yield from batch

    def predict(self, docs: Iterable[Doc]) -> list[SentenceScores]:
        """For each document, its sentences' spans and event probabilities. Each document's
        sentences go to the model on their own: int8 dynamic quantization scales the
        activations by the whole batch, so sentences of other documents in a batch would change
        this one's events (and so would --batch-size, shards and engines)."""
        from ..events.model import normalize_sentence
        from ..sentences import is_headline, sentence_spans

        scores: list[SentenceScores] = []
        for doc in docs:
            spans: list[tuple[int, int]] = []
            texts: list[str] = []
            contexts: list[str] = []
            previous = ""
            doc_text = doc.text  # Doc.text joins every token on each access: read it once
            sentences = sentence_spans(doc)
            if sentences:
                self._set_threads()
                model = self.event_model
                gate = self.gate if self.gate_sentences else None
                for start, end in sentences:
                    text = normalize_sentence(doc_text[start:end])
                    if len(text) >= self.min_sentence_chars and (
                            gate is None or gate.passes(doc.char_span(start, end, alignment_mode="expand"))):
                        spans.append((start, end))
                        texts.append(model.input_text(text, is_headline(doc_text, start, end)))
                        contexts.append(previous)
                    previous = text
            probs = self.event_model.predict(texts, contexts, batch_size=self.sentence_batch_size) if texts else []
            scores.append(SentenceScores(spans, [[float(p) for p in row] for row in probs]))
        return scores

    def set_annotations(self, docs: Iterable[Doc], scores: list[SentenceScores]) -> None:
        """``doc._.ts_events``: an event for every label whose probability reaches its threshold."""
        for doc, doc_scores in zip(docs, scores):
            doc._.ts_events = []
            if not doc_scores.spans:
                continue
            settings = self.event_model.settings
            for (start, end), row in zip(doc_scores.spans, doc_scores.probabilities):
                for label, probability, threshold in zip(settings.labels, row, settings.thresholds):
                    if probability >= threshold:
                        doc._.ts_events.append(
                            {"type": label, "confidence": round(float(probability), 4), "start": start, "end": end})


@dataclass
class SentenceScores:
    """One document's scored sentences: character spans and a probability per event label."""

    spans: list[tuple[int, int]]
    probabilities: list[list[float]]


@Language.factory(
    "tariffscope_event_classifier",
    requires=["doc.sents"],
    assigns=["doc._.ts_events"],
    default_config={"sentence_batch_size": 16, "max_length": 0, "num_threads": 0, "runtime": "onnxruntime",
                    "quantize": False, "fp32_layers": [], "min_sentence_chars": 3, "gate_sentences": False},
)
def make_event_classifier(nlp: Language, name: str, sentence_batch_size: int, max_length: int, num_threads: int,
                          runtime: str, quantize: bool, fp32_layers: list[int], min_sentence_chars: int,
                          gate_sentences: bool) -> EventClassifier:
    return EventClassifier(nlp, name, sentence_batch_size=sentence_batch_size, max_length=max_length,
                           num_threads=num_threads, runtime=runtime, quantize=quantize, fp32_layers=fp32_layers,
                           min_sentence_chars=min_sentence_chars, gate_sentences=gate_sentences)

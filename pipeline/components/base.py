"""What the data-driven components share: data files loaded in ``initialize`` and saved with
the pipeline, and the rule for adding spans to ``doc.ents``."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import filter_spans

from ..extensions import register_extensions
from ..gazetteer import DEFAULT_DATA_DIR
from ..labels import ENTITY_LABELS

# The possessive clitic as the tokenizer splits it off ("China's" -> "China", "'s"), both apostrophes.
POSSESSIVES = frozenset({"'s", "’s"})

class SavedDataFiles:
    """Data files (name -> text) that a component saves into its pipeline folder and reads back:
    ``to_disk``/``from_disk`` and ``to_bytes``/``from_bytes``. Components keep the files in
    ``self.data``, list them in ``data_files``, and rebuild what they derive from them in
    ``set_data``."""

    data_files: tuple[str, ...] = ()
    data: dict[str, str]

    def set_data(self, data: dict[str, str]) -> None:
        raise NotImplementedError

    # -- serialization ---------------------------------------------------------------------
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        if "data" in exclude:
            return
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in self.data.items():
            (folder / name).write_text(text, encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> Any:
        if "data" in exclude:
            return self
        folder = Path(path)
        self.set_data({name: (folder / name).read_text(encoding="utf-8") for name in self.data_files})
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return srsly.msgpack_dumps({} if "data" in exclude else self.data)

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = ()) -> Any:
        if "data" in exclude:
            return self
        self.set_data(srsly.msgpack_loads(bytes_data))
        return self


class DataFilePipe(SavedDataFiles, Pipe):
    """A rule component whose knowledge lives in versioned data files.

    ``initialize`` reads the files from ``data_dir`` (the package's data folder by default);
    ``to_disk`` writes them into the pipeline folder and ``from_disk`` reads them back, so a
    saved pipeline carries the exact data it was built with.
    """

    def __init__(self, nlp: Language, name: str) -> None:
        register_extensions()
        for label in ENTITY_LABELS:
            nlp.vocab.strings.add(label)  # permanent, whatever memory zone a span is made in
        self.vocab = nlp.vocab
        # Patterns are tokenized by the pipeline's own tokenizer so they match its tokens.
        self.tokenizer = nlp.tokenizer
        self.name = name
        self.data: dict[str, str] = {}
        self._compiled: Any = None

    # -- data ------------------------------------------------------------------------------
    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]] | None = None,
        *,
        nlp: Language | None = None,
        data_dir: str | None = None,
    ) -> None:
        folder = Path(data_dir) if data_dir else DEFAULT_DATA_DIR
        self.set_data({name: (folder / name).read_text(encoding="utf-8") for name in self.data_files})

    def set_data(self, data: dict[str, str]) -> None:
        missing = [name for name in self.data_files if name not in data]
        if missing:
            raise ValueError(f"{self.name}: data files missing: {missing}")
        self.data = dict(data)
        # Compiled now, not on first use: a first use inside nlp.memory_zone() would make the
        # patterns' strings transient, freed when the zone ends.
        self._compiled = self.compile()

    @property
    def compiled(self) -> Any:
        if self._compiled is None:
            if not self.data:
                raise ValueError(f"{self.name} has no data: call nlp.initialize() or load a saved pipeline")
            self._compiled = self.compile()
        return self._compiled

    def compile(self) -> Any:  # built lazily from self.data, once per process
        raise NotImplementedError

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_compiled"] = None  # matchers are rebuilt from the data in the new process
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if self.data:
            self._compiled = self.compile()


def add_entities(doc: Doc, spans: Iterable[Span]) -> list[Span]:
    """Put ``spans`` into ``doc.ents``. They replace overlapping base-pipeline entities; an
    overlapping entity of an earlier tariffscope component is kept (components earlier in the
    pipeline have priority). Returns the spans that were added."""
    existing = list(doc.ents)
    ours = [(e.start, e.end) for e in existing if e.label_ in ENTITY_LABELS]
    added = [
        span for span in filter_spans(list(spans))
        if not any(span.start < end and start < span.end for start, end in ours)
    ]
    if not added:
        return []
    kept = [e for e in existing if not any(e.start < s.end and s.start < e.end for s in added)]
    doc.ents = sorted(kept + added, key=lambda span: span.start)
    return added


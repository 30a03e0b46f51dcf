"""Keep the test suite out of the user's cache folder, and hold every record the tests
write to the published schema.

inspector.parsing keeps Genie's parser lookups in a cache file (`$INSPECTOR_CACHE`, else
~/.cache/inspector). Set in `pytest_configure`, before collection and every fixture, so that
parses at import time, module fixtures and the CLI subprocesses the tests start (their env is
`{**os.environ, ...}` or inherited) all use a folder of this session.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import chromium  # noqa: F401  # a fixture for every test that needs one

RECORD_SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "record.schema.json"

_session: dict[str, str | None] = {}


def pytest_configure(config: pytest.Config) -> None:
    _session["previous"] = os.environ.get("INSPECTOR_CACHE")
    _session["previous_key"] = os.environ.get("INSPECTOR_KEY")
    _session["folder"] = os.environ["INSPECTOR_CACHE"] = tempfile.mkdtemp(prefix="inspector-cache-")
    # A test that does not name its signing key gets one of this session, never the user's.
    os.environ["INSPECTOR_KEY"] = os.path.join(_session["folder"], "key", "inspector.pem")
    # Nor its fleet store: a test that names no --db writes here, never to the user's.
    _session["previous_db"] = os.environ.get("INSPECTOR_DB")
    os.environ["INSPECTOR_DB"] = os.path.join(_session["folder"], "fleet.sqlite")


def pytest_unconfigure(config: pytest.Config) -> None:
    previous, folder = _session.get("previous"), _session.get("folder")
    for name, value in (("INSPECTOR_CACHE", previous),
                        ("INSPECTOR_KEY", _session.get("previous_key")),
                        ("INSPECTOR_DB", _session.get("previous_db"))):
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def record_validator() -> object:
    import fastjsonschema

    return fastjsonschema.compile(json.loads(RECORD_SCHEMA.read_text()))


@pytest.fixture(scope="session", autouse=True)
def _every_record_follows_the_schema(
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Once the session is over, every record any test (or CLI it started) wrote under the
    session's temporary folder is validated against schemas/record.schema.json."""
    yield
    from fastjsonschema import JsonSchemaException

    validate = record_validator()
    wrong = []
    for path in sorted(tmp_path_factory.getbasetemp().rglob("records/*.json")):
        try:
            validate(json.loads(path.read_text()))  # type: ignore[operator]
        except (ValueError, JsonSchemaException) as exc:
            wrong.append(f"{path}: {getattr(exc, 'message', exc)}")
    if wrong:
        pytest.fail(f"{len(wrong)} record(s) do not follow {RECORD_SCHEMA.name}:\n"
                    + "\n".join(wrong[:20]), pytrace=False)

"""Genie's parser lookups kept on disk: a warm cache spares a fresh process Genie's index, and
a cache that is missing, corrupt or unwritable changes nothing but the time a parse takes."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from inspector import parsing
from mock_devices import render_output
from tests.fresh import fresh_json

NOW = datetime(2025, 3, 14, 9, 26, 53, 123000, tzinfo=UTC)
# A command without arguments and one whose arguments Genie reads from the command line.
COMMANDS = ("show interfaces", "dir crashinfo:")


def _output(command: str) -> str:
    return render_output("cat9300", command, index=7, now=NOW)


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """inspector.parsing's lookups as a new process sees them, cached under tmp_path."""
    monkeypatch.setenv("INSPECTOR_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(parsing, "_lookup_cache", parsing._LookupCache())
    parsing._lookup.cache_clear()
    yield tmp_path / "cache"
    parsing._lookup.cache_clear()  # forget what the patched cache answered


def _cache_file() -> Path:
    found = parsing._cache_file()
    assert found is not None
    return found[0]


def _parse_all() -> dict[str, Any]:
    return {c: parsing.genie_parse("iosxe", c, _output(c), schema_check=False) for c in COMMANDS}


_FRESH_PROCESS = """
import json, sys
from inspector.parsing import genie_parse
from genie.libs.parser.utils import common
outputs = json.load(sys.stdin)
parsed = {c: genie_parse("iosxe", c, text, schema_check=False) for c, text in outputs.items()}
print(json.dumps({"index_loaded": common.parser_data is not None, "parsed": repr(parsed)}))
"""


def _in_fresh_process(cache: Path) -> dict[str, Any]:
    outputs = json.dumps({c: _output(c) for c in COMMANDS})
    result: dict[str, Any] = fresh_json(_FRESH_PROCESS, stdin=outputs,
                                        env={"INSPECTOR_CACHE": str(cache)})
    return result


def test_a_warm_cache_spares_a_fresh_process_the_index(tmp_path: Path) -> None:
    cold = _in_fresh_process(tmp_path / "cache")
    warm = _in_fresh_process(tmp_path / "cache")
    assert cold["index_loaded"], "the cold process had nothing cached yet"
    assert not warm["index_loaded"], "the warm process loaded Genie's index"
    assert warm["parsed"] == cold["parsed"]


def test_the_cache_file_holds_what_genie_answered(fresh: Path) -> None:
    _parse_all()
    data = json.loads(_cache_file().read_text())
    assert data["genie.libs.parser"] in _cache_file().name
    genie = parsing._parser_index()
    for command in COMMANDS:
        cls, kwargs = genie.get_parser(command, parsing.genie_device("iosxe"))
        assert data["lookups"]["iosxe"][command] == {
            "class": f"{cls.__module__}.{cls.__name__}", "kwargs": dict(kwargs)}
    assert data["lookups"]["iosxe"]["dir crashinfo:"]["kwargs"] == {"directory": "crashinfo:"}
    assert [p.name for p in fresh.iterdir()] == [_cache_file().name]  # no temporary file left


def test_a_failed_lookup_is_not_cached(fresh: Path) -> None:
    with pytest.raises(parsing.ParseFailure, match="ParserNotFound"):
        parsing.genie_parse("iosxe", "show no such command", "anything")
    assert not _cache_file().exists()


@pytest.mark.parametrize("garbage", [
    "{not json", "", "[]", '{"genie.libs.parser": "0.0", "lookups": {}}',
    '{"genie.libs.parser": "%s", "lookups": {"iosxe": {"show interfaces": "x", '
    '"dir crashinfo:": {"class": "genie.libs.parser.nowhere.Dir", "kwargs": {}}}}}',
])
def test_a_corrupt_cache_is_ignored_and_replaced(fresh: Path, monkeypatch: pytest.MonkeyPatch,
                                                garbage: str) -> None:
    expected = repr(_parse_all())  # the cold answer
    path = _cache_file()
    path.write_text(garbage.replace("%s", path.stem.rpartition("-")[2]))
    monkeypatch.setattr(parsing, "_lookup_cache", parsing._LookupCache())  # as a new process
    parsing._lookup.cache_clear()

    assert repr(_parse_all()) == expected
    data = json.loads(path.read_text())
    assert set(data["lookups"]["iosxe"]) == set(COMMANDS)


def test_an_unwritable_cache_still_parses(fresh: Path, monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    expected = repr(_parse_all())
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    for folder in (blocker / "cache", tmp_path / "dir-in-the-way"):  # cannot create; cannot replace
        monkeypatch.setenv("INSPECTOR_CACHE", str(folder))
        monkeypatch.setattr(parsing, "_lookup_cache", parsing._LookupCache())
        parsing._lookup.cache_clear()
        if folder.name == "dir-in-the-way":
            _cache_file().mkdir(parents=True)  # a folder where the cache file should be
        assert repr(_parse_all()) == expected
    assert list((tmp_path / "dir-in-the-way").iterdir()) == [_cache_file()]  # no temp left


def test_threads_parsing_at_once_leave_a_whole_file(fresh: Path) -> None:
    commands = ["show version", "show inventory", "show interfaces", "dir crashinfo:",
                "show platform", "show redundancy", "show boot", "show install summary"]
    outputs = {c: _output(c) for c in commands}
    errors: list[BaseException] = []

    def parse(command: str) -> None:
        try:
            parsing.genie_parse("iosxe", command, outputs[command], schema_check=False)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=parse, args=(c,)) for c in commands * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert set(json.loads(_cache_file().read_text())["lookups"]["iosxe"]) == set(commands)

"""The device Genie's parsers are given: a stand-in for `genie.conf.base.Device` that parses
exactly as the Device does, spares a fresh process the Device's 0.2 s, and reaches nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from inspector import parsing
from mock_devices import render_output
from tests.fresh import fresh_json

NOW = datetime(2025, 3, 14, 9, 26, 53, 123000, tzinfo=UTC)
# (Genie OS, lab profile, command): a command Genie finds by name and one whose argument it
# reads from the command line, on two platforms.
PARSES = (
    ("iosxe", "cat9300", "show interfaces"),
    ("iosxe", "cat9300", "dir crashinfo:"),
    ("iosxe", "cat9300", "show version"),
    ("nxos", "nexus9300", "show interface"),
)


def _outputs() -> list[tuple[str, str, str]]:
    return [(os_name, command, render_output(profile, command, index=7, now=NOW))
            for os_name, profile, command in PARSES]


# Parses as a rerun does, then, in the same process, parses again through a real Genie Device
# (Genie's own `device.parse` for the checked path) to compare.
_FRESH_PROCESS = """
import json, sys
from inspector.parsing import genie_parse
from genie.libs.parser.utils import common
outputs = json.load(sys.stdin)
unchecked = [genie_parse(o, c, text, schema_check=False) for o, c, text in outputs]
conf_loaded = "genie.conf.base" in sys.modules
index_loaded = common.parser_data is not None
checked = [genie_parse(o, c, text) for o, c, text in outputs]

from genie.conf.base import Device
same = []
for (o, c, text), mine, mine_checked in zip(outputs, unchecked, checked):
    device = Device("offline-" + o, os=o, custom={"abstraction": {"order": ["os"]}})
    cls, kwargs = common.get_parser(c, device)
    theirs = cls(device=device).cli(output=text, **kwargs)
    theirs_checked = device.parse(c, output=text)
    same.append([type(mine) is type(theirs), repr(mine) == repr(theirs),
                 type(mine_checked) is type(theirs_checked),
                 repr(mine_checked) == repr(theirs_checked)])
print(json.dumps({"conf_loaded": conf_loaded, "index_loaded": index_loaded, "same": same,
                  "parsed": repr(unchecked)}))
"""


def _in_fresh_process(cache: Path) -> dict[str, Any]:
    result: dict[str, Any] = fresh_json(_FRESH_PROCESS, stdin=json.dumps(_outputs()),
                                        env={"INSPECTOR_CACHE": str(cache)})
    return result


def test_a_fresh_process_parses_as_genies_device_without_building_one(tmp_path: Path) -> None:
    cold = _in_fresh_process(tmp_path / "cache")
    warm = _in_fresh_process(tmp_path / "cache")
    assert cold["index_loaded"] and not warm["index_loaded"], "the lookup cache was not used"
    assert not warm["conf_loaded"], "a warm parse imported genie.conf.base"
    assert not cold["conf_loaded"], "Genie's lookup needed genie.conf.base"
    for run in (cold, warm):
        assert run["same"] == [[True] * 4] * len(PARSES)
    assert warm["parsed"] == cold["parsed"]


def test_genies_lookup_reads_from_it_what_it_reads_from_a_device() -> None:
    from genie.abstract import Lookup
    from genie.conf.base import Device

    genie = parsing._parser_index()
    for os_name in ("ios", "iosxe", "nxos", "iosxr", "asa"):
        device = Device(f"offline-{os_name}", os=os_name,
                        custom={"abstraction": {"order": ["os"]}})
        ours = parsing.genie_device(os_name)
        order = genie.parser_data.order
        assert (Lookup.tokens_from_device(ours, order, genie.PARSER_MODULE_NAME)
                == Lookup.tokens_from_device(device, order, genie.PARSER_MODULE_NAME))
        for command in ("show version", "show inventory", "dir crashinfo:", "show logging"):
            assert _answer(genie, command, ours) == _answer(genie, command, device)


def _answer(genie: Any, command: str, device: Any) -> tuple[Any, ...]:
    try:
        return tuple(genie.get_parser(command, device))
    except Exception as exc:  # a command an OS has no parser for: the same refusal
        return type(exc), str(exc)


def test_it_is_one_device_per_os() -> None:
    assert parsing.genie_device("iosxe") is parsing.genie_device("iosxe")
    assert parsing.genie_device("iosxe") is not parsing.genie_device("nxos")
    assert parsing.genie_device("nxos").os == "nxos"


@pytest.mark.parametrize("parser_class", [
    None, "genie.libs.parser.iosxe.show_platform.ShowVersion"])
@pytest.mark.parametrize("schema_check", [True, False])
def test_a_parse_that_needs_a_live_device_fails(parser_class: str | None,
                                                schema_check: bool) -> None:
    # No output: the parser asks the device to run the command.
    with pytest.raises(parsing.ParseFailure,
                       match="^RuntimeError: offline parsing: this Genie device cannot reach"):
        parsing.genie_parse("iosxe", "show version", None,  # type: ignore[arg-type]
                            parser_class, schema_check=schema_check)


@pytest.mark.parametrize("name", ["execute", "connect", "cli", "get", "expect", "sendline",
                                  "handle", "api", "parse", "connections", "configure"])
def test_every_way_to_a_device_raises(name: str) -> None:
    device = parsing.genie_device("iosxe")
    with pytest.raises(RuntimeError, match="offline parsing"):
        way = getattr(device, name)  # most raise here; `execute` and `connect` when called
        if callable(way):
            way("show version")
        else:
            way.execute("show version")  # `cli`, as on the Device it stands in for

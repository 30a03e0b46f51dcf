"""Turning saved outputs into data: Genie first, then ntc-templates' TextFSM, then our own.

Everything here works on text already on disk. The Genie device object is built so that it
cannot reach a device: parsing that would need a live session raises instead.
"""

from __future__ import annotations

import importlib
import re
import threading
from functools import cache
from typing import Any

_genie_lock = threading.Lock()


class ParseFailure(Exception):
    """A parser could not turn this output into data."""


class _NoDevice:
    """Stands in for every way Genie could talk to a device."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError("offline parsing: this Genie device cannot reach a device")


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("offline parsing: this Genie device cannot reach a device")


# Genie's parsers compile their patterns on every call through `re`'s cache of 512; the
# catalogue's parsers use about 2,000, so chassis of mixed platforms kept evicting each other's
# (a third of the evaluation time, measured on a 200-chassis lab). Make room for all of them.
_REGEX_CACHE = 4096


@cache
def genie_device(genie_os: str) -> Any:
    with _genie_lock:  # Genie's first import is not safe to race from worker threads
        if getattr(re, "_MAXCACHE", _REGEX_CACHE) < _REGEX_CACHE:
            setattr(re, "_MAXCACHE", _REGEX_CACHE)  # noqa: B010 (private: unknown to mypy)
        from genie.conf.base import Device

        device = Device(
            f"offline-{genie_os}", os=genie_os, custom={"abstraction": {"order": ["os"]}}
        )
    device.cli = _NoDevice()
    device.execute = _refuse
    device.connect = _refuse
    return device


@cache
def _parser_class(dotted: str) -> Any:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _parser_index() -> Any:
    """Genie's index of parsers by command and OS, loaded once for every thread."""
    from genie.libs.parser.utils import common

    if common.parser_data is None:
        with _genie_lock:
            if common.parser_data is None:
                # Genie loads it on the first parse without a lock: each of 20 threads racing
                # that first parse built its own copy (measured: 1 s of CPU and 45 MB each).
                common._load_parser_json()
    return common


@cache
def _lookup(genie_os: str, command: str) -> tuple[Any, dict[str, Any]]:
    """The parser class that `device.parse` would pick for `command`, and its arguments.

    Genie looks this up on every parse; for a command with an argument (`dir crashinfo:`) that
    is a search through the whole index, about 7 ms each time.
    """
    cls, kwargs = _parser_index().get_parser(command, genie_device(genie_os))
    return cls, dict(kwargs)


def genie_parse(genie_os: str, command: str, text: str, parser_class: str | None = None,
                *, schema_check: bool = True) -> Any:
    """Parse with Genie; `parser_class` pins one class where revisions' schemas differ.

    `schema_check=False` runs the parser itself but skips the metaparser's check of the
    result against the parser's schema; an empty result is still refused, as Genie does.
    """
    device = genie_device(genie_os)
    try:
        kwargs: dict[str, Any] = {}
        if parser_class:
            cls = _parser_class(parser_class)
        else:
            cls, kwargs = _lookup(genie_os, command)
        parser = cls(device=device)
        if not schema_check:
            parsed = parser.cli(output=text, **kwargs)
            if not parsed:
                from genie.metaparser.util.exceptions import SchemaEmptyParserError

                raise SchemaEmptyParserError(parsed)
            return parsed
        if parser_class:
            return parser.parse(output=text)
        from genie.conf.base.utils import QDict

        return QDict(parser.parse(output=text, **kwargs))  # as `device.parse` returns it
    except Exception as exc:  # Genie raises many types, all meaning "could not parse"
        raise ParseFailure(f"{type(exc).__name__}: {_first_line(exc)}") from exc


def textfsm_parse(device_type: str, command: str, text: str) -> list[dict[str, Any]]:
    from ntc_templates.parse import parse_output

    try:
        rows = parse_output(platform=device_type, command=command, data=text)
    except Exception as exc:
        raise ParseFailure(f"{type(exc).__name__}: {_first_line(exc)}") from exc
    if not rows:
        raise ParseFailure("the template matched nothing")
    return list(rows)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return (text.splitlines() or [""])[0][:200]

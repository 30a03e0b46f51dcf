"""Turning saved outputs into data: Genie first, then ntc-templates' TextFSM, then our own.

Everything here works on text already on disk. The Genie device object is built so that it
cannot reach a device: parsing that would need a live session raises instead.
"""

from __future__ import annotations

import importlib
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


@cache
def genie_device(genie_os: str) -> Any:
    with _genie_lock:  # Genie's first import is not safe to race from worker threads
        from genie.conf.base import Device
        from genie.libs.parser.utils import common

        device = Device(
            f"offline-{genie_os}", os=genie_os, custom={"abstraction": {"order": ["os"]}}
        )
        if common.parser_data is None:
            # Genie loads its parser index on the first parse, unguarded: every thread that
            # raced it built its own copy (about 1 s of CPU and tens of MB each, measured).
            common._load_parser_json()
    device.cli = _NoDevice()
    device.execute = _refuse
    device.connect = _refuse
    return device


@cache
def _parser_class(dotted: str) -> Any:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def genie_parse(genie_os: str, command: str, text: str, parser_class: str | None = None) -> Any:
    """Parse with Genie; `parser_class` pins one class where revisions' schemas differ."""
    device = genie_device(genie_os)
    try:
        if parser_class:
            return _parser_class(parser_class)(device=device).parse(output=text)
        return device.parse(command, output=text)
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

"""Turning saved outputs into data: Genie first, then ntc-templates' TextFSM, then our own.

Everything here works on text already on disk. The Genie device object is built so that it
cannot reach a device: parsing that would need a live session raises instead.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import os
import re
import signal
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, TypeGuard

_genie_lock = threading.Lock()


class ParseFailure(Exception):
    """A parser could not turn this output into data."""


# A parser meeting text it was not written for may never finish: some of Genie's patterns
# backtrack without end on a long line (IOS-XE `show platform` takes 3 s on a line of 800
# digits, and would take years on one of 100,000), and a run judges its chassis one after the
# other in its judge worker, so one such output would hold up every chassis after it.
PARSE_DEADLINE = 10.0  # seconds; the slowest real parse (a 500-port `show interfaces`) < 1 s


class _Overran(BaseException):
    """Raised into a parse past its deadline. Not an Exception: a parser's own `except
    Exception` must not take it for a failure of its own and go on to the next line."""


_armed = False  # a parse of the main thread is under its deadline
_fired = False  # and the deadline fell during it


def _overrun(signum: int, frame: Any) -> None:
    global _fired
    if _armed:
        _fired = True
        raise _Overran


@contextmanager
def parse_deadline(text: str | None = None) -> Iterator[None]:
    """Stop the parse inside after PARSE_DEADLINE seconds, as a ParseFailure that names the
    longest line of `text`, the output parsed, where there is one. A parse the deadline fell
    on is a failure however it ended: a parser that caught the interruption (a bare `except`,
    or one around an import) may have read on without a line, or read nothing.

    Python's regular expressions hear signals, but only the main thread does: where a judge
    worker, `rerun` and `evaluate` judge. Only a run whose judge workers kept dying
    (`run.JUDGE_POOLS_REPLACED`) judges in its session threads, where a parse runs without a
    deadline."""
    global _armed, _fired
    if _armed or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _overrun)
    if previous is None:  # a handler set outside Python: none to put back but the default
        previous = signal.SIG_DFL

    def disarm() -> None:
        global _armed
        _armed = False  # first: an alarm from here on is let pass
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

    _fired, _armed = False, True
    # Again every 50 ms after the deadline: one interruption caught by the parser itself
    # must not leave it to run on for ever.
    signal.setitimer(signal.ITIMER_REAL, PARSE_DEADLINE, 0.05)
    try:
        try:
            yield
        finally:
            disarm()
    except _Overran:
        disarm()  # again: the deadline may have fallen as the first began
    except Exception:
        if not _fired:
            raise
    if _fired:
        late = f"did not finish within {PARSE_DEADLINE:g} s"
        if text is not None:
            longest = max(map(len, text.splitlines()), default=0)
            late += f" (the output's longest line is {longest:,} characters)"
        raise ParseFailure(late) from None


class _NoDevice:
    """Stands in for every way Genie could talk to a device."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError("offline parsing: this Genie device cannot reach a device")


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("offline parsing: this Genie device cannot reach a device")


class _OfflineDevice:
    """What Genie's parsers get for a device: a name, an OS, and nothing that reaches one.

    Not a `genie.conf.base.Device`: building one costs a fresh process about 0.2 s (its API
    loads apis.json and scans entry points; genie.libs.conf is imported), more than a parse.
    Given the output, a parser class and its MetaParser read nothing from their device. Only
    Genie's lookup (`get_parser`, on a `_lookup` cache miss) reads it, in genie.abstract's
    `Lookup.tokens_from_device`: `testbed`, `abstraction` and `custom`, then every abstraction
    token with getattr(device, token, None), where a Device built with only `os` answers None.
    This object answers those as that Device does. Any other attribute raises, so a parser that
    would need a live device (no output) fails instead. Compared with the Device on every lab
    and corpus output, by lookup and pinned class, with and without the schema check: the same
    parsed values and types, the same failures.
    """

    testbed = None
    origin = platform = model = submodel = pid = chassis_type = version = os_flavor = None
    revision = None
    # What the Device got in place of a connection; `execute(...)` fails only when called, after
    # its arguments, as it did on the Device.
    execute = connect = staticmethod(_refuse)

    def __init__(self, genie_os: str) -> None:
        self.name = f"offline-{genie_os}"
        self.os = genie_os
        self.custom = {"abstraction": {"order": ["os"]}}
        self.cli = _NoDevice()

    def __getattr__(self, name: str) -> Any:
        if name == "abstraction" or name.startswith("__"):
            # Missing, as on a Device: the lookup reads `abstraction` with a default, and Python
            # probes dunder names (copy, pickle) the same way.
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        # The first line is what a ParseFailure reports, and the Device's `cli` and `execute` say.
        raise RuntimeError("offline parsing: this Genie device cannot reach a device\n"
                           f"(a parser asked it for {name!r})")


# Genie's parsers compile their patterns on every call through `re`'s cache of 512; the
# catalogue's parsers use about 2,000, so chassis of mixed platforms kept evicting each other's
# (a third of the evaluation time, measured on a 200-chassis lab). Make room for all of them.
_REGEX_CACHE = 4096


def lazy_package_init(name: str) -> None:
    """Register package `name` so that its `__init__` runs only once something asks the
    package itself for a name: `import name.module` imports that module alone.

    Two packages the judging reads from import far more in their `__init__` than it uses:
    unicon's imports all its connection plugins, napalm's the drivers of every vendor it
    supports (Junos's brings ncclient and lxml). Offline, the inspector needs two of NAPALM's
    Cisco drivers and one module of unicon's. Both packages imported whole cost a judge worker
    20 MB and 0.3 s of its start, and a rerun 0.2 s (measured). Any other code in the process
    that reads a name of the package (`from napalm import get_network_driver`, as Nornir's
    NAPALM plugin does) runs the `__init__` then, and gets the package whole. A package
    already imported stays as it is."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        return
    package = importlib.util.module_from_spec(spec)
    lock = threading.RLock()  # the __init__ may ask its own package for a name
    started = False

    def whole(attribute: str) -> Any:
        nonlocal started
        with lock:  # another thread asking meanwhile waits here for the __init__ to end
            if not started:
                started = True
                spec.loader.exec_module(package)  # type: ignore[union-attr]
                if vars(package).get("__getattr__") is whole:
                    del package.__getattr__
        if vars(package).get("__getattr__") is whole:
            # Asked by the __init__ itself, for a name it has not yet defined (or it failed).
            raise AttributeError(f"module {name!r} has no attribute {attribute!r}")
        return getattr(package, attribute)

    package.__getattr__ = whole  # type: ignore[method-assign]
    sys.modules[name] = package


@cache
def genie_device(genie_os: str) -> Any:
    with _genie_lock:  # Genie's first import is not safe to race from worker threads
        if getattr(re, "_MAXCACHE", _REGEX_CACHE) < _REGEX_CACHE:
            setattr(re, "_MAXCACHE", _REGEX_CACHE)  # noqa: B010 (private: unknown to mypy)
        # Genie's metaparser imports unicon only to catch `unicon.core.errors` around a live
        # device's command; unicon's own __init__ would import its 422 connection plugins.
        lazy_package_init("unicon")
        # The package every parser class is in (Genie's metaparser, abstraction, pyATS: about
        # 0.3 s), imported here, under the lock, so that `warm_up_genie` still loads it.
        import genie.libs.parser  # noqa: F401
        import unicon.core.errors  # noqa: F401
    return _OfflineDevice(genie_os)


def warm_up_genie(genie_oses: Iterable[str]) -> None:
    """Import Genie's parsers (about 0.5 s) and make the offline devices before a parse
    needs them."""
    with contextlib.suppress(Exception):  # a Genie that cannot load says so when parsing
        for name in sorted(set(genie_oses)):
            genie_device(name)


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
    is a search through the whole index, about 7 ms each time. Answers are also kept on disk
    (`_LookupCache`) so that a fresh process, such as a rerun, never loads the index (0.3 s).
    """
    saved = _lookup_cache.get(genie_os, command)
    if saved is not None:
        try:
            return _parser_class(saved[0]), saved[1]
        except Exception:  # an entry that no longer resolves: ask Genie, as without a cache
            pass
    cls, kwargs = _parser_index().get_parser(command, genie_device(genie_os))
    kwargs = dict(kwargs)
    _lookup_cache.add(genie_os, command, cls, kwargs)
    return cls, kwargs


_PACKAGE = "genie.libs.parser"


class _LookupCache:
    """`_lookup`'s answers in a JSON file, one file per version of Genie's parser package.

    {"genie.libs.parser": version, "lookups": {os: {command: {"class": dotted, "kwargs": {}}}}}
    Only ever a shortcut: an entry that is missing or malformed sends the lookup to Genie, and
    a file that cannot be read or written is treated as empty or left unwritten. Keyed by OS
    and command alone since `genie_device` gives Genie no other token (platform, revision) to
    choose a parser by; rename the file if that changes.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._file: tuple[Path, str] | None = None  # the path and the package version in it
        self._entries: dict[str, dict[str, Any]] | None = None  # None: not read yet

    def get(self, genie_os: str, command: str) -> tuple[str, dict[str, str]] | None:
        with self._lock:
            if self._entries is None:
                self._file = _cache_file()
                self._entries = _read_lookups(self._file) if self._file else {}
            entry = self._entries.get(genie_os, {}).get(command)
        if not isinstance(entry, dict):
            return None
        dotted, kwargs = entry.get("class"), entry.get("kwargs")
        if not (isinstance(dotted, str) and dotted.startswith(f"{_PACKAGE}.")
                and _only_strings(kwargs)):
            return None
        return dotted, dict(kwargs)

    def add(self, genie_os: str, command: str, cls: Any, kwargs: dict[str, Any]) -> None:
        # Kept only if it resolves back to the very class, from the package whose version
        # names the file (an external parser package can change under the same version),
        # with string arguments, which JSON gives back as they were.
        dotted = f"{getattr(cls, '__module__', '')}.{getattr(cls, '__name__', '')}"
        if not dotted.startswith(f"{_PACKAGE}.") or not _only_strings(kwargs):
            return
        try:
            if _parser_class(dotted) is not cls:
                return
        except Exception:
            return
        entry = {"class": dotted, "kwargs": dict(kwargs)}
        with self._lock:
            if self._file is None or self._entries is None:
                return  # no place for a cache (no package metadata or no home folder)
            if self._entries.get(genie_os, {}).get(command) == entry:
                return
            self._entries.setdefault(genie_os, {})[command] = entry
            # Written at each new entry: a few dozen distinct commands per OS make a few
            # dozen small writes in a cold run, and a warm run writes nothing.
            _write_lookups(self._file, self._entries)


_lookup_cache = _LookupCache()


def _only_strings(kwargs: Any) -> TypeGuard[dict[str, str]]:
    return isinstance(kwargs, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in kwargs.items())


def _cache_file() -> tuple[Path, str] | None:
    try:
        from importlib.metadata import version

        release = version(_PACKAGE)
        folder = os.environ.get("INSPECTOR_CACHE")
        if not folder:
            base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
            folder = str(Path(base) / "inspector")
    except Exception:  # no package metadata, or no home folder: no cache
        return None
    return Path(folder) / f"genie-parser-lookups-{release}.json", release


def _read_lookups(file: tuple[Path, str]) -> dict[str, dict[str, Any]]:
    path, release = file
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data[_PACKAGE] != release:
            return {}
        return {os_name: dict(commands) for os_name, commands in data["lookups"].items()
                if isinstance(commands, dict)}
    except Exception:  # missing, unreadable, or not what this code writes: start afresh
        return {}


def _write_lookups(file: tuple[Path, str], entries: dict[str, dict[str, Any]]) -> None:
    path, release = file
    merged = _read_lookups(file)  # another process may have added entries since: keep them
    for os_name, commands in entries.items():
        merged.setdefault(os_name, {}).update(commands)
    text = json.dumps({_PACKAGE: release, "lookups": merged}, indent=1)
    temp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A whole new file renamed over the old: another process reads either one, never half.
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent,
                                         prefix=f".{path.name}.", delete=False) as out:
            temp = out.name
            out.write(text)
        os.replace(temp, path)
        temp = None
    except Exception:  # a cache that cannot be written is just not written, and never
        pass  # fails the parse (genie_parse would report any error as a ParseFailure)
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)


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
    """ntc-templates' `parse_output`, with the template found in its index once per command
    rather than on every call (the index lookup was a third of its cost)."""
    from textfsm import clitable

    templates = _ntc_templates(device_type, command)
    try:
        table = clitable.CliTable("index", _ntc_template_dir())
        table.ParseCmd(text, {"Command": command, "Platform": device_type}, templates=templates)
    except Exception as exc:
        raise ParseFailure(f"{type(exc).__name__}: {_first_line(exc)}") from exc
    rows = [{table.header[i].lower(): value for i, value in enumerate(row)} for row in table]
    if not rows:
        raise ParseFailure("the template matched nothing")
    return rows


@cache
def _ntc_template_dir() -> str:
    from ntc_templates.parse import _get_template_dir

    return str(_get_template_dir())


@cache
def _ntc_templates(device_type: str, command: str) -> str:
    """The template file names the ntc-templates index gives a platform's command."""
    from textfsm import clitable

    index = clitable.CliTable("index", _ntc_template_dir()).index
    row = index.GetRowMatch({"Command": command, "Platform": device_type})
    if not row:
        raise ParseFailure(f"ntc-templates has no template for `{command}` on {device_type}")
    return str(index.index[row]["Template"])


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return (text.splitlines() or [""])[0][:200]

"""Raw outputs on disk: the evidence that every later stage reads.

A chassis's evidence folder holds one file per command, named by `command_slug`, plus
`index.json` with each output's sha256 and what happened during the session. The same layout
is the capture format that `inspector evaluate` reads, so any evidence folder can be
re-judged offline, and a hand-made folder of outputs needs no index at all.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inspector.files import json_bytes, read_json, write_together
from inspector.platforms import DENIED as _DENIAL
from inspector.platforms import INCOMPLETE as _INCOMPLETE
from inspector.platforms import PLATFORMS, not_plain
from inspector.redact import redact_message, redact_output

INDEX = "index.json"


def command_slug(command: str) -> str:
    """`show environment all` -> `show_environment_all` (every run of non-alphanumerics -> `_`)."""
    return re.sub(r"[^A-Za-z0-9]+", "_", command).strip("_")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def utc_now(*, exact: bool = False) -> str:
    """Now, in UTC, to the second; `exact`: to the microsecond, where two moments of the same
    second must still be told apart (which of two signings of a run is the newer)."""
    spec = "microseconds" if exact else "seconds"
    return datetime.now(UTC).isoformat(timespec=spec).replace("+00:00", "Z")


# The record says which kind of refusal it was: only the plain one, the OS's "no such
# command", says anything of the feature.
REJECTED = "rejected by the device"
DENIED = f"{REJECTED} (not authorized)"  # an authorization said no: the feature may be there
INCOMPLETE = f"{REJECTED} (incomplete or ambiguous command)"  # the command is there
_WHY = {_DENIAL: DENIED, _INCOMPLETE: INCOMPLETE}
# A file that holds more than the device's answer (a pager's prompt, a terminal's escape codes):
# never read, as it cannot be read as what the device said.
NOT_PLAIN = "not the device's plain answer"
# A line end as netmiko reads a live session's (`\r\n`, `\r\r\n`, `\n\r`, and a carriage
# return alone, as a terminal's capture saved with old Mac line ends has them): each is one
# `\n`. Genie's parsers split lines on a lone `\r` and our row counters did not: an inventory
# saved with `\r` alone was one line to the counter, and the entries Genie dropped went unseen.
_LINE_END = re.compile(r"\r*\n\r?|\r")


@dataclass(frozen=True, kw_only=True)
class RawOutput:
    command: str
    text: str | None  # None when the command was not captured
    sha256: str | None = None
    error: str | None = None  # why it was not captured (timed out, connection lost, ...)
    absent: bool = False  # a capture folder without this command's file: no output, no reason

    @property
    def captured(self) -> bool:
        return self.text is not None

    @property
    def rejected(self) -> bool:
        """The device answered with a refusal (unknown command, AAA denial), quoted in `error`."""
        return self.error is not None and self.error.startswith(REJECTED)

    @property
    def denied(self) -> bool:
        """The refusal was an authorization's (TACACS+, a role), not the OS's."""
        return self.error is not None and self.error.startswith(DENIED)

    @property
    def not_plain(self) -> bool:
        """The text holds more than the device's answer (see `platforms.not_plain`): kept in
        its file, never read; the reason is in `error`."""
        return self.error is not None and self.error.startswith(NOT_PLAIN)

    @property
    def unknown_command(self) -> bool:
        """The OS has no such command (`% Invalid input`, `Unknown command`): the only refusal
        that says the image lacks the feature; not an incomplete or ambiguous one, nor a
        denial."""
        return self.error is not None and self.error.startswith(f"{REJECTED}: ")

    @classmethod
    def from_text(cls, command: str, text: str, *, platform: str | None,
                  read_by_checks: bool = True) -> RawOutput:
        """What a device printed, judged once for every stage: live, `evaluate`, `rerun` and a
        served capture all come here, so they agree on what is an output, what is the device's
        refusal (see `Platform.refusal`) and what is not the device's plain answer (a pager
        prompt, escape codes: see `platforms.not_plain`), which no check reads, whatever it
        holds. Line ends are read as LF whatever the file was saved with; the sha256 is of the
        text as given, the evidence file's. An output no check reads (a support file) is kept
        as it came."""
        digest = sha256_text(text)
        if "\r" in text:
            text = _LINE_END.sub("\n", text)
        if read_by_checks and (why_not := not_plain(text)) is not None:
            return cls(command=command, text=None, sha256=digest, error=f"{NOT_PLAIN}: {why_not}")
        known = PLATFORMS.get(platform or "")
        refused = known.refusal(command, text) if known else None
        if refused is not None:
            why = _WHY.get(refused.kind, REJECTED)
            return cls(command=command, text=None, sha256=digest, error=f"{why}: {refused.reply}")
        return cls(command=command, text=text, sha256=digest)


@dataclass(frozen=True, kw_only=True)
class Session:
    """What the collection learnt about the session itself; offline captures have none."""

    connected: bool
    privileged: bool
    error: str | None = None
    prompt: str | None = None
    host_key: str | None = None  # the chassis's SSH host key fingerprint
    login: str | None = None  # the label of the credential set the chassis accepted
    refused_logins: tuple[str, ...] = ()  # labels of the sets it refused, in order
    via: str | None = None  # the jump host the session went through, and its host key

    def as_dict(self) -> dict[str, Any]:
        return {
            "connected": self.connected,
            "privileged": self.privileged,
            "error": self.error,
            "prompt": self.prompt,
            "host_key": self.host_key,
            "login": self.login,
            "refused_logins": list(self.refused_logins),
            "via": self.via,
        }


@dataclass(frozen=True)
class PendingEvidence:
    """One chassis's evidence folder, ready to write: each output's file, and the index that
    names them. Plain data, so the process that judges the chassis writes it: written in the
    session threads, every file's open, write, rename and fsync let the GIL go to one of a
    hundred threads waiting for it (measured at 1000 chassis: written by the judge worker, the
    run's main process spends 5.6 to 8.8 ms less CPU a chassis, the run 3.4 to 6.3 ms less)."""

    folder: Path
    files: tuple[tuple[str, bytes], ...]  # file name, its bytes
    index: dict[str, Any]

    def write(self, *also: tuple[Path, bytes]) -> list[Path]:
        """Each output, the index that names them, then `also` (a file kept with them), all
        synced at one wait on the disk before the first is renamed into place: an index never
        names an output that is not on disk. Returns the files written."""
        files = [*((self.folder / name, data) for name, data in self.files),
                 (self.folder / INDEX, json_bytes(self.index)), *also]
        write_together(files)
        return [path for path, _ in files]


class EvidenceWriter:
    """Takes one chassis's outputs as they arrive, each masked and judged before anything
    parses it; `finish` gives them as the evidence folder to write."""

    def __init__(
        self, folder: Path, *, hostname: str, platform: str, secrets: Iterable[str] = ()
    ) -> None:
        self.folder = folder
        self._secrets = list(secrets)
        self._index: dict[str, Any] = {
            "hostname": hostname,
            "platform": platform,
            "session": None,
            "commands": [],
        }
        self._outputs: dict[str, RawOutput] = {}
        self._files: dict[str, tuple[str, bytes]] = {}  # by command: its file to write

    def add(self, command: str, text: str, *, compress: bool = False,
            read_by_checks: bool = True) -> RawOutput:
        """Keep an output, secrets masked, and judge it (an output, or the device's refusal);
        `compress` gzips a large output's file (its sha256 is still of the text). The host's
        own credentials are masked where a login message names one as its user, and as whole
        tokens only in an output no check reads."""
        text, redacted = redact_output(text, self._secrets, read_by_checks=read_by_checks,
                                       hostname=self._index["hostname"])
        output = RawOutput.from_text(command, text, platform=self._index["platform"],
                                     read_by_checks=read_by_checks)
        data = text.encode("utf-8")
        name = f"{command_slug(command)}.txt" + (".gz" if compress else "")
        # Compressed here, in the session's thread, which zlib runs without the GIL: in the
        # one judge worker, a support file of a few MB would hold up every other judgement.
        # mtime=0: the same output always compresses to the same bytes.
        self._files[command] = (name, gzip.compress(data, compresslevel=6, mtime=0)
                                if compress else data)
        entry: dict[str, Any] = {"file": name, "sha256": output.sha256, "bytes": len(data)}
        if compress:
            entry["compressed"] = "gzip"
        if redacted:
            entry["redacted"] = redacted
        if output.error:
            entry["error"] = output.error
        self._remember(output, entry)
        return output

    def has(self, command: str) -> bool:
        return command in self._outputs

    def add_failure(self, command: str, error: str) -> RawOutput:
        """Record that `command` gave no output, and why: a message masked as the session's
        error is, which it often repeats. No file is written for it."""
        error = redact_message(error, self._secrets)
        # A reply kept before it was given up (a refused show tech) goes with it: the index
        # names every file of the folder, and this one would be named by none.
        self._files.pop(command, None)
        self._remember(RawOutput(command=command, text=None, error=error), {"error": error})
        return self._outputs[command]

    def _remember(self, output: RawOutput, entry: dict[str, Any]) -> None:
        self._outputs[output.command] = output
        self._index["commands"] = [
            e for e in self._index["commands"] if e["command"] != output.command
        ] + [{"command": output.command, "collected_at": utc_now(), **entry}]

    @property
    def outputs(self) -> dict[str, RawOutput]:
        return dict(self._outputs)

    def finish(self, session: Session) -> PendingEvidence:
        """The evidence folder to write, once the session is over."""
        self._index["session"] = session.as_dict()
        return PendingEvidence(self.folder, tuple(self._files.values()), self._index)

    def entry(self, command: str) -> dict[str, Any] | None:
        """What the index says of one command (file, sha256, bytes, error)."""
        return next((e for e in self._index["commands"] if e["command"] == command), None)

    def redactions(self) -> dict[str, int]:
        """How many secrets were masked in which output."""
        return {e["command"]: e["redacted"] for e in self._index["commands"] if e.get("redacted")}


@dataclass(frozen=True, kw_only=True)
class Capture:
    """Outputs read back from an evidence folder or a hand-made capture folder."""

    folder: Path
    session: Session | None
    platform: str | None
    hostname: str
    entries: dict[str, dict[str, Any]]  # index.json's entry per command, when there is one

    def output(self, command: str) -> RawOutput:
        entry = self.entries.get(command)
        path = self._file_for(command)
        # A refusal kept in a file is judged again from it, so that a record written before
        # refusals had kinds reads as a new one does (an incomplete command is not "absent").
        if entry is not None and entry.get("error") and not (
                path is not None and str(entry["error"]).startswith((REJECTED, NOT_PLAIN))):
            return RawOutput(command=command, text=None, sha256=entry.get("sha256"),
                             error=entry["error"])
        if path is None:
            return RawOutput(command=command, text=None, error="not captured", absent=True)
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        return RawOutput.from_text(command, data.decode("utf-8", errors="replace"),
                                   platform=self.platform)

    def _file_for(self, command: str) -> Path | None:
        slug = command_slug(command)
        # Accept the literal rule too (`dir crashinfo:` -> `dir_crashinfo_.txt`).
        literal = re.sub(r"[^A-Za-z0-9]+", "_", command)
        for stem in dict.fromkeys((slug, literal)):
            for name in (f"{stem}.txt", f"{stem}.txt.gz"):
                if (self.folder / name).is_file():
                    return self.folder / name
        return None


def open_capture(folder: Path, platform: str | None = None) -> Capture:
    """Open an evidence folder (with index.json) or a plain folder of `<slug>.txt` files;
    `platform`, when given, is the one its outputs are judged as (else the index's)."""
    if not folder.is_dir():
        raise FileNotFoundError(f"capture folder not found: {folder}")
    index = folder / INDEX
    if index.is_file():
        try:
            data = read_json(index)
        except ValueError as exc:
            raise CaptureError(f"{index} is not JSON: {exc}") from None
        return _capture_from_index(folder, index, data, platform)
    return Capture(folder=folder, session=None, platform=platform, hostname=folder.name,
                   entries={})


def indexed_files(index: Any) -> list[str]:
    """The file names an evidence index (`index.json`, read as JSON) gives its outputs, in
    its order. Raises ValueError for anything but an index's `commands` list of objects."""
    commands = index.get("commands") if isinstance(index, dict) else None
    if not isinstance(commands, list) or not all(isinstance(e, dict) for e in commands):
        raise ValueError("not an evidence index")
    names = [entry["file"] for entry in commands if entry.get("file") is not None]
    if not all(isinstance(name, str) for name in names):
        raise ValueError("not an evidence index")
    return names


def indexed_outputs(index: Any) -> dict[str, tuple[str | None, str | None]]:
    """What an evidence index (read as JSON) says of each command's output, by command: the
    file it is kept in and its sha256 (None where it kept no output, only why). Raises
    ValueError as `indexed_files` does."""
    indexed_files(index)
    entries = index["commands"]
    if not all(isinstance(entry.get("command"), str)
               and isinstance(entry.get("sha256"), (str, type(None))) for entry in entries):
        raise ValueError("not an evidence index")
    return {entry["command"]: (entry.get("file"), entry.get("sha256")) for entry in entries}


class CaptureError(ValueError):
    """A capture folder whose index says something other than what the inspector wrote."""


# Session's fields as index.json holds them (tests/test_bad_input.py checks it covers them all).
_TEXT = (str, type(None))
_SESSION_FIELDS: dict[str, type | tuple[type, ...]] = {
    "connected": bool, "privileged": bool, "error": _TEXT, "prompt": _TEXT, "host_key": _TEXT,
    "login": _TEXT, "refused_logins": (list, tuple), "via": _TEXT}


def _capture_from_index(folder: Path, index: Path, data: Any, platform: str | None) -> Capture:
    """The index read whole and checked for the shape the inspector writes, so a hand-edited
    or foreign index is one clear error rather than a crash half-way through judging."""
    def bad(why: str) -> CaptureError:
        return CaptureError(f"{index} is not an evidence index: {why}")

    if not isinstance(data, dict):
        raise bad("it is not a JSON object")
    commands = data.get("commands", [])
    if not isinstance(commands, list) or not all(
            isinstance(e, dict) and isinstance(e.get("command"), str) for e in commands):
        raise bad("`commands` must be a list of objects, each with a `command` string")
    for entry in commands:
        for key in ("file", "sha256", "error"):
            if key in entry and not isinstance(entry[key], (str, type(None))):
                raise bad(f"`{key}` of `{entry['command']}` must be a string")
    session = data.get("session")
    if session is not None:
        if not isinstance(session, dict) or not set(session) <= set(_SESSION_FIELDS) or not all(
                isinstance(session[k], t) for k, t in _SESSION_FIELDS.items() if k in session
        ) or not {"connected", "privileged"} <= set(session):
            raise bad("`session` must be an object of " + ", ".join(_SESSION_FIELDS))
    for key in ("platform", "hostname"):
        if not isinstance(data.get(key), (str, type(None))):
            raise bad(f"`{key}` must be a string")
    return Capture(
        folder=folder,
        session=Session(**session) if session else None,
        platform=platform or data.get("platform"),
        hostname=data.get("hostname") or folder.name,
        entries={e["command"]: e for e in commands},
    )

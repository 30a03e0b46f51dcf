"""Candidate credential sets: the logins a seller hands over, tried in order, each at most once
per chassis and never more than `collection.max_auth_failures` refused per chassis, so no
account locks. A record names the set that worked and every refusal by label, never a secret.

Sets come from the host's inventory login (label `inventory`), the host's or its groups'
`credential_sets` data, and a `--credentials` file, in that order; the file may also give the
jump host's password. A secret is written as is, or as `%ENV{NAME}` (the environment), `%ASK{}`
(a prompt) or `%ENC{...}` (pyATS's encoding, `pyats secret encode`).
"""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector.files import read_yaml

# The host data key holding candidate sets (a list of mappings), in an inventory or a file.
DATA_KEY = "credential_sets"
# A credentials file's password for the jump host (inspector.jump).
JUMP_PASSWORD_KEY = "jump_password"
_MARKER = re.compile(r"%(ENV|ASK|ENC)\{(.*)\}", re.DOTALL)
_SET_FIELDS = ("label", "username", "password", "secret")
# A key a message may quote: any other may be a secret, its colon left out (`password Pa55`).
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


class CredentialError(ValueError):
    """A credential set no session could use: one line, exit 3, before any device."""


@dataclass(frozen=True, kw_only=True)
class CredentialSet:
    label: str
    username: str
    password: str
    secret: str | None = None

    def __repr__(self) -> str:  # never a secret in a traceback or a log
        return f"CredentialSet(label={self.label!r}, username={self.username!r})"

    def secrets(self) -> list[str]:
        return [s for s in (self.password, self.secret) if s]


def resolve(value: Any, where: str, ask: Callable[[str], str] | None = None) -> str:
    """The text of a secret as written: plain, or `%ENV{NAME}`, `%ASK{}`, `%ENC{...}`."""
    if not isinstance(value, str):
        raise CredentialError(f"{where} must be text, not {type(value).__name__} "
                              "(quote it in YAML)")
    marker = _MARKER.fullmatch(value.strip())
    if marker is None:
        return value
    kind, argument = marker.groups()
    if kind == "ENV":
        if argument not in os.environ:
            raise CredentialError(f"{where}: the environment has no {argument}")
        return os.environ[argument]
    if kind == "ASK":
        return (ask or getpass.getpass)(f"{argument or where}: ")
    from pyats.utils.secret_strings import SecretString

    try:
        return str(SecretString(argument).plaintext)
    except Exception as exc:  # pyATS's own decoding error, whatever its class
        raise CredentialError(f"{where}: %ENC{{}} cannot be decoded with this pyATS "
                              f"configuration's key ({type(exc).__name__})") from None


def parse_sets(entries: Any, where: str,
               ask: Callable[[str], str] | None = None) -> list[CredentialSet]:
    """Credential sets from a list of `{label, username, password, secret}` mappings."""
    if not isinstance(entries, list):
        raise CredentialError(f"{where} must be a list of credential sets")
    sets: list[CredentialSet] = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, Mapping):
            raise CredentialError(f"{where}: set {number} must be a mapping")
        unknown = set(entry) - set(_SET_FIELDS)
        if unknown:
            raise CredentialError(f"{where}: set {number} {_unknown_field(unknown, _SET_FIELDS)}")
        label = entry.get("label", f"set-{number}")
        if not isinstance(label, str) or not label.strip():
            raise CredentialError(f"{where}: set {number} needs a label (text)")
        if any(s.label == label for s in sets):
            raise CredentialError(f"{where}: two sets are labelled {label!r}")
        missing = [key for key in ("username", "password") if entry.get(key) is None]
        if missing:
            raise CredentialError(f"{where}: set {label!r} has no {missing[0]}")
        named = f"{where}: set {label!r}"
        sets.append(CredentialSet(
            label=label, username=resolve(entry["username"], f"{named} username", ask),
            password=resolve(entry["password"], f"{named} password", ask),
            secret=resolve(entry["secret"], f"{named} secret", ask)
            if entry.get("secret") is not None else None))
    return sets


def _unknown_field(unknown: set[Any], known: tuple[str, ...]) -> str:
    """What a message says of `unknown` keys of a mapping that takes `known`: the first that
    is a plain name (a typo, `pasword`) by name; else none, as one may be a secret."""
    named = sorted(k for k in unknown if isinstance(k, str) and _PLAIN_KEY.fullmatch(k))
    if named:
        return f"has no field {named[0]!r} (it takes {', '.join(known)})"
    return (f"has a field that is none of {', '.join(known)} (not shown: a key that is not a "
            "plain name may be a secret, its colon left out)")


@dataclass(frozen=True, kw_only=True)
class CredentialFile:
    """What a `--credentials` file gives: the candidate sets for every chassis and the jump
    host's password (None: INSPECTOR_JUMP_PASSWORD, else SSH keys)."""

    sets: list[CredentialSet]
    jump_password: str | None = None

    def __repr__(self) -> str:  # never a secret in a traceback or a log
        return f"CredentialFile(sets={self.sets!r})"


def load_file(path: Path) -> CredentialFile:
    """A `--credentials` file: a YAML list of sets, or a mapping with `credential_sets` and
    `jump_password` (a secret written as a set's is: plain, `%ENV{}`, `%ASK{}`, `%ENC{}`).
    Read as the inventory's files are, whose `credential_sets` it adds to (ruamel's safe
    loader): a key said twice is refused, where PyYAML's lets the last value win. With its
    pure Python parser: the C one (the inventory's) crashes the process on values nested
    tens of thousands deep (`[[[...]]]`), where Python's raises a RecursionError."""
    import ruamel.yaml

    data = read_yaml(path, f"--credentials {path}", CredentialError,
                     load=ruamel.yaml.YAML(typ="safe", pure=True).load)
    if not isinstance(data, Mapping):
        return CredentialFile(sets=parse_sets(data, str(path)))
    unknown = set(data) - {DATA_KEY, JUMP_PASSWORD_KEY}
    if unknown:
        raise CredentialError(f"{path} {_unknown_field(unknown, (DATA_KEY, JUMP_PASSWORD_KEY))}")
    jump = data.get(JUMP_PASSWORD_KEY)
    return CredentialFile(
        sets=parse_sets(data.get(DATA_KEY, []), str(path)),
        jump_password=resolve(jump, f"{path}: {JUMP_PASSWORD_KEY}") if jump is not None
        else None)


def candidates(login: CredentialSet | None, own: Iterable[CredentialSet],
               shared: Iterable[CredentialSet], host: str) -> list[CredentialSet]:
    """The sets to try, in order, each distinct login once (a set repeated under another
    label would only cost one more refusal). Labels name refusals, so they must differ."""
    seen: set[tuple[str, str, str | None]] = set()
    labels: set[str] = set()
    ordered = []
    for candidate in ([login] if login else []) + [*own, *shared]:
        key = (candidate.username, candidate.password, candidate.secret)
        if key in seen:
            continue
        if candidate.label in labels:
            raise CredentialError(f"host {host!r}: two credential sets are labelled "
                                  f"{candidate.label!r}")
        seen.add(key)
        labels.add(candidate.label)
        ordered.append(candidate)
    return ordered


@dataclass(kw_only=True)
class Logins:
    """One chassis's way through its candidate sets, across all its sessions: the set that
    worked is used again by a retried session; a refused set is never tried again."""

    sets: list[CredentialSet]
    max_failures: int
    worked: CredentialSet | None = None
    refused: list[str] = field(default_factory=list)  # labels, in the order refused

    def next(self) -> CredentialSet | None:
        """The set to log in with, or None: every set refused, or the refusals allowed
        spent."""
        if self.worked is not None:
            return self.worked
        if len(self.refused) >= self.max_failures:
            return None
        return next((s for s in self.sets if s.label not in self.refused), None)

    def refusal(self) -> str:
        """Why no login is left, for the session's error."""
        tried = ", ".join(self.refused)
        untried = [s.label for s in self.sets if s.label not in self.refused]
        if untried:
            return (f"authentication failed for {tried}; stopped at "
                    f"collection.max_auth_failures ({self.max_failures}) so no account locks, "
                    f"untried: {', '.join(untried)}")
        return f"authentication failed for {tried}" if len(self.sets) > 1 \
            else "authentication failed"

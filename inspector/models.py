"""The words every stage shares: statuses, severities, domains and a check's verdict."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# The evidence path of a check left unjudged because the chassis runs another OS than declared.
DECLARED_PLATFORM = "platform/declared"
# The evidence path of a chassis found not to be the one its checklist declares: the program
# inspects only what an accurate checklist declares, so its inspection cannot be done.
DECLARED_CHASSIS = "checklist/declared_chassis"


def not_the_declared_chassis(checks: Iterable[Any]) -> Mapping[str, Any] | None:
    """The check of a record's `checks` that found the chassis is not the one its checklist
    declares (its message says why it cannot be inspected), or None. Read from records as
    they are written and as they are read back, whatever they hold."""
    return next((check for check in checks
                 if isinstance(check, Mapping) and check.get("status") == "ERROR"
                 and any(isinstance(e, Mapping) and e.get("path") == DECLARED_CHASSIS
                         for e in check.get("evidence") or ())), None)


class Status(StrEnum):
    PASS = "PASS"  # the chassis meets the requirement
    FAIL = "FAIL"  # the chassis does not
    ERROR = "ERROR"  # we could not tell: unreachable, missing or unparsable output
    SKIP = "SKIP"  # the check does not apply to this chassis


class Severity(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    INFO = "info"


class Domain(StrEnum):
    OPERATIONAL = "operational"
    HARDWARE = "hardware"
    LICENSE = "license"
    PROGRAM = "program"


class Verdict(StrEnum):
    """A chassis's overall result."""

    PASS = "PASS"
    FAIL = "FAIL"
    ERROR = "ERROR"


@dataclass(frozen=True, kw_only=True)
class Evidence:
    """One observation behind a result: what was looked at, what was expected, what was found."""

    path: str
    actual: Any
    expected: Any = None

    def as_dict(self) -> dict[str, Any]:
        item: dict[str, Any] = {"path": self.path, "actual": self.actual}
        if self.expected is not None:
            item["expected"] = self.expected
        return item


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What a check's evaluation returns; the engine adds the identity and the commands."""

    status: Status
    message: str
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)
    # What the chassis says it is (os, version, pid, serial), from the checks that read it.
    identity: Mapping[str, Any] | None = None

    @classmethod
    def passed(
        cls,
        message: str,
        evidence: list[Evidence] | None = None,
        identity: Mapping[str, Any] | None = None,
    ) -> Outcome:
        return cls(
            status=Status.PASS, message=message, evidence=tuple(evidence or ()), identity=identity
        )

    @classmethod
    def failed(
        cls,
        message: str,
        evidence: list[Evidence] | None = None,
        identity: Mapping[str, Any] | None = None,
    ) -> Outcome:
        return cls(
            status=Status.FAIL, message=message, evidence=tuple(evidence or ()), identity=identity
        )

    @classmethod
    def error(cls, message: str, evidence: list[Evidence] | None = None) -> Outcome:
        return cls(status=Status.ERROR, message=message, evidence=tuple(evidence or ()))

    @classmethod
    def skipped(cls, message: str) -> Outcome:
        return cls(status=Status.SKIP, message=message)

"""What every renderer shares: one flat row per chassis, running tallies, safe text, safe files.

Renderers stream: they see one record at a time and keep only rows and counts, so a run of
thousands of chassis never sits in memory as a whole.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from inspector.models import not_the_declared_chassis

Record = Mapping[str, Any]

VERDICTS = ("PASS", "FAIL", "ERROR")
VERDICT_LABELS = {"PASS": "Passed", "FAIL": "Failed", "ERROR": "Could not tell"}
TIER_LABELS = {
    "low": "Low complexity",
    "high": "High complexity",
    "not_in_program": "Not in program",
    "unknown": "Tier unknown (no PID)",
    None: "Tier unknown",  # a record without a program section in a run where others have one
}
NO_SITE = "(no site)"

# XML 1.0 allows only these characters; lone surrogates (valid in JSON, not in UTF-8) and
# control characters from a chassis's output are dropped, in HTML and CSV too.
_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Bidirectional controls are invisible and reorder the text after them: a serial
# `FOC<U+202E>4321` read FOC1234 in every report. They are spelled out, as here.
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def anchored(records: Iterable[Mapping[str, Any]]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Each record with a name unique in one report: the name of its record file in a run
    (its hostname as a file name), numbered on a repeat (records of several runs), so a
    chassis's piece is the same whether drawn in its run or by `render`."""
    from inspector.files import safe_name

    seen: Counter[str] = Counter()
    for record in records:
        name = safe_name(str((record.get("chassis") or {}).get("hostname") or "chassis"))
        seen[name] += 1
        yield (name if seen[name] == 1 else f"{name}~{seen[name]}"), record


def clean(value: Any) -> str:
    """Any value from a record as display text: strings as they are, the rest as JSON, but
    for what XML forbids (dropped) and bidirectional controls (spelled out)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return _BIDI_CONTROLS.sub(lambda m: f"<U+{ord(m.group()):04X}>", _FORBIDDEN.sub("", text))


# A cell a spreadsheet would run as a formula (hostnames, site names and outputs are
# untrusted text).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> str:
    """A value as a CSV cell: display text (`clean`), kept text with a leading apostrophe
    where a spreadsheet would run it as a formula."""
    text = clean(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


@dataclass(frozen=True, kw_only=True)
class ChassisRow:
    """The flat view of one record that tables, CSV and summaries use."""

    hostname: str
    site: str | None
    platform: str | None
    pid: str | None
    serial: str | None
    os: str | None
    version: str | None
    tier: str | None
    eligible_for_support: bool | None
    has_program: bool
    verdict: str
    verdict_reason: str
    failed: list[str]
    errored: list[str]
    not_reached: str | None  # why the session failed, when the chassis was never inspected
    # Why its inspection cannot be done: it is not the chassis its checklist declares.
    cannot_be_done: str | None
    # The other chassis its inventory lists (stack members, fabric extenders), as read:
    # `Switch 2: C9300-48P serial FOC2723YDDJ`.
    members: list[str]
    run_id: str | None
    started_at: str | None
    finished_at: str | None

    @property
    def os_version(self) -> str:
        return " ".join(clean(v) for v in (self.os, self.version) if v)


def chassis_row(record: Record) -> ChassisRow:
    chassis = record.get("chassis") or {}
    program = record.get("program")
    checks = record.get("checks") or []
    other = not_the_declared_chassis(checks)  # why it cannot be inspected, if it is another
    return ChassisRow(
        hostname=clean(chassis.get("hostname")) or "(unnamed)",
        site=record.get("site"),
        platform=chassis.get("platform"),
        pid=chassis.get("pid"),
        serial=chassis.get("serial"),
        os=chassis.get("os"),
        version=chassis.get("version"),
        tier=program.get("tier") if program else None,
        eligible_for_support=program.get("eligible_for_support") if program else None,
        has_program=program is not None,
        verdict=record.get("verdict") or "ERROR",
        verdict_reason=clean(record.get("verdict_reason")),
        failed=[clean(c.get("id")) for c in checks if c.get("status") == "FAIL"],
        errored=[clean(c.get("id")) for c in checks if c.get("status") == "ERROR"],
        not_reached=_not_reached(record.get("session")),
        cannot_be_done=clean(other.get("message")) if other else None,
        members=_members(chassis.get("members")),
        run_id=record.get("run_id"),
        started_at=record.get("started_at"),
        finished_at=record.get("finished_at"),
    )


def _members(members: Any) -> list[str]:
    if not isinstance(members, list):
        return []
    return [f"{clean(m.get('name')) or '-'}: {clean(m.get('pid')) or '-'} serial "
            f"{clean(m.get('serial')) or '-'}" for m in members if isinstance(m, Mapping)]


def _not_reached(session: Any) -> str | None:
    if isinstance(session, Mapping) and not session.get("connected"):
        return clean(session.get("error")) or "not reached"
    return None


def when(start: Any, end: Any = None) -> str:
    """`2026-03-02 10:00:00 to 10:00:07 UTC`: a span as people read it (the date once)."""
    began, ended = parse_time(start), parse_time(end)
    if began is None:
        return clean(start)
    text = began.strftime("%Y-%m-%d %H:%M:%S")
    if ended is not None and ended != began:
        same_day = ended.date() == began.date()
        text += " to " + ended.strftime("%H:%M:%S" if same_day else "%Y-%m-%d %H:%M:%S")
    return text + " UTC"


@dataclass
class Tally:
    """Counts by verdict, site and tier, gathered while the records stream past."""

    chassis: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    by_site: dict[str, Counter[str]] = field(default_factory=dict)
    by_tier: dict[str | None, Counter[str]] = field(default_factory=dict)
    with_program: int = 0
    eligible: int = 0
    run_ids: set[str] = field(default_factory=set)
    tool_versions: set[str] = field(default_factory=set)
    first_start: str | None = None
    last_finish: str | None = None

    def add(self, row: ChassisRow, tool_version: Any = None) -> None:
        self.chassis += 1
        self.verdicts[row.verdict] += 1
        self.by_site.setdefault(clean(row.site) or NO_SITE, Counter())[row.verdict] += 1
        self.by_tier.setdefault(row.tier, Counter())[row.verdict] += 1
        self.with_program += row.has_program
        self.eligible += row.eligible_for_support is True
        if row.run_id:
            self.run_ids.add(clean(row.run_id))
        if tool_version:
            self.tool_versions.add(clean(tool_version))
        # ISO 8601 UTC strings of one format order like the instants they name.
        if row.started_at and (self.first_start is None or row.started_at < self.first_start):
            self.first_start = row.started_at
        if row.finished_at and (self.last_finish is None or row.finished_at > self.last_finish):
            self.last_finish = row.finished_at

    @property
    def has_program(self) -> bool:
        return self.with_program > 0

    def tiers(self) -> list[tuple[str | None, Counter[str]]]:
        order = list(TIER_LABELS)
        return sorted(self.by_tier.items(), key=lambda item: order.index(item[0])
                      if item[0] in order else len(order))


def parse_time(value: Any) -> datetime | None:
    """A record timestamp (`2026-01-31T12:00:00Z`) as an aware UTC datetime, or None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def seconds_between(start: Any, end: Any) -> float:
    began, ended = parse_time(start), parse_time(end)
    if began is None or ended is None:
        return 0.0
    return max(0.0, (ended - began).total_seconds())


@contextmanager
def atomic_output(path: Path, *, binary: bool = False, newline: str | None = None,
                  encoding: str = "utf-8") -> Iterator[IO[Any]]:
    """Write beside `path`, then rename: a crash never leaves half a report for a buyer."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if binary:
            handle: IO[Any] = os.fdopen(fd, "wb")
        else:
            handle = os.fdopen(fd, "w", encoding=encoding, newline=newline)
        with handle:
            yield handle
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a report is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def spool() -> IO[bytes]:
    """A temporary file for the parts of a report written before the totals are known (as
    UTF-8 bytes: kept pieces go from disk to the report without being decoded)."""
    return tempfile.TemporaryFile("w+b")

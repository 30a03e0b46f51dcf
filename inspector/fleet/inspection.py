"""What the fleet keeps of one chassis's record, and what changed between two of them.

One function (`Inspection.of`) reads a record into what the store keeps, so that a diff of
two record files and a diff of two stored inspections compare the same things: the FRUs with
their serials, the OS version, the license state and every check's status.

The FRU list is the evidence of `hw.inventory.serials`: whatever its status, the check lists
every unit `show inventory` listed, after their count. The list is kept whenever that count
matches the units listed, and in records made before the count was added, when the check
passed (a failing check then listed its faulty units alone). Otherwise the list was not read
(None, which is not an empty list), and a diff says so rather than report units as removed.

Some fields move at every inspection of an unchanged chassis (the time smart licensing last
reported usage and was acknowledged): `MOVING` names them, and a diff leaves them out unless
asked for every field. The record keeps no uptime or counter as a field: checks judge those,
and a diff compares the checks' statuses.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from inspector.fleet import MOVING
from inspector.records import Record, RecordError

FRU_CHECK = "hw.inventory.serials"
LICENSE_DOMAIN_PREFIX = "lic."
FRU_PREFIX = "inventory/"
FRU_COUNT = "inventory"  # checks.hardware.INVENTORY_COUNT: how many entries were listed


@dataclass(frozen=True, kw_only=True)
class Inspection:
    run_id: str
    site: str | None
    hostname: str
    serial: str | None
    pid: str | None
    platform: str | None
    os: str | None
    version: str | None
    inspected_at: str
    verdict: str
    verdict_reason: str
    tier: str | None
    eligible: bool | None
    checks: dict[str, str]  # check id: status
    frus: dict[str, str] | None  # unit name: "PID SN serial"; None when not known
    license: dict[str, str]  # evidence path of a license check: what it read

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> Inspection:
        typed = Record.from_dict(record)  # RecordError for a schema this inspector cannot read
        try:
            return cls._of(typed)
        except (KeyError, TypeError, AttributeError) as missing:
            raise RecordError(f"not an inspection record: it lacks {missing}") from None

    @classmethod
    def _of(cls, typed: Record) -> Inspection:
        chassis, checks, program = typed.chassis, typed.checks, typed.program or {}
        fru_check = next((c for c in checks if c["id"] == FRU_CHECK), None)
        frus = _frus(fru_check) if fru_check is not None else None
        license = {e["path"]: str(e["actual"]) for c in checks
                   if c["id"].startswith(LICENSE_DOMAIN_PREFIX) and c["status"] != "SKIP"
                   for e in c["evidence"]}
        return cls(
            run_id=typed.run_id, site=typed.site, hostname=chassis["hostname"],
            serial=chassis.get("serial"), pid=chassis.get("pid"),
            platform=chassis.get("platform"), os=chassis.get("os"),
            version=chassis.get("version"), inspected_at=typed.finished_at,
            verdict=typed.verdict, verdict_reason=typed.verdict_reason,
            tier=program.get("tier"), eligible=program.get("eligible_for_support"),
            checks={c["id"]: c["status"] for c in checks}, frus=frus, license=license)

    @property
    def failed(self) -> list[str]:
        return sorted(check for check, status in self.checks.items() if status == "FAIL")

    def fields(self) -> dict[str, str | None]:
        """Everything a diff compares, by field name: `pid`, `os`, `version`, `fru/<unit>`,
        `license/<path>`, `check/<id>`. `--ignore` patterns match these names."""
        found: dict[str, str | None] = {"pid": self.pid, "os": self.os, "version": self.version}
        found.update({f"fru/{unit}": value for unit, value in (self.frus or {}).items()})
        found.update({f"license/{path.removeprefix('license/')}": value
                      for path, value in self.license.items()})
        found.update({f"check/{check}": status for check, status in self.checks.items()})
        return found


def _frus(check: Mapping[str, Any]) -> dict[str, str] | None:
    """The units the check listed, by name, when the list is whole (see the module)."""
    units = [e for e in check["evidence"] if e["path"].startswith(FRU_PREFIX)]
    count = next((e["actual"] for e in check["evidence"] if e["path"] == FRU_COUNT), None)
    whole = count == len(units) if count is not None else check["status"] == "PASS"
    return {e["path"].removeprefix(FRU_PREFIX): str(e["actual"]) for e in units} if whole \
        else None


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None  # None: absent from A
    after: str | None  # None: absent from B

    @property
    def kind(self) -> str:
        if self.field.startswith("fru/"):
            if self.before is None:
                return "FRU added"
            if self.after is None:
                return "FRU removed"
            if _serial(self.before) != _serial(self.after):
                return "FRU re-serialed"
            return "FRU changed"
        return {"check": "check status", "license": "license"}.get(
            self.field.split("/", 1)[0], "chassis")


def _serial(fru: str) -> str:
    return fru.rpartition(" SN ")[2]


@dataclass(frozen=True, kw_only=True)
class Diff:
    a: Inspection
    b: Inspection
    changes: list[Change]
    ignored: int  # changes left out by --ignore
    moving: int  # changes left out as fields that always move (MOVING)
    notes: list[str]  # what could not be compared, and why

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "a": {"run_id": self.a.run_id, "serial": self.a.serial, "verdict": self.a.verdict,
                  "inspected_at": self.a.inspected_at},
            "b": {"run_id": self.b.run_id, "serial": self.b.serial, "verdict": self.b.verdict,
                  "inspected_at": self.b.inspected_at},
            "changes": [{"kind": c.kind, "field": c.field, "before": c.before, "after": c.after}
                        for c in self.changes],
            "ignored": self.ignored, "moving_left_out": self.moving, "notes": self.notes,
        }


def diff(a: Inspection, b: Inspection, ignore: Iterable[str] = (),
         all_fields: bool = False) -> Diff:
    """What changed from A to B, leaving out fields that match an `ignore` glob and, unless
    `all_fields`, those that always move (MOVING)."""
    patterns, moving = list(ignore), () if all_fields else MOVING
    before, after = a.fields(), b.fields()
    notes = [f"FRUs not compared: the unit list was not read in run {side.run_id} "
             f"({FRU_CHECK} did not list every unit)" for side in (a, b) if side.frus is None]
    unread = [side.run_id for side in (a, b) if side.serial is None]
    if unread:
        notes.insert(0, f"serial not read in run {' and run '.join(unread)}: not known to be "
                        "the same chassis")
    elif a.serial != b.serial:
        notes.insert(0, f"two different chassis: serial {a.serial} against {b.serial}")
    if notes:
        before = {k: v for k, v in before.items() if not k.startswith("fru/")}
        after = {k: v for k, v in after.items() if not k.startswith("fru/")}
    changes, ignored, moved = [], 0, 0
    for name in sorted(before.keys() | after.keys()):
        if before.get(name) == after.get(name):
            continue
        if any(fnmatch.fnmatchcase(name, p) for p in patterns):
            ignored += 1
        elif any(fnmatch.fnmatchcase(name, p) for p in moving):
            moved += 1
        else:
            changes.append(Change(name, before.get(name), after.get(name)))
    return Diff(a=a, b=b, changes=changes, ignored=ignored, moving=moved, notes=notes)

"""Inspection records: one JSON document per chassis, the contract other tools read.

Top level: schema_version, run_id, chassis {hostname, platform, os, version, pid, serial},
checks [{id, status, severity, message, evidence, commands [{command, sha256}],
second_reading?}], verdict, program {tier, eligible_for_support, reasons} (null when judged
without the program's rules).

`second_reading`, present where NAPALM reads the check's facts again (inspector.second_reading):
{parser ("napalm ios get_optics"), status ("agreed" | "disagreed" | "no reading"), and
values (the keys compared) when agreed; ours {parser, values}, theirs {parser, values} and
differences [str] when disagreed (the check is then ERROR); reason when no reading}.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from inspector import __version__
from inspector.evaluate import chassis_verdict
from inspector.evidence import Session
from inspector.files import read_json, safe_name, write_json
from inspector.policy import Policy

SCHEMA_VERSION = 1
IDENTITY_FIELDS = ("os", "version", "pid", "serial")


def build_record(
    *,
    run_id: str,
    hostname: str,
    platform: str | None,
    results: list[dict[str, Any]],
    session: Session | None,
    policy: Policy,
    started_at: str,
    finished_at: str,
    site: str | None = None,
    address: str | None = None,
    redactions: dict[str, int] | None = None,
    show_tech: dict[str, Any] | None = None,
) -> dict[str, Any]:
    chassis: dict[str, Any] = {"hostname": hostname, "platform": platform}
    chassis.update(dict.fromkeys(IDENTITY_FIELDS))
    for result in results:
        for key, value in result.get("identity", {}).items():
            if key in IDENTITY_FIELDS and value and not chassis[key]:
                chassis[key] = value
    if address:
        chassis["address"] = address
    verdict, reason = chassis_verdict(results, policy)
    if session is not None and session.error:
        # What went wrong with the session explains the checks it left unanswered.
        reason = (f"not inspected: {session.error}" if not session.connected
                  else f"{session.error}; {reason}")
    return {
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
        "tool_version": __version__,
        "site": site,
        "started_at": started_at,
        "finished_at": finished_at,
        "chassis": chassis,
        "session": session.as_dict() if session else None,
        "checks": results,
        "verdict": str(verdict),
        "verdict_reason": reason,
        "redactions": redactions or {},
        # The show tech-support file collected as evidence: file, sha256, bytes (or error).
        "show_tech": show_tech,
        "program": None,
    }


def record_path(run_dir: Path, hostname: str) -> Path:
    return run_dir / "records" / f"{safe_name(hostname)}.json"


def write_record(run_dir: Path, record: dict[str, Any]) -> Path:
    path = record_path(run_dir, record["chassis"]["hostname"])
    write_json(path, record)
    return path


def record_paths(run_dir: Path) -> list[Path]:
    """The run's record files, in the order every report lists the chassis."""
    folder = run_dir / "records"
    if not folder.is_dir():
        raise FileNotFoundError(f"no records in {run_dir} (is it a run folder?)")
    return sorted(folder.glob("*.json"))


def read_records(run_dir: Path) -> Iterator[dict[str, Any]]:
    for path in record_paths(run_dir):
        yield read_json(path)


def summary_row(record: dict[str, Any]) -> dict[str, Any]:
    """The line a summary table shows for one chassis."""
    chassis = record["chassis"]
    return {
        "hostname": chassis["hostname"],
        "platform": chassis["platform"],
        "pid": chassis["pid"],
        "serial": chassis["serial"],
        "verdict": record["verdict"],
        "reason": record["verdict_reason"],
        "failed": [c["id"] for c in record["checks"] if c["status"] == "FAIL"],
        "errored": [c["id"] for c in record["checks"] if c["status"] == "ERROR"],
    }

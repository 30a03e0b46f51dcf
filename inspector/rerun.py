"""Rerunning checks of a finished run: offline from its evidence, or live on one chassis.

Every attempt is kept in the check's `attempts`, the first being the original result; the
check's current status is its latest attempt's, and the chassis verdict is recomputed. Live
attempts save their outputs in a new folder, so the original evidence is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inspector.catalogue import Catalogue
from inspector.evaluate import evaluate_check
from inspector.evidence import open_capture, utc_now
from inspector.facts import FactResolver
from inspector.files import read_json, safe_name
from inspector.manifest import EVIDENCE, Seal, outside_evidence
from inspector.policy import Policy
from inspector.program import HostContext, load_products, program_section
from inspector.records import read_records, record_path, record_verdict, write_record
from inspector.store import seal_for_rerun
from reports import DEFAULT_FORMATS, default_output

# Rewritten whole by every rerun from the records, never read by it.
REPORTS = {default_output(Path(), fmt).name for fmt in DEFAULT_FORMATS}


class RerunError(ValueError):
    pass


@dataclass(frozen=True, kw_only=True)
class Change:
    hostname: str
    check_id: str
    before: str
    after: str
    mode: str


def _attempt(result: dict[str, Any], *, mode: str, at: str, evidence_dir: str) -> dict[str, Any]:
    return {
        "at": at,
        "mode": mode,
        "status": result["status"],
        "message": result["message"],
        "evidence": result["evidence"],
        "commands": result["commands"],
        "evidence_dir": evidence_dir,
    }


def _with_attempt(old: dict[str, Any], new: dict[str, Any], attempt: dict[str, Any],
                  original_dir: str, original_at: str) -> dict[str, Any]:
    attempts = old.get("attempts") or [
        _attempt(old, mode="original", at=original_at, evidence_dir=original_dir)
    ]
    updated = {**old, **{k: new[k] for k in ("status", "message", "evidence", "commands",
                                             "version", "title", "severity")}}
    updated["attempts"] = [*attempts, attempt]
    return updated


def select_checks(record: dict[str, Any], check_ids: list[str] | None,
                  failed_only: bool) -> list[str]:
    if check_ids:
        known = {c["id"] for c in record["checks"]}
        unknown = [c for c in check_ids if c not in known]
        if unknown:
            raise RerunError(f"{record['chassis']['hostname']} has no check {', '.join(unknown)}")
        return check_ids
    if failed_only:
        return [c["id"] for c in record["checks"] if c["status"] in ("FAIL", "ERROR")]
    return [c["id"] for c in record["checks"]]


def rerun_record(
    run_dir: Path,
    record: dict[str, Any],
    check_ids: list[str],
    *,
    catalogue: Catalogue,
    policy: Policy,
    evidence_dir: Path | None = None,
    mode: str = "offline",
) -> tuple[dict[str, Any], list[Change]]:
    """Re-judge `check_ids` of one record from an evidence folder (default: the latest one
    each check used) and return the updated record and what changed."""
    hostname = record["chassis"]["hostname"]
    platform = record["chassis"]["platform"]
    original_dir = f"evidence/{safe_name(hostname)}"
    at = utc_now()
    changes = []
    checks = {c["id"]: c for c in record["checks"]}
    for check_id in check_ids:
        old = checks[check_id]
        folder_rel = (
            str(evidence_dir.relative_to(run_dir)) if evidence_dir
            else (old.get("attempts") or [{}])[-1].get("evidence_dir", original_dir)
        )
        capture = open_capture(run_dir / folder_rel)
        new = evaluate_check(
            catalogue.get(check_id), platform=platform,
            resolver=FactResolver(platform, capture.output) if platform else None,
            session=capture.session, policy=policy,
            context=HostContext.load(run_dir / original_dir),
        )
        checks[check_id] = _with_attempt(
            old, new, _attempt(new, mode=mode, at=at, evidence_dir=folder_rel),
            original_dir, record.get("finished_at") or at,
        )
        changes.append(Change(hostname=hostname, check_id=check_id, before=old["status"],
                              after=new["status"], mode=mode))
    results = [checks[c["id"]] for c in record["checks"]]
    verdict, reason = record_verdict(results, policy, record.get("session"))
    updated = {**record, "checks": results, "verdict": verdict, "verdict_reason": reason,
               "rerun_at": at}
    if record.get("program") is not None:  # the verdict may have changed, and with it support
        context = HostContext.load(run_dir / original_dir)
        updated["program"] = program_section(
            updated, context.host_data() if context else {}, load_products())
    write_record(run_dir, updated)
    return updated, changes


def records_to_rerun(run_dir: Path, hosts: list[str] | None) -> list[dict[str, Any]]:
    if not hosts:
        return list(read_records(run_dir))
    paths = sorted({record_path(run_dir, host): host for host in hosts}.items())
    missing = [host for path, host in paths if not path.is_file()]
    if missing:
        raise RerunError(f"no record for {', '.join(missing)} in {run_dir}")
    return [read_json(path) for path, _ in paths]


def check_seal(run_dir: Path, hosts: list[str] | None, public_key: Path | None) -> Seal:
    """The run's seal, once every file the rerun reads (the run's own files but the reports
    it rewrites, and the chassis' evidence) is found as signed by a trusted key: a rerun from
    files changed by someone else, re-signed, would vouch for the change."""
    evidence = [f"{EVIDENCE}/{safe_name(h)}" for h in hosts] if hosts else [EVIDENCE]
    read = [name for name in outside_evidence(run_dir) if name not in REPORTS]
    return seal_for_rerun(run_dir, read + evidence, public_key)


def verdicts_before(run_dir: Path) -> dict[str, str]:
    """Every chassis's verdict as the signed run.json says it."""
    verdicts: dict[str, str] = read_json(run_dir / "run.json").get("verdicts", {})
    return verdicts


def attempt_folder(run_dir: Path, hostname: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return run_dir / "evidence" / safe_name(hostname) / "attempts" / stamp


def run_inventory(run_dir: Path) -> Path | None:
    meta = run_dir / "run.json"
    if not meta.is_file():
        raise RerunError(f"{run_dir} is not a run folder (no run.json)")
    inventory = read_json(meta).get("inventory")
    return Path(inventory) if inventory else None


def collect_live(
    run_dir: Path,
    *,
    inventory: Path,
    hostname: str,
    commands: list[tuple[str, ...]],
    policy: Policy,
    credentials: Any,
) -> Path:
    """Reconnect to one chassis and save `commands` as a new attempt's evidence folder."""
    from inspector.run import apply_filters, collect_into, load_nornir, prepare_hosts

    nornir = apply_filters(load_nornir(inventory, 1), {"name": hostname})
    if not nornir.inventory.hosts:
        raise RerunError(f"{hostname} is not in the inventory {inventory}")
    secrets = prepare_hosts(nornir, credentials, policy)
    folder = attempt_folder(run_dir, hostname)

    def task(task: Any) -> Any:
        from nornir.core.task import Result

        return Result(host=task.host,
                      result=collect_into(task, folder, commands, policy, secrets).session)

    result = nornir.run(task=task, name="rerun")[hostname][0]
    if result.failed:
        raise RerunError(f"live collection from {hostname} failed: {result.exception}")
    return folder

"""Rerunning checks of a finished run: offline from its evidence, or live on one chassis.

Every attempt is kept in the check's `attempts`, the first being the original result; the
check's current status is its latest attempt's, and the chassis verdict is recomputed. Live
attempts save their outputs in a new folder, so the original evidence is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from inspector.catalogue import Catalogue
from inspector.credentials import load_file
from inspector.evaluate import evaluate_check
from inspector.evidence import open_capture, utc_now
from inspector.facts import FactResolver
from inspector.files import adopt_digests, hand_over_digests
from inspector.hosts import Source
from inspector.policy import Policy
from inspector.program import HostContext, load_products, program_section
from inspector.records import Record, evidence_read, take_identity
from inspector.store import (
    attempt_dir,
    finish_run,
    judged_files,
    named_host,
    read_record,
    read_records,
    record_path,
    rewriting,
    run_credentials,
    run_meta,
    seal_for_rerun,
    verdicts_before,
    write_record,
    writing,
)
from inspector.store import evidence_dir as evidence_dir_of
from inspector.store import run_source as store_run_source


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
    judged_with: dict[str, Any],
) -> tuple[dict[str, Any], list[Change]]:
    """Re-judge `check_ids` of one record from an evidence folder (default: the latest one
    each check used) and return the updated record and what changed."""
    hostname = record["chassis"]["hostname"]
    platform = record["chassis"]["platform"]
    original_dir = evidence_dir_of(run_dir, hostname).relative_to(run_dir).as_posix()
    at = utc_now()
    changes = []
    checks = {c["id"]: c for c in record["checks"]}
    session = record.get("session")
    # What the chassis is, where the run could not tell (it was not reached) and the rerun
    # reads it: its PID decides its tier.
    chassis = dict(record["chassis"])
    for check_id in check_ids:
        old = checks[check_id]
        folder_rel = (str(evidence_dir.relative_to(run_dir)) if evidence_dir
                      else evidence_read(old, original_dir))
        capture = open_capture(run_dir / folder_rel, platform)
        if mode == "live" and capture.session is not None:
            session = capture.session.as_dict()  # the chassis as it was reached now
        new = evaluate_check(
            catalogue.get(check_id), platform=platform,
            resolver=FactResolver(platform, capture.output) if platform else None,
            session=capture.session, policy=policy,
            context=HostContext.load(run_dir / original_dir),
        )
        take_identity(chassis, new.get("identity", {}))
        checks[check_id] = _with_attempt(
            old, new, _attempt(new, mode=mode, at=at, evidence_dir=folder_rel),
            original_dir, record.get("finished_at") or at,
        )
        changes.append(Change(hostname=hostname, check_id=check_id, before=old["status"],
                              after=new["status"], mode=mode))
    results = [checks[c["id"]] for c in record["checks"]]
    updated = replace(Record.from_dict(record), checks=results, rerun_at=at, chassis=chassis,
                      session=session, judged_with=judged_with).judged(policy).as_dict()
    if record.get("program") is not None:  # the verdict may have changed, and with it support
        context = HostContext.load(run_dir / original_dir)
        updated["program"] = program_section(
            updated, context.host_data() if context else {}, load_products())
    write_record(run_dir, updated)
    return updated, changes


# The check that reads what a chassis is (PID, serial, OS).
IDENTITY = "hw.chassis.identity"


def require_same_chassis(record: dict[str, Any], folder: Path, *, catalogue: Catalogue,
                         policy: Policy) -> None:
    """Raise RerunError unless the device a live rerun reached, whose outputs are in `folder`,
    is the chassis `record` inspected: the same serial and the same SSH host key, each where
    both are read, and one of them at least read. An inventory pointed elsewhere (its address
    edited, or another --inventory) would otherwise re-judge another device's outputs under
    this chassis's serial, and sign it. A chassis the run never read (never reached), or a
    device not reached now (its checks then say why), has nothing to compare."""
    hostname, platform = record["chassis"]["hostname"], record["chassis"]["platform"]
    capture = open_capture(folder, platform)
    if capture.session is None or not capture.session.connected:
        return
    identity = evaluate_check(
        catalogue.get(IDENTITY), platform=platform,
        resolver=FactResolver(platform, capture.output) if platform else None,
        session=capture.session, policy=policy).get("identity", {})
    was, now = record["chassis"].get("serial"), identity.get("serial")
    key_was = (record.get("session") or {}).get("host_key")
    key_now = capture.session.host_key
    differs = []
    if was and now and was != now:
        differs.append(f"its serial is {now}, not {was}")
    # A device can be made to print any serial; its host key is its own (a chassis whose key
    # was made anew since is inspected anew).
    if key_was and key_now and key_was != key_now:
        differs.append(f"its SSH host key is {key_now}, not {key_was} as when inspected")
    if not differs and ((was and now) or (key_was and key_now) or not (was or key_was)):
        return
    why = "; ".join(differs) or "neither its serial nor its SSH host key could be read to tell"
    raise RerunError(f"the device reached as {hostname} is not the chassis this run inspected: "
                     f"{why}; nothing of it is judged (is the inventory's address right?)")


def records_to_rerun(run_dir: Path, hosts: list[str] | None) -> list[dict[str, Any]]:
    if not hosts:
        return list(read_records(run_dir))
    paths = sorted({record_path(run_dir, host): host for host in hosts}.items())
    missing = [host for path, host in paths if not path.is_file()]
    if missing:
        raise RerunError(f"no record for {', '.join(missing)} in {run_dir}")
    return [read_record(path) for path, _ in paths]


def run_source(run_dir: Path) -> Source | None:
    saved = store_run_source(run_meta(run_dir))
    return Source.from_json(saved) if saved else None


def collect_live(
    run_dir: Path,
    *,
    source: Source,
    hostname: str,
    commands: list[tuple[str, ...]],
    policy: Policy,
    credentials: Any,
    credential_sets: list[Any] | None = None,
    jump_host: str | None = None,
) -> Path:
    """Reconnect to one chassis and save `commands` as a new attempt's evidence folder."""
    from inspector.hosts import apply_filters, load_hosts
    from inspector.run import bastions_for, collect_into, prepare_hosts

    nornir = apply_filters(load_hosts(source, 1), {"name": hostname})
    if not nornir.inventory.hosts:
        raise RerunError(f"{hostname} is not in the inventory {source.path}")
    prepare_hosts(nornir, credentials, policy, credential_sets, jump_host)
    folder = attempt_dir(run_dir, hostname)
    bastions = bastions_for(nornir, policy)

    def task(task: Any) -> Any:
        from nornir.core.task import Result

        collected = collect_into(task, folder, commands, policy, bastions=bastions)
        # Known as written whole: the signing can tell a file of it removed since.
        adopt_digests(hand_over_digests(collected.evidence.write()), whole={str(folder)})
        return Result(host=task.host, result=collected.session)

    try:
        result = nornir.run(task=task, name="rerun")[hostname][0]
    finally:
        if bastions is not None:
            bastions.close()
    if result.failed:
        raise RerunError(f"live collection from {hostname} failed: {result.exception}")
    return folder


@dataclass(kw_only=True)
class Rerun:
    summary: Any  # inspector.run.RunSummary of the chassis rerun
    changes: list[Change]
    provenance_changes: list[str]  # how what judged now differs from what judged the run
    retired: list[tuple[str, str]]  # (hostname, check id) left as judged: not in the catalogue


def rerun_run(run_dir: Path, *, hosts: list[str] | None, check_ids: list[str] | None,
              failed_only: bool, policy: Policy, public_key: Path | None,
              live: bool = False, source: Source | None = None,
              credentials_file: Path | None = None, jump_host: str | None = None) -> Rerun:
    """Rerun the chosen checks (`check_ids`, else the failed ones with `failed_only`, else all)
    of `hosts` (or all), offline from the evidence, or `live` on the chassis with the
    environment's login and the run's credentials file and jump host (`credentials_file`
    and `jump_host` replace those for this rerun only). Holds the run's lock and finds what it
    reads as signed before reading it; signs the run again once run.json and the reports
    follow the records."""
    from inspector.catalogue import load_catalogue
    from inspector.evaluate import plan_commands
    from inspector.provenance import differences, judged_with
    from inspector.records import summary_row
    from inspector.run import Credentials, RunSummary

    catalogue = load_catalogue()
    with writing(run_dir):
        hosts = [named_host(run_dir, host) for host in hosts] if hosts else hosts
        seal = seal_for_rerun(run_dir, hosts, public_key)
        # Kept as signed until signed again: a rerun stopped at any moment is undone.
        with rewriting(run_dir, seal):
            meta = run_meta(run_dir)
            now = judged_with(policy)
            summary = RunSummary(run_id=run_dir.name, run_dir=run_dir)
            changes: list[Change] = []
            written: list[Path] = []  # the records rewritten, their pieces, the evidence collected
            sets_file = credentials_file or run_credentials(meta)
            given = load_file(sets_file) if live and sets_file else None
            credentials = Credentials.from_env(jump_password=given.jump_password if given else None)
            jump_host = jump_host or meta.get("jump_host")
            retired: list[tuple[str, str]] = []
            for record in records_to_rerun(run_dir, hosts):
                chosen = select_checks(record, check_ids, failed_only)
                if not check_ids:
                    # --all, --failed: a check retired since the run cannot be judged again.
                    # Its result stands as the run gave it, and is named; the others are
                    # rerun. (A check asked for by its id is refused as unknown.)
                    retired += [(record["chassis"]["hostname"], c) for c in chosen
                                if c not in catalogue]
                    chosen = [c for c in chosen if c in catalogue]
                folder = None
                if live and chosen:
                    source = source or run_source(run_dir)
                    if source is None:
                        raise RerunError("the run does not name its inventory: pass --inventory")
                    platform = record["chassis"]["platform"]
                    # What the chassis is, read too: the device reached must be the one
                    # inspected (`require_same_chassis`).
                    commands = list(dict.fromkeys([
                        *plan_commands(platform, [catalogue.get(cid) for cid in chosen]),
                        *catalogue.get(IDENTITY).command_groups(platform)]))
                    folder = collect_live(run_dir, source=source,
                                          hostname=record["chassis"]["hostname"],
                                          commands=commands, policy=policy,
                                          credentials=credentials,
                                          credential_sets=given.sets if given else None,
                                          jump_host=jump_host)
                    written.append(folder)
                    require_same_chassis(record, folder, catalogue=catalogue, policy=policy)
                if chosen:
                    record, changed = rerun_record(run_dir, record, chosen, catalogue=catalogue,
                                                   policy=policy, evidence_dir=folder,
                                                   mode="live" if live else "offline",
                                                   judged_with=now)
                    changes += changed
                    written += judged_files(run_dir, record["chassis"]["hostname"])
                summary.verdicts[record["chassis"]["hostname"]] = record["verdict"]
                summary.rows.append(summary_row(record))
            # The records changed: run.json, the reports and the signed manifest must follow.
            finish_run(run_dir, {**verdicts_before(run_dir), **summary.verdicts}, state=seal.state,
                       previous=seal, written=written, rerun_at=utc_now())
    return Rerun(summary=summary, changes=changes,
                 provenance_changes=differences(meta.get("judged_with"), now), retired=retired)

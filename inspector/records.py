"""Inspection records: one JSON document per chassis, the contract other tools read.

Its shape is published as a JSON Schema, `schemas/record.schema.json`, versioned with the
record's `schema_version`. Top level: schema_version, run_id, chassis {hostname, platform, os,
version, pid, serial, members?}, checks [{id, status, severity, message, evidence, commands
[{command, sha256}], second_reading?}], verdict, verdict_reason, program {tier,
eligible_for_support, reasons} (null when judged without the program's rules), excluded,
judged_with. Where records are kept is the run store's business (inspector.store).

`second_reading`, present where NAPALM reads the check's facts again (inspector.second_reading):
{parser ("napalm ios get_optics"), status ("agreed" | "disagreed" | "no reading"), and
values (the keys compared) when agreed; ours {parser, values}, theirs {parser, values} and
differences [str] when disagreed (the check is then ERROR); reason when no reading}.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from functools import cache
from typing import Any

from inspector import __version__
from inspector.evidence import Session
from inspector.models import (
    DECLARED_PLATFORM,
    Severity,
    Status,
    Verdict,
    not_the_declared_chassis,
)
from inspector.policy import Policy, load_policy
from inspector.provenance import policy_sha256

# The record's published shape: schemas/record.schema.json, one version per change of it.
# 2: `excluded` (why the preflight kept a chassis from being contacted) and `judged_with`
# (the versions and policy that judged it) were added.
# 3: `chassis.members`, the other chassis the inventory lists (a stack's switches, a virtual
# switch pair's other chassis, fabric extenders), present where there are any.
SCHEMA_VERSION = 3
READABLE_VERSIONS = (1, 2, 3)
IDENTITY_FIELDS = ("os", "version", "pid", "serial")
# The one setting of the policy the verdict rule (`chassis_verdict`) reads.
_MINOR_FAILS = "minor_failures_fail_chassis"


def take_identity(chassis: dict[str, Any], identity: Mapping[str, Any]) -> None:
    """What a check read of the chassis (its identity fields, and its `members` where the
    inventory lists any) into a record's `chassis`, where the record says nothing yet."""
    for key, value in identity.items():
        if key in (*IDENTITY_FIELDS, "members") and value and not chassis.get(key):
            chassis[key] = value


class RecordError(ValueError):
    """A document that is not an inspection record this inspector can read."""


@dataclass(frozen=True, kw_only=True)
class Record:
    """One chassis's inspection record. Its verdict is computed in one place (`judged`),
    for a run, a resume, a rerun and an excluded chassis alike."""

    run_id: str
    chassis: dict[str, Any]
    checks: list[dict[str, Any]]
    started_at: str
    finished_at: str
    site: str | None = None
    session: dict[str, Any] | None = None
    redactions: dict[str, int] = field(default_factory=dict)
    # The show tech-support file collected as evidence: file, sha256, bytes (or error).
    show_tech: dict[str, Any] | None = None
    program: dict[str, Any] | None = None
    excluded: list[str] | None = None  # why the preflight kept it from being contacted
    judged_with: dict[str, Any] | None = None  # versions and policy (inspector.provenance)
    tool_version: str = __version__
    rerun_at: str | None = None
    verdict: str = str(Verdict.ERROR)
    verdict_reason: str = "not judged"

    def judged(self, policy: Policy) -> Record:
        """This record with its verdict and reason computed from its checks, its session and
        its exclusion."""
        if self.excluded is not None:
            return replace(self, verdict=str(Verdict.ERROR), verdict_reason=(
                "not inspected: excluded before contact: " + "; ".join(self.excluded)))
        verdict, reason = chassis_verdict(self.checks, policy)
        error = self.session.get("error") if self.session else None
        if error:
            # What went wrong with the session explains the checks it left unanswered.
            connected = bool(self.session and self.session.get("connected"))
            reason = f"{error}; {reason}" if connected else f"not inspected: {error}"
        return replace(self, verdict=str(verdict), verdict_reason=reason)

    def as_dict(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION,
                **{f.name: getattr(self, f.name) for f in fields(self)}}

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Record:
        if not isinstance(document, Mapping):
            raise RecordError("not an inspection record: a JSON object is expected")
        version = document.get("schema_version")
        if version not in READABLE_VERSIONS:
            raise RecordError(f"record schema_version {version!r}: this inspector reads "
                              f"{', '.join(map(str, READABLE_VERSIONS))}")
        known = {f.name for f in fields(cls)}
        lacking = [f.name for f in fields(cls) if f.name not in document
                   and f.default is MISSING and f.default_factory is MISSING]
        if lacking:
            raise RecordError("not an inspection record: it lacks " + ", ".join(lacking))
        return cls(**{k: v for k, v in document.items() if k in known})


def chassis_verdict(results: Iterable[Mapping[str, Any]], policy: Policy) -> tuple[Verdict, str]:
    """ERROR where the chassis is not the one declared (its inspection cannot be done), else
    FAIL on any failing check that counts, else ERROR on anything we could not tell, else
    PASS."""
    results = list(results)
    failed_any = [r["id"] for r in results if r["status"] == Status.FAIL]
    if (other := not_the_declared_chassis(results)) is not None:
        # Not the chassis declared: no verdict on it stands, pass or fail, and what was found
        # is reported with the reason.
        found = f"; reported: failed {', '.join(failed_any)}" if failed_any else ""
        return Verdict.ERROR, f"not inspected: {other['message']}{found}"
    counted = {str(Severity.CRITICAL), str(Severity.MAJOR)}
    if policy[f"verdict.{_MINOR_FAILS}"]:
        counted.add(str(Severity.MINOR))
    failed = [r["id"] for r in results if r["status"] == Status.FAIL and r["severity"] in counted]
    if failed:
        return Verdict.FAIL, "failed: " + ", ".join(failed)
    errored = [r for r in results if r["status"] == Status.ERROR]
    if errored:
        reason = "could not tell: " + ", ".join(r["id"] for r in errored)
        # A chassis declared as another OS than it runs: that is the reason to give first.
        wrong_os = next((r["message"] for r in errored
                         if any(e["path"] == DECLARED_PLATFORM for e in r["evidence"])), None)
        return Verdict.ERROR, f"{wrong_os}; {reason}" if wrong_os else reason
    if not any(r["status"] == Status.PASS for r in results):
        return Verdict.ERROR, "no check could run on this chassis"
    # Findings that do not fail the chassis (minor, or info) are still findings: a reason
    # that said every check passed hid them.
    reported = [f"{r['id']} ({r['severity']})" for r in results if r["status"] == Status.FAIL]
    if reported:
        return Verdict.PASS, ("every check that counts passed; reported, not failing the "
                              "chassis: " + ", ".join(reported))
    return Verdict.PASS, "every check that applies passed"


def evidence_read(check: Mapping[str, Any], own: str) -> str:
    """The evidence folder (relative to the run) a check's result was judged from: its last
    attempt's, else the chassis's own folder `own`."""
    folder: str = (check.get("attempts") or [{}])[-1].get("evidence_dir", own)
    return folder


def judged_outputs(record: Record, own: str) -> set[tuple[str, str, str]]:
    """Each output the record's checks judged, now and in each attempt, as (evidence folder,
    command, the sha256 of the output read); `own`: the chassis's own evidence folder."""
    reads: set[tuple[str, str, str]] = set()
    for check in record.checks:
        for folder, commands in [(evidence_read(check, own), check["commands"]), *(
                (attempt["evidence_dir"], attempt["commands"])
                for attempt in check.get("attempts") or [])]:
            reads.update((folder, read["command"], read["sha256"]) for read in commands
                         if read.get("sha256") is not None)
    return reads


def misjudged(record: Record) -> str | None:
    """What is wrong with the record's verdict and reason, where they are not what its own
    checks, session and exclusion give by `Record.judged` (the one rule every command judges
    by), or None. Judged under the defaults where the record names them as the policy that
    judged it (`judged_with`); any other policy is not in the run, so the verdict must be
    one the rule gives under either setting of the only one it reads."""
    judged_by = record.judged_with.get("policy_sha256") if isinstance(
        record.judged_with, dict) else None
    given = (record.verdict, record.verdict_reason)
    found = [(again.verdict, again.verdict_reason) for again in (
        record.judged(policy) for policy in _policies_judging(judged_by == _defaults_sha256()))]
    if given in found:
        return None
    return (f"verdict {record.verdict} ({record.verdict_reason}), where its checks give "
            + " or ".join(f"{verdict} ({reason})" for verdict, reason in dict.fromkeys(found)))


def misclaimed_support(record: Record) -> str | None:
    """Where the record's program section calls the chassis eligible for support against the
    program's rule as every inspector has applied it (`program.program_section`): only a
    chassis whose inspection passed, and against which no reason stands; else None. (What
    the reasons should be, a hold list not consulted among them, takes the chassis's
    declaration and the product lists of the inspector that judged it.)"""
    program = record.program
    if not isinstance(program, Mapping) or program.get("eligible_for_support") is not True:
        return None
    if record.verdict != str(Verdict.PASS):
        why = f"its verdict is {record.verdict}"
    elif reasons := program.get("reasons"):
        why = f"it names reasons against it: {reasons[0]}"
    else:
        return None
    return f"eligible for support, where {why}"


@cache
def _defaults_sha256() -> str:
    return policy_sha256(load_policy())


@cache
def _policies_judging(by_defaults: bool) -> tuple[Policy, ...]:
    """The policies a verdict is judged again under: the defaults, or where another policy
    judged it, the defaults with either setting of the one the verdict rule reads."""
    defaults = load_policy()
    if by_defaults:
        return (defaults,)
    settings = defaults.as_dict()
    return tuple(Policy({**settings, "verdict": {**settings["verdict"], _MINOR_FAILS: fails}})
                 for fails in (False, True))


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
    excluded: list[str] | None = None,
    judged_with: dict[str, Any] | None = None,
) -> dict[str, Any]:
    chassis: dict[str, Any] = {"hostname": hostname, "platform": platform}
    chassis.update(dict.fromkeys(IDENTITY_FIELDS))
    for result in results:
        take_identity(chassis, result.get("identity", {}))
    if address:
        chassis["address"] = address
    return Record(
        run_id=run_id, site=site, started_at=started_at, finished_at=finished_at,
        chassis=chassis, session=session.as_dict() if session else None, checks=results,
        redactions=redactions or {}, show_tech=show_tech, excluded=excluded,
        judged_with=judged_with,
    ).judged(policy).as_dict()


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

"""The record's published schema (schemas/record.schema.json) against the records the engine
builds: a passing, a failing, an unreached, an excluded and a rerun chassis. (Every record
any test writes is also validated when the session ends: tests/conftest.py.)"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from fastjsonschema import JsonSchemaException

from inspector.evidence import Session
from inspector.policy import load_policy
from inspector.provenance import judged_with
from inspector.records import SCHEMA_VERSION, Record, RecordError, build_record
from tests.conftest import RECORD_SCHEMA, record_validator

POLICY = load_policy()
AT = "2026-03-02T10:00:00Z"


def _check(check_id: str, status: str, severity: str = "major") -> dict[str, Any]:
    return {"id": check_id, "title": check_id, "domain": "hardware", "version": 1,
            "status": status, "severity": severity, "message": f"{check_id} {status}",
            "evidence": [{"path": "power/PS1", "actual": "ok", "expected": "ok"}],
            "commands": [{"command": "show environment all", "sha256": "0" * 64,
                          "parser": "own"}]}


def _record(results: list[dict[str, Any]], session: Session | None,
            **extra: Any) -> dict[str, Any]:
    return build_record(run_id="r1", hostname="sw1", platform="cisco_xe", results=results,
                        session=session, policy=POLICY, started_at=AT, finished_at=AT,
                        judged_with=judged_with(POLICY), **extra)


CONNECTED = Session(connected=True, privileged=True)
REFUSED = Session(connected=False, privileged=False, error="authentication failed")


def test_the_schema_is_the_version_the_records_say() -> None:
    schema = json.loads(RECORD_SCHEMA.read_text())
    assert schema["properties"]["schema_version"] == {"const": SCHEMA_VERSION}


@pytest.mark.parametrize(("results", "session", "extra", "verdict", "reason"), [
    ([_check("hw.psu.status", "PASS")], CONNECTED, {}, "PASS", "every check that applies"),
    ([_check("hw.psu.status", "FAIL")], CONNECTED, {}, "FAIL", "failed: hw.psu.status"),
    ([_check("hw.psu.status", "ERROR")], REFUSED, {}, "ERROR",
     "not inspected: authentication failed"),
    ([], None, {"excluded": ["declared damaged"]}, "ERROR",
     "not inspected: excluded before contact: declared damaged"),
])
def test_every_kind_of_record_follows_the_schema_with_its_one_verdict(
        results: list[dict[str, Any]], session: Session | None, extra: dict[str, Any],
        verdict: str, reason: str) -> None:
    record = _record(results, session, **extra)
    record_validator()(record)  # type: ignore[operator]
    assert record["verdict"] == verdict and record["verdict_reason"].startswith(reason)
    # Read back and judged again, as a rerun does, the record says the same.
    again = Record.from_dict(record).judged(POLICY).as_dict()
    assert again == record


def test_a_rerun_record_with_attempts_follows_the_schema() -> None:
    record = Record.from_dict(_record([_check("hw.psu.status", "FAIL")], CONNECTED))
    old = record.checks[0]
    attempt = {"at": AT, "status": "PASS", "message": "ok", "evidence": [], "commands": [],
               "evidence_dir": "evidence/sw1/attempts/x"}
    rerun = replace(record, rerun_at=AT, checks=[{
        **old, "status": "PASS",
        "attempts": [{**attempt, "mode": "original", "status": "FAIL"},
                     {**attempt, "mode": "offline"}]}]).judged(POLICY).as_dict()
    record_validator()(rerun)  # type: ignore[operator]
    assert rerun["verdict"] == "PASS"


@pytest.mark.parametrize("spoil", [
    lambda r: r.update(verdict="GREEN"),
    lambda r: r.update(schema_version=1),
    lambda r: r.pop("verdict_reason"),
    lambda r: r.update(surprise=True),
    lambda r: r["checks"][0].update(status="OK"),
    lambda r: r["checks"][0]["commands"][0].update(sha256="not-a-hash"),
])
def test_a_record_off_the_schema_is_caught(spoil: Any) -> None:
    record = _record([_check("hw.psu.status", "PASS")], CONNECTED)
    spoil(record)
    with pytest.raises(JsonSchemaException):
        record_validator()(record)  # type: ignore[operator]


def test_a_record_of_an_unknown_schema_version_is_refused() -> None:
    record = _record([_check("hw.psu.status", "PASS")], CONNECTED)
    with pytest.raises(RecordError, match="schema_version 99"):
        Record.from_dict({**record, "schema_version": 99})

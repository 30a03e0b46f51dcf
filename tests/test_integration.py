"""A lab batch inspected end to end through the CLI, as an inspector on site would run it.

The lab serves a mix of healthy and faulty chassis over SSH on 127.0.0.1; one chassis is
listed with a wrong password. Every chassis must get a record whose verdict matches what the
lab served, each fault must be caught by the check meant for it, and nothing but read-only
commands may have reached any chassis.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from inspector.readonly import NotReadOnly, require_read_only
from inspector.records import SCHEMA_VERSION
from mock_devices import expected_verdict, plan_lab, running_lab
from tests.lab_run import ALSO_FAILS, CAUGHT_BY, inspector, records, set_host_password, statuses

pytestmark = pytest.mark.lab

# Session set-up that netmiko sends on its own: it changes nothing on the device.
SESSION_SETUP = {"enable", "terminal length 0", "terminal width 511", "terminal pager 0",
                 "terminal exec prompt no-timestamp", "terminal width 512", "exit", ""}
WRONG_PASSWORD_HOST_INDEX = 0  # a healthy chassis listed with a password it refuses


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("batch")
    specs = plan_lab(30, "mix")
    wrong = next(s for s in specs if s.scenario == "healthy")
    inventory, log = tmp / "inventory", tmp / "commands.jsonl"
    with running_lab(specs, command_log=log, inventory_out=inventory):
        set_host_password(inventory, wrong.hostname, "not-the-password")
        done = inspector("run", "--inventory", str(inventory), "--out", str(tmp / "out"),
                         "--run-id", "batch", "--workers", "16",
                         env={"INSPECTOR_KEY": str(tmp / "key.pem")})
    yield {"specs": specs, "wrong": wrong.hostname, "run": done, "run_dir": tmp / "out" / "batch",
           "log": log, "key": tmp / "key.pem"}


def test_every_chassis_gets_a_record_and_the_exit_code_says_a_fault_was_found(
        batch: dict[str, Any]) -> None:
    assert batch["run"].returncode == 1, batch["run"].stderr
    assert set(records(batch["run_dir"])) == {s.hostname for s in batch["specs"]}
    assert "30 chassis" in batch["run"].stdout


def test_verdicts_match_what_the_lab_served(batch: dict[str, Any]) -> None:
    found = records(batch["run_dir"])
    wrong = {}
    for spec in batch["specs"]:
        expected = "ERROR" if spec.hostname == batch["wrong"] else expected_verdict(spec.scenario)
        if found[spec.hostname]["verdict"] != expected:
            wrong[spec.hostname] = (spec.scenario, found[spec.hostname]["verdict"],
                                    found[spec.hostname]["verdict_reason"])
    assert not wrong


def test_each_fault_is_caught_by_its_check_and_healthy_chassis_have_no_finding(
        batch: dict[str, Any]) -> None:
    found = records(batch["run_dir"])
    faults_seen = set()
    for spec in batch["specs"]:
        if spec.hostname == batch["wrong"]:
            continue
        record = found[spec.hostname]
        failed = statuses(record, "FAIL")
        if spec.scenario == "healthy":
            assert not failed and not statuses(record, "ERROR"), (spec.hostname, record["checks"])
        elif spec.scenario in CAUGHT_BY:
            meant = CAUGHT_BY[spec.scenario]
            meant = {meant} if isinstance(meant, str) else meant
            assert failed & meant, (spec.hostname, spec.scenario, failed)
            assert failed <= meant | ALSO_FAILS.get(spec.scenario, set()), (spec.hostname, failed)
            faults_seen.add(spec.scenario)
    assert {"psu_failed", "fan_failed", "license_eval"} <= faults_seen


def test_wrong_password_is_an_error_with_the_reason_and_never_retried(
        batch: dict[str, Any]) -> None:
    record = records(batch["run_dir"])[batch["wrong"]]
    assert record["verdict"] == "ERROR"
    assert "authentication failed" in record["verdict_reason"]
    assert all(c["status"] in ("ERROR", "SKIP") for c in record["checks"])
    port = next(s.port for s in batch["specs"] if s.hostname == batch["wrong"])
    # One login attempt only, so an account is not locked out: nothing was run on that port.
    log = [json.loads(line) for line in batch["log"].read_text().splitlines()]
    assert not [e for e in log if e["port"] == port]


def test_only_read_only_commands_reached_any_chassis(batch: dict[str, Any]) -> None:
    log = [json.loads(line) for line in batch["log"].read_text().splitlines()]
    assert len(log) > 300  # the log really holds the batch
    refused = []
    for entry in log:
        command = " ".join(entry["command"].split())
        if command in SESSION_SETUP:
            continue
        try:
            require_read_only(command)
        except NotReadOnly:
            refused.append(entry)
    assert not refused


def test_records_carry_the_contract_and_evidence_hashes_match(batch: dict[str, Any]) -> None:
    import hashlib

    run_dir = batch["run_dir"]
    for hostname, record in records(run_dir).items():
        assert record["schema_version"] == SCHEMA_VERSION and record["run_id"] == "batch"
        assert set(record["chassis"]) >= {"hostname", "platform", "os", "version", "pid", "serial"}
        for check in record["checks"]:
            assert check["status"] in ("PASS", "FAIL", "ERROR", "SKIP")
            for command in check["commands"]:
                if command["sha256"] and check["status"] != "ERROR":
                    index = json.loads((run_dir / "evidence" / hostname / "index.json").read_text())
                    entry = next(e for e in index["commands"] if e["command"] == command["command"])
                    text = (run_dir / "evidence" / hostname / entry["file"]).read_bytes()
                    assert hashlib.sha256(text).hexdigest() == command["sha256"]


def test_the_run_is_signed_and_verifies(batch: dict[str, Any], tmp_path: Path) -> None:
    done = inspector("verify", str(batch["run_dir"]), env={"INSPECTOR_KEY": str(batch["key"])})
    assert done.returncode == 0, done.stdout
    assert "this inspector's own key" in done.stdout
    assert ((batch["run_dir"] / "report.html").is_file()
            and (batch["run_dir"] / "report.xml").is_file())


def test_show_tech_is_collected_compressed_and_hashed(batch: dict[str, Any]) -> None:
    import gzip
    import hashlib

    run_dir = batch["run_dir"]
    sizes = {}
    for hostname, record in records(run_dir).items():
        if record["verdict"] == "ERROR" and not (record["session"] or {}).get("privileged"):
            assert record["show_tech"] is None  # never reached, nothing collected
            continue
        tech = record["show_tech"]
        assert tech["file"].endswith(".txt.gz"), tech
        text = gzip.decompress((run_dir / "evidence" / hostname / tech["file"]).read_bytes())
        assert hashlib.sha256(text).hexdigest() == tech["sha256"] and len(text) == tech["bytes"]
        assert b"show running-config" in text and b"<redacted>" in text
        assert record["redactions"].get(tech["command"], 0) >= 5
        sizes[record["chassis"]["platform"]] = tech["bytes"]
    assert sizes["cisco_xr"] > 5_000_000  # a modular chassis's file runs to megabytes

"""The program's rules on site: a checklist-driven lab run where one chassis was declared with
the wrong serial (so its inspection cannot be done; it carries a held serial too), one was
declared with a serial on compliance hold, one as damaged (those two are never contacted),
and one has no license proof."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from mock_devices import plan_lab, running_lab
from mock_devices.lab import LAB_PASSWORD, LAB_SECRET, LAB_USERNAME
from tests.lab_run import inspector, records

pytestmark = pytest.mark.lab

COLUMNS = ["hostname", "address", "port", "platform", "site", "country", "declared_pid",
           "declared_serial", "condition", "license_proof", "transfer_exception"]


def _checklist(path: Path, specs: list[Any], pids: dict[str, str]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for spec in specs:
            writer.writerow({
                "hostname": spec.hostname, "address": "127.0.0.1", "port": spec.port,
                "platform": spec.device_type, "site": "lab", "country": "US",
                "declared_pid": pids[spec.hostname], "declared_serial": spec.serial,
                "condition": "working", "license_proof": f"SO-{spec.index:06d}",
                "transfer_exception": "",
            })


def _edit(path: Path, hostname: str, **changes: str) -> None:
    rows = list(csv.DictReader(path.open()))
    for row in rows:
        if row["hostname"] == hostname:
            row.update(changes)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def test_checklist_run_applies_the_program(tmp_path: Path) -> None:
    specs = plan_lab(6, "healthy")
    with running_lab(specs, inventory_out=tmp_path / "inventory"):
        pids = {s.hostname: _chassis_pid(s) for s in specs}
        checklist = tmp_path / "checklist.csv"
        _checklist(checklist, specs, pids)
        mismatch, held, no_proof, damaged = (s.hostname for s in specs[:4])
        _edit(checklist, mismatch, declared_serial="FOC0000X0X0")
        _edit(checklist, no_proof, license_proof="")
        _edit(checklist, damaged, condition="permanently_damaged")
        serial = {s.hostname: s.serial for s in specs}
        # `held` is declared with a serial on hold: excluded before contact. The chassis
        # declared with a wrong serial turns out, on site, to carry a held serial.
        (tmp_path / "hold.txt").write_text(
            f"# compliance holds\n{serial[held]}\n{serial[mismatch]}\n")
        done = inspector(
            "run", "--checklist", str(checklist), "--hold-list", str(tmp_path / "hold.txt"),
            "--out", str(tmp_path / "out"), "--run-id", "site", "--no-show-tech",
            env={"INSPECTOR_USERNAME": LAB_USERNAME, "INSPECTOR_PASSWORD": LAB_PASSWORD,
                 "INSPECTOR_SECRET": LAB_SECRET, "INSPECTOR_KEY": str(tmp_path / "key.pem")},
        )
    # No chassis failed: the one not declared is not inspected, the rest pass or were excluded.
    assert done.returncode == 2, done.stdout + done.stderr
    found = records(tmp_path / "out" / "site")
    assert set(found) == {s.hostname for s in specs}

    def status(host: str, check: str) -> str:
        return next(c["status"] for c in found[host]["checks"] if c["id"] == check)

    # Not the chassis declared: its inspection cannot be done, and its held serial is flagged.
    assert status(mismatch, "prog.declared.identity") == "ERROR"
    assert found[mismatch]["verdict"] == "ERROR"
    assert found[mismatch]["verdict_reason"].startswith(
        "not inspected: the inspection cannot be done: the checklist is inaccurate")
    assert status(mismatch, "prog.hold.list") == "FAIL"
    assert "on compliance hold" in " ".join(found[mismatch]["program"]["reasons"])
    assert found[held]["checks"] == [] and "hold" in found[held]["verdict_reason"]
    assert status(no_proof, "prog.license.proof") == "FAIL"
    assert found[no_proof]["verdict"] == "PASS"  # inspectable, but not supportable yet
    assert found[damaged]["checks"] == [] and "damaged" in found[damaged]["verdict_reason"]
    for host in (mismatch, held, no_proof, damaged):
        assert found[host]["program"]["eligible_for_support"] is False, host
        assert found[host]["program"]["reasons"], host
    eligible = [h for h in found if h not in (mismatch, held, no_proof, damaged)]
    for host in eligible:
        program = found[host]["program"]
        assert found[host]["verdict"] == "PASS" and program["eligible_for_support"] is True, program
        assert program["tier"] in ("low", "high")


def _chassis_pid(spec: Any) -> str:
    from mock_devices import get_profile

    return get_profile(spec.profile).pid

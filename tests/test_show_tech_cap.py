"""A device that floods show tech-support is cut off at the policy's cap, and the record says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_devices import ChassisSpec, get_profile, running_lab
from tests.lab_run import inspector, records

pytestmark = pytest.mark.lab


def test_show_tech_past_the_cap_is_cut_and_the_inspection_stands(tmp_path: Path) -> None:
    spec = ChassisSpec(hostname="lab-asr", profile="asr9006", scenario="healthy", index=1,
                       serial=get_profile("asr9006").serial(1))  # serves about 6 MB
    policy = tmp_path / "policy.yaml"
    policy.write_text("collection:\n  show_tech_max_mb: 1\n")
    with running_lab([spec], inventory_out=tmp_path / "inventory"):
        done = inspector("run", "--inventory", str(tmp_path / "inventory"), "--out",
                         str(tmp_path / "out"), "--run-id", "r", "--policy", str(policy),
                         env={"INSPECTOR_KEY": str(tmp_path / "key.pem")})
    assert done.returncode == 0, done.stdout + done.stderr
    record = records(tmp_path / "out" / "r")["lab-asr"]
    assert record["verdict"] == "PASS"
    assert record["show_tech"]["error"] == (
        "not collected: cut at 1 MB (collection.show_tech_max_mb)")
    assert "sha256" not in record["show_tech"]

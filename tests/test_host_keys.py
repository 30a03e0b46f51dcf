"""SSH host keys: recorded on first contact by default; with the strict policy, a chassis
whose key is not already in known_hosts is not inspected."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from mock_devices import plan_lab, running_lab
from tests.lab_run import inspector, records

pytestmark = pytest.mark.lab


def _fingerprint(public_key: str) -> str:
    blob = base64.b64decode(public_key.split()[1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def test_host_keys_recorded_then_enforced(tmp_path: Path) -> None:
    specs = plan_lab(2, "healthy")
    known_hosts = tmp_path / "known_hosts"
    strict = tmp_path / "strict.yaml"
    strict.write_text("collection:\n  host_key_policy: strict\n"
                      f"  known_hosts: {known_hosts}\n  retries: 0\n")
    env = {"INSPECTOR_KEY": str(tmp_path / "key.pem")}
    with running_lab(specs, inventory_out=tmp_path / "inventory") as lab:
        common = ["--inventory", str(tmp_path / "inventory"), "--out", str(tmp_path / "out"),
                  "--no-show-tech"]
        first = inspector("run", *common, "--run-id", "first", env=env)
        known_hosts.write_text("")
        unknown = inspector("run", *common, "--run-id", "unknown", "--policy", str(strict),
                            env=env)
        known_hosts.write_text("".join(f"[127.0.0.1]:{s.port} {lab.host_public_key}\n"
                                       for s in specs))
        known = inspector("run", *common, "--run-id", "known", "--policy", str(strict), env=env)
    fingerprint = _fingerprint(lab.host_public_key)
    assert first.returncode == 0, first.stdout
    for record in records(tmp_path / "out" / "first").values():
        assert record["session"]["host_key"] == f"ssh-ed25519 {fingerprint}"
    assert unknown.returncode == 2
    for record in records(tmp_path / "out" / "unknown").values():
        assert record["verdict"] == "ERROR"
        assert "known_hosts" in record["verdict_reason"]
    assert known.returncode == 0, known.stdout

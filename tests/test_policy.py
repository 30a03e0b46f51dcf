"""A policy override is checked whole at load: one clear error before any chassis is touched."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from inspector.policy import PolicyError, load_policy

BAD = {
    "retries: -1": ("collection:\n  retries: -1\n", "collection.retries"),
    "retries: 1.5": ("collection:\n  retries: 1.5\n", "collection.retries"),
    "timeout NaN": ("collection:\n  command_timeout: .nan\n", "collection.command_timeout"),
    "timeout inf": ("collection:\n  connect_timeout: .inf\n", "collection.connect_timeout"),
    "timeout 0": ("collection:\n  command_timeout: 0\n", "collection.command_timeout"),
    "cpu over 100": ("operational:\n  cpu:\n    max_percent: 250\n",
                     "operational.cpu.max_percent"),
    "bad regex": ('hardware:\n  serial_pattern: "^[A-Z{3"\n', "hardware.serial_pattern"),
    "known_hosts 5": ("collection:\n  known_hosts: 5\n", "collection.known_hosts"),
    "number as text": ('collection:\n  retries: "2"\n', "collection.retries"),
    "flag as number": ("verdict:\n  minor_failures_fail_chassis: 1\n",
                       "verdict.minor_failures_fail_chassis"),
    "unknown key": ("collection:\n  retires: 2\n", "collection.retires"),
    "list of other items": ("states:\n  ok: [1, null, {a: b}]\n",
                            "states.ok' must be a list of text"),
    "list holding null": ("operational:\n  logging:\n    hardware_families: [null]\n",
                          "operational.logging.hardware_families' must be a list of text"),
    "list of lists": ("operational:\n  crash_files:\n    patterns: [[1]]\n",
                      "operational.crash_files.patterns' must be a list of text"),
    "list as text": ("states:\n  ok: up\n", "states.ok' must be a list of text"),
    # The program asks 7 business days' notice at the least outside the US and Canada.
    "notice under 7 days": ("program:\n  notice_business_days_elsewhere: 3\n",
                            "program.notice_business_days_elsewhere' must be a number from 7"),
}


def test_the_defaults_are_valid() -> None:
    assert load_policy()["collection.retries"] >= 0


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_setting_is_refused_naming_it(case: str, tmp_path: Path) -> None:
    text, setting = BAD[case]
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    with pytest.raises(PolicyError, match=setting.replace(".", r"\.")):
        load_policy(path)


def test_the_cli_exits_3_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("collection:\n  retries: -1\n")
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    (inventory / "hosts.yaml").write_text("r1:\n  hostname: 127.0.0.1\n  platform: cisco_xe\n")
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "inspector", "run", "--inventory", str(inventory),
         "--policy", str(policy), "--out", str(out), "--no-show-tech"],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        env={"PATH": "/usr/bin:/bin", "INSPECTOR_PASSWORD": "x", "INSPECTOR_USERNAME": "u",
             "PYTHONPATH": ":".join(sys.path)},
    )
    assert done.returncode == 3, done.stderr
    assert done.stderr.strip().splitlines() == [
        "inspector: policy setting 'collection.retries' must be a number from 0 to 10, got -1"]
    assert "Traceback" not in done.stderr
    assert not out.exists() or not any(out.rglob("*.json"))

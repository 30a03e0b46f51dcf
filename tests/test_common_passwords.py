"""The commonest passwords of second-hand gear change nothing the inspector writes but the
secrets themselves: `cisco`, `admin` and `show` are also words every chassis prints."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from mock_devices import ChassisSpec, get_profile, running_lab
from tests.lab_run import inspector, records

pytestmark = pytest.mark.lab

PROFILES = ("cat9300", "asr9006", "nexus9300", "cat2960x")
# Host names holding the same words: a host name is never masked.
NAMES = {"cat9300": "sw-cisco-1", "asr9006": "admin-asr", "nexus9300": "nx-show",
         "cat2960x": "ios-cisco"}


# Times the lab prints relative to now (the last license report): they differ run to run.
_CLOCK = re.compile(r"\b\d\d:\d\d:\d\d\b")


def _judged(record: dict[str, Any]) -> dict[str, Any]:
    """What a record says of the chassis, without the times and keys of the run."""
    chassis = {k: v for k, v in record["chassis"].items() if k not in ("address",)}
    return {"chassis": chassis, "verdict": record["verdict"],
            "verdict_reason": record["verdict_reason"],
            "checks": [(c["id"], c["status"], _CLOCK.sub("hh:mm:ss", c["message"]),
                        _CLOCK.sub("hh:mm:ss", json.dumps(c["evidence"])))
                       for c in record["checks"]]}


def _inspect(tmp: Path, password: str) -> tuple[Path, dict[str, dict[str, Any]], list[str]]:
    specs = [ChassisSpec(hostname=NAMES[p], profile=p, scenario="healthy", index=i,
                         serial=get_profile(p).serial(i), password=password, secret=password)
             for i, p in enumerate(PROFILES, start=1)]
    env = {"INSPECTOR_KEY": str(tmp / "key.pem")}
    with running_lab(specs, inventory_out=tmp / "inventory"):
        done = inspector("run", "--inventory", str(tmp / "inventory"), "--out", str(tmp / "out"),
                         "--run-id", "r", "--no-show-tech", env=env)
        assert done.returncode in (0, 1), done.stdout + done.stderr
        run_dir = tmp / "out" / "r"
        files = sorted(p.name for p in (run_dir / "records").glob("*.json"))
        rerun = inspector("rerun", str(run_dir), "--all", env=env)
        assert rerun.returncode in (0, 1), rerun.stdout + rerun.stderr
    return run_dir, records(run_dir), files


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], list[str]]:
    return _inspect(tmp_path_factory.mktemp("random"), "Xq7-Random-Pw-5d21")


@pytest.mark.parametrize("password", ["cisco", "admin", "show"])
def test_a_common_password_gives_the_same_records(
        password: str, baseline: tuple[Path, dict[str, Any], list[str]], tmp_path: Path) -> None:
    _, expected, expected_files = baseline
    run_dir, found, files = _inspect(tmp_path, password)
    assert files == expected_files == sorted(f"{n}.json" for n in NAMES.values())
    for name in NAMES.values():
        got, want = _judged(found[name]), _judged(expected[name])
        differ = [(a, b) for a, b in zip(got["checks"], want["checks"], strict=True) if a != b]
        assert not differ, (name, differ)
        assert got == want, name
        # The rerun right after the run changed no status.
        for check in found[name]["checks"]:
            attempts = check.get("attempts") or []
            assert {a["status"] for a in attempts} <= {check["status"]}, (name, check["id"])
    evidence = (run_dir / "evidence" / "ios-cisco" / "show_version.txt").read_text()
    assert "cisco WS-C2960X" in evidence or "Cisco IOS Software" in evidence

"""A refused enable secret is sent once per chassis and never retried: the seller's AAA server
must not lock the account out because of the inspector."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mock_devices import ChassisSpec, get_profile, running_lab
from tests.lab_run import inspector, records

pytestmark = pytest.mark.lab


@pytest.mark.parametrize("profile", ["asa5525", "isr4431"])
def test_a_wrong_enable_secret_is_sent_once(profile: str, tmp_path: Path) -> None:
    spec = ChassisSpec(hostname=f"lab-{profile}", profile=profile, scenario="healthy", index=1,
                       serial=get_profile(profile).serial(1))
    inventory = tmp_path / "inventory"
    with running_lab([spec], inventory_out=inventory) as lab:
        hosts = yaml.safe_load((inventory / "hosts.yaml").read_text())
        hosts[spec.hostname]["connection_options"] = {
            "netmiko": {"extras": {"secret": "Not-The-Enable-Secret"}}}
        (inventory / "hosts.yaml").write_text(yaml.safe_dump(hosts))
        done = inspector("run", "--inventory", str(inventory), "--out", str(tmp_path / "out"),
                         "--run-id", "r", "--no-show-tech",
                         env={"INSPECTOR_KEY": str(tmp_path / "key.pem")})
        typed = [r.command for r in lab.commands(spec.hostname)]
    assert done.returncode == 2, done.stdout + done.stderr
    record = records(tmp_path / "out" / "r")[spec.hostname]
    assert record["session"]["error"] == "enable secret refused", record["session"]
    assert typed.count("enable") == 1, typed
    # Nothing but the login's own steps reached the chassis: no show command ran unprivileged.
    assert not [c for c in typed if c.startswith("show ") and c != "show curpriv"], typed


def test_the_right_secret_still_reaches_privileged_mode_on_the_asa(tmp_path: Path) -> None:
    spec = ChassisSpec(hostname="lab-asa", profile="asa5525", scenario="healthy", index=1,
                       serial=get_profile("asa5525").serial(1))
    with running_lab([spec], inventory_out=tmp_path / "inventory") as lab:
        done = inspector("run", "--inventory", str(tmp_path / "inventory"), "--out",
                         str(tmp_path / "out"), "--run-id", "r", "--no-show-tech",
                         env={"INSPECTOR_KEY": str(tmp_path / "key.pem")})
        typed = [r.command for r in lab.commands(spec.hostname)]
    assert done.returncode == 0, done.stdout + done.stderr
    assert typed.index("enable") < typed.index("terminal pager 0", typed.index("enable"))
    assert records(tmp_path / "out" / "r")["lab-asa"]["verdict"] == "PASS"

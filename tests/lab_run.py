"""Running the real CLI against a lab served on 127.0.0.1, for the integration tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

# The check meant to catch each fault the lab can serve.
CAUGHT_BY = {
    "psu_failed": "hw.psu.status",
    "fan_failed": "hw.fan.status",
    "temp_critical": "hw.temperature.status",
    "license_eval": {"lic.smart.registration", "lic.classic.state", "lic.nxos.usage",
                     "lic.asa.license"},
    "crashinfo_present": "op.crash.files",
    "confreg_2142": "op.config.register",
    "cpu_high": "op.cpu.load",
    "memory_low": "op.memory.free",
    "log_critical": "op.logging.critical",
    "module_failed": "op.modules.state",
    "standby_down": "op.redundancy.standby",
    "diag_failed": "hw.diagnostics",
    "udi_mismatch": "lic.udi.match",
    "fru_unserialed": "hw.inventory.serials",
    "serial_malformed": "hw.inventory.serials",
    "interface_errors": "op.interfaces.errors",
    # A read that stopped at the prompt-like line would miss the failure logged after it.
    "prompt_mid_output": "op.logging.critical",
}
# Other checks that rightly fail on the same fault, because the chassis reports the same event
# through them too: a failed fan or supply is logged (%FAN, %PLATFORM, %ENVMON) and may show
# as a failed module or a supply's fan; a crash is also the last reload reason; an unlicensed
# smart-licensing chassis also has licenses not in use.
ALSO_FAILS = {
    "psu_failed": {"op.logging.critical", "op.modules.state", "hw.fan.status"},
    "fan_failed": {"op.logging.critical", "op.modules.state"},
    "temp_critical": {"op.logging.critical"},
    "license_eval": {"lic.smart.usage"},
    "crashinfo_present": {"op.reload.reason", "op.logging.critical"},
    "module_failed": {"op.logging.critical", "hw.diagnostics"},
    "diag_failed": {"op.modules.state"},
    "standby_down": {"op.modules.state", "op.logging.critical"},
}

def inspector(*args: str, env: dict[str, str] | None = None, timeout: float = 600,
              stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m inspector ARGS` as a user would, in a separate process. Whatever it
    says, it says it itself: no judge pool's resource tracker warns of what it left behind."""
    done = subprocess.run(
        [sys.executable, "-m", "inspector", *args], capture_output=True, text=True,
        timeout=timeout, env={**os.environ, **(env or {})}, input=stdin,
    )
    assert "resource_tracker" not in done.stderr, done.stderr
    return done


def records(run_dir: Path) -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text()) for p in sorted((run_dir / "records").glob("*.json"))}


def set_host_password(inventory: Path, hostname: str, password: str) -> None:
    hosts = yaml.safe_load((inventory / "hosts.yaml").read_text())
    hosts[hostname]["password"] = password
    (inventory / "hosts.yaml").write_text(yaml.safe_dump(hosts))


def statuses(record: dict[str, Any], status: str) -> set[str]:
    return {c["id"] for c in record["checks"] if c["status"] == status}


def inspect_lab(specs: list[Any], tmp_path: Path, run_id: str
                ) -> tuple[subprocess.CompletedProcess[str], dict[str, dict[str, Any]]]:
    """Serve `specs` and inspect them all through the CLI, no show tech, 30 workers: the run's
    process and its records."""
    from mock_devices import running_lab

    with running_lab(specs, inventory_out=tmp_path / "inventory"):
        done = inspector("run", "--inventory", str(tmp_path / "inventory"), "--out",
                         str(tmp_path / "out"), "--run-id", run_id, "--no-show-tech",
                         "--workers", "30", env={"INSPECTOR_KEY": str(tmp_path / "key.pem")})
    found = records(tmp_path / "out" / run_id) if (tmp_path / "out" / run_id).is_dir() else {}
    return done, found


def process_running(pid: int) -> bool:
    """Whether the process `pid` still runs (read from /proc)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; its new parent reaps it

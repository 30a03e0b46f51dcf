"""Running the real CLI against a lab served on 127.0.0.1, for the integration tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml


def inspector(*args: str, env: dict[str, str] | None = None, timeout: float = 600,
              stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m inspector ARGS` as a user would, in a separate process."""
    return subprocess.run(
        [sys.executable, "-m", "inspector", *args], capture_output=True, text=True,
        timeout=timeout, env={**os.environ, **(env or {})}, input=stdin,
    )


def records(run_dir: Path) -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text()) for p in sorted((run_dir / "records").glob("*.json"))}


def set_host_password(inventory: Path, hostname: str, password: str) -> None:
    hosts = yaml.safe_load((inventory / "hosts.yaml").read_text())
    hosts[hostname]["password"] = password
    (inventory / "hosts.yaml").write_text(yaml.safe_dump(hosts))


def statuses(record: dict[str, Any], status: str) -> set[str]:
    return {c["id"] for c in record["checks"] if c["status"] == status}

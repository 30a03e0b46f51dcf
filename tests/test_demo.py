"""`make demo`'s command: the bundled lab inspected end to end, every verdict as served."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lab_run import inspector, records

pytestmark = pytest.mark.lab


def test_the_demo_inspects_its_lab_and_every_verdict_matches(tmp_path: Path) -> None:
    env = {"INSPECTOR_KEY": str(tmp_path / "key.pem"), "COLUMNS": "200"}
    done = inspector("demo", "--count", "6", "--out", str(tmp_path / "out"), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Every verdict matches what the lab served." in done.stdout
    [run_dir] = (tmp_path / "out").iterdir()
    assert len(records(run_dir)) == 6
    verified = inspector("verify", str(run_dir), env=env)
    assert verified.returncode == 0, verified.stdout

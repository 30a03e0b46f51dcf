"""A run whose judge worker dies mid-run (killed, out of memory) goes on: the chassis the worker
had not judged are judged in the run's own process, every record is written, the dead worker's
half-written file does not stay in the finished run, the run verifies, and the inspector says
what happened."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mock_devices import plan_lab, running_lab
from tests.fresh import REPO
from tests.lab_run import inspector, records
from tests.worker_judges import DOOMED

# The inspector's own command, but each judgement through `judge_then_die`: the judge worker
# imports it by name, as it imports `judge_in_worker`.
RUN_WITH_A_DYING_JUDGE = """
import sys
import inspector.run
from tests.worker_judges import judge_then_die
inspector.run.judge_in_worker = judge_then_die
from inspector.cli import main
main()
"""


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: no judge worker to lose")
def test_a_run_whose_judge_worker_dies_judges_the_rest_itself_and_leaves_nothing_half_written(
        tmp_path: Path) -> None:
    specs = plan_lab(6, "healthy")
    doomed = specs[len(specs) // 2].hostname
    env = {**os.environ, "INSPECTOR_KEY": str(tmp_path / "k"), "COLUMNS": "250", DOOMED: doomed}
    run_dir = tmp_path / "out" / "lost"
    with running_lab(specs, inventory_out=tmp_path / "inventory"):
        done = subprocess.run(
            [sys.executable, "-c", RUN_WITH_A_DYING_JUDGE, "run", "--inventory",
             str(tmp_path / "inventory"), "--out", str(run_dir.parent), "--run-id", "lost",
             "--no-show-tech"], capture_output=True, text=True, cwd=REPO, env=env, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert f"{len(specs)} chassis: {len(specs)} passed" in done.stdout
    assert "the judge worker died during the run" in done.stdout

    judged = records(run_dir)
    assert sorted(judged) == sorted(s.hostname for s in specs)
    assert {r["verdict"] for r in judged.values()} == {"PASS"}
    assert json.loads((run_dir / "run.json").read_text())["verdicts"] == {
        s.hostname: "PASS" for s in specs}
    assert not [p for p in run_dir.rglob("*") if p.name.endswith(".tmp")]
    # The chassis the worker died on: every output its index names is on disk as collected.
    folder = run_dir / "evidence" / doomed
    index = json.loads((folder / "index.json").read_text())
    named = [entry for entry in index["commands"] if "file" in entry]
    assert named
    for entry in named:
        assert hashlib.sha256((folder / entry["file"]).read_bytes()).hexdigest() == \
            entry["sha256"], entry["file"]
    verified = inspector("verify", str(run_dir), env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr

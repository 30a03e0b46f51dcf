"""A run whose judge worker dies mid-run (killed, out of memory) goes on: a new worker judges
the chassis left, each still under a parse deadline; a chassis a worker dies judging twice is
not judged again (in the run's own process it could take the run with it) and its record says
so, with its evidence kept for a rerun. Every record is written, the dead worker's half-written
files do not stay in the finished run, the run verifies, and the inspector says what happened."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import inspector.run as run
from inspector.catalogue import load_catalogue
from inspector.cli import join_worker_processes
from inspector.evidence import utc_now
from inspector.policy import load_policy
from inspector.program import HostContext
from mock_devices import plan_lab, running_lab
from tests.fresh import REPO
from tests.lab_run import inspector, records
from tests.worker_judges import DOOMED, ONCE, SLOW, die_at_start, judge_then_die

# The inspector's own command, but each judgement through `judge_then_die`: the judge worker
# imports it by name, as it imports `judge_in_worker`.
RUN_WITH_A_DYING_JUDGE = """
import os
import inspector.run
from tests.worker_judges import judge_then_die
inspector.run.judge_in_worker = judge_then_die
inspector.run.JUDGE_POOLS_REPLACED = int(os.environ.get("POOLS_REPLACED", "3"))
from inspector.cli import main
main()
"""


def _evidence_as_indexed(folder: Path) -> None:
    """Every output the index names is on disk as collected."""
    index = json.loads((folder / "index.json").read_text())
    named = [entry for entry in index["commands"] if "file" in entry]
    assert named
    for entry in named:
        assert hashlib.sha256((folder / entry["file"]).read_bytes()).hexdigest() == \
            entry["sha256"], entry["file"]


@pytest.mark.parametrize("dies", ["once", "each time", "once, no worker to spare"])
def test_a_run_whose_judge_worker_dies_goes_on_with_a_new_one_and_leaves_nothing_half_written(
        tmp_path: Path, dies: str) -> None:
    specs = plan_lab(6, "healthy")
    doomed = specs[len(specs) // 2].hostname
    env = {**os.environ, "INSPECTOR_KEY": str(tmp_path / "k"), "COLUMNS": "250", DOOMED: doomed}
    if dies.startswith("once"):
        env[ONCE] = str(tmp_path / "died")
    if dies == "once, no worker to spare":
        env["POOLS_REPLACED"] = "0"  # the first worker lost is the last: the run judges on
    run_dir = tmp_path / "out" / "lost"
    with running_lab(specs, inventory_out=tmp_path / "inventory"):
        done = subprocess.run(
            [sys.executable, "-c", RUN_WITH_A_DYING_JUDGE, "run", "--inventory",
             str(tmp_path / "inventory"), "--out", str(run_dir.parent), "--run-id", "lost",
             "--no-show-tech"], capture_output=True, text=True, cwd=REPO, env=env, timeout=600)
    deaths = run.JUDGE_ATTEMPTS if dies == "each time" else 1
    assert "leaked" not in done.stderr, done.stderr  # every lost pool's queues released
    assert f"a judge worker died during the run, {deaths} time(s)" in done.stdout, done.stdout
    if dies == "once, no worker to spare":
        assert "they were given up, and the chassis left were judged in this process" in \
            done.stdout
    else:
        assert "each time a new one judged the chassis left" in done.stdout

    judged = records(run_dir)
    assert sorted(judged) == sorted(s.hostname for s in specs)
    verdicts = {s.hostname: "PASS" for s in specs}
    if dies != "each time":
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    else:
        # No check of the doomed chassis was judged, in a worker or in the run's process.
        assert done.returncode == 2, done.stdout[-2000:] + done.stderr[-2000:]
        verdicts[doomed] = "ERROR"
        assert f"{doomed}: not judged, a judge worker died judging it twice" in done.stdout
        lost = judged[doomed]
        assert lost["session"]["connected"] is True and lost["session"]["error"] is None
        statuses = {c["status"] for c in lost["checks"]}
        assert "ERROR" in statuses and statuses <= {"ERROR", "SKIP"}
        for check in lost["checks"]:
            assert check["commands"] == [] and check["evidence"] == []
            if check["status"] == "ERROR":
                assert check["message"].startswith(
                    f"not judged: a judge worker died judging it, {deaths} times")
    assert {h: r["verdict"] for h, r in judged.items()} == verdicts
    assert json.loads((run_dir / "run.json").read_text())["verdicts"] == verdicts
    assert not [p for p in run_dir.rglob("*") if p.name.endswith(".tmp")]
    # The chassis the worker died on: its evidence is whole, as collected.
    _evidence_as_indexed(run_dir / "evidence" / doomed)
    env.pop(DOOMED)
    verified = inspector("verify", str(run_dir), env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    if dies == "each time":
        # The evidence kept is enough to judge it: a rerun does, with a worker that lives.
        again = inspector("rerun", str(run_dir), "--host", doomed, "--all", env=env)
        assert again.returncode == 0, again.stdout + again.stderr
        assert records(run_dir)[doomed]["verdict"] == "PASS"


def _job(hostname: str, serial: int) -> run.Judgement:
    return run.Judgement(
        run_id="r", hostname=hostname, platform="cisco_xe",
        check_ids=tuple(c.id for c in load_catalogue().all()), outputs={}, evidence=None,
        session=None, policy=load_policy(),
        context=HostContext(hostname=hostname, declaration=None, hold_list=None),
        started_at=utc_now(), site=None, address=None, redactions={}, show_tech=None,
        judged_with=None, serial=serial)


@pytest.fixture
def dying(monkeypatch: pytest.MonkeyPatch) -> None:
    """Judgements made through `judge_then_die`, the doomed chassis `doomed`."""
    monkeypatch.setattr(run, "judge_in_worker", judge_then_die)
    monkeypatch.setenv(DOOMED, "doomed")  # before the workers start: they inherit it


def _judge_all(workers: run.JudgeWorkers, jobs: list[run.Judgement], run_dir: Path,
               stagger: float) -> dict[str, Any]:
    """Each job judged from a thread of its own, as the sessions do, `stagger` seconds apart:
    its row (None: left to the caller), or the JudgementLost it raised."""
    results: dict[str, Any] = {}

    def judge(job: run.Judgement) -> None:
        try:
            judged = workers.judge(job, run_dir)
            results[job.hostname] = judged and judged[0]
        except run.JudgementLost as lost:
            results[job.hostname] = lost

    threads = [threading.Thread(target=judge, args=(job,)) for job in jobs]
    try:
        for thread in threads:
            thread.start()
            time.sleep(stagger)
        for thread in threads:
            thread.join(timeout=300)
    finally:
        for pool in workers.pools:
            pool.shutdown()
        join_worker_processes()
    return results


def test_chassis_queued_behind_one_that_kills_the_worker_are_judged_not_condemned(
        dying: None, tmp_path: Path) -> None:
    """One worker: the other chassis wait in the pool while the doomed one kills it, twice.
    Their judgements are lost with the pool each time, but they were never being judged."""
    workers = run.JudgeWorkers(1, [])
    jobs = [_job("doomed", 0), *(_job(f"sw{i}", i) for i in (1, 2, 3))]
    results = _judge_all(workers, jobs, tmp_path, stagger=0)
    assert isinstance(results.pop("doomed"), run.JudgementLost)
    assert {h: row["verdict"] for h, row in results.items()} == dict.fromkeys(
        ("sw1", "sw2", "sw3"), "ERROR")  # judged: no outputs, so no check could run
    assert workers.lost == run.JUDGE_ATTEMPTS and not workers.given_up


def test_chassis_judged_beside_one_that_kills_its_worker_are_judged_not_condemned(
        dying: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three workers: two chassis are being judged beside the doomed one when its worker dies,
    and the pool ends them with it: each of the three is blamed. Each is judged again alone,
    so only the doomed one's worker dies a second time with it in the pool."""
    monkeypatch.setenv(SLOW, "1")
    workers = run.JudgeWorkers(3, [])
    jobs = [_job("slow-1", 1), _job("slow-2", 2), _job("doomed", 0)]
    results = _judge_all(workers, jobs, tmp_path, stagger=0.3)
    assert isinstance(results.pop("doomed"), run.JudgementLost)
    assert {h: row["verdict"] for h, row in results.items()} == {
        "slow-1": "ERROR", "slow-2": "ERROR"}  # judged: no outputs, so no check could run
    assert workers.lost == run.JUDGE_ATTEMPTS and not workers.given_up


def test_judgements_asked_for_while_the_pool_is_replaced_go_to_the_new_one(
        dying: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new pool takes a while to start: the sessions that want a judgement meanwhile wait
    for it, none takes the workers for given up and judges in its own thread."""
    monkeypatch.setenv(ONCE, str(tmp_path / "died"))
    start = run.JudgeWorkers._start

    def slow_start(self: run.JudgeWorkers) -> None:
        time.sleep(0.5)
        start(self)

    monkeypatch.setattr(run.JudgeWorkers, "_start", slow_start)
    workers = run.JudgeWorkers(1, [])
    jobs = [_job("doomed", 0), *(_job(f"sw{i}", i) for i in range(1, 7))]
    results = _judge_all(workers, jobs, tmp_path, stagger=0.1)
    assert {h: row and row["verdict"] for h, row in results.items()} == dict.fromkeys(
        (j.hostname for j in jobs), "ERROR")  # each judged in a worker: no outputs, no check
    assert workers.lost == 1 and not workers.given_up


def test_a_pool_that_cannot_be_replaced_leaves_the_judgements_to_the_run(
        dying: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No memory or no process left for a new worker: the run judges the rest itself."""
    monkeypatch.setenv(ONCE, str(tmp_path / "died"))
    workers = run.JudgeWorkers(1, [])

    def cannot_start(self: run.JudgeWorkers) -> None:
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(run.JudgeWorkers, "_start", cannot_start)
    jobs = [_job("doomed", 0), _job("sw1", 1)]
    assert _judge_all(workers, jobs, tmp_path, stagger=0.1) == {"doomed": None, "sw1": None}
    assert workers.given_up and workers.lost == 1


def test_workers_that_keep_dying_are_given_up(dying: None, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run, "JUDGE_ATTEMPTS", 100)  # the doomed chassis is never given up
    workers = run.JudgeWorkers(1, [])
    try:
        assert workers.judge(_job("doomed", 0), tmp_path) is None  # the caller judges it
        assert workers.lost == run.JUDGE_POOLS_REPLACED + 1 and workers.given_up
        assert len(workers.pools) == run.JUDGE_POOLS_REPLACED + 1
    finally:
        for pool in workers.pools:
            pool.shutdown()
        join_worker_processes()


def test_workers_that_die_as_they_start_condemn_no_chassis(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """No judgement was under way when they died: every chassis is left to the run's own
    process once the workers are given up, none is recorded as one that kills its worker."""
    monkeypatch.setattr(run, "_judge_worker_started", die_at_start)
    workers = run.JudgeWorkers(1, [])
    jobs = [_job(f"sw{i}", i) for i in range(4)]
    results = _judge_all(workers, jobs, tmp_path, stagger=0)
    assert results == dict.fromkeys((j.hostname for j in jobs), None)  # the caller judges them
    assert workers.given_up and workers.lost == run.JUDGE_POOLS_REPLACED + 1

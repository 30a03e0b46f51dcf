"""The judge workers of a run: they start with the pool, not at the first judgement; once every
chassis has its judgement the run goes on to its reports and seal without waiting for the
workers' own teardown, and the command still leaves only after they have: no worker outlives
the run."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inspector.cli import join_worker_processes
from inspector.run import JUDGE_POOL_MIN_CHASSIS, judge_pool
from tests.fresh import REPO
from tests.lab_run import process_running


def test_the_workers_start_with_the_pool_before_any_judgement() -> None:
    with judge_pool(JUDGE_POOL_MIN_CHASSIS, []) as pool:
        assert pool is not None
        # Nothing submitted here: a worker left to the first judgement would not exist yet.
        started = multiprocessing.active_children()
        assert started
    join_worker_processes()
    assert all(w.exitcode == 0 for w in started)


def test_a_finished_pool_lets_the_run_go_on_and_the_command_joins_its_workers() -> None:
    with judge_pool(JUDGE_POOL_MIN_CHASSIS, []) as pool:
        assert pool is not None
        worker_pid = pool.pools[-1].submit(os.getpid).result()
        workers = multiprocessing.active_children()
    assert worker_pid in {w.pid for w in workers}
    # The pool let go at once: its worker is still in its teardown (a tenth of a second and
    # more, with NAPALM's drivers imported).
    assert any(w.is_alive() for w in workers)
    join_worker_processes()
    assert not multiprocessing.active_children()
    assert all(w.exitcode == 0 for w in workers)


def test_a_run_stopped_by_an_error_waits_for_its_workers_there() -> None:
    with pytest.raises(RuntimeError), judge_pool(JUDGE_POOL_MIN_CHASSIS, []) as pool:
        assert pool is not None
        pool.pools[-1].submit(os.getpid).result()
        raise RuntimeError("the disk, say")
    assert not multiprocessing.active_children()


@pytest.mark.parametrize("cores", [1, 2, 8])
def test_a_batch_of_one_chassis_is_judged_in_a_worker_too_on_any_machine(
        cores: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # Where a parse that would never finish can be stopped (`parsing.parse_deadline`): on a
    # machine of one core too, the worker sharing it with the sessions.
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    with judge_pool(1, []) as pool:
        assert pool is not None
        assert pool.pools[-1].submit(os.getpid).result() != os.getpid()
    join_worker_processes()
    with judge_pool(0, []) as nothing_to_judge:
        assert nothing_to_judge is None


# A process that holds judge workers, then is killed outright: it prints its worker's pid.
HOLDS_WORKERS = """
import os, time
from inspector.run import JudgeWorkers
workers = JudgeWorkers(1, [])
print(workers.pools[-1].submit(os.getpid).result(), flush=True)
time.sleep(600)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_worker_whose_run_is_killed_outright_leaves_at_once() -> None:
    """Not a second later, when it might have judged on and written into the run."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDS_WORKERS], cwd=REPO,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        worker = int(holder.stdout.readline())
        assert process_running(worker)
        holder.kill()
        holder.wait(10)
        killed = time.monotonic()
        while process_running(worker) and time.monotonic() - killed < 10:
            time.sleep(0.01)
        assert not process_running(worker)
        assert time.monotonic() - killed < 0.5
    finally:
        holder.kill()


def _blocked(pid: int) -> set[int]:
    """The signals the process's main thread blocks."""
    line = next(ln for ln in Path(f"/proc/{pid}/status").read_text().splitlines()
                if ln.startswith("SigBlk:"))
    mask = int(line.split()[1], 16)
    return {n for n in range(1, 65) if mask & (1 << (n - 1))}


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_a_ctrl_c_as_the_run_starts_never_reaches_a_worker() -> None:
    """A worker ignores SIGINT once its start is done; until then, SIGINT is blocked in it from
    its first instruction, as in the thread that started it, and in no thread of the run."""
    with judge_pool(1, []) as pool:
        assert pool is not None
        worker = pool.pools[-1].submit(os.getpid).result()
        assert signal.SIGINT in _blocked(worker)
        assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, set())
    join_worker_processes()

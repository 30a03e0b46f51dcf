"""The session threads run as batch work (Linux's SCHED_BATCH), so that their wakeups, a packet
each, do not preempt the judge worker, the run's longest lane; the worker and the run's own
thread keep the normal scheduling."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

import pytest

from inspector.cli import join_worker_processes
from inspector.run import judge_pool
from inspector.runner import InterruptibleRunner


def _batch_allowed() -> bool:
    """Whether this system lets a thread make itself batch work (a sandbox may refuse it;
    the runner then leaves its threads as they are)."""
    if not hasattr(os, "SCHED_BATCH"):
        return False
    allowed: list[bool] = []

    def probe() -> None:
        try:
            os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
            allowed.append(True)
        except OSError:
            allowed.append(False)

    thread = threading.Thread(target=probe)  # a thread of its own: the test's keeps its policy
    thread.start()
    thread.join()
    return allowed == [True]


pytestmark = pytest.mark.skipif(not _batch_allowed(), reason="no SCHED_BATCH here")


@dataclass
class _Host:
    name: str


@dataclass
class _Result:
    host: _Host
    policies: tuple[int, int]  # the session thread's, and that of a thread it started


class _PolicyTask:
    """A Nornir task that says how its thread, and a thread it starts (as paramiko starts
    one per SSH session), are scheduled."""

    name = "policies"

    def copy(self) -> _PolicyTask:
        return self

    def start(self, host: _Host) -> _Result:
        started: list[int] = []
        child = threading.Thread(target=lambda: started.append(os.sched_getscheduler(0)))
        child.start()
        child.join()
        return _Result(host, (os.sched_getscheduler(0), started[0]))


def _run_sessions(hosts: int) -> Any:
    return InterruptibleRunner(num_workers=4).run(_PolicyTask(), [_Host(f"h{i}")
                                                                   for i in range(hosts)])


def test_every_session_thread_and_the_threads_it_starts_run_as_batch_work() -> None:
    results = _run_sessions(8)
    assert len(results) == 8
    assert {result.policies for result in results.values()} == {(os.SCHED_BATCH,
                                                                  os.SCHED_BATCH)}


def test_the_run_s_own_thread_and_its_judge_worker_keep_the_normal_scheduling() -> None:
    before = os.sched_getscheduler(0)
    _run_sessions(2)
    assert os.sched_getscheduler(0) == before == os.SCHED_OTHER
    # A worker is started from the run's own thread and inherits its scheduling: made batch
    # too, the judging would yield to every session that wakes.
    with judge_pool(1, []) as pool:
        if pool is None:
            pytest.skip("one core: the run judges in its own threads")
        assert pool.submit(os.sched_getscheduler, 0).result() == os.SCHED_OTHER
    join_worker_processes()

"""Nornir's threaded runner, made interruptible.

The stock runner waits for every host once Ctrl-C arrives. An inspection visit cannot be
repeated cheaply, so here Ctrl-C stops starting new chassis, lets the sessions in progress
finish (each writes its record), and reports what was done; `run --resume` does the rest.
"""

from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any


class Interrupted(Exception):
    """Ctrl-C stopped the batch; `result` holds the chassis that finished."""

    def __init__(self, result: Any) -> None:
        super().__init__("interrupted")
        self.result = result


class InterruptibleRunner:
    def __init__(self, num_workers: int = 20) -> None:
        self.num_workers = num_workers

    def run(self, task: Any, hosts: list[Any]) -> Any:
        from nornir.core.task import AggregatedResult

        result = AggregatedResult(task.name)
        pool = ThreadPoolExecutor(self.num_workers, thread_name_prefix="inspect")
        pending: set[Future[Any]] = {pool.submit(task.copy().start, host) for host in hosts}
        try:
            while pending:
                done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                for future in done:
                    worker_result = future.result()
                    result[worker_result.host.name] = worker_result
        except KeyboardInterrupt:
            _shut_down_through_interrupts(pool)
            for future in pending:
                if future.done() and not future.cancelled():
                    worker_result = future.result()
                    result[worker_result.host.name] = worker_result
            raise Interrupted(result) from None
        pool.shutdown(wait=True)
        return result


def _shut_down_through_interrupts(pool: ThreadPoolExecutor) -> None:
    """Let the sessions in progress finish even if Ctrl-C is pressed again meanwhile: a second
    press must not cut the first one's orderly stop short (a run left without its summary)."""
    pool.shutdown(wait=False, cancel_futures=True)
    while True:
        try:
            pool.shutdown(wait=True)
            return
        except KeyboardInterrupt:
            continue

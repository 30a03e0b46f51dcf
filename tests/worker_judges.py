"""`judge_in_worker` altered for a test, in a module a judge worker imports by name, as it
imports `judge_in_worker` itself.

- `judge_then_die`: the worker dies in the middle of one chassis's evidence, as one killed or
  taken by the out-of-memory killer would: with a file written under its temporary name, not
  yet renamed; each time it judges that chassis, or only the first; and, to have other
  chassis in the pool as it dies, those named `slow-*` judged slowly.
- `die_at_start`: the worker dies as it starts, before any judgement.
- `judge_hastily`: under a short parse deadline, so that a test of a parse that would never
  finish does not wait the deadline a run gives.
"""

from __future__ import annotations

import os
import signal
import time
from functools import partial
from pathlib import Path
from typing import Any

from inspector import parsing
from inspector.run import Judgement, judge_in_worker

DOOMED = "INSPECTOR_TEST_DOOMED_CHASSIS"  # the chassis whose judgement kills the worker
# A file: set, the worker dies only where it is not there yet, and makes it (a worker taken
# once by the out-of-memory killer); unset, it dies each time it judges the doomed chassis.
ONCE = "INSPECTOR_TEST_DIE_ONCE"
# Seconds: set, the doomed chassis's worker dies that long into its judgement, and a chassis
# named `slow-*` takes twice as long (judged beside the doomed one, it is still in its worker
# when that worker dies).
SLOW = "INSPECTOR_TEST_SLOW"
SHORT_DEADLINE = 0.5


def judge_then_die(job: Judgement, run_dir: Path) -> Any:
    slow = float(os.environ.get(SLOW, "0"))
    rename = os.replace  # the first is that of the chassis's first output
    if job.hostname == os.environ.get(DOOMED):
        once = os.environ.get(ONCE)
        if not once or not os.path.exists(once):
            if once:
                Path(once).touch()
            os.replace = partial(_die, slow)
    elif job.hostname.startswith("slow-"):
        os.replace = partial(_after, 2 * slow, rename)
    try:
        return judge_in_worker(job, run_dir)
    finally:
        os.replace = rename


def _die(after: float, *args: Any) -> None:
    time.sleep(after)
    os.kill(os.getpid(), signal.SIGKILL)


def _after(seconds: float, rename: Any, *args: Any) -> None:
    time.sleep(seconds)
    rename(*args)


def judge_hastily(job: Judgement, run_dir: Path) -> Any:
    parsing.PARSE_DEADLINE = SHORT_DEADLINE
    return judge_in_worker(job, run_dir)


def die_at_start(*args: Any) -> None:
    """A judge worker's start that kills it, as a machine with no room for one would."""
    _die(0)

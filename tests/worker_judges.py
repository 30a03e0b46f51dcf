"""`judge_in_worker` altered for a test, in a module a judge worker imports by name, as it
imports `judge_in_worker` itself.

- `judge_then_die`: the worker dies in the middle of one chassis's evidence, as one killed or
  taken by the out-of-memory killer would: with a file written under its temporary name, not
  yet renamed; each time it judges that chassis, or only the first.
- `judge_hastily`: under a short parse deadline, so that a test of a parse that would never
  finish does not wait the deadline a run gives.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from inspector import parsing
from inspector.run import Judgement, judge_in_worker

DOOMED = "INSPECTOR_TEST_DOOMED_CHASSIS"  # the chassis whose judgement kills the worker
# A file: set, the worker dies only where it is not there yet, and makes it (a worker taken
# once by the out-of-memory killer); unset, it dies each time it judges the doomed chassis.
ONCE = "INSPECTOR_TEST_DIE_ONCE"
SHORT_DEADLINE = 0.5


def judge_then_die(job: Judgement, run_dir: Path) -> Any:
    if job.hostname == os.environ.get(DOOMED):
        once = os.environ.get(ONCE)
        if not once or not os.path.exists(once):
            if once:
                Path(once).touch()
            os.replace = _die  # this worker's first rename, that of the chassis's first output
    return judge_in_worker(job, run_dir)


def _die(*args: Any) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def judge_hastily(job: Judgement, run_dir: Path) -> Any:
    parsing.PARSE_DEADLINE = SHORT_DEADLINE
    return judge_in_worker(job, run_dir)

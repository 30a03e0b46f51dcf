"""A judge worker that dies in the middle of one chassis's evidence, as one killed or taken by
the out-of-memory killer would: with a file written under its temporary name, not yet renamed."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from inspector.run import Judgement, judge_in_worker

DOOMED = "INSPECTOR_TEST_DOOMED_CHASSIS"  # the chassis whose judgement kills the worker


def judge_then_die(job: Judgement, run_dir: Path) -> Any:
    if job.hostname == os.environ.get(DOOMED):
        os.replace = _die  # this worker's first rename, that of the chassis's first output
    return judge_in_worker(job, run_dir)


def _die(*args: Any) -> None:
    os.kill(os.getpid(), signal.SIGKILL)

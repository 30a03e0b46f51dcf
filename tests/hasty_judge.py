"""A judge worker's judgement under a short parse deadline, so that a test of a parse that
would never finish does not wait the deadline a run gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inspector import parsing
from inspector.run import Judgement, judge_in_worker

SHORT_DEADLINE = 0.5


def judge_hastily(job: Judgement, run_dir: Path) -> Any:
    parsing.PARSE_DEADLINE = SHORT_DEADLINE
    return judge_in_worker(job, run_dir)

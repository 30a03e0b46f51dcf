"""`python -m tests.meddler ARGS`: the inspector's command line, with someone else changing a
file of the run while the command runs, at the one moment that tells most: once the command
has checked the run and written what it writes, just before it signs (as its reports are
drawn). `MEDDLE_FILE` names the file; a byte of it is changed in place."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from inspector import store
from inspector.cli import app

_draw_reports = store.draw_reports


def _meddle_then_draw(run_dir: Path) -> Any:
    path = Path(os.environ["MEDDLE_FILE"])
    data = path.read_bytes()
    path.write_bytes(data.replace(b'"PASS"', b'"FAIL"', 1) if b'"PASS"' in data else data + b" ")
    return _draw_reports(run_dir)


store.draw_reports = _meddle_then_draw
app(prog_name="inspector")

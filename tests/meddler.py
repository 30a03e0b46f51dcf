"""`python -m tests.meddler ARGS`: the inspector's command line, with the world getting in
its way at the moments that tell most.

- `MEDDLE_FILE`: someone else changes a byte of that file of the run once the command has
  checked the run and written what it writes, just before it signs (as its reports are
  drawn).
- `MEDDLE_DIE_AFTER`: the command is killed outright (`os._exit`, nothing cleaned up) the
  moment a file whose path ends so (`records/x.json`, `manifest.sig`) is put in place."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from inspector import files, store
from inspector.cli import app

_draw_reports = store.draw_reports
_write_in_place = files._write_in_place


def _meddle_then_draw(run_dir: Path) -> Any:
    path = Path(os.environ["MEDDLE_FILE"])
    data = path.read_bytes()
    path.write_bytes(data.replace(b'"PASS"', b'"FAIL"', 1) if b'"PASS"' in data else data + b" ")
    return _draw_reports(run_dir)


def _write_then_die(written: Sequence[tuple[Path, bytes | bytearray]], **kwargs: Any) -> None:
    _write_in_place(written, **kwargs)
    if any(f"/{path.as_posix()}".endswith(f"/{os.environ['MEDDLE_DIE_AFTER']}")
           for path, _ in written):
        os._exit(137)


if "MEDDLE_FILE" in os.environ:
    store.draw_reports = _meddle_then_draw
if "MEDDLE_DIE_AFTER" in os.environ:
    files._write_in_place = _write_then_die
app(prog_name="inspector")

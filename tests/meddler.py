"""`python -m tests.meddler ARGS`: the inspector's command line, with the world getting in
its way at the moments that tell most.

- `MEDDLE_FILE`: someone else changes a byte of that file of the run (the first path the
  pattern matches), or, as `MEDDLE_HOW` says, removes it (`remove`) or links it under
  another name beside it (`link:NAME`), as the command calls
  `MEDDLE_AT` (`module:function`, as the module names it; by default `inspector.store:
  draw_reports`: once the command has checked the run and written what it writes, just
  before it signs).
- `MEDDLE_DIE_AFTER`: the command is killed outright (`os._exit`, nothing cleaned up) the
  moment a file whose path ends so (`records/x.json`, `manifest.sig`) is put in place.
- `MEDDLE_CTRL_C_AT_END`: Ctrl-C reaches the run once every chassis is done, as the batch's
  last result is taken."""

from __future__ import annotations

import glob
import importlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from inspector import files
from inspector.cli import main

_write_in_place = files._write_in_place


def _meddling(call: Any) -> Any:
    def meddle_then_call(*args: Any, **kwargs: Any) -> Any:
        path = Path(sorted(glob.glob(os.environ["MEDDLE_FILE"]))[0])
        how = os.environ.get("MEDDLE_HOW", "change")
        if how == "remove":
            path.unlink()
        elif how.startswith("link:"):
            os.link(path, path.with_name(how.removeprefix("link:")))
        else:
            data = path.read_bytes()
            path.write_bytes(data.replace(b'"PASS"', b'"FAIL"', 1) if b'"PASS"' in data
                             else data + b" ")
        return call(*args, **kwargs)

    return meddle_then_call


def _write_then_die(written: Sequence[tuple[Path, bytes | bytearray]], **kwargs: Any) -> None:
    _write_in_place(written, **kwargs)
    if any(f"/{path.as_posix()}".endswith(f"/{os.environ['MEDDLE_DIE_AFTER']}")
           for path, _ in written):
        os._exit(137)


if "MEDDLE_FILE" in os.environ:
    module, _, name = os.environ.get("MEDDLE_AT", "inspector.store:draw_reports").partition(":")
    target = importlib.import_module(module)
    setattr(target, name, _meddling(getattr(target, name)))
if "MEDDLE_DIE_AFTER" in os.environ:
    files._write_in_place = _write_then_die
if "MEDDLE_CTRL_C_AT_END" in os.environ:
    from inspector import runner

    _run_batch = runner.InterruptibleRunner.run

    def _run_then_ctrl_c(self: Any, task: Any, hosts: list[Any]) -> Any:
        raise runner.Interrupted(_run_batch(self, task, hosts))

    runner.InterruptibleRunner.run = _run_then_ctrl_c  # type: ignore[method-assign]
# Only as the command itself: a judge worker, started by spawning, imports this module too
# (as `__mp_main__`), and would run the command again inside the run.
if __name__ == "__main__":
    main()

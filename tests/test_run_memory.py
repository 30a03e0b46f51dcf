"""What a run keeps of a chassis once its record is written: the summary row goes to the
progress display and is read back from the record at the end, so Nornir's result of the
chassis, which the run holds to its end, keeps none of it (about 1.3 kB a chassis)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from inspector.policy import load_policy
from inspector.run import Inspection


def test_a_chassis_result_keeps_no_row_once_it_is_shown(tmp_path: Path) -> None:
    shown: list[dict[str, Any]] = []
    inspection = Inspection(run_id="r", run_dir=tmp_path, checks=[], policy=load_policy(None),
                            on_done=shown.append)
    row = {"hostname": "sw1", "verdict": "PASS", "reason": "every check passed"}
    inspection.inspect = lambda task: row  # type: ignore[method-assign]

    result = inspection.task(SimpleNamespace(host=SimpleNamespace(name="sw1")))

    assert shown == [row]
    assert result.result is None
    assert not result.failed

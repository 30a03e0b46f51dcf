"""Judging saved outputs without any device: a capture folder or a run's evidence folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inspector.catalogue import Check
from inspector.evaluate import evaluate_chassis
from inspector.evidence import open_capture, utc_now
from inspector.policy import Policy
from inspector.records import build_record


def evaluate_capture(
    folder: Path, *, platform: str, checks: list[Check], policy: Policy, run_id: str = "offline"
) -> dict[str, Any]:
    capture = open_capture(folder, platform)
    started = utc_now()
    results = evaluate_chassis(
        platform=platform, outputs=capture.output, session=capture.session, checks=checks,
        policy=policy,
    )
    return build_record(
        run_id=run_id, hostname=capture.hostname, platform=platform, results=results,
        session=capture.session, policy=policy, started_at=started, finished_at=utc_now(),
    )

"""Every fault the lab can serve, on every chassis type that has it, is caught by the check
meant for it, and by no check unrelated to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_devices import expected_verdict, load_profiles, plan_lab
from tests.lab_run import ALSO_FAILS, CAUGHT_BY, inspect_lab, statuses

pytestmark = pytest.mark.lab


def test_every_fault_scenario_is_caught_by_its_check(tmp_path: Path) -> None:
    profiles = load_profiles()
    # A minor fault (interface errors) FAILs its check without failing the chassis.
    faults = sorted({name for p in profiles.values() for name in p.scenarios
                     if expected_verdict(name) == "FAIL" or name in CAUGHT_BY})
    assert set(faults) <= set(CAUGHT_BY), "a lab fault with no check named to catch it"
    specs = []
    for fault in faults:
        for spec in plan_lab(sum(fault in p.scenarios for p in profiles.values()), fault):
            spec.hostname = f"{spec.hostname}-{fault}"
            specs.append(spec)
    done, found = inspect_lab(specs, tmp_path, "faults")
    assert done.returncode == 1, done.stdout + done.stderr
    missed, stray = {}, {}
    for spec in specs:
        record = found[spec.hostname]
        meant = CAUGHT_BY[spec.scenario]
        meant = {meant} if isinstance(meant, str) else meant
        failed = statuses(record, "FAIL")
        if not failed & meant or record["verdict"] != expected_verdict(spec.scenario):
            missed[spec.hostname] = (record["verdict"], sorted(failed), record["verdict_reason"])
        if failed - meant - ALSO_FAILS.get(spec.scenario, set()):
            stray[spec.hostname] = sorted(failed - meant)
        if statuses(record, "ERROR"):
            stray[spec.hostname] = ["ERROR:", *sorted(statuses(record, "ERROR"))]
    assert not missed
    assert not stray

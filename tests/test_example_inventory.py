"""The example site in inventory/ loads, imports and passes preflight without any contact."""

from __future__ import annotations

import json
from pathlib import Path

from tests.lab_run import inspector

EXAMPLE = Path(__file__).resolve().parents[1] / "inventory" / "example"


def test_example_inventory_preflight() -> None:
    done = inspector("preflight", "--inventory", str(EXAMPLE), "--json")
    report = json.loads(done.stdout)
    tiers = {c["hostname"]: c["tier"] for c in report["chassis"]}
    assert tiers == {"nyc-core-sw1": "low", "nyc-edge-rtr1": "high", "nyc-fw1": "high",
                     "nyc-optical1": "high"}
    assert report["sites"]["nyc"]["tiers"] == {"low": 1, "high": 3, "not_in_program": 0}
    # No --hold-list: not one chassis is said to be clear of a compliance hold.
    assert all("compliance hold not checked: no hold list was given" in c["reasons"]
               for c in report["chassis"])


def test_example_checklist_imports_and_flags_environmental_damage(tmp_path: Path) -> None:
    done = inspector("checklist", "import", str(EXAMPLE / "checklist.csv"),
                     "--inventory-out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "hosts.yaml").is_file()
    report = json.loads(inspector("preflight", "--checklist", str(EXAMPLE / "checklist.csv"),
                                  "--json").stdout)
    fra = next(c for c in report["chassis"] if c["hostname"] == "fra-dist-sw1")
    assert not fra["eligible"]
    assert any("compromised-equipment" in r for r in fra["reasons"])

"""Every lab family, proven: a healthy chassis of each profile reaches PASS, and each of its fault
scenarios FAILs on the check meant for it and on no unrelated one. The run's findings are what
`checks/lab_proven.json` must say (the file behind `inspector families`), so the matrix can
only claim what the code proves today. `UPDATE_LAB_PROVEN=1` rewrites the file from the run.
"""

from __future__ import annotations

import json
import os
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import yaml

from inspector.families import (
    MODELLED,
    NO_LAB,
    NO_SSH,
    PROVEN,
    PROVEN_FILE,
    LabProof,
    family_matrix,
    lab_pids,
    load_agreement,
    load_proofs,
    markdown_table,
)
from mock_devices import expected_verdict, load_profiles, plan_lab
from mock_devices.profiles import HEALTHY, PROFILES_DIR
from tests.lab_run import ALSO_FAILS, CAUGHT_BY, inspect_lab, inspector, statuses

README = Path(__file__).resolve().parents[1] / "README.md"


def _is_fault(scenario: str) -> bool:
    """A fault that fails the chassis, or a minor one that the policy reports without failing
    it (interface errors): either way its check must FAIL."""
    return expected_verdict(scenario) == "FAIL" or (
        scenario in CAUGHT_BY and scenario != HEALTHY)


def _proof(pid: str, healthy: dict[str, Any], faults: dict[str, dict[str, Any]],
           modelled_only: str) -> dict[str, Any]:
    caught: dict[str, list[str]] = {}
    missed = []
    for scenario, record in sorted(faults.items()):
        meant = CAUGHT_BY[scenario]
        meant = {meant} if isinstance(meant, str) else set(meant)
        failed = statuses(record, "FAIL")
        stray = failed - meant - ALSO_FAILS.get(scenario, set())
        if record["verdict"] == expected_verdict(scenario) and failed & meant and not stray \
                and not statuses(record, "ERROR"):
            # Every check that failed, the meant one and those the same fault rightly fails
            # (a crash is also the last reload reason): the lab's word on each check, which
            # the labelled corpus is held to (tests/test_family_corpus.py).
            caught[scenario] = sorted(failed)
        else:
            missed.append(scenario)
    return {
        "pid": pid,
        "healthy_verdict": healthy["verdict"],
        "passed": sorted(statuses(healthy, "PASS")),
        "not_passed": {c["id"]: c["status"] for c in healthy["checks"]
                       if c["status"] in ("SKIP", "ERROR", "FAIL")},
        "caught": caught,
        "missed": missed,
        "modelled_only": modelled_only,
    }


@pytest.mark.lab
def test_every_family_passes_healthy_and_fails_on_each_fault(tmp_path: Path) -> None:
    profiles = load_profiles()
    specs = []
    for name, profile in profiles.items():
        faults = sorted(s for s in profile.scenarios if _is_fault(s))
        for scenario in [HEALTHY, *faults]:
            spec = plan_lab(1, scenario, profiles=[name])[0]
            spec.hostname = f"lab-{name}-{scenario}"
            specs.append(spec)
    done, found = inspect_lab(specs, tmp_path, "families")
    assert done.returncode == 1, done.stdout + done.stderr
    proofs = {}
    for name, profile in sorted(profiles.items()):
        meta = yaml.safe_load((PROFILES_DIR / name / "profile.yaml").read_text(encoding="utf-8"))
        faults = {s.scenario: found[s.hostname] for s in specs
                  if s.profile == name and s.scenario != HEALTHY}
        proofs[name] = _proof(profile.pid, found[f"lab-{name}-{HEALTHY}"], faults,
                              str(meta.get("modelled_only") or "").strip())
    computed = json.dumps({"profiles": proofs}, indent=1, sort_keys=True) + "\n"
    shipped = files("checks").joinpath(PROVEN_FILE)
    if os.environ.get("UPDATE_LAB_PROVEN"):
        Path(str(shipped)).write_text(computed, encoding="utf-8")
    assert shipped.read_text(encoding="utf-8") == computed, (
        "checks/lab_proven.json is not what this run proved: rerun with UPDATE_LAB_PROVEN=1")
    # A family that awaits fallbacks is recorded as it stands and judged strictly once they land
    # (test_awaited_commands_are_still_missing says when).
    judged = {n: p for n, p in proofs.items() if not profiles[n].awaits}
    assert {n: p["healthy_verdict"] for n, p in judged.items() if p["healthy_verdict"] != "PASS"} \
        == {}, {n: p["not_passed"] for n, p in judged.items()}
    assert {n: p["missed"] for n, p in judged.items() if p["missed"]} == {}


def test_awaited_commands_are_still_missing() -> None:
    from inspector.catalogue import load_catalogue

    checks = load_catalogue().all()
    sent = {platform: {c for check in checks for c in check.commands(platform)}
            for platform in {p.device_type for p in load_profiles().values()}}
    landed = {name: sorted(set(p.awaits) & sent[p.device_type])
              for name, p in load_profiles().items() if set(p.awaits) & sent[p.device_type]}
    assert landed == {}, ("the inspector sends these now: drop them from the profiles' `awaits` "
                          "so the family is judged strictly and served in the mix")


def test_every_lab_profile_has_a_recorded_proof() -> None:
    rows = family_matrix(lab_pids(), load_proofs())
    assert [n for row in rows for n in row.unproven_profiles] == []
    # a profile whose PID is on no list would be a lab chassis the matrix cannot show
    assert sorted(n for row in rows for n in row.profiles) == sorted(lab_pids())


def test_readme_carries_the_generated_table() -> None:
    table = markdown_table(family_matrix(lab_pids(), load_proofs(),
                                         agreement=load_agreement()[0]))
    assert table in README.read_text(encoding="utf-8"), (
        "README's family table differs from `inspector families --markdown`")


def _proof_of(profile: str, pid: str, **changes: Any) -> LabProof:
    data: dict[str, Any] = {"pid": pid, "healthy_verdict": "PASS", "passed": ["hw.psu.status"],
                            "not_passed": {}, "caught": {"psu_failed": ["hw.psu.status"]},
                            "missed": []}
    return LabProof.from_data(profile, {**data, **changes})


@pytest.mark.parametrize(("proof", "claim"), [
    (_proof_of("c", "C9300-48P"), PROVEN),
    (_proof_of("c", "C9300-48P", missed=["fan_failed"]), MODELLED),
    (_proof_of("c", "C9300-48P", healthy_verdict="ERROR"), MODELLED),
    (_proof_of("c", "C9300-48P", caught={}), MODELLED),
    (_proof_of("c", "C9300-48P", modelled_only="no real output of the family"), MODELLED),
    (_proof_of("c", "C9300-24T"), MODELLED),  # proven on another PID than the lab serves
])
def test_claim_follows_the_recorded_proof(proof: LabProof, claim: str) -> None:
    rows = {r.family: r for r in family_matrix({"c": "C9300-48P"}, {"c": proof})}
    assert rows["Catalyst 9300 series"].claim == claim
    assert rows["Catalyst 2960 series"].claim == NO_LAB
    assert rows["ASR 5000 series"].claim == NO_SSH


def test_families_json_lists_every_family(tmp_path: Path) -> None:
    done = inspector("families", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    from inspector.program import load_products

    assert [r["family"] for r in rows] == load_products().families()
    cat9300 = next(r for r in rows if r["family"] == "Catalyst 9300 series")
    assert cat9300["profiles"] == ["cat9300"] and cat9300["tier"] == "low"
    # the corpus agreement the family test keeps true, as recorded
    assert cat9300["corpus"] == load_agreement()[0]["Catalyst 9300 series"].as_dict()
    assert set(cat9300["corpus"]) == {"agree", "disagree", "not_comparable", "disagreements"}

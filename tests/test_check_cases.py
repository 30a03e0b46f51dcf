"""Every check judged on recorded outputs: one parametrised test over tests/cases/*.yaml.

A case names a check, a platform, the outputs it sees (a file of the shared corpus, a lab
template, inline text, or nothing: not captured) and the status it must give. The last test
enumerates the catalogue and fails when any check lacks a PASS, a FAIL or an ERROR case.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from inspector.catalogue import load_catalogue
from inspector.evaluate import evaluate_check
from inspector.evidence import RawOutput, Session, sha256_text
from inspector.facts import FactResolver
from inspector.policy import load_policy
from inspector.program import HostContext
from tests.corpus import corpus_file

CASES_DIR = Path(__file__).parent / "cases"


def _load_cases() -> list[dict[str, Any]]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for index, case in enumerate(yaml.safe_load(path.read_text()) or []):
            case.setdefault("name", f"{path.stem}-{index}")
            cases.append(case)
    return cases


CASES = _load_cases()


def _text(spec: dict[str, Any]) -> str | None:
    if "rejected" in spec:  # what the device printed when it refused the command
        return None
    if "corpus" in spec:
        return corpus_file(spec["corpus"]).read_text(encoding="utf-8", errors="replace")
    if "lab" in spec:
        from mock_devices.lab import render_output

        profile, command = spec["lab"]
        return render_output(profile, command, scenario=spec.get("scenario", "healthy"))
    if "text" in spec:
        return str(spec["text"])
    if spec.get("missing"):
        return None
    raise ValueError(f"unknown output spec {spec}")


def judge(case: dict[str, Any]) -> dict[str, Any]:
    outputs = {cmd: _text(spec) for cmd, spec in (case.get("outputs") or {}).items()}

    def output(command: str) -> RawOutput:
        text = outputs.get(command)
        spec = (case.get("outputs") or {}).get(command) or {}
        if "rejected" in spec:  # judged as a live reply is: no such command, incomplete, denied
            refused = RawOutput.from_text(command, spec["rejected"], platform=case["platform"])
            assert refused.rejected, f"not a refusal: {spec['rejected']!r}"
            return refused
        if text is None:
            return RawOutput(command=command, text=None, error="not captured")
        return RawOutput(command=command, text=text, sha256=sha256_text(text))

    check = load_catalogue().get(case["check"])
    # `session`: absent = a privileged session; null = an offline capture; a mapping = as given.
    spec = case.get("session", {"connected": True, "privileged": True})
    session = Session(**spec) if spec is not None else None
    context = None
    if "context" in case:  # the host's inventory data, plus `hold_list` when one was given
        data = dict(case["context"])
        context = HostContext.from_data(case["name"], data, data.pop("hold_list", None))
    return evaluate_check(
        check, platform=case["platform"], resolver=FactResolver(case["platform"], output),
        session=session, policy=load_policy(), context=context,
    )


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    result = judge(case)
    assert result["status"] == case["status"], result["message"]
    for fragment in case.get("message_contains", []):
        assert fragment in result["message"], result["message"]


def test_every_check_has_pass_fail_and_error_cases() -> None:
    """A check declared `never_fails` (a login that did not happen is our trouble, not the
    chassis's) needs PASS and ERROR cases, and a FAIL case that comes out as ERROR."""
    covered: dict[str, set[str]] = {}
    for case in CASES:
        covered.setdefault(case["check"], set()).add(case["status"])
    missing = {}
    for check in load_catalogue().all():
        wanted = {"PASS", "ERROR"} if check.never_fails else {"PASS", "FAIL", "ERROR"}
        if wanted - covered.get(check.id, set()):
            missing[check.id] = sorted(wanted - covered.get(check.id, set()))
    assert not missing, f"checks without PASS/FAIL/ERROR cases: {missing}"

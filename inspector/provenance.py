"""What judged a run: the versions of everything that reads or judges evidence, and the policy.

A record's verdict depends on the parsers that read its evidence as much as on the checks, so
run.json and every record say which were used, and a rerun says when its own differ.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from inspector.policy import Policy

# The distributions whose code turns raw outputs into verdicts. NAPALM is listed when present.
JUDGING_PACKAGES = ("chassis-inspector", "genie", "genie.libs.parser", "ntc_templates",
                    "textfsm", "netmiko", "paramiko", "napalm")


@cache
def package_versions() -> dict[str, str]:
    """The installed version of each judging package (absent ones left out). Read once per
    process: the run asks for it per chassis."""
    found = {}
    for name in JUDGING_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def policy_sha256(policy: Policy) -> str:
    """The sha256 of the policy's effective settings (defaults with the user's file merged
    in), so two runs judged by the same thresholds say so whatever file they came from."""
    canonical = json.dumps(policy.as_dict(), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def judged_with(policy: Policy) -> dict[str, Any]:
    return {"packages": package_versions(), "policy_sha256": policy_sha256(policy)}


def differences(before: dict[str, Any] | None, now: dict[str, Any]) -> list[str]:
    """What changed between the provenance a run recorded and this one, as readable lines."""
    if not before:
        return ["the run did not record what judged it (made by an older inspector)"]
    lines = []
    old, new = before.get("packages", {}), now["packages"]
    for name in sorted(old.keys() | new.keys()):
        if old.get(name) != new.get(name):
            lines.append(f"{name} {old.get(name, 'absent')} -> {new.get(name, 'absent')}")
    if before.get("policy_sha256") != now["policy_sha256"]:
        lines.append("the policy differs from the run's")
    return lines

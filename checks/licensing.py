"""License status: the program supports a chassis only with a valid, registered license."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from inspector.catalogue import check
from inspector.facts import Fact, Genie, Own, Source, Unreadable
from inspector.models import Domain, Evidence, Outcome, Severity
from inspector.policy import Policy


@dataclass(frozen=True, kw_only=True)
class SmartLicense:
    mode: str  # "smart" (registration era) or "policy" (Smart Licensing Using Policy)
    registration: str | None = None
    authorization: str | None = None
    last_ack: str | None = None  # SLP: when CSSM last acknowledged a usage report


def _state(value: str | None) -> str | None:
    """`AUTHORIZED on Mar 13 08:09:28 2024 UTC` -> `AUTHORIZED`."""
    if value is None:
        return None
    return re.split(r"\s+(?:on|since|as of)\s+\w{3}\s", value.strip(), maxsplit=1)[0].strip() or None


def _smart_genie(parsed: dict[str, Any]) -> SmartLicense:
    # Genie drops the Registration and Authorization sections on some real outputs; without
    # them this reading is unusable and the own parser below takes over.
    if parsed.get("smart_licensing_using_policy", {}).get("status", "").upper() == "ENABLED":
        ack = parsed.get("usage_reporting", {}).get("last_ack_received")
        if ack is None:
            raise Unreadable("no usage reporting section")
        return SmartLicense(mode="policy", last_ack=None if ack.strip("<> ").lower() == "none" else ack)
    return SmartLicense(
        mode="smart",
        registration=_state(parsed["registration"]["status"]),
        authorization=_state(parsed["license_authorization"]["status"]),
    )


def _section_value(text: str, section: str, key: str) -> str | None:
    match = re.search(
        rf"^{re.escape(section)}:\s*\n(?:[ \t]+.*\n)*?[ \t]+{re.escape(key)}:[ \t]*(.+)$",
        text, re.MULTILINE,
    )
    return match.group(1).strip() if match else None


def parse_license_status(text: str) -> SmartLicense:
    if re.search(r"^Smart Licensing Using Policy:\s*\n\s+Status:\s*ENABLED", text, re.M):
        ack = _section_value(text, "Usage Reporting", "Last ACK received")
        if ack is None:
            raise Unreadable("Smart Licensing Using Policy without a usage reporting section")
        return SmartLicense(mode="policy", last_ack=None if ack.strip("<> ").lower() == "none" else ack)
    if re.search(r"Smart Licensing is DISABLED", text):
        return SmartLicense(mode="smart", registration="DISABLED", authorization=None)
    registration = _state(_section_value(text, "Registration", "Status"))
    authorization = _state(_section_value(text, "License Authorization", "Status"))
    if registration is None and authorization is None:
        raise Unreadable("no registration or authorization status")
    return SmartLicense(mode="smart", registration=registration, authorization=authorization)


SMART_LICENSE = Fact(
    "smart_license",
    {"cisco_xe": Source("show license status", Genie(_smart_genie), Own(parse_license_status))},
)


@check(
    id="lic.smart.registration",
    title="Smart licensing is registered and authorized",
    domain=Domain.LICENSE,
    severity=Severity.CRITICAL,
    facts=[SMART_LICENSE],
)
def smart_registration(smart_license: SmartLicense, policy: Policy) -> Outcome:
    lic = smart_license
    if lic.mode == "policy":
        evidence = [Evidence(path="license/usage_reporting/last_ack", expected="a date",
                             actual=lic.last_ack or "<none>")]
        if lic.last_ack is None:
            return Outcome.failed(
                "Smart Licensing Using Policy: usage was never acknowledged by Cisco", evidence)
        return Outcome.passed(f"Smart Licensing Using Policy: last ACK {lic.last_ack}", evidence)
    registered = {s.lower() for s in policy["license.smart_registered"]}
    authorized = {s.lower() for s in policy["license.smart_authorized"]}
    evidence = [
        Evidence(path="license/registration", expected="REGISTERED", actual=lic.registration),
        Evidence(path="license/authorization", expected="AUTHORIZED", actual=lic.authorization),
    ]
    problems = []
    if (lic.registration or "").lower() not in registered:
        problems.append(f"registration {lic.registration or 'unknown'}")
    if (lic.authorization or "").lower() not in authorized:
        problems.append(f"authorization {lic.authorization or 'unknown'}")
    if problems:
        return Outcome.failed("smart license not valid: " + ", ".join(problems), evidence)
    return Outcome.passed("smart license registered and authorized", evidence)

"""License status: the program supports a chassis only with a valid, registered license.

Checks, per OS (commands in brackets):
- `lic.smart.registration`: Smart Licensing registered and authorized, or under Smart
  Licensing Using Policy acknowledged by Cisco (IOS-XE and IOS-XR `show license status`;
  both print the same Registration / License Authorization sections).
- `lic.smart.usage`: every license in use is in a licensed state, not evaluation or out of
  compliance (IOS-XE and IOS-XR `show license summary`).
- `lic.classic.state`: classic licenses; an evaluation license in use or expired fails
  (IOS `show license`; IOS-XE `show license all`, which lists the classic licenses of a
  3.x image and does not apply on a Smart Licensing one).
- `lic.nxos.usage`: no NX-OS feature runs on its grace period or without a license
  (`show license usage`).
- `lic.asa.license`: the ASA runs a valid permanent activation key, no time-based or
  evaluation license (`show activation-key`: the program's ASA 5500 series is licensed by
  activation keys bound to its serial number); an appliance that rejects that command
  uses Smart Licensing and is read from `show license all` (registered, authorized, no
  entitlement in evaluation).
- `lic.udi.match`: the UDI the license is registered against is this chassis (IOS and
  IOS-XE `show license udi`, NX-OS `show license host-id`, whose `VDH=` host ID is the
  chassis serial its licence files are issued for). Not on IOS-XR (no UDI command we can
  rely on across releases) nor ASA (the activation key is bound to the serial the ASA reads
  itself, which on the 5500-X may differ from the chassis serial in `show inventory`).

Parsers and Genie: Genie's `show license status` drops the Registration and License
Authorization sections on real outputs, so our reader takes over there. Genie has no
classic-IOS `show license` parser under the `ios` name, but its IOS-XE class reads the same
CSL layout, so it is pinned. Genie's `show license summary` and `show license udi` match
the corpus. NX-OS, IOS-XR and ASA have no Genie license parsers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from checks.common import NO_CHASSIS, InventoryItem, find_chassis, in_vocabulary, norm_state
from checks.identity import INVENTORY, readable
from inspector.catalogue import check
from inspector.facts import (
    Fact,
    Genie,
    Inapplicable,
    Own,
    Rows,
    SaidOnce,
    Source,
    TextFSM,
    Unreadable,
)
from inspector.models import Domain, Evidence, Outcome, Severity
from inspector.policy import Policy

# --- lic.smart.registration -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SmartLicense:
    mode: str  # "smart" (registration era) or "policy" (Smart Licensing Using Policy)
    registration: str | None = None
    authorization: str | None = None
    last_ack: str | None = None  # SLP: when CSSM last acknowledged a usage report
    # An installed license reservation (Specific or Permanent / Universal: SLR, PLR), the
    # licensing made for chassis that never reach Cisco: as the device words it.
    reservation: str | None = None


def _state(value: str | None) -> str | None:
    """`AUTHORIZED on Mar 13 08:09:28 2024 UTC` -> `AUTHORIZED`."""
    if value is None:
        return None
    # The date follows its word on every line that has one: a line that stops at the word is
    # cut inside (`AUTHORIZED on `), no state to judge.
    if re.search(r"\s(?:on|since|as of)\s*$", value):
        raise Unreadable(f"`Status: {value.strip()}` stops before its date: the output is cut "
                         "short")
    return (
        re.split(r"\s+(?:on|since|as of)\s+\w{3}\s", value.strip(), maxsplit=1)[0].strip() or None
    )


def _no_ack(ack: str) -> str | None:
    return None if ack.strip("<> ").lower() == "none" else ack


def _smart_genie(parsed: dict[str, Any]) -> SmartLicense:
    if parsed.get("smart_licensing_using_policy", {}).get("status", "").upper() == "ENABLED":
        ack = parsed.get("usage_reporting", {}).get("last_ack_received")
        if ack is None:
            raise Unreadable("no usage reporting section")
        if _no_ack(ack) is None:
            # Genie keeps no reservation: the text tells an air-gapped chassis from one
            # that never reported.
            raise Unreadable("no ACK received: whether a reservation stands in is in the text")
        return SmartLicense(mode="policy", last_ack=ack)
    # Genie drops these sections on real outputs; without them this reading is unusable.
    if "registration" not in parsed or "license_authorization" not in parsed:
        raise Unreadable("Genie returned no registration or authorization section")
    return SmartLicense(
        mode="smart",
        registration=_state(parsed["registration"]["status"]),
        authorization=_state(parsed["license_authorization"]["status"]),
    )


def _section_value(text: str, section: str, key: str) -> str | None:
    match = re.search(
        rf"^[ \t]*{re.escape(section)}:[ \t]*\n(?:[ \t]+.*\n)*?[ \t]+{re.escape(key)}:[ \t]*(.+)$",
        text,
        re.MULTILINE,
    )
    return match.group(1).strip() if match else None


# An installed reservation, in the words IOS-XE prints it: the registration-era status
# (`Status: REGISTERED - SPECIFIC LICENSE RESERVATION`, `... UNIVERSAL LICENSE RESERVATION`)
# or, per unit, `Reservation status: ... INSTALLED` (a `NOT INSTALLED` one is none).
_RESERVATION = re.compile(
    r"^\s*(?:Status:\s*(REGISTERED - (?:SPECIFIC|UNIVERSAL) LICENSE RESERVATION)"
    r"|Reservation status:\s*((?!NOT\b)\S.*?INSTALLED\b.*?))\s*$",
    re.MULTILINE | re.IGNORECASE,
)


def _reservation(text: str) -> str | None:
    found = _RESERVATION.search(text)
    return (found[1] or found[2]).strip() if found else None


def parse_license_status(text: str) -> SmartLicense:
    if re.search(r"^\s*License Type Supported", text, re.MULTILINE) and not re.search(
            r"Smart Licensing", text, re.IGNORECASE):
        # Cisco Software Licensing, the classic licensing of IOS-XE 3.x: the license types
        # and operations it supports, no registration. Its licenses are lic.classic.state's.
        raise Inapplicable("classic Cisco Software Licensing, no Smart Licensing on this image")
    if re.search(r"^\s*Smart Licensing Using Policy:\s*\n\s+Status:\s*ENABLED", text, re.MULTILINE):
        ack = _section_value(text, "Usage Reporting", "Last ACK received")
        if ack is None:
            raise Unreadable("Smart Licensing Using Policy without a usage reporting section")
        return SmartLicense(mode="policy", last_ack=_no_ack(ack), reservation=_reservation(text))
    if re.search(r"Smart Licensing is DISABLED", text):
        return SmartLicense(mode="smart", registration="DISABLED", authorization=None)
    registration = _state(_section_value(text, "Registration", "Status"))
    authorization = _state(_section_value(text, "License Authorization", "Status"))
    if registration is None and authorization is None:
        raise Unreadable("no registration or authorization status")
    # Smart Licensing prints both sections in every state (an unregistered chassis is in EVAL
    # MODE): one without its status is a fragment, not an unknown state. A status the device
    # did print is judged, whatever it reads.
    for section, status in (("Registration", registration),
                            ("License Authorization", authorization)):
        if status is None:
            raise Unreadable(f"the output shows no `{section}:` status, which Smart Licensing "
                             "always prints")
    return SmartLicense(mode="smart", registration=registration, authorization=authorization,
                        reservation=_reservation(text))


# The states Smart Licensing prints on a `Status:` line: registration, authorization, and
# the usage of an ASA's entitlements.
_SMART_STATES = frozenset({
    "REGISTERED", "REGISTERING", "UNREGISTERED", "UNREGISTERED - REGISTRATION FAILED",
    "REGISTERED - SPECIFIC LICENSE RESERVATION", "REGISTERED - UNIVERSAL LICENSE RESERVATION",
    "RESERVATION IN PROGRESS", "DISABLED", "AUTHORIZED", "AUTHORIZED - RESERVED",
    "NOT AUTHORIZED", "NOT AUTHORIZED - RESERVED", "EVAL MODE", "EVAL EXPIRED",
    "OUT OF COMPLIANCE", "AUTHORIZATION EXPIRED", "NO LICENSES IN USE", "IN USE", "NOT IN USE",
})
# A state's line goes on with its date (`AUTHORIZED on Mar 13 ...`); one that stops at the
# date's word is cut too, which reading the state says (`_state`).
_DATED = frozenset(f"{state} {word}" for state in _SMART_STATES
                   for word in ("ON", "SINCE", "AS OF"))
# What a cut state's words may be the start of: a state, or a state and its date's word.
_STATE_STARTS = _SMART_STATES | {f"{dated} " for dated in _DATED}
_LAST_STATUS = re.compile(r"^[ \t]*Status:[ \t]*(.+?)[ \t]*\Z", re.MULTILINE)


def status_cut_in_word(text: str) -> None:
    """An output that ends inside a state's words (`Status: AUTHOR`, `Status: REGISTE`,
    `Status: AUTHORIZED o`) is cut short: what it reads is not a state the device printed.
    Only at the output's very end, and only the start of a state that is not itself one: a
    complete state may end an output (a reservation's, IOS-XR's universal one among them), and
    a state the device printed elsewhere is judged, whatever it reads."""
    last = _LAST_STATUS.search(text.rstrip())
    said = " ".join(last[1].upper().split()) if last else ""
    if not said or said in _SMART_STATES or said in _DATED:
        return
    started = [state for state in _STATE_STARTS if state.startswith(said)]
    if last and started:
        raise Unreadable(f"the output ends inside a state's words (`Status: {last[1]}`, the start "
                         f"of `{min(started, key=len).strip()}`): it is cut short")


# The headings of the sections one IOS-XE reply prints once, on Smart Licensing and on
# Smart Licensing Using Policy: so in the corpus's outputs and the lab's. Two replies saved as
# one were judged on the first: registered and authorized, beside one unregistered.
# (The corpus holds no IOS-XR `show license status`: that source has no such rule.)
_STATUS_SECTIONS_ONCE = SaidOnce(
    re.compile(r"^[ \t]*(?:Smart Licensing is (?:ENABLED|DISABLED)|Smart Licensing Using Policy:"
               r"|Registration:|License Authorization:|Usage Reporting:)", re.MULTILINE),
    "the section heading")


def _xe_status_whole(text: str) -> None:
    _STATUS_SECTIONS_ONCE(text)
    status_cut_in_word(text)


SMART_LICENSE = Fact(
    "smart_license",
    {
        "cisco_xe": Source("show license status", Genie(_smart_genie), Own(parse_license_status),
                           whole=_xe_status_whole),
        "cisco_xr": Source("show license status", Own(parse_license_status),
                           whole=status_cut_in_word),
    },
)


def _smart_problems(lic: SmartLicense, policy: Policy) -> list[str]:
    problems = []
    if not in_vocabulary(lic.registration or "", policy["license.smart_registered"]):
        problems.append(f"registration {lic.registration or 'unknown'}")
    if not in_vocabulary(lic.authorization or "", policy["license.smart_authorized"]):
        problems.append(f"authorization {lic.authorization or 'unknown'}")
    return problems


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
        evidence = [
            Evidence(
                path="license/usage_reporting/last_ack",
                expected="a date",
                actual=lic.last_ack or "<none>",
            )
        ]
        if lic.last_ack is None and lic.reservation:
            # A reserved chassis never reports usage: the installed reservation is its proof.
            return Outcome.passed(
                f"Smart Licensing Using Policy with a license reservation ({lic.reservation}): "
                "valid licensing for a chassis that does not report to Cisco",
                [Evidence(path="license/reservation", actual=lic.reservation)],
            )
        if lic.last_ack is None:
            return Outcome.failed(
                "Smart Licensing Using Policy: usage was never acknowledged by Cisco", evidence
            )
        return Outcome.passed(f"Smart Licensing Using Policy: last ACK {lic.last_ack}", evidence)
    evidence = [
        Evidence(path="license/registration", expected="REGISTERED", actual=lic.registration),
        Evidence(path="license/authorization", expected="AUTHORIZED", actual=lic.authorization),
    ]
    if problems := _smart_problems(lic, policy):
        return Outcome.failed("smart license not valid: " + ", ".join(problems), evidence)
    reserved = f" (license reservation: {lic.reservation})" if lic.reservation else ""
    return Outcome.passed(
        f"smart license registered and authorized: {lic.registration}, "
        f"{lic.authorization}{reserved}",
        evidence,
    )


# --- lic.smart.usage ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LicenseUse:
    name: str
    status: str
    count: str | None = None


def _summary_genie(parsed: dict[str, Any]) -> list[LicenseUse]:
    rows = parsed.get("license_usage")
    if not rows:
        raise Unreadable("no License Usage table")
    return [
        LicenseUse(
            name=f"{r['license']} ({r['entitlement']})", status=r["status"], count=r.get("count")
        )
        for r in rows.values()
    ]


def parse_license_summary(text: str) -> list[LicenseUse]:
    """`License Usage:` then `<license>  (<entitlement tag>)  <count>  <status>` rows."""
    if not re.search(r"^\s*License Usage:?\s*$", text, re.MULTILINE):
        raise Unreadable("no License Usage table")
    rows = re.finditer(
        r"^\s*(?P<name>\S.*?)\s+\((?P<tag>[^)]*)\)\s+(?P<count>\d+)\s+(?P<status>\S.*?)\s*$",
        text,
        re.MULTILINE,
    )
    return [
        LicenseUse(name=f"{r['name']} ({r['tag']})", status=r["status"], count=r["count"])
        for r in rows
    ]


# Every `<license>  (<entitlement tag>)  <count>  <status>` row of the usage table.
_USAGE_ROW = re.compile(r"^[ \t]*\S.*?[ \t]+\([^)\n]*\)[ \t]+\d+[ \t]+\S", re.MULTILINE)
_USAGE_ROWS = Rows(lambda text: len(_USAGE_ROW.findall(text)), what="license usage rows")
# One reply heads its table once, a stack's members counted in its rows: so in the corpus's
# IOS-XE outputs. Two replies saved as one were read as one table, each license counted
# twice. (The corpus holds no IOS-XR `show license summary`: that source has no rule.)
_USAGE_HEADING_ONCE = SaidOnce(re.compile(r"^[ \t]*License Usage:", re.MULTILINE),
                               "the heading")
SMART_USAGE = Fact(
    "smart_usage",
    {
        # An IOS-XE 3.x image with classic licensing only has no Smart Licensing summary.
        "cisco_xe": Source(
            "show license summary", Genie(_summary_genie), Own(parse_license_summary),
            rows=_USAGE_ROWS, when_rejected="skip", whole=_USAGE_HEADING_ONCE,
        ),
        "cisco_xr": Source("show license summary", Own(parse_license_summary), rows=_USAGE_ROWS),
    },
)


@check(
    id="lic.smart.usage",
    title="Every license in use is licensed: none in evaluation or out of compliance",
    domain=Domain.LICENSE,
    severity=Severity.CRITICAL,
    facts=[SMART_USAGE],
)
def smart_usage(smart_usage: list[LicenseUse], policy: Policy) -> Outcome:
    if not smart_usage:
        return Outcome.error("the License Usage table lists no license")
    evidence = [Evidence(path=f"license/usage/{u.name}", actual=u.status) for u in smart_usage]
    bad = [u for u in smart_usage if not in_vocabulary(u.status, policy["license.smart_usage_ok"])]
    if bad:
        return Outcome.failed(
            "licenses not in a licensed state: " + ", ".join(f"{u.name} {u.status}" for u in bad),
            [
                Evidence(path=f"license/usage/{u.name}", expected="IN USE", actual=u.status)
                for u in bad
            ],
        )
    return Outcome.passed(f"{len(smart_usage)} licenses in a licensed state", evidence)


# --- lic.classic.state ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ClassicLicense:
    feature: str
    license_type: str | None
    state: str | None
    period_left: str | None = None


def _classic_genie(parsed: dict[str, Any]) -> list[ClassicLicense]:
    rows = parsed.get("licenses")
    if not rows:
        raise Unreadable("no license index")
    return [
        ClassicLicense(
            feature=r["feature"],
            license_type=r.get("license_type"),
            state=r.get("license_state"),
            period_left=r.get("period_left"),
        )
        for r in rows.values()
    ]


def _classic_rows(rows: list[dict[str, Any]]) -> list[ClassicLicense]:
    return [
        ClassicLicense(
            feature=r["FEATURE"],
            license_type=r["LICENSE_TYPE"] or None,
            state=r["LICENSE_STATE"] or None,
            period_left=r["PERIOD_LEFT"] or None,
        )
        for r in rows
    ]


def parse_classic_license(text: str) -> list[ClassicLicense]:
    """`Index N Feature: <name>` (`show license`) or `StoreIndex: N  Feature: <name>  Version:
    1.0` (`show license all`), then indented `Key: value` lines."""
    blocks = re.split(r"^(?:Store)?Index:?\s+\d+\s+Feature:\s*", text, flags=re.MULTILINE)[1:]
    if not blocks and re.search(r"Smart Licensing", text, re.IGNORECASE):
        # An IOS-XE image on Smart Licensing answers `show license all` with its registration
        # and usage: lic.smart.registration and lic.smart.usage judge those.
        raise Inapplicable("Smart Licensing, no classic license on this image")
    if not blocks:
        raise Unreadable("no `Index N Feature:` entries")
    found = []
    for block in blocks:
        fields = dict(re.findall(r"^\s+([A-Za-z ]+?):\s*(.*?)\s*$", block, re.MULTILINE))
        found.append(
            ClassicLicense(
                feature=re.sub(r"\s+Version:.*$", "", block.split("\n", 1)[0]).strip(),
                license_type=fields.get("License Type"),
                state=fields.get("License State"),
                period_left=fields.get("Period left", fields.get("Evaluation period left")),
            )
        )
    return found


CLASSIC_LICENSES = Fact(
    "classic_licenses",
    {
        # An IOS image without Cisco Software Licensing (a Catalyst 2950-3750 on 12.2) rejects
        # the command: it has no software license to judge.
        "cisco_ios": Source(
            "show license",
            Genie(_classic_genie, parser_class="genie.libs.parser.iosxe.show_license.ShowLicense"),
            TextFSM(_classic_rows),
            Own(parse_classic_license),
            when_rejected="skip",
        ),
        # IOS-XE 3.x (an ASR 1000 before Smart Licensing) keeps classic licenses; `show license
        # all` lists them there, and a Smart Licensing image answers it with its registration
        # (its licenses are then judged by lic.smart.*), so every IOS-XE release answers it.
        "cisco_xe": Source("show license all", Own(parse_classic_license), when_rejected="skip"),
    },
)


def _in_use(state: str | None) -> bool:
    words = [norm_state(part) for part in (state or "").split(",")]
    return "in use" in words


@check(
    id="lic.classic.state",
    title="Classic licenses in use are permanent: no evaluation license in use or expired",
    domain=Domain.LICENSE,
    severity=Severity.CRITICAL,
    facts=[CLASSIC_LICENSES],
)
def classic_state(classic_licenses: list[ClassicLicense], policy: Policy) -> Outcome:
    temporary = policy["license.classic_temporary_types"]
    expired_words = [norm_state(w) for w in policy["license.expired_words"]]
    bad: list[Evidence] = []
    in_use: list[Evidence] = []
    for lic in classic_licenses:
        if lic.license_type is None and lic.state is None:
            continue  # a feature the image knows but no license was ever installed for
        shown = f"{lic.license_type}, {lic.state}, period left {lic.period_left}"
        item = Evidence(path=f"license/{lic.feature}", actual=shown)
        text = norm_state(f"{lic.state} {lic.period_left}")
        is_temporary = in_vocabulary(lic.license_type or "", temporary)
        if any(w in text for w in expired_words) and (is_temporary or _in_use(lic.state)):
            bad.append(Evidence(path=item.path, expected="not expired", actual=shown))
        elif is_temporary and _in_use(lic.state):
            bad.append(Evidence(path=item.path, expected="a permanent license", actual=shown))
        elif _in_use(lic.state):
            in_use.append(item)
    if bad:
        return Outcome.failed(
            "evaluation or expired licenses: "
            + ", ".join(f"{e.path.split('/', 1)[1]} ({e.actual})" for e in bad),
            bad,
        )
    if not in_use:
        return Outcome.error("no license is in use, so none can be judged")
    return Outcome.passed(
        "licenses in use are permanent: " + ", ".join(e.path.split("/", 1)[1] for e in in_use),
        in_use,
    )


# --- lic.nxos.usage -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class FeatureLicense:
    feature: str
    installed: bool | None  # None where the release does not say (Smart Licensing)
    status: str
    expiry: str | None = None
    comments: str | None = None


def parse_nxos_license_usage(text: str) -> list[FeatureLicense]:
    """Classic: `Feature  Ins  Lic Count  Status  Expiry Date  Comments` rows; NX-OS 10 Smart
    Licensing: `<feature> (<description>):` blocks with `Status:` lines."""
    rows = [
        FeatureLicense(
            feature=m["feature"],
            installed=m["ins"] == "Yes",
            status=m["status"],
            expiry=m["expiry"] or None,
            comments=m["comments"],
        )
        for m in re.finditer(
            r"^(?P<feature>\S+)\s+(?P<ins>Yes|No)\s+(?P<count>\S+)\s+"
            r"(?P<status>In use|Unused|Not Applicable|IN USE)\s*"
            r"(?P<expiry>Never|\d{1,2}\s+[A-Za-z]{3}\s+\d{4}|[A-Za-z]{3}\s+\d{1,2}\s+\d{4})?\s*"
            r"(?P<comments>.*?)\s*$",
            text,
            re.MULTILINE,
        )
    ]
    if rows:
        return rows
    blocks = re.finditer(
        r"^(?P<feature>[^\s:][^:\n]*?)(?:\s+\([^)\n]*\))?:\s*\n"
        r"(?P<body>(?:[ \t]+.*\n?)+)",
        text,
        re.MULTILINE,
    )
    for b in blocks:
        status = re.search(r"^\s+Status:\s*(.+?)\s*$", b["body"], re.MULTILINE)
        # A license's entry prints its `Count:` above its status; a section with a status and
        # no count is no license (`License Authorization:`, or IOS-XE's `Registration:` and
        # `Utility:` where another command's output was saved as this one).
        if status and re.search(r"^\s+Count:", b["body"], re.MULTILINE):
            rows.append(
                FeatureLicense(feature=b["feature"].strip(), installed=None, status=status[1])
            )
    if not rows:
        raise Unreadable("no license usage rows")
    return rows


NXOS_LICENSES = Fact(
    "nxos_licenses",
    {"cisco_nxos": Source("show license usage", Own(parse_nxos_license_usage))},
)


@check(
    id="lic.nxos.usage",
    title="No NX-OS feature runs on a grace period, an evaluation or without a license",
    domain=Domain.LICENSE,
    severity=Severity.CRITICAL,
    facts=[NXOS_LICENSES],
)
def nxos_usage(nxos_licenses: list[FeatureLicense], policy: Policy) -> Outcome:
    permanent = policy["license.nxos_permanent_expiry"]
    bad: list[Evidence] = []
    in_use: list[Evidence] = []
    for lic in nxos_licenses:
        shown = " ".join(p for p in (lic.status, lic.expiry, lic.comments) if p and p != "-")
        path = f"license/{lic.feature}"
        using = norm_state(lic.status) == "in use"
        grace = re.search(r"grace", lic.comments or "", re.IGNORECASE)
        if using and (grace or lic.installed is False):
            why = "grace period" if grace else "in use without a license"
            bad.append(Evidence(path=path, expected="licensed", actual=f"{why}: {shown}"))
        elif using and lic.installed and not in_vocabulary(lic.expiry or "-", permanent):
            bad.append(
                Evidence(path=path, expected="permanent", actual=f"temporary license: {shown}")
            )
        elif lic.installed is None and not in_vocabulary(
            lic.status, policy["license.smart_usage_ok"]
        ):
            bad.append(Evidence(path=path, expected="IN USE", actual=lic.status))
        elif using:
            in_use.append(Evidence(path=path, actual=shown))
    if bad:
        return Outcome.failed("; ".join(f"{e.path.split('/', 1)[1]}: {e.actual}" for e in bad), bad)
    if not in_use:
        return Outcome.error("no licensed feature is in use, so none can be judged")
    return Outcome.passed(
        "licensed features in use: " + ", ".join(e.path.split("/", 1)[1] for e in in_use),
        in_use,
    )


# --- lic.asa.license ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ActivationKey:
    serial: str | None
    running_key_valid: bool
    timebased_keys: list[str] = field(default_factory=list)
    features: dict[str, tuple[str, str]] = field(default_factory=dict)  # value, duration
    license: str | None = None  # `This platform has an ASA 5555 VPN Premium license.`


@dataclass(frozen=True, kw_only=True)
class AsaSmartLicense:
    registration: SmartLicense
    usage: list[LicenseUse]


# What follows the list of licensed features in every real output (ASA 5520 and 5555: `This
# platform has ... license.`; ASA 5516 and Firepower: the failover cluster's list; ASAv:
# `Serial Number:`; `The flash permanent activation key ...`): the output went past its end.
# The platform line alone cannot close it, as the ASAv, the 5516 and Firepower print none.
_FEATURES_CLOSED = re.compile(
    r"^[ \t]*(?:This platform has|Failover cluster licensed features|Serial Number:|The flash)",
    re.MULTILINE,
)


def parse_activation_key(text: str) -> ActivationKey:
    if not re.search(r"Licensed features for this platform:", text):
        raise Unreadable("no `Licensed features for this platform` section")
    serial = re.search(r"^Serial Number:\s*(\S+)", text, re.MULTILINE)
    features = {}
    listed = text.split("Licensed features for this platform:", 1)[1]
    # The platform's own list only: a failover pair repeats the combined list below it.
    own = re.split(r"^Failover cluster licensed features", listed, flags=re.MULTILINE)[0]
    for m in re.finditer(
        r"^(?P<feature>[A-Za-z0-9/+ .&-]+?)[ \t]*:[ \t]*"
        r"(?P<value>\S+(?: \S+)*?)[ \t]{2,}(?P<duration>\S.*?)[ \t]*$",
        own,
        re.MULTILINE,
    ):
        features[m["feature"].strip()] = (m["value"], m["duration"])
    if not features:
        raise Unreadable("`Licensed features for this platform` lists no feature")
    if not _FEATURES_CLOSED.search(listed):
        # A time-based feature could be in the rows cut away.
        raise Unreadable(f"the list of licensed features stops after {len(features)}, with "
                         "nothing after it: the output is cut short")
    license_line = re.search(r"^This platform has an? (.+?) license\.", text, re.MULTILINE)
    return ActivationKey(
        serial=serial[1] if serial else None,
        running_key_valid=not re.search(r"activation key is not valid", text, re.IGNORECASE),
        timebased_keys=re.findall(
            r"^Running Timebased Activation Key:\s*(.+?)\s*$", text, re.MULTILINE
        ),
        features=features,
        license=license_line[1] if license_line else None,
    )


def parse_asa_license(text: str) -> ActivationKey | AsaSmartLicense:
    """`show activation-key` (ASA 5500 series), or `show license all` where the appliance
    uses Smart Licensing: the same Registration / License Authorization sections as IOS-XE,
    then `License Usage` blocks of `<name> (<entitlement>):` with a `Status:` line."""
    if not re.search(r"Smart Licensing (?:Status|is)", text):
        return parse_activation_key(text)
    usage = [
        LicenseUse(name=m["name"].strip(), status=m["status"])
        for m in re.finditer(
            r"^(?P<name>[^\n:]*\([^)\n]*\)):[ \t]*\n(?:[ \t]+.*\n)*?[ \t]+Status:[ \t]*"
            r"(?P<status>.+?)[ \t]*$",
            text,
            re.MULTILINE,
        )
    ]
    return AsaSmartLicense(registration=parse_license_status(text), usage=usage)


ASA_LICENSE = Fact(
    "asa_license",
    {
        "cisco_asa": Source(
            "show activation-key", Own(parse_asa_license), fallbacks=("show license all",),
            whole=status_cut_in_word,
        )
    },
)


@check(
    id="lic.asa.license",
    title="The ASA runs a permanent license: no time-based, evaluation or unregistered license",
    domain=Domain.LICENSE,
    severity=Severity.CRITICAL,
    facts=[ASA_LICENSE],
)
def asa_license(asa_license: ActivationKey | AsaSmartLicense, policy: Policy) -> Outcome:
    if isinstance(asa_license, AsaSmartLicense):
        smart = asa_license.registration
        problems = _smart_problems(smart, policy) + [
            f"{u.name} {u.status}"
            for u in asa_license.usage
            if not in_vocabulary(u.status, policy["license.smart_usage_ok"])
        ]
        evidence = [
            Evidence(path="license/registration", expected="REGISTERED", actual=smart.registration),
            Evidence(
                path="license/authorization", expected="AUTHORIZED", actual=smart.authorization
            ),
        ] + [Evidence(path=f"license/usage/{u.name}", actual=u.status) for u in asa_license.usage]
        if problems:
            return Outcome.failed("smart license not valid: " + ", ".join(problems), evidence)
        return Outcome.passed(
            f"smart license registered and authorized: {smart.registration}, "
            f"{smart.authorization}; "
            f"{len(asa_license.usage)} entitlement(s) in a licensed state",
            evidence,
        )
    key = asa_license
    found: list[Evidence] = []
    if not key.running_key_valid:
        found.append(
            Evidence(
                path="license/activation_key",
                expected="valid",
                actual="the running activation key is not valid",
            )
        )
    for feature, (value, duration) in key.features.items():
        if not in_vocabulary(duration, policy["license.asa_permanent_durations"]):
            found.append(
                Evidence(
                    path=f"license/{feature}",
                    expected="perpetual",
                    actual=f"time-based: {feature} {value} for {duration}",
                )
            )
    if key.license and re.search(r"eval|temporar|expired", key.license, re.IGNORECASE):
        found.append(
            Evidence(path="license/platform", expected="a permanent license", actual=key.license)
        )
    if found:
        return Outcome.failed("; ".join(str(e.actual) for e in found), found)
    return Outcome.passed(
        f"permanent activation key{f' ({key.license} license)' if key.license else ''}, "
        f"{len(key.features)} features perpetual",
        [
            Evidence(path="license/platform", actual=key.license or "not stated"),
            Evidence(path="license/serial", actual=key.serial),
        ],
    )


# --- lic.udi.match --------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Udi:
    pid: str | None  # NX-OS licenses name only the serial (the host ID)
    serial: str
    role: str = "chassis"  # or `active`, `standby`, `member` in a stack


def _udi_genie(parsed: dict[str, Any]) -> list[Udi]:
    udis = []
    if "sn" in parsed:
        udis.append(Udi(pid=parsed.get("pid"), serial=parsed["sn"]))
    if "udi_details" in parsed:
        udis.append(Udi(pid=parsed["udi_details"].get("pid"), serial=parsed["udi_details"]["sn"]))
    for role, entry in parsed.get("ha_udi_list", {}).items():
        udis.append(Udi(pid=entry.get("pid"), serial=entry["sn"], role=role.rstrip("0123456789")))
    if not udis:
        raise Unreadable("no UDI")
    return udis


# A row of the UDI table, `*0  CISCO2911/K9  FTX1234A5BC  CISCO2911/K9:FTX1234A5BC`: before
# the PID, a star and a slot, or a slot, or only spaces. This was `^\s*\*?\s*\S*\s+(\S+)\s+
# (\S+)\s+\1:\2\s*$`, whose three runs of spaces before the PID could be split every way: 1.1 s
# for four rows indented 300 spaces, over 20 s at 1000. The PID can only begin at the third
# token when the first is a lone star, at the second, or at the first after spaces; the three
# are tried in the order the pattern reached them, each run of spaces taken whole. (`\s` crosses
# line ends in both, as it did; `tests/test_udi_rows.py` keeps the pattern as the reference.)
_UDI_ROW = re.compile(
    r"^(?:\s*+\*\s++\S++\s++|\s*+\S++\s++|\s++)(\S++)\s++(\S++)\s++\1:\2\s*$", re.MULTILINE
)


_UDI_LINE = re.compile(r"(?:^\s*(Active|Standby|Member):|UDI:\s*)PID:([^,\s]+),SN:(\S+)",
                       re.MULTILINE)


def _udis_shown(text: str) -> list[Udi]:
    """Every UDI the text shows: `UDI: PID:C9300-48P,SN:FCW2124G09K` (with an HA list on
    stacks) or a table row `*0  CISCO2911/K9  FTX1234A5BC  CISCO2911/K9:FTX1234A5BC`."""
    udis = [Udi(pid=m[2], serial=m[3], role=(m[1] or "chassis").lower())
            for m in _UDI_LINE.finditer(text)]
    return udis + [Udi(pid=m[1], serial=m[2]) for m in _UDI_ROW.finditer(text)]


def parse_license_udi(text: str) -> list[Udi]:
    if not (udis := _udis_shown(text)):
        raise Unreadable("no UDI")
    return udis


# Genie's parser makes a UDI of the first two words of any line it does not know (the
# table's header, a refusal wrapped in escape codes, another command's output): its value
# serves only where it holds the UDIs the text shows, no more.
_UDIS = Rows(lambda text: len(_udis_shown(text)), what="UDIs", exact=True)


def parse_license_host_id(text: str) -> list[Udi]:
    """NX-OS licenses are issued for the host ID: `License hostid: VDH=FOX064317SQ`."""
    m = re.search(r"hostid:\s*VDH=(\S+)", text, re.IGNORECASE)
    if not m:
        raise Unreadable("no `License hostid: VDH=` line")
    return [Udi(pid=None, serial=m[1])]


# One reply prints its table's header, or its `UDI:` line and its stack's `HA UDI List`
# heading, once: so in the corpus's IOS-XE outputs, an ASR 1006 and a stack of four. Two
# captures saved as one, another chassis's UDI in one, passed on the other's. (The corpus
# holds no classic IOS `show license udi`, of a stack or another: that source has no rule.)
_UDI_HEADING_ONCE = SaidOnce(
    re.compile(r"^[ \t]*(?:SlotID[ \t]+PID\b|UDI:|HA UDI List)", re.MULTILINE), "the line")

LICENSE_UDI = Fact(
    "license_udi",
    {
        "cisco_xe": Source(
            "show license udi",
            Genie(_udi_genie, parser_class="genie.libs.parser.iosxe.show_license.ShowLicenseUdi"),
            Own(parse_license_udi),
            rows=_UDIS,
            whole=_UDI_HEADING_ONCE,
        ),
        "cisco_ios": Source(
            "show license udi",
            Genie(_udi_genie, parser_class="genie.libs.parser.iosxe.show_license.ShowLicenseUdi"),
            Own(parse_license_udi),
            rows=_UDIS,
            when_rejected="skip",  # an image without Cisco Software Licensing
        ),
        "cisco_nxos": Source(
            "show license host-id", Own(parse_license_host_id), when_rejected="skip"
        ),
    },
)


def _same(a: str | None, b: str | None) -> bool:
    return (a or "").strip().upper() == (b or "").strip().upper()


@check(
    id="lic.udi.match",
    title="The license is registered to this chassis: its UDI matches the chassis PID and serial",
    domain=Domain.LICENSE,
    severity=Severity.CRITICAL,
    facts=[LICENSE_UDI, INVENTORY],
)
def udi_match(license_udi: list[Udi], inventory: list[InventoryItem], policy: Policy) -> Outcome:
    chassis = find_chassis(inventory)
    if chassis is None:
        return Outcome.error(f"{NO_CHASSIS} (it opens with {inventory[0].name!r})")
    # A UDI is a PID and a serial: a match on the serial alone (NX-OS's host ID names no PID)
    # would pass a chassis whose PID was never read.
    if not readable(chassis.serial):
        return Outcome.error(f"the chassis serial number reads {chassis.serial or 'blank'!r}")
    if not readable(chassis.pid):
        return Outcome.error(f"the chassis PID reads {chassis.pid or 'blank'!r}")
    shown = [f"{u.role} PID:{u.pid or '-'},SN:{u.serial}" for u in license_udi]
    evidence = [
        Evidence(path="license/udi", actual="; ".join(shown)),
        Evidence(path="inventory/chassis", actual=f"PID:{chassis.pid},SN:{chassis.serial}"),
    ]
    # A stack registers under the active member's UDI and lists the others; the chassis the
    # inventory names first may be any of them.
    if any(
        _same(u.serial, chassis.serial) and (u.pid is None or _same(u.pid, chassis.pid))
        for u in license_udi
    ):
        return Outcome.passed(
            f"license UDI matches the chassis {chassis.pid} {chassis.serial}", evidence
        )
    return Outcome.failed(
        f"license UDI {shown[0]} does not match the chassis PID:{chassis.pid},SN:{chassis.serial}",
        evidence,
    )

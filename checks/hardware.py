"""Hardware beyond the environment: serial numbers, power-on diagnostics and optics.

Serial numbers (`hw.inventory.serials`). The program registers licences and contracts against
serial numbers, so every field-replaceable unit must carry a well-formed one. How entries
are judged:
- the chassis must have a PID and a serial that matches `hardware.serial_pattern` (where
  the chassis entry prints no PID, as on the Catalyst 4948, the entry with the same serial
  supplies it);
- a pluggable optic is not judged here (third-party optics carry their maker's serials;
  `hw.transceivers` looks at optics), nor an entry that carries its maker's serial by
  design (`hardware.serial_foreign`: a cellular modem prints its IMEI);
- an entry without an orderable PID (blank, `N/A`, or a label such as `POWER SUPPLY`,
  `FAN` or `Temperature Sensor`) is a built-in or virtual entry with no IDPROM of its own;
- fans and fan trays, built-in port groups (`subslot 0/0`, `...-BUILT-IN`) and entries
  whose PID starts with the chassis family (`ISR4331-3x1GE` on an `ISR4331/K9`, the ASR 901
  motherboard) legitimately print no serial on many platforms (Nexus 9000 fans print N/A,
  ISR 4000 and Catalyst 9500 fan trays print nothing): a blank serial there is not judged,
  unless another unit of the same PID prints one, which shows this unit should too;
- any other entry (supervisors, line cards, modules, power supplies) is a FRU whose blank,
  `N/A` or malformed serial fails. A printed serial that is malformed fails on every entry.
The evidence lists every entry read, whatever the status (the record is where the fleet store
finds a chassis's units), opened by how many there were.

Diagnostics (`hw.diagnostics`): IOS and IOS-XE `show post` (SKIP on the routers that reject
it: they keep no POST log), NX-OS `show diagnostic result module all`. Not run on IOS-XR
(`show diag` prints IDPROM contents, not test results, and online diagnostics need a
per-location admin command) nor on ASA (no stored self-test log).

Transceivers (`hw.transceivers`): IOS / IOS-XE `show interfaces transceiver` and NX-OS
`show interface transceiver details` (alarm-level readings), IOS-XR `show inventory`
(optics the router itself calls unsupported). An IOS image without the command (a Catalyst
2950 on 12.1, a 7200) has no optic diagnostics: the check does not apply there.

Parsers: ours for all three. Genie was compared with the corpus: its IOS-XE `show post` keeps
no test at all on Catalyst 9200/9300/9400 output (so a failed test vanishes), its `show
interfaces transceiver` shifts every column left on the four-column IOS layout (reading the
`--` alarm flag as the Rx power), and its NX-OS transceiver type reads `Fabric` for `Fabric
Extender Transceiver`. ntc-templates drops the alarm flags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from checks.common import NO_CHASSIS, InventoryItem, find_chassis, in_vocabulary
from checks.identity import FROM_VERSION, INVENTORY, entry_listed_twice, readable
from inspector.catalogue import check
from inspector.facts import Fact, Own, SaidOnce, Source, Unreadable
from inspector.models import Domain, Evidence, Outcome, Severity
from inspector.policy import Policy

# --- hw.inventory.serials -------------------------------------------------------------------

# The evidence path whose value is how many entries `show inventory` listed.
INVENTORY_COUNT = "inventory"

# Optics are named after their port (`Te1/1/1`, `Ethernet1/46`, `GigabitEthernet0/0/0/1`),
# as `Transceiver Te1/1` (Catalyst 6500) or as a `module mau` (IOS-XR).
_OPTIC_NAME = re.compile(
    r"^(?:transceiver\b|module mau\b|[a-z]*(?:ethernet|gige)\s?\d"
    r"|(?:gi|te|tw|twe|fo|hu|fa|eth)\d+/)",
    re.IGNORECASE,
)


def is_optic(item: InventoryItem) -> bool:
    return bool(_OPTIC_NAME.match(item.name.strip())) or bool(
        re.search(r"transceiver|pluggable optics", f"{item.name} {item.descr}", re.IGNORECASE)
    )


def _orderable(pid: str) -> bool:
    """A Cisco PID is one token with a digit or a hyphen (`PWR-C1-715WAC`, `GE-DCARD-ESW`);
    `FAN`, `USB` or `Temperature Sensor` are labels of built-in parts."""
    pid = pid.strip()
    return (
        readable(pid)
        and pid.lower() not in {"unspecified", "unknown"}
        and bool(re.fullmatch(r"\S*[\d-]\S*", pid))
    )


def _family(pid: str) -> str:
    """`ISR4331/K9` -> `ISR4331`, `A901-6CZ-FT-A` -> `A901`."""
    return re.split(r"[-/]", pid.strip(), maxsplit=1)[0].upper()


@dataclass(frozen=True, kw_only=True)
class SerialFinding:
    item: InventoryItem
    verdict: str  # "ok", "not judged: <why>", or the problem


def judge_serials(
    items: list[InventoryItem],
    chassis: InventoryItem | None,
    pattern: str,
    optional: list[str],
    foreign: list[str],
) -> list[SerialFinding]:
    chassis_pid = (
        ""
        if chassis is None
        else chassis.pid.strip()
        if _orderable(chassis.pid)
        else next(
            (
                i.pid.strip()
                for i in items
                if i.serial.strip() == chassis.serial.strip() and _orderable(i.pid)
            ),
            chassis.pid.strip(),
        )
    )
    well_formed = re.compile(pattern)
    with_serial = {i.pid.strip() for i in items if readable(i.serial)}
    findings = []
    for item in items:
        pid, serial = item.pid.strip(), item.serial.strip()
        text = f"{item.name} {item.descr} {pid}".lower()
        may_lack_serial = any(word.lower() in text for word in optional) or (
            _family(pid) == _family(chassis_pid)
        )
        if item is chassis:
            if not _orderable(chassis_pid):
                verdict = f"chassis PID reads {chassis_pid or 'blank'!r}"
            elif not readable(serial):
                verdict = f"chassis serial reads {serial or 'blank'!r}"
            else:
                verdict = "ok" if well_formed.match(serial) else f"malformed serial {serial!r}"
        elif is_optic(item):
            verdict = "not judged: pluggable optic"
        elif any(word.lower() in text for word in foreign):
            verdict = "not judged: carries its maker's serial, not Cisco's"
        elif not _orderable(pid):
            verdict = "not judged: built-in or virtual entry (no orderable PID)"
        elif readable(serial):
            verdict = "ok" if well_formed.match(serial) else f"malformed serial {serial!r}"
        elif pid == chassis_pid:
            verdict = "not judged: part of the chassis (repeats its PID)"
        elif may_lack_serial and pid not in with_serial:
            verdict = "not judged: a part that carries no serial on this platform"
        elif may_lack_serial:
            verdict = f"no serial number ({serial or 'blank'}) while another {pid} has one"
        else:
            verdict = f"no serial number ({serial or 'blank'})"
        findings.append(SerialFinding(item=item, verdict=verdict))
    return findings


@check(
    id="hw.inventory.serials",
    title="The chassis and every field-replaceable unit have a PID and a well-formed serial",
    domain=Domain.HARDWARE,
    severity=Severity.MAJOR,
    facts=[INVENTORY],
)
def inventory_serials(inventory: list[InventoryItem], policy: Policy) -> Outcome:
    if all(item.name == FROM_VERSION for item in inventory):
        return Outcome.error("no listing of the units: `show inventory` gave none, and "
                             "`show version` names only the chassis")
    chassis = find_chassis(inventory)
    # Without the chassis entry the units listed are still judged: a malformed serial among
    # them is a finding; their being well-formed says nothing of the chassis's own.
    no_chassis = f"{NO_CHASSIS} (it opens with {inventory[0].name!r})" if chassis is None else ""
    findings = judge_serials(
        inventory,
        chassis,
        policy["hardware.serial_pattern"],
        policy["hardware.serial_optional"],
        policy["hardware.serial_foreign"],
    )
    bad = [f for f in findings if f.verdict != "ok" and not f.verdict.startswith("not judged")]
    # Every unit read is listed whatever the status, after the count of entries read: the
    # fleet store keeps this list, and a count that matches tells it the list is whole. When
    # the check fails, only the faulty units state an expectation, so that they stand out.
    evidence = [Evidence(path=INVENTORY_COUNT, actual=len(findings))] + [
        Evidence(
            path=f"inventory/{f.item.name}",
            actual=f"{f.item.pid} SN {f.item.serial or '-'}",
            expected=None if f.verdict == "ok" or (bad and f not in bad) else f.verdict,
        )
        for f in findings
    ]
    if bad:
        return Outcome.failed(
            "; ".join([f"{f.item.name} ({f.item.pid or 'no PID'}): {f.verdict}" for f in bad]
                      + ([no_chassis] if no_chassis else [])),
            evidence,
        )
    if no_chassis:
        return Outcome.error(no_chassis, evidence)
    judged = sum(1 for f in findings if f.verdict == "ok")
    return Outcome.passed(
        f"{judged} units with well-formed serials ({len(findings) - judged} entries not judged)",
        evidence,
    )


# --- hw.diagnostics -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DiagResult:
    unit: str  # `switch 1`, `switch 1 module 4`, `module 1`
    test: str
    result: str  # what the device printed: `Passed`, `Failed`, a GOLD code `F`, `.`, ...


@dataclass(frozen=True, kw_only=True)
class Diagnostics:
    results: list[DiagResult]
    silent_units: list[str] = field(default_factory=list)  # units that printed no results


_POST_RESULT = re.compile(
    r"POST:\s*(?:Module:\s*(?P<module>\S+)\s+)?(?P<test>.+?)\s*:\s*End,\s*Status\s+(?P<status>\S+)"
)


def parse_post(text: str) -> Diagnostics:
    """`show post`: per member (`Switch 1`, `Switch C9407R`), `POST: <test> : End, Status X`.

    The stored log keeps every run since boot (a module inserted later runs its POST again),
    so the last run of each test on each module is the one that counts.
    """
    latest: dict[tuple[str, str], DiagResult] = {}
    silent: list[str] = []
    unit = ""
    for line in text.splitlines():
        s = line.strip()
        if m := re.fullmatch(r"Switch\s+(\S+)", s):
            unit = f"switch {m[1]}"
        elif s == "No POST information":
            silent.append(unit or "chassis")
        elif m := _POST_RESULT.search(s):
            where = f"{unit} module {m['module']}".strip() if m["module"] else unit or "chassis"
            latest[(where, m["test"])] = DiagResult(unit=where, test=m["test"], result=m["status"])
    if not latest and not silent:
        raise Unreadable("no POST results")
    return Diagnostics(results=list(latest.values()), silent_units=silent)


def parse_diagnostic_result(text: str) -> Diagnostics:
    """GOLD results: `Module 1: ...` then `  3) RealTimeClock-----> .` or a port grid
    (`15) PortLoopback:` / `Port  1  2  3` / `U  U  F`), and on some releases an
    `Overall Diagnostic Result for Module 1 : PASS` line."""
    results: list[DiagResult] = []
    unit = test = ""
    ports: list[str] = []
    for line in text.splitlines():
        s = line.strip()
        if m := re.match(r"^(Module|switch)\s+(\d+)\s*:", s, re.IGNORECASE):
            unit, test = f"{m[1].lower()} {m[2]}", ""
        elif m := re.match(
            r"^Overall Diagnostic Result for \S+\s+\S+\s*:\s*(.+)$", s, re.IGNORECASE
        ):
            results.append(DiagResult(unit=unit, test="overall result", result=m[1].strip()))
        elif m := re.match(r"^\d+\)\s*(\S+?)-*>\s*(\S)$", s):
            results.append(DiagResult(unit=unit, test=m[1], result=m[2]))
            test = ""
        elif m := re.match(r"^\d+\)\s*(\S+?):$", s):
            test = m[1]
        elif test and (m := re.match(r"^Port\s+((?:\d+\s*)+)$", s)):
            ports = m[1].split()
        elif test and ports and re.fullmatch(r"(?:\S\s+)*\S", s) and len(s.split()) == len(ports):
            for port, code in zip(ports, s.split(), strict=True):
                results.append(DiagResult(unit=unit, test=f"{test} port {port}", result=code))
            ports = []
    if not any(r.test != "overall result" for r in results):
        raise Unreadable("no diagnostic test results")
    return Diagnostics(results=results)


# The log keeps a test's every run, so a test listed again is no second reply; its heading
# is printed once, above every member of a stack or StackWise Virtual pair: so in every
# IOS-XE output of the corpus. (The corpus holds no classic IOS `show post`, of a Catalyst
# 3750 stack or another: that source has no such rule.)
_POST_HEADING_ONCE = SaidOnce(
    re.compile(r"^[ \t]*Stored system POST messages", re.MULTILINE), "the heading")

# Routers (ISR, ASR 1000) keep no POST log and reject `show post`: the check does not apply.
DIAGNOSTICS = Fact(
    "diagnostics",
    {
        "cisco_xe": Source("show post", Own(parse_post), when_rejected="skip",
                           whole=_POST_HEADING_ONCE),
        "cisco_ios": Source("show post", Own(parse_post), when_rejected="skip"),
        "cisco_nxos": Source("show diagnostic result module all", Own(parse_diagnostic_result)),
    },
)


@check(
    id="hw.diagnostics",
    title="Power-on self-tests and diagnostics report no failure",
    domain=Domain.HARDWARE,
    severity=Severity.MAJOR,
    facts=[DIAGNOSTICS],
)
def diagnostics(diagnostics: Diagnostics, policy: Policy) -> Outcome:
    failed_words = policy["hardware.diagnostic_failed"]
    failed = [r for r in diagnostics.results if in_vocabulary(r.result, failed_words)]
    if failed:
        return Outcome.failed(
            "failed: " + ", ".join(f"{r.unit} {r.test} ({r.result})".strip() for r in failed),
            [
                Evidence(path=f"diagnostics/{r.unit}/{r.test}", expected="pass", actual=r.result)
                for r in failed
            ],
        )
    if diagnostics.silent_units:
        return Outcome.error(
            "no POST results for " + ", ".join(diagnostics.silent_units),
            [
                Evidence(path=f"diagnostics/{u}", actual="No POST information")
                for u in diagnostics.silent_units
            ],
        )
    units = sorted({r.unit for r in diagnostics.results})
    return Outcome.passed(
        f"{len(diagnostics.results)} results on {', '.join(units)}: none failed",
        [Evidence(path=f"diagnostics/{u}", actual="no failed test") for u in units],
    )


# --- hw.transceivers ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Optic:
    port: str
    alarms: list[str] = field(default_factory=list)  # `Rx Power -27.4 dBm (low alarm)`
    unsupported: str | None = None  # the device's own words
    # How many readings the output holds for it (0: `N/A` everywhere, `DOM is not
    # supported`); None where the output never holds any (IOS-XR's inventory).
    readings: int | None = None


_FLAGS = {"++": "high alarm", "--": "low alarm", "+": "high warning", "-": "low warning"}


# A capture that echoes the command it answers, asked of one interface.
_ONE_PORT = re.compile(r"\s*show\s+int\S*\s+(?!transceiver\b)\S+\s+transceiver\b.*", re.IGNORECASE)


def parse_ios_transceivers(text: str) -> list[Optic]:
    """The DOM table: columns from the header, each value optionally followed by a flag."""
    if not text.strip():
        return []  # no optic with diagnostics installed: the device prints nothing at all
    if one := _ONE_PORT.match(text):
        raise Unreadable(f"the output of `{one[0].strip()}`: one port, not every optic")
    lines = text.splitlines()
    header = next(
        (i for i, s in enumerate(lines) if re.match(r"^Port\s+\(Celsius\)", s.strip())), None
    )
    if header is None:
        raise Unreadable("no transceiver table")
    names = " ".join(lines[max(0, header - 2) : header]).lower()
    columns = (
        ["Temperature", "Voltage"]
        + (["Current"] if "current" in names else [])
        + ["Tx Power", "Rx Power"]
    )
    optics = []
    for line in lines[header + 1 :]:
        tokens = line.split()
        if not tokens or re.fullmatch(r"-+", tokens[0]):
            continue
        values: list[tuple[str, str | None]] = []
        for token in tokens[1:]:
            if token in _FLAGS and values:
                values[-1] = (values[-1][0], _FLAGS[token])
            else:
                values.append((token, None))
        # Warnings (`+`, `-`) are left out: the check is about alarm-level readings.
        alarms = [
            f"{col} {value} ({flag})"
            for col, (value, flag) in zip(columns, values, strict=False)
            if flag in {_FLAGS["++"], _FLAGS["--"]}
        ]
        readings = sum(1 for value, _ in values if re.fullmatch(r"-?\d+(?:\.\d+)?", value))
        optics.append(Optic(port=tokens[0], alarms=alarms, readings=readings))
    return optics


def parse_nxos_transceivers(text: str) -> list[Optic]:
    """Per port: `transceiver is present`, then a DOM table whose readings may carry a flag
    and whose alarm thresholds are printed beside them."""
    optics: list[Optic] = []
    port: str | None = None
    alarms: list[str] = []
    unsupported: str | None = None
    readings = 0
    seen = False

    def close() -> None:
        if port is not None:
            optics.append(
                Optic(port=port, alarms=alarms, unsupported=unsupported, readings=readings)
            )

    for line in text.splitlines():
        s = line.strip()
        # A port alone on its line; an MDS heads its fc ports `fc1/1 sfp is present`.
        if m := re.fullmatch(r"((?:Ethernet|Eth|fc|mgmt)\S*\d)(?: sfp is (not )?present)?", s):
            close()
            port, alarms, unsupported, readings = (None if m[2] else m[1]), [], None, 0
            seen = True
        elif port and s == "transceiver is not present":
            port = None
        elif port and re.search(
            r"transceiver is (?:not supported|unsupported)|not a cisco", s, re.IGNORECASE
        ):
            unsupported = s
        elif port and (
            m := re.match(
                r"^(Temperature|Voltage|Current|Tx Power|Rx Power)\s+(-?[\d.]+|N/A)"
                r"\s*(?:[a-zA-Z]+)?"
                r"\s*(\+\+|--|\+|-)?\s+(-?[\d.]+)\s*\S*\s+(-?[\d.]+)",
                s,
            )
        ):
            value, flag, high, low = m[2], m[3], float(m[4]), float(m[5])
            readings += value != "N/A"
            if flag in {"++", "--"} or (value != "N/A" and not low <= float(value) <= high):
                label = _FLAGS.get(flag or "", "outside the alarm thresholds")
                alarms.append(f"{m[1]} {value} ({label})")
    close()
    if not seen:
        raise Unreadable("no interface in the transceiver details")
    return optics


def xr_optics_from_inventory(text: str) -> list[Optic]:
    """IOS-XR names an optic it does not support in its inventory description."""
    from checks.common import parse_inventory_text

    return [
        Optic(
            port=item.name,
            unsupported=item.descr
            if re.search(r"unsupported|unknown", item.descr, re.IGNORECASE)
            else None,
        )
        for item in parse_inventory_text(text)
        if is_optic(item)
    ]


# What one reply prints once: IOS-XE its table's header (so in the corpus's outputs and the
# lab's Catalyst stacks), NX-OS each port's heading. Two replies saved as one were read as
# one listing, every optic counted twice and the second header's lines as optics without
# readings. (The corpus holds no classic IOS table of a stack: that source has no rule.)
_DOM_HEADER_ONCE = SaidOnce(re.compile(r"^[ \t]*Port[ \t]+\(Celsius\)", re.MULTILINE),
                            "the table's header")
_NXOS_PORT_ONCE = SaidOnce(
    re.compile(r"^(?:Ethernet|Eth|fc|mgmt)\S*\d(?=[ \t]*$| sfp is)", re.MULTILINE), "the port")

TRANSCEIVERS = Fact(
    "transceivers",
    {
        "cisco_xe": Source("show interfaces transceiver", Own(parse_ios_transceivers),
                           whole=_DOM_HEADER_ONCE),
        # An old image (a Catalyst 2950 on 12.1, a 7200) has no such command: no optic
        # diagnostics to judge. A VSS Catalyst's `% Incomplete command.` is not that.
        "cisco_ios": Source("show interfaces transceiver", Own(parse_ios_transceivers),
                            when_rejected="skip"),
        "cisco_nxos": Source("show interface transceiver details", Own(parse_nxos_transceivers),
                             whole=_NXOS_PORT_ONCE),
        "cisco_xr": Source("show inventory", Own(xr_optics_from_inventory),
                           whole=entry_listed_twice),
    },
)


@check(
    id="hw.transceivers",
    title="No optic is unsupported or at an alarm-level reading",
    domain=Domain.HARDWARE,
    severity=Severity.MINOR,
    facts=[TRANSCEIVERS],
)
def transceivers(transceivers: list[Optic], policy: Policy) -> Outcome:
    if not transceivers:
        return Outcome.skipped("the device reports no optic with diagnostics")
    read = [o for o in transceivers if o.readings]
    bad = [o for o in transceivers if o.alarms or o.unsupported]
    if bad:
        return Outcome.failed(
            "; ".join(
                f"{o.port}: "
                + ", ".join(
                    o.alarms + ([f"unsupported ({o.unsupported})"] if o.unsupported else [])
                )
                for o in bad
            ),
            [
                Evidence(
                    path=f"transceivers/{o.port}",
                    expected="supported, no alarm",
                    actual=", ".join(o.alarms) or o.unsupported,
                )
                for o in bad
            ],
        )
    # An optic that prints no reading has no alarm to show: it is not "without alarms".
    if all(o.readings is None for o in transceivers):
        return Outcome.passed(
            f"{len(transceivers)} optic(s) listed, none unsupported; the output holds no "
            "readings, so alarms are not judged",
            [Evidence(path=f"transceivers/{o.port}", actual="supported") for o in transceivers],
        )
    if not read:
        return Outcome.skipped(
            f"none of the {len(transceivers)} optic(s) listed prints a reading "
            "(no diagnostics): no alarm can be judged"
        )
    unread = len(transceivers) - len(read)
    return Outcome.passed(
        f"{len(read)} optic(s) read without alarms"
        + (f"; {unread} without readings not judged" if unread else ""),
        [Evidence(path=f"transceivers/{o.port}", actual=f"{o.readings} readings, no alarm")
         for o in read],
    )

"""NAPALM as a second, independent reading of the same evidence.

One parser's reading of one output is all a verdict would otherwise stand on, and parsers are
wrong in real ways (rows dropped, states misread, columns shifted). NAPALM's Cisco drivers
parse the same show commands with code of their own, maintained by other people. Where NAPALM
reads what a check judges, both readings are reduced to the same plain values and compared:
agreement is written beside the check's result, disagreement makes the check ERROR with both
readings quoted and each parser named (never PASS, never FAIL: we could not tell which is
right).

NAPALM runs after collection, over the evidence, wherever judging runs (live, `evaluate`,
`rerun`, the judge workers): its driver gets an `EvidenceConnection` in place of its netmiko
session, which answers `send_command` from the chassis's captured outputs and refuses anything
else (a command not captured, the device's refusal, any other method of the session). A getter
that asks for something the evidence lacks, or that raises on an output, gives no reading: the
check keeps its own verdict and the record says why there was no second reading.

What NAPALM really reads, from its drivers (napalm 5.2):
- `ios` and `nxos_ssh` `get_environment` return fixed "ok" placeholders for power supplies and
  fans ("power and fan are currently not implemented"): never a reading, never compared.
- `ios` `get_environment` reports CPU as the one-minute average and memory as the Processor and
  I/O pools together; the checks judge the five-minute average and the Processor pool. Not the
  same quantity, so not compared. `nxos_ssh` reports CPU per core (`CPUn states`); the check
  judges the whole system's `CPU states`: not compared either.
- `ios` temperatures come from `show env temperature status` (`<name> Temperature Value`),
  keyed by a name every member of a stack shares: not compared.
- `nxos_ssh` memory (`Memory usage:` of `show system resources`) and temperatures
  (`show environment temperature`, one row per module and sensor) are real readings.
- `ios` `get_optics` places columns by counting a row's words, so a row carrying an alarm flag
  (`-27.4 --`) is misread by construction; the optics compared are the ports each side lists.
- `ios` `get_facts` reads model, serial (`Processor board ID`) and version from `show version`,
  and also sends `show hosts` and `show ip interface brief`. The check judges the inventory's
  PID and serial where it has them: NAPALM's are compared only where the check, too, took
  them from `show version`; the OS version always. `nxos_ssh` `get_facts` sends
  `show inventory | json`, which the read-only gate refuses: no identity reading on NX-OS.
- `ios` `get_interfaces_counters` reads `N input errors` per interface of `show interfaces`
  (and the queue drops of `show interface summary`); `nxos_ssh` sends `show interface
  counters detailed | json`, refused by the gate. CRC is not in NAPALM's model: input errors
  are compared, per interface. It costs about 4.5 ms on a 48-port switch, 0.4 ms on a router
  (its costly patterns spared where they cannot match: `_IosDriverRe`).
- `iosxr` speaks the XML agent, not the CLI: nothing it reads is in the evidence, so IOS-XR has
  no second reading (nor ASA, which NAPALM has no driver for).
"""

from __future__ import annotations

import math
import re
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from inspector.evidence import RawOutput
from inspector.facts import FactResolver, FactUnavailable
from inspector.models import Evidence, Outcome, Status
from inspector.parsing import lazy_package_init, parse_deadline
from inspector.readonly import require_read_only

PARSER = "napalm"

# NAPALM's driver per netmiko device type, where a driver reads the CLI.
DRIVERS = {"cisco_ios": "ios", "cisco_xe": "ios", "cisco_nxos": "nxos_ssh"}

Comparable = dict[str, Any]  # what a check judges, as plain values keyed by what they describe


class NotInEvidence(Exception):
    """A NAPALM getter asked for something the evidence does not hold."""


class EvidenceConnection:
    """What a NAPALM driver gets for its netmiko session: the chassis's captured outputs.

    Never a socket: every method but `send_command` raises, and `send_command` answers only a
    command whose output was captured (a refusal the device printed is not an output)."""

    def __init__(self, outputs: Callable[[str], RawOutput]) -> None:
        self._outputs = outputs

    def send_command(self, command: str, *args: Any, **kwargs: Any) -> str:
        output = self._outputs(command)
        if output.text is None:
            raise NotInEvidence(f"`{command}` {output.error or 'not captured'}")
        return output.text

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise NotInEvidence(f"the evidence answers only send_command, not {name!r}")


@dataclass(frozen=True, kw_only=True)
class SecondReading:
    """How one check's facts are read a second time: the NAPALM getter, the commands it sends
    on each platform, and the two reductions to the values the check judges."""

    check_id: str
    getter: str
    commands: Mapping[str, tuple[str, ...]]  # platform -> every command the getter sends
    theirs: Callable[[dict[str, Any]], Comparable]  # from the getter's result
    ours: Callable[[Mapping[str, Any]], Comparable]  # from the check's fact values, by name
    tolerance: float = 0.0  # for numbers: how far apart two readings of one value may be
    # Compare only the keys our reading holds: where NAPALM reads more than the check judges.
    only_ours: bool = False


def _optic_ports_theirs(optics: dict[str, Any]) -> Comparable:
    return {_port(name): "listed" for name in optics}


def _optic_ports_ours(facts: Mapping[str, Any]) -> Comparable:
    return {_port(optic.port): "listed" for optic in facts["transceivers"]}


def _port(name: str) -> str:
    from napalm.base.helpers import canonical_interface_name

    return str(canonical_interface_name(name.strip()))


def _memory_theirs(environment: dict[str, Any]) -> Comparable:
    memory = environment["memory"]
    total, used = int(memory["available_ram"]), int(memory["used_ram"])
    return {"system free %": round(100.0 * (total - used) / total, 1)}


def _memory_ours(facts: Mapping[str, Any]) -> Comparable:
    return {f"{pool.name} free %": round(pool.free_percent, 1) for pool in facts["memory_pools"]}


def _temperatures_theirs(environment: dict[str, Any]) -> Comparable:
    # `nxos_ssh` names a sensor `<sensor>-<module>`; a placeholder (`invalid`, -1.0) is none.
    readings: Comparable = {}
    for name, reading in environment["temperature"].items():
        sensor, _, module = name.rpartition("-")
        if sensor and reading["temperature"] != -1.0:
            readings[f"module {module} {sensor}".lower()] = float(reading["temperature"])
    return readings


def _temperatures_ours(facts: Mapping[str, Any]) -> Comparable:
    temperatures = facts["environment"].temperatures or {}
    return {name.lower(): r.celsius for name, r in temperatures.items() if r.celsius is not None}


_VERSION = re.compile(r"Version ([^\s,]+)")


def _identity_theirs(facts: dict[str, Any]) -> Comparable:
    version = _VERSION.search(facts["os_version"])
    return {
        "pid": facts["model"].upper(),
        "serial": facts["serial_number"],
        "version": version[1] if version else facts["os_version"],
    }


def _identity_ours(facts: Mapping[str, Any]) -> Comparable:
    """The OS version, and the PID and serial where the check took them from `show version`
    too: the inventory's are another statement of the device, not another reading of the one
    NAPALM reads (a stack's `Processor board ID` is its active member's)."""
    from checks.common import find_chassis

    chassis = find_chassis(facts["inventory"])
    version = facts["version"]
    ours: Comparable = {"version": version["version"]}
    if not (chassis and chassis.pid) and version.get("pid"):
        ours["pid"] = str(version["pid"]).upper()
    if not (chassis and chassis.serial) and version.get("serial"):
        ours["serial"] = version["serial"]
    return ours


def _input_errors_theirs(counters: dict[str, Any]) -> Comparable:
    # Tunnels and loopbacks print no error counters: NAPALM lists them without `rx_errors`.
    return {_port(name): int(c["rx_errors"]) for name, c in counters.items() if "rx_errors" in c}


def _input_errors_ours(facts: Mapping[str, Any]) -> Comparable:
    return {_port(name): c.input_errors for name, c in facts["interface_errors"].items()}


_IOS = ("cisco_ios", "cisco_xe")

READINGS: tuple[SecondReading, ...] = (
    SecondReading(
        check_id="hw.transceivers",
        getter="get_optics",
        commands={"cisco_ios": ("show interfaces transceiver",),
                  "cisco_xe": ("show interfaces transceiver",),
                  "cisco_nxos": ("show interface transceiver details",)},
        theirs=_optic_ports_theirs,
        ours=_optic_ports_ours,
    ),
    SecondReading(
        check_id="op.memory.free",
        getter="get_environment",
        commands={"cisco_nxos": ("show system resources", "show environment temperature")},
        theirs=_memory_theirs,
        ours=_memory_ours,
        tolerance=0.5,  # free % to a tenth: NAPALM's from `used`, ours from `free`
    ),
    SecondReading(
        check_id="hw.temperature.status",
        getter="get_environment",
        commands={"cisco_nxos": ("show system resources", "show environment temperature")},
        theirs=_temperatures_theirs,
        ours=_temperatures_ours,
        # Two commands, sent a moment apart: a sensor may have moved by a degree or two.
        tolerance=2.0,
    ),
    SecondReading(
        check_id="hw.chassis.identity",
        getter="get_facts",
        commands={p: ("show version", "show hosts", "show ip interface brief") for p in _IOS},
        theirs=_identity_theirs,
        ours=_identity_ours,
        only_ours=True,
    ),
    SecondReading(
        check_id="op.interfaces.errors",
        getter="get_interfaces_counters",
        commands={p: ("show interfaces", "show interface summary") for p in _IOS},
        theirs=_input_errors_theirs,
        ours=_input_errors_ours,
    ),
)

_BY_CHECK: dict[tuple[str, str], SecondReading] = {
    (reading.check_id, platform): reading
    for reading in READINGS for platform in reading.commands
}

# Every command a second reading sends passes the read-only gate once, when this loads.
for _reading in READINGS:
    for _commands in _reading.commands.values():
        for _command in _commands:
            require_read_only(_command)


def command_groups(platform: str, check_ids: Iterable[str]) -> list[tuple[str, ...]]:
    """The commands the second readings of these checks send on this platform (each its own
    group: a getter has no fallback of ours)."""
    groups: dict[tuple[str, ...], None] = {}
    for check_id in check_ids:
        if reading := _BY_CHECK.get((check_id, platform)):
            groups.update(dict.fromkeys((c,) for c in reading.commands[platform]))
    return list(groups)


_driver_classes: dict[str, Any] = {}
_import_lock = threading.Lock()


class _IosDriverRe:
    """`re` as NAPALM's `ios` driver sees it: its costly patterns spared where they cannot match.

    `get_interfaces_counters` splits `show interfaces` at `.* line protocol is .*` and finds
    those lines again, with `re.M` and no anchor, so `re` tries the pattern from every
    character of every line: 9 ms of a 48-port switch's 84 kB. Every match of it begins at
    a line's start: a match ends at its line's end, and within a line, a match from a later
    point would have matched from the line's start first. So `^.* line protocol is .*`
    finds the very same matches from line starts alone: 1.3 ms.

    Every output a getter reads is first cleaned of two lines (`_send_command_postprocess`:
    `^Load for five secs.*$`, `^Time source is .*$`, with `re.M`), each pattern tried at every
    character: 0.8 ms of the same 84 kB. A text without the line's words holds no match, so
    the text is returned as it is, without the search. Any other pattern, and any other call,
    is `re`'s own."""

    UNANCHORED = ".* line protocol is .*"
    # The cleaned lines' patterns, and the words each line begins with.
    CLEANED = {"^Load for five secs.*$": "Load for five secs",
               "^Time source is .*$": "Time source is "}

    def __getattr__(self, name: str) -> Any:
        return getattr(re, name)

    def _tried(self, pattern: Any, flags: int) -> Any:
        if pattern == self.UNANCHORED and flags & re.MULTILINE:
            return "^" + pattern
        return pattern

    def split(self, pattern: Any, string: str, maxsplit: int = 0, flags: int = 0) -> list[Any]:
        return re.split(self._tried(pattern, flags), string, maxsplit=maxsplit, flags=flags)

    def findall(self, pattern: Any, string: str, flags: int = 0) -> list[Any]:
        return re.findall(self._tried(pattern, flags), string, flags=flags)

    def sub(self, pattern: Any, repl: Any, string: Any, count: int = 0, flags: int = 0) -> Any:
        words = self.CLEANED.get(pattern) if isinstance(pattern, str) else None
        # Only as NAPALM calls it (`re.M` or no flag): a case-blind or verbose pattern would
        # not need these very words.
        if (words is not None and isinstance(string, str) and not flags & ~re.MULTILINE
                and words not in string):
            return string
        return re.sub(pattern, repl, string, count=count, flags=flags)


def warm_up_napalm() -> None:
    """Import NAPALM's drivers (about 1 s) in a judge worker before its first chassis."""
    with _import_lock:  # once per process, not per thread
        if len(_driver_classes) < len(set(DRIVERS.values())):
            # NAPALM's drivers import netmiko: first, as the run's sessions have it, without
            # Genie, whose `conf` a rerun that reads Genie unchecked, or not at all, never needs.
            from inspector.collect import import_netmiko_without_genie

            import_netmiko_without_genie()
            lazy_package_init("napalm")
            import napalm.ios.ios
            from napalm.base import get_network_driver

            napalm.ios.ios.re = _IosDriverRe()
            for name in set(DRIVERS.values()):
                _driver_classes[name] = get_network_driver(name)


def _driver(platform: str, connection: EvidenceConnection) -> Any:
    name = DRIVERS[platform]
    if name not in _driver_classes:
        warm_up_napalm()
    # A driver never opened: `open` is what would build a netmiko session.
    driver = _driver_classes[name](hostname="evidence", username="", password="", timeout=1)
    driver.device = connection
    return driver


class _Getters:
    """One chassis's getter results, each getter run once whatever number of checks read it."""

    def __init__(self, platform: str, outputs: Callable[[str], RawOutput]) -> None:
        self._platform = platform
        self._connection = EvidenceConnection(outputs)
        self._driver: Any = None  # one a chassis: a driver's making reads netmiko's signature
        self._results: dict[str, dict[str, Any] | str] = {}

    def run(self, getter: str) -> dict[str, Any] | str:
        """The getter's result, or why there is none."""
        if getter not in self._results:
            try:
                if self._driver is None:
                    self._driver = _driver(self._platform, self._connection)
                with parse_deadline():
                    self._results[getter] = getattr(self._driver, getter)()
            except NotInEvidence as missing:
                self._results[getter] = str(missing)
            except Exception as exc:  # NAPALM meeting an output it cannot read
                self._results[getter] = f"{type(exc).__name__}: {exc}"
        return self._results[getter]


_per_chassis: weakref.WeakKeyDictionary[FactResolver, _Getters] = weakref.WeakKeyDictionary()


def _getters(resolver: FactResolver) -> _Getters:
    found = _per_chassis.get(resolver)
    if found is None:
        # Through a weak reference: a value that held its key would keep every chassis's
        # outputs alive for the whole run.
        chassis = weakref.ref(resolver)

        def outputs(command: str) -> RawOutput:
            alive = chassis()
            if alive is None:
                raise NotInEvidence("the chassis was judged already")
            return alive.raw(command)

        found = _per_chassis[resolver] = _Getters(resolver.platform, outputs)
    return found


def compare(ours: Comparable, theirs: Comparable, tolerance: float = 0.0) -> list[str]:
    """Every way two readings differ: a value only one of them holds (a dropped row), or a
    value they read differently (a misread state, a shifted column)."""
    differences = []
    for key in sorted(ours.keys() | theirs.keys()):
        if key not in theirs:
            differences.append(f"{key}: only ours reads it ({ours[key]!r})")
        elif key not in ours:
            differences.append(f"{key}: only {PARSER} reads it ({theirs[key]!r})")
        elif not _same(ours[key], theirs[key], tolerance):
            differences.append(f"{key}: ours {ours[key]!r}, {PARSER} {theirs[key]!r}")
    return differences


def _same(a: Any, b: Any, tolerance: float) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, abs_tol=tolerance)
    return bool(a == b)


def second_opinion(check_id: str, platform: str | None, resolver: FactResolver | None,
                   outcome: Outcome, parsers: Mapping[str, str | None],
                   facts: Iterable[Any]) -> tuple[Outcome, dict[str, Any] | None]:
    """The outcome as the second reading leaves it, and what the record says of the reading.

    Only a PASS or a FAIL is read again: an ERROR or a SKIP stands on no reading to check.
    `parsers` names the parser that served each of the check's facts."""
    reading = _BY_CHECK.get((check_id, platform or ""))
    if reading is None or resolver is None or outcome.status not in (Status.PASS, Status.FAIL):
        return outcome, None
    assert platform is not None
    parser = f"{PARSER} {DRIVERS[platform]} {reading.getter}"
    record: dict[str, Any] = {"parser": parser}
    result = _getters(resolver).run(reading.getter)
    if isinstance(result, str):
        record.update(status="no reading", reason=result)
        return outcome, record
    values: dict[str, Any] = {}
    try:
        for fact in facts:
            values[fact.name] = resolver.resolve(fact).value
        ours = reading.ours(values)
        theirs = reading.theirs(result)
    except (FactUnavailable, KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
        record.update(status="no reading", reason=f"{type(exc).__name__}: {exc}")
        return outcome, record
    if reading.only_ours:
        theirs = {key: value for key, value in theirs.items() if key in ours}
    if not theirs:
        record.update(status="no reading", reason=f"{parser} read none of what the check judges")
        return outcome, record
    differences = compare(ours, theirs, reading.tolerance)
    ours_named = ", ".join(f"{name} by {p}" for name, p in parsers.items() if p)
    if not differences:
        record.update(status="agreed", values=sorted(theirs))
        return outcome, record
    record.update(status="disagreed", ours={"parser": ours_named, "values": ours},
                  theirs={"parser": parser, "values": theirs}, differences=differences)
    message = (f"two readings of the evidence disagree ({ours_named}; {parser}): "
               + "; ".join(differences) + f"; the {outcome.status} it would have been: "
               + outcome.message)
    evidence = [Evidence(path=f"second_reading/{d.split(':', 1)[0]}", actual=d)
                for d in differences]
    return Outcome.error(message, evidence), record

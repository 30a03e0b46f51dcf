"""Hardware health from the environment command: power supplies, fans and temperatures.

Every platform's output is reduced to one shape, `Environment`; a section the output does
not show is None, which the checks report as "could not tell", never as healthy.

Which parser serves, and why:
- IOS / IOS-XE `show environment all`: our own reader. Genie's parser was compared with the
  corpus and is wrong where it matters: it reads the fan table's `NOT PRESENT or FAULTY` as
  state `not`, takes a supply's `state` from the `FAN PS-1` line, leaves the sensor-list
  temperatures (Catalyst 9200/9300 17.x) out of its temperature keys, and returns nothing
  or raises on the ASR 1000, Catalyst 9400/9600 and IE 3x00 layouts. One reader covers all
  the layouts the corpus holds (Catalyst 2960-9300, 9400/9600, IE, ISR/ASR sensor lists,
  ASR 901, the Catalyst 4500 supply table), and the `show environment` of the Catalyst 4500
  (its temperature table), 6500 / 7600 and ISR G1 / G2, whose whole outputs the corpus lacks.
- NX-OS `show environment`: ntc-templates first; Genie drops sensors (`Sone-1` ...) from its
  temperature table and fails its schema on Nexus 7000 output, so it is not used.
- IOS-XR `admin show environment`: our own reader (Genie and ntc-templates have none for the
  whole command). `admin` because the ASR 9006 on the used market mostly runs classic 32-bit
  IOS-XR, where the environment lives in the admin plane; 64-bit IOS-XR runs the same
  command in its System Admin plane, and the reader knows both layouts. A device that
  rejects `admin show environment` is asked `show environment`.
- ASA `show environment`: our own reader (no Genie or ntc-templates parser exists).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from checks.common import InventoryItem, find_chassis, is_absent, is_ok, is_standby
from checks.identity import INVENTORY
from inspector.catalogue import check
from inspector.facts import Fact, Own, Rows, Source, TextFSM, Unreadable
from inspector.models import Domain, Evidence, Outcome, Severity, Status
from inspector.policy import Policy

_V = TypeVar("_V")


@dataclass(frozen=True, kw_only=True)
class Reading:
    state: str | None
    celsius: float | None = None
    warning: float | None = None  # the device's own yellow / minor threshold
    critical: float | None = None  # the device's own red / major threshold


@dataclass(frozen=True, kw_only=True)
class Environment:
    power_supplies: dict[str, str] | None = None
    fans: dict[str, str] | None = None
    temperatures: dict[str, Reading] | None = None
    # A supply's own sensors, by name (`switch 1 PS2 Vout`), where the output lists them
    # beside its supply table (Catalyst 9200/9300 17.x): a sensor may show a fault the table's
    # Status column does not.
    supply_sensors: dict[str, str] | None = None
    # The parts an output names beside a supply table's bay, each with the bay's name in that
    # table and its own state: a Catalyst supply's sensors (`switch 2 PS1 Vout` of `switch 2
    # power supply 2A`), a Nexus supply's fan (`Fan_in_PS1` of `PS1`), an ASA supply's fan and
    # temperature. They and the table must agree on which bays hold a supply.
    bay_parts: dict[str, tuple[str, str]] | None = None


class EachOnce(dict[str, _V]):
    """A reader's units, each named once by the device: a name read again is the output's
    table said twice (two captures saved as one, a reply printed again), whose second reading
    would replace the first: a fan failed in one and running in the other would pass. The
    corpus's and the lab's outputs name each supply, fan and sensor once (a stack's by its
    switch); the readers merge what one unit's several rows say by other means."""

    def __setitem__(self, name: str, value: _V) -> None:
        if name in self:
            raise Unreadable(f"`{name}` is listed twice: the output holds its table twice")
        super().__setitem__(name, value)


def _environment(
    psus: dict[str, str], fans: dict[str, str], temps: dict[str, Reading],
    supply_sensors: dict[str, str] | None = None,
    bay_parts: dict[str, tuple[str, str]] | None = None,
) -> Environment:
    if not (psus or fans or temps):
        raise Unreadable("no power supply, fan or temperature section found")
    return Environment(power_supplies=psus or None, fans=fans or None, temperatures=temps or None,
                       supply_sensors=supply_sensors or None,
                       bay_parts=bay_parts or None)


def _number(text: object) -> float | None:
    match = re.search(r"-?\d+(?:\.\d+)?", str(text)) if text is not None else None
    return float(match.group()) if match else None


def _cells(line: str) -> list[str]:
    """Columns separated by two or more spaces or a tab (one space may sit inside a cell)."""
    return [c for c in re.split(r"\s*\t\s*|\s{2,}", line.strip()) if c]


def _merge_states(states: Iterable[str]) -> str:
    """One state for a part reported by several sensors: all distinct states, worst visible."""
    return " / ".join(dict.fromkeys(s.strip() for s in states if s.strip()))


# --- IOS and IOS-XE: every layout of `show environment all` ---------------------------------

SENSOR_FAULT = "sensor fault"  # a sensor that prints `NA Sensor Fault` in place of a reading

# The states a sensor list prints; used to split "sensor state" where columns are one space
# apart (ISR 1000, some ASR 1000 releases).
_SENSOR_STATES = re.compile(
    r"(?:Fan Speed\s+\d+%|NOT PRESENT|Not Present|Normal|Warning|Minor|Major|Critical|"
    r"Shutdown|GOOD|BAD|GREEN|YELLOW|RED|OK|FAULTY|Faulty|Fault|Failed|Fail|Off|Unknown)$",
    re.IGNORECASE,
)
# A sensor row: the sensor's words, its reading, a unit, thresholds or a range. The spaces
# after the words and after the reading are taken whole (`\s++`, `\s*+`): a space given back
# could only be taken by what follows, bringing it to the same place, so the match is the
# same. Given back one by one, the long runs of spaces between columns were tried in every
# split: 0.26 ms a row of an ASR 1000's `show environment all`, 50 times what it is now.
_SENSOR_ROW = re.compile(
    r"^(?P<mid>.*?\S)\s++(?P<value>-?\s*\d+(?:\.\d+)?|NA|N/A)\s*+"
    r"(?P<unit>Celsius|mV|mA|mW|V\s+(?:AC|DC)|V|A|W|Watts|RPM|rpm)?\s*+"
    r"(?P<tail>\(.*\)|na|-?\d+\s*-\s*-?\d+|Sensor Fault.*)?\s*+$"
)

# A Catalyst supply's sensor in a sensor list: `PS1 Vout`, `PS2 FAN`, `PS1 Status word`.
_SUPPLY_SENSOR = re.compile(r"PS\d+\s")

_SUPPLY_POWER_WORDS = frozenset({"Good", "Bad", "n/a", "N/A"})
_TOKEN = re.compile(r"\S+")


def catalyst_supply_status(rest: str) -> str | None:
    r"""The status in one line of a Catalyst supply table after the supply's name (`PWR-C1-715WAC
    DCB1844G1ZY  OK  Good  Good  715`: PID, serial, status, Sys Pwr, PoE Pwr, watts), or None
    when the line is not such a row.

    This was the pattern `^(\S+)\s+(?:(\S+)\s+)?(.+?)\s+(Good|Bad|n/a|N/A)\s+(Good|Bad|n/a|N/A)
    \s+(\S+)\s*$`, which tried every split of the spaces after the PID and after the serial (2.2 s
    for one output with its columns 1000 spaces apart). Read as tokens, it gives the same answers
    in one pass (`tests/test_catalyst_supply.py` keeps the pattern as the reference):
    - the row begins with its PID and ends with Sys Pwr and PoE Pwr (each one of the four
      words) and the watts;
    - with six tokens or more, the status runs from the third token to the end of the one
      before Sys Pwr, spaces and all;
    - with five, it is the second token, unless three spaces or more stand before Sys Pwr: then
      the pattern took the second-to-last of those spaces as the status;
    - with four, it is that same lone space, or there is none.
    """
    tokens = [(found.start(), found.end()) for found in _TOKEN.finditer(rest)]
    if len(tokens) < 4 or tokens[0][0] != 0 \
            or rest[slice(*tokens[-3])] not in _SUPPLY_POWER_WORDS \
            or rest[slice(*tokens[-2])] not in _SUPPLY_POWER_WORDS:
        return None
    if len(tokens) >= 6:
        return rest[tokens[2][0]:tokens[-4][1]]
    if tokens[-3][0] - tokens[-4][1] >= 3:
        return rest[tokens[-3][0] - 2]
    return rest[slice(*tokens[1])] if len(tokens) == 5 else None


class _IosReader:
    """A line-by-line reader: table headers switch the mode, rows are read in that mode."""

    def __init__(self) -> None:
        self.psus: dict[str, str] = EachOnce()
        self.sensor_psus: dict[str, list[str]] = {}  # only used when no supply table exists
        self.supply_sensors: dict[str, str] = {}  # Catalyst `PS1 Vout`: judged in any case
        self.bay_parts: dict[str, tuple[str, str]] = {}
        self.catalyst_bays_read = False  # a Catalyst supply table (`1A`, `1B`) was read
        # A power slot with fans and no power sensor but its draw holds a fan tray (ASR
        # 1001-X `P2 RPM: fan0` .. `P2 P: pwr`); a supply's own fan sits beside its PEM rows.
        self.fan_slots: set[str] = set()
        self.supply_slots: set[str] = set()
        self.fans: dict[str, str] = EachOnce()
        self.temps: dict[str, dict[str, Any]] = EachOnce()
        self.switch: str | None = None
        self.mode: str | None = None
        self.slot_first = True
        self.fan_labels: list[str] = []
        self.current: str | None = None  # the temperature reading later lines refine
        self.alert_thresholds: dict[str, float] = {}
        self.alert_name: str | None = None
        # Catalyst 6500 / 7600: the `environmental alarms:` section names what is out of range
        # (`module 5 inlet temperature: 62C (major)`); the sensor's own line gives no state.
        self.in_alarms = False
        self.alarms: dict[str, str] = {}
        self.c6k_supplies: dict[str, dict[str, str]] = {}
        # ISR G2: `SYS PS1 is present` opens a block of `Input Voltage status: Normal` lines.
        self.isr_supply: str | None = None
        self.isr_supplies: dict[str, list[str]] = {}

    def prefix(self, switch: str | None = None) -> str:
        switch = switch or self.switch
        return f"switch {switch} " if switch else ""

    def reading(self, name: str, **values: Any) -> None:
        """A sensor's reading, once: its later lines refine it through `current`."""
        self.temps[name] = {k: v for k, v in values.items() if v is not None}
        self.current = name

    def read(self, text: str) -> Environment:
        after_blank = False
        unreadable: list[str] = []  # said once the whole output is read, as the NX-OS one's
        for line in text.splitlines():
            stripped = line.strip()
            if not stripped:
                after_blank = True
                continue
            if re.fullmatch(r"[-=\s]+", stripped):
                continue
            if self.mode and self.table_row(line, stripped):
                after_blank = False
                continue
            table, self.mode = self.mode, None
            known = self.header(stripped) or self.statement(stripped)
            if table and not (known or after_blank):
                # A table ends at a blank line, or at the next header or line of its own
                # that the device prints after it: a line that is none of these, right
                # after a row, is a row we cannot read, and the rows below it would go
                # unjudged (a sensor in a red state after a row cut short).
                unreadable.append(f"the row `{stripped}` of the {table.replace('_', ' ')} "
                                  "cannot be read: the rows after it are not seen")
            after_blank = False
        if unreadable:
            raise Unreadable(unreadable[0])
        fan_trays = self.fan_slots - self.supply_slots
        for name, parts in self.c6k_supplies.items():
            # Each supply's block ends with its output line, the one that says whether it
            # delivers power: a block without it is cut short, its input line no verdict.
            if "power-output-fail" not in parts:
                raise Unreadable(f"{name} has no `power-output-fail` line: the output is cut "
                                 "short")
        self.psus.update({n: _c6k_supply_state(parts) for n, parts in self.c6k_supplies.items()})
        self.psus.update({n: " / ".join(bad) if (bad := [p for p in parts if not
                                                          p.endswith(": Normal")]) else "Normal"
                          for n, parts in self.isr_supplies.items()})
        for name, alarm in self.alarms.items():
            if name in self.temps:
                level = re.search(r"\((\w+)\)|\b(minor|major|critical)\b", alarm, re.IGNORECASE)
                self.temps[name]["state"] = f"{(level[1] or level[2]) if level else alarm} alarm"
        psus = self.psus or {n: _merge_states(s) for n, s in self.sensor_psus.items()
                             if n not in fan_trays}
        temps = {
            name: Reading(
                state=t.get("state"),
                celsius=t.get("value"),
                warning=t.get("warning"),
                critical=t.get("critical"),
            )
            for name, t in self.temps.items()
        }
        return _environment(psus, self.fans, temps, self.supply_sensors,
                            self.bay_parts if self.catalyst_bays_read else None)

    def header(self, s: str) -> bool:
        """Recognise a table header and switch mode; True when the line was one."""
        headers: list[tuple[str, str]] = [
            (r"^Switch\s+FAN\s+Speed\s+State", "fan_table"),
            (r"^SW\s+PID\s+Serial#\s+Status", "supply_table"),
            (r"^SW\s+Status\s+RPS Name", "rps_table"),
            (r"^Supply\s+Model No\s+Type\s+Capacity\s+Status", "c9k_supply_table"),
            (r"^Tray\s+Status", "fan_tray_table"),
            (r"^Supply\s+Model No\s+Type\s+Status\s+Sensor", "c4k_supply_table"),
            (r"^Module\s+Sensor\s+Temperature\s+Status", "c4k_temp_table"),
            (r"^Pwr Supply\s+(?:Type|PID)", "ie_supply_table"),
            (r"^Sensor Name\s+Status\s+Reading", "ie_sensor_table"),
            (r"\bSensor\b.*\bState\b.*\bReading\b", "sensor_table"),
        ]
        for pattern, mode in headers:
            if re.search(pattern, s, re.IGNORECASE):
                self.mode = mode
                self.slot_first = s.split()[0].lower() == "slot"
                self.fan_labels = re.findall(r"\b\d+\b", s.split("Status", 1)[-1])
                return True
        return False

    def table_row(self, line: str, s: str) -> bool:
        """Read a row of the current table; False when the line is not one (the table ended)."""
        readers: dict[str, Callable[[str, str], bool]] = {
            "fan_table": self.fan_row,
            "supply_table": self.supply_row,
            "rps_table": lambda _line, row: bool(re.match(r"^\d+\s", row)),  # external, ignored
            "c9k_supply_table": self.c9k_supply_row,
            "fan_tray_table": self.fan_tray_row,
            "c4k_supply_table": self.c4k_supply_row,
            "c4k_temp_table": self.c4k_temp_row,
            "ie_supply_table": self.ie_supply_row,
            "ie_sensor_table": self.ie_sensor_row,
            "sensor_table": self.sensor_row,
        }
        assert self.mode is not None
        return readers[self.mode](line, s)

    # Catalyst: `  1   1   5130   OK   Front to Back`, or one space apart (`  1     1 35840  OK`);
    # the state's words are one space apart, the airflow column two or more away.
    def fan_row(self, _line: str, s: str) -> bool:
        m = re.match(r"^(\d+)\s+(\d+)\s+\S+\s+(\S+(?: \S+)*)", s)
        if m is None:
            return False
        self.switch = m[1]
        self.fans[f"switch {m[1]} fan {m[2]}"] = m[3]
        return True

    # Catalyst: `1A  PWR-C1-715WAC  DCB1844G1ZY  OK  Good  Good  715` / `1B  Not Present`
    def supply_row(self, _line: str, s: str) -> bool:
        m = re.match(r"^(\d+)([A-Z]?)\s+(.+)$", s)
        if not m:
            return False
        name = f"switch {m[1]} power supply {m[1]}{m[2]}"
        self.catalyst_bays_read = True
        rest = m[3]
        if re.match(r"not present", rest, re.IGNORECASE):
            self.psus[name] = "not present"
        elif (status := catalyst_supply_status(rest)) is not None:
            self.psus[name] = status
        else:  # `1  Built-in   Good`: the fixed supply of a 2960 prints only its Sys Pwr
            self.psus[name] = rest.split(None, 1)[-1]
        return True

    # Catalyst 9400/9500/9600: `PS1  C9400-PWR-3200AC  ac  3200 W  active  good  good`
    def c9k_supply_row(self, _line: str, s: str) -> bool:
        m = re.match(r"^(PS\d+)\s+(.+)$", s)
        if not m:
            return False
        name = f"{self.prefix()}{m[1]}"
        if re.match(r"not present", m[2], re.IGNORECASE):
            self.psus[name] = "not present"
            return True
        row = re.match(
            r"^\S+\s+\S+\s+(?:\d+\s*W|n\.a\.|N/A)\s+(?P<status>\S+)\s*(?P<fans>.*)$", m[2]
        )
        if not row:
            raise Unreadable(f"unexpected power supply row: {s!r}")
        self.psus[name] = row["status"]
        self.fan_states(f"{name} fan", row["fans"].split())
        return True

    # Catalyst 9400/9500/9600: `FT2   marginal   bad  good  good`
    def fan_tray_row(self, _line: str, s: str) -> bool:
        m = re.match(r"^((?:FT|FM)\d+)\s+(not present|\S+)\s*(.*)$", s, re.IGNORECASE)
        if not m:
            return False
        name = f"{self.prefix()}{m[1]}"
        self.fans[name] = m[2]
        self.fan_states(f"{name} fan", m[3].split())
        return True

    # Catalyst 4500: `PS1  PWR-C45-4200ACV  AC 4200W  good  good  good` (status, its fan, its
    # PoE), then one row per input (`PS1-1  220V  good`), or `PS2  none  --  --  --  --`.
    def c4k_supply_row(self, _line: str, s: str) -> bool:
        m = re.match(r"^(PS\d+)(-\d+)?\s+(.+)$", s)
        if not m:
            return False
        if m[2]:
            # An input's own row: a supply that loses its inputs says so in its status
            # (`bad/off`), and a 4200W supply runs on one input at a lower capacity.
            return True
        cells = _cells(m[3])
        if cells[0].lower() in {"none", "not present", "empty"}:
            self.psus[m[1]] = "not present"
            return True
        if len(cells) < 4:
            raise Unreadable(f"unexpected power supply row: {s!r}")
        self.psus[m[1]] = cells[2]
        if cells[3] not in {"--", "n.a."}:
            self.fans[f"{m[1]} fan"] = cells[3]
        return True

    # Catalyst 4500: ` 3  air inlet  28C  ok`, on later releases with the supervisor's own
    # thresholds: ` 3  air inlet  23C(51C ,65C )  ok`. The separator is `------+-----`.
    def c4k_temp_row(self, _line: str, s: str) -> bool:
        if re.fullmatch(r"[-+\s]+", s):
            return True
        m = re.match(
            r"^(\d+)\s+(.+?)\s+(-?\d+)C\s*(?:\(\s*(-?\d+)C\s*,\s*(-?\d+)C\s*\))?\s+(\S.*)$", s
        )
        if not m:
            return False
        self.reading(f"module {m[1]} {m[2]}", state=m[6].strip(), value=float(m[3]),
                     warning=_number(m[4]), critical=_number(m[5]))
        return True

    def fan_states(self, prefix: str, states: list[str]) -> None:
        labels = self.fan_labels or [str(i) for i in range(1, len(states) + 1)]
        for label, state in zip(labels, states, strict=False):
            if state.lower() not in {"n.a.", "n/a"}:  # no such fan on this model
                self.fans[f"{prefix} {label}"] = state

    # IE 3x00: `POWER SUPPLY-A  DC  OK  24V` / `POWER SUPPLY-1  Not Present` /
    # `POWER SUPPLY-2  PWR-RGD-AC-DC-250  DTH255202J5  OK  Good  250`
    def ie_supply_row(self, _line: str, s: str) -> bool:
        if re.match(r"^Switch:\s*\d+$", s):
            self.switch = s.split(":")[1].strip()
            return True
        m = re.match(r"^POWER SUPPLY(?:[- ](\w+))?\s+(.+)$", s)
        if not m:
            return False
        name = f"{self.prefix()}power supply {m[1] or ''}".strip()
        cells = _cells(m[2])
        if re.match(r"not present", m[2], re.IGNORECASE):
            state = "not present"
        elif cells[0] in {"AC", "DC"}:
            state = cells[1] if len(cells) > 1 else ""
            # The dual DC inputs of an IE switch: one left unwired is switched off and its
            # alarm disabled; that input is not in use, not a failed supply.
            if re.fullmatch(r"(?:alarm )?disabled", state, re.IGNORECASE):
                state = "not in use"
        else:
            state = cells[2] if len(cells) > 2 else cells[-1]
        self.psus[name] = state
        return True

    # IE 3x00: `PS-2 Hotspot  Good   49 C`
    def ie_sensor_row(self, _line: str, s: str) -> bool:
        cells = _cells(s)
        m = re.match(r"^(PS-\d+)\s+(\S+)$", cells[0]) if len(cells) >= 2 else None
        if not m:
            return False
        state = cells[1]
        if len(cells) > 2 and re.search(r"\d\s*C$", cells[2]):
            self.reading(f"{self.prefix()}{cells[0]}", state=state, value=_number(cells[2]))
        else:
            self.sensor_psus.setdefault(f"{self.prefix()}power supply {m[1]}", []).append(state)
        return True

    # Sensor lists: `Slot Sensor Current State Reading [Threshold]` (ASR 1000, ISR, C9400
    # `show environment`) or `Sensor Location State Reading [Range|Threshold]`.
    def sensor_row(self, _line: str, s: str) -> bool:
        m = _SENSOR_ROW.match(s)
        if not m:
            if _SUPPLY_SENSOR.match(s):
                # Read, it could show the supply's fault: the supply is not seen whole.
                raise Unreadable(f"the supply sensor row `{s}` cannot be read (no state and "
                                 "reading)")
            return False
        if re.search(r"\bCelsius\b", m["mid"]):
            # A temperature before the part read as the reading (`2?9 Celsius   0 - 56`, the
            # range's end taken for it): the row's state and temperature are not where
            # they stand in every real row, and the row would be dropped unjudged.
            raise Unreadable(f"the sensor row `{s}` cannot be read (its temperature is not "
                             "its reading)")
        cells = _cells(m["mid"])
        if len(cells) >= 3:
            state = cells[-1]
            if self.slot_first:
                location, sensor = cells[0], " ".join(cells[1:-1])
            else:
                location, sensor = cells[-2], " ".join(cells[:-2])
        else:  # one space between columns: find the state by its vocabulary
            words = m["mid"].split()
            found = _SENSOR_STATES.search(" ".join(words[1:] if self.slot_first else words))
            if found is None or len(words) < 3:
                return False
            state = found.group()
            before = m["mid"][: m["mid"].rfind(state)].split()
            if self.slot_first:
                location, sensor = before[0], " ".join(before[1:])
            else:
                location, sensor = before[-1], " ".join(before[:-1])
        if not self.slot_first and location.isdigit():  # Catalyst: the location is the member
            location = f"switch {location}"
        self.sensor(location, sensor, state, m["value"], m["unit"], m["tail"] or "")
        return True

    def sensor(
        self, location: str, sensor: str, state: str, value: str, unit: str | None, tail: str
    ) -> None:
        speed = re.match(r"Fan Speed\s+(\d+)%", state, re.IGNORECASE)
        is_temp = unit in {"Celsius"} or "(Celsius)" in tail or tail.startswith("Sensor Fault")
        if speed:  # the fan controller's row: its state column carries the fan speed
            self.fans[f"{location} fan"] = "running" if int(speed[1]) > 0 else "stopped (0%)"
        elif re.search(r"\bfan|\brpm\b", sensor, re.IGNORECASE) or unit in {"RPM", "rpm"}:
            self.fans[f"{location} {sensor}"] = state
        if is_temp:
            warning = critical = None
            if thresholds := re.match(r"\(([^)]*)\)\(Celsius\)", tail.split("\t")[-1].strip()):
                levels = [_number(v) if "na" not in v else None for v in thresholds[1].split(",")]
                warning, critical = levels[0], levels[1] if len(levels) > 1 else None
            elif span := re.fullmatch(r"-?\d+\s*-\s*(-?\d+)", tail):  # `Range(min-max)`
                critical = float(span[1])
            self.reading(
                f"{location} {sensor}",
                state=SENSOR_FAULT
                if tail.startswith("Sensor Fault")
                else (None if speed else state),
                value=_number(value) if value not in {"NA", "N/A"} else None,
                warning=warning,
                critical=critical,
            )
            return
        supply = re.match(r"^(PS\d+)\b", sensor)
        if supply:  # Catalyst 9200/9300 17.x: `PS1 Vout  1  GOOD  56238 mV`
            self.sensor_psus.setdefault(f"{location} power supply {supply[1]}", []).append(state)
            self.supply_sensors[f"{location} {sensor}"] = state
            if member := re.fullmatch(r"switch (\d+)", location):
                self.bay_parts[f"{location} {sensor}"] = (
                    _catalyst_bay(member[1], supply[1]), state)
        elif re.fullmatch(r"(?:P|PEM|PS)\d+", location) and not speed:
            name = f"power supply {location}"
            if re.search(r"\bfan|\brpm\b", sensor, re.IGNORECASE) or unit in {"RPM", "rpm"}:
                self.fan_slots.add(name)
                return
            if not re.fullmatch(r"P:\s*pwr", sensor, re.IGNORECASE):
                self.supply_slots.add(name)
            # ASR 1000 / ISR power entry modules: Vin, Iout, `P: pwr` ... every state reads
            # Normal even when the supply delivers nothing; only its output reading says so.
            if re.search(r"\bVout\b|^V:\s.*\bOut\b", sensor) and _number(value) == 0:
                state = "no output (0 V)"
            self.sensor_psus.setdefault(name, []).append(state)

    def c6k_statement(self, s: str) -> bool:
        """The Catalyst 6500 / 7600 layout: a `name:` line opens a block of `name key: value`
        lines; True when the line was one of that layout."""
        if re.fullmatch(r"environmental alarms:", s, re.IGNORECASE):
            self.in_alarms = True
            return True
        if re.fullmatch(r"[\w -]+:", s):  # `backplane:`, `fan-tray 1:`, `module 5:`
            self.in_alarms = False
            return False
        if self.in_alarms:
            if m := re.match(r"^(.+?):\s*(.+)$", s):
                self.alarms[m[1].strip()] = m[2].strip()
            return True  # `no alarms`, or a line naming several parts (`VTT 1,2,3 OK`)
        if m := re.match(r"^fan-tray\s+(\d+)\s+fan-fail:\s*(.+)$", s, re.IGNORECASE):
            self.fans[f"fan-tray {m[1]}"] = m[2].strip()
        elif m := re.match(r"^power-supply\s+(\d+)\s+(fan-fail|power-input|power-output-fail):"
                           r"\s*(.+)$", s, re.IGNORECASE):
            if m[2].lower() == "fan-fail":  # the supply's own fan, judged with the supply
                self.fans[f"PS{m[1]} fan"] = m[3].strip()
            else:
                self.c6k_supplies.setdefault(f"power supply {m[1]}",
                                             EachOnce())[m[2].lower()] = m[3]
        elif m := re.match(r"^(.+?\s(?:temperature|temp)):\s*(-?\d+(?:\.\d+)?)\s*C$", s,
                           re.IGNORECASE):
            # No state on the line: the alarm section says which reading crossed its threshold.
            self.reading(m[1], value=float(m[2]))
        else:
            return False
        return True

    def isr_statement(self, s: str) -> bool:
        """The ISR G2 (2900 / 3900) and ISR G1 (2800 / 3800) layouts; True when the line was
        one of them."""
        # ISR G1: one fixed supply the router runs on (it prints no state: a router that
        # prints the line is powered by it), the RPS link, every fan on one line.
        if m := re.match(r"^Main Power Supply is (AC|DC)$", s, re.IGNORECASE):
            self.psus[f"main power supply ({m[1]})"] = "present"
        elif m := re.match(r"^Redundant Power System is (not present|present)\.?$", s,
                           re.IGNORECASE):
            self.psus["rps"] = m[1]
        elif re.fullmatch(r"Fan \d+ \w+(?:, Fan \d+ \w+)*", s):
            self.fans.update((f"fan {n}", state) for n, state in re.findall(r"Fan (\d+) (\w+)", s))
        elif m := re.match(r"^((?:SYS|AUX\(-48V\)|POE)\s+PS\d+)\s+is\s+(.+)$", s, re.IGNORECASE):
            self.isr_supply = None
            if m[2].strip().lower() == "present":
                self.isr_supply = m[1]
                self.isr_supplies[m[1]] = []
            else:
                self.psus[m[1]] = m[2].strip()
        elif self.isr_supply and (m := re.match(
                r"^(Fan|Input Voltage|DC Output Voltage|Thermal)\s+status:\s*(.+)$", s)):
            self.isr_supplies[self.isr_supply].append(f"{m[1]} status: {m[2].strip()}")
        elif self.isr_supply and re.match(r"^Type:", s):
            pass
        elif m := re.match(r"^Fan\s+(\d+)\s+(?!is\b)([A-Za-z][\w ]*)$", s):  # not `FAN 1 is OK`
            self.isr_supply = None
            self.fans[f"fan {m[1]}"] = m[2].strip()
        elif m := re.match(r"^(.+?) temperature = (-?\d+(?:\.\d+)?),\s*(\S.*)$", s, re.IGNORECASE):
            self.reading(f"{m[1].lower()} temperature", value=float(m[2]), state=m[3].strip())
        # 7200: `Power Supply 1 is Zytek AC Power Supply. Unit is on.` (`Unit is off.` when it
        # fails) or `Power Supply 2 is empty.`, and `NPE Outlet   measured at 31C/87F`, whose
        # thresholds only `show environment table` prints (the policy's default applies).
        elif m := re.match(r"^Power Supply\s+(\d+)\s+is\s+.+?\.\s*Unit is\s+(\w[\w ]*?)\.?$", s,
                           re.IGNORECASE):
            self.psus[f"power supply {m[1]}"] = m[2]
        elif m := re.match(r"^Power Supply\s+(\d+)\s+is\s+(empty|not present|absent)\.?$", s,
                           re.IGNORECASE):
            self.psus[f"power supply {m[1]}"] = m[2]
        elif m := re.match(r"^(.+?)\s+measured at\s+(-?\d+)C/-?\d+F$", s):
            self.reading(m[1].lower(), value=float(m[2]))
        else:
            return False
        return True

    def statement(self, s: str) -> bool:
        """The free-standing lines of the Catalyst, IE and ASR 901 layouts; True when the
        line was one of them."""
        if self.c6k_statement(s) or self.isr_statement(s):
            return True
        if m := re.match(r"^SWITCH:\s*(\d+)$|^Switch:\s*(\d+)$", s, re.IGNORECASE):
            self.switch = m[1] or m[2]
        elif re.search(r"\bdirection is\b", s, re.IGNORECASE):
            pass  # `Switch 1 FAN 1 direction is Front to Back`: airflow, not health
        elif m := re.match(
            r"^(?:Switch\s+(\d+)\s+)?FAN\s*(PS-\d+|\d+)?\s+is\s+([^,]+?)\s*(?:,.*)?$",
            s,
            re.IGNORECASE,
        ):
            switch = self.switch = m[1] or self.switch
            unit = m[2] or ""
            name = f"{unit} fan" if unit.upper().startswith("PS") else f"fan {unit}".strip()
            self.fans[f"{self.prefix(switch)}{name}"] = m[3]
            if unit.upper().startswith("PS") and switch:  # `FAN PS-1 is OK`: bay A's own fan
                self.bay_parts[f"{self.prefix(switch)}{name}"] = (_catalyst_bay(switch, unit),
                                                                  m[3])
        elif m := re.match(
            r"^(?:Switch\s+(\d+):\s*)?(?:SYSTEM\s+)?TEMPERATURE is\s+(.+)$", s, re.IGNORECASE
        ):
            self.switch = m[1] or self.switch
            self.reading(f"{self.prefix()}overall temperature", state=m[2])
        elif m := re.match(
            r"^(?:Switch\s+(\d+):?\s*)?(POWER(?: SUPPLY)?|RPS)\s+is\s+(.+)$", s, re.IGNORECASE
        ):
            self.psus[f"{self.prefix(m[1])}{m[2].lower()}"] = m[3]
        elif m := re.match(r"^POWER SUPPLY\s+(\S+)\s+TEMPERATURE:\s*(.+)$", s, re.IGNORECASE):
            self.reading(f"{self.prefix()}power supply {m[1]}", state=m[2])
        elif m := re.match(
            r"^(?:(\w+)\s+)?Temperature Value:\s*(-?\d+(?:\.\d+)?)", s, re.IGNORECASE
        ):
            self.reading(f"{self.prefix()}{(m[1] or 'system').lower()}", value=float(m[2]))
        elif m := re.match(
            r"^Switch\s+(\d+)\s+-\s+(.+?)\s+Temp Sensor\s+(-?\d+)\s*C", s, re.IGNORECASE
        ):
            self.switch = m[1]
            self.reading(f"switch {m[1]} {m[2].lower()}", value=float(m[3]))
        elif (m := re.search(r"Temperature State:\s*(\S+)", s, re.IGNORECASE)) and self.current:
            self.temps[self.current]["state"] = m[1]
        elif (
            m := re.match(r"^(Yellow|Minor|Red|Major)\s+Threshold\s*:\s*(-?\d+)", s, re.IGNORECASE)
        ) and (self.current):
            level = "warning" if m[1].lower() in {"yellow", "minor"} else "critical"
            self.temps[self.current][level] = float(m[2])
        # ASR 901: `12AV  Supply: +0.000 V Failed`, `Fan 2 Operation: Failed`,
        # `Board temperature,  temperature = 45 (C), Normal` after `Threshold: 90 (high) ...`
        elif m := re.match(r"^(\S+)\s+Supply:\s*[+-]?[\d.]+\s*V\s+(.+)$", s):
            self.psus[f"{m[1]} supply"] = m[2]
        elif m := re.match(r"^Fan\s+(\d+)\s+Operation:\s*([^,]+)", s, re.IGNORECASE):
            self.fans[f"fan {m[1]}"] = m[2].strip()
        elif m := re.match(r"^(.+?) temperature, temperature warning", s, re.IGNORECASE):
            self.alert_name = m[1].lower()
        elif (
            m := re.match(r"^Threshold:\s*(-?\d+)\s*\(high\)", s, re.IGNORECASE)
        ) and self.alert_name:
            self.alert_thresholds[self.alert_name] = float(m[1])
        elif m := re.match(
            r"^(.+?) temperature,\s+temperature\s*=\s*(-?\d+)\s*\(C\),\s*(\S+)", s, re.IGNORECASE
        ):
            name = m[1].lower()
            self.reading(
                f"{name} temperature",
                value=float(m[2]),
                state=m[3],
                critical=self.alert_thresholds.get(name),
            )
        elif re.match(r"^Fantray\s*:", s, re.IGNORECASE):
            self.fans["fan tray"] = s.split(":", 1)[1].strip()
        else:
            return False
        return True


def _catalyst_bay(switch: str, supply: str) -> str:
    """The supply table's name of a Catalyst member's supply `PS1` / `PS-1`: PS1 is bay A, PS2
    bay B, PS3 bay C, in every Catalyst output of the corpus, where each supply's own sensors
    and fan read GOOD / OK and each empty bay's NOT PRESENT."""
    bay = chr(ord("A") + int(re.sub(r"\D", "", supply)) - 1)
    return f"switch {switch} power supply {switch}{bay}"


def _c6k_supply_state(parts: dict[str, str]) -> str:
    """One state from a 6500 supply's `power-output-fail: OK` and `power-input: AC high`."""
    output = parts["power-output-fail"].strip()
    feed = parts.get("power-input", "").strip()
    if output.upper() == "OK" and feed.lower() not in {"none", "off"}:
        return "OK"
    faults = [f"output {output}" if output.upper() != "OK" else "",
              f"input {feed}" if feed.lower() in {"none", "off"} else ""]
    return " / ".join(f for f in faults if f)


def parse_ios_environment(text: str) -> Environment:
    return _IosReader().read(text)


# The rows of the unit tables IOS and IOS-XE print (Catalyst fan and supply tables, Catalyst
# 9400/9500/9600 supply and fan tray tables), counted apart from the reader: each row is one
# supply or fan, and the reader makes at least one unit of each.
_IOS_UNITS = re.compile(
    r"^[ \t]*(?:(?P<fans>Switch[ \t]+FAN[ \t]+Speed[ \t]+State|Tray[ \t]+Status)"
    r"|(?P<catalyst>SW[ \t]+PID[ \t]+Serial#[ \t]+Status)"
    r"|Supply[ \t]+Model No[ \t]+Type[ \t]+Capacity[ \t]+Status).*\n"
    r"(?:[ \t]*-[- \t]*\n)?"
    r"(?P<rows>(?:[ \t]*(?:\d+[A-Z]?[ \t]+\d*|PS\d+|FT\d+|FM\d+)[ \t]+\S.*(?:\n|$))*)",
    re.MULTILINE,
)


_CATALYST_BAY = re.compile(r"^[ \t]*(\d+)([A-Z])[ \t]", re.MULTILINE)


def count_ios_units(text: str) -> dict[str, int]:
    counts = {"power supplies": 0, "fans": 0}
    for m in _IOS_UNITS.finditer(text):
        counts["fans" if m["fans"] else "power supplies"] += len(m["rows"].splitlines())
        if m["catalyst"]:
            _every_bay(m["rows"])
            for row in m["rows"].splitlines():
                _whole_supply_row(row)
    return counts


def _whole_supply_row(row: str) -> None:
    """A row cut before its Status column is no row to judge (its serial was read as the
    state): a bay's row is `Not Present` or reaches its power columns, and a fixed supply's
    (`1  Built-in  Good`) has a state after its name."""
    bay = re.match(r"^[ \t]*\d+([A-Z]?)[ \t]+(.*)$", row)
    rest = bay[2].strip() if bay else ""
    whole = (re.match(r"not present", rest, re.IGNORECASE)
             or (catalyst_supply_status(rest) is not None if bay and bay[1]
                 else len(rest.split()) >= 2))
    if not whole:
        raise Unreadable(f"the row `{row.strip()}` stops before its Status column: the output "
                         "is cut short")


def _every_bay(rows: str) -> None:
    """A Catalyst supply table lists every bay of each switch (two or three: `1A`, `1B`,
    `1C`), an empty one as `Not Present`: a switch whose bays stop at A, or skip one, is a
    table cut short, and the supplies after its last row are unseen."""
    bays: dict[str, list[str]] = {}
    for switch, bay in _CATALYST_BAY.findall(rows):
        bays.setdefault(switch, []).append(bay)
    for switch, listed in bays.items():
        whole = [chr(ord("A") + i) for i in range(max(2, len(listed)))]
        if listed != whole:
            missing = next(bay for bay in whole if bay not in listed)
            raise Unreadable(f"switch {switch} lists bay {', '.join(listed)} and no bay "
                             f"{missing}: the output is cut short")


# The fans a fan table row makes (`switch 1 fan 2`, `FT1`): not a supply's own fan nor the
# per-fan states a supply or tray row adds (`PS1 fan 1`, `FT1 fan 3`).
_DERIVED_FAN = re.compile(r"\b(?:PS|FT|FM)\d+ fan\b")


def _ios_units(environment: Environment) -> dict[str, int]:
    fans = [n for n in environment.fans or {}
            if not (_SUPPLY_FAN.search(n) or _DERIVED_FAN.search(n))]
    return {"power supplies": len(environment.power_supplies or {}), "fans": len(fans)}


# --- NX-OS: ntc-templates' `show environment`, then our own reader ---------------------------


def _nxos_rows(rows: list[dict[str, Any]]) -> Environment:
    psus = {f"PS{r['power_supply']}": r["power_supply_status"] for r in rows if r["power_supply"]}
    fans = {r["fan"]: r["fan_status"] for r in rows if r["fan"]}
    temps = {
        f"module {r['temperature_module']} {r['temperature_sensor']}": Reading(
            state=r["temperature_status"],
            celsius=_number(r["temperature_current"]),
            warning=_number(r["temperature_minor_thresh"]),
            critical=_number(r["temperature_major_thresh"]),
        )
        for r in rows
        if r["temperature_sensor"]
    }
    return _environment(psus, fans, temps, bay_parts=_nxos_bay_parts(psus, fans))


_NXOS_SUPPLY_FAN = re.compile(r"Fan_in_PS(\d+)")


def _nxos_bay_parts(psus: dict[str, str], fans: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Each supply's own fan (`Fan_in_PS1  --  --  Ok`) beside the supply table's row of it
    (`PS1`): absent with it (`Absent`) and installed with it (`Ok`, `Shutdown`) in every
    Nexus output of the corpus and the lab."""
    if not psus:
        return {}
    return {name: (f"PS{fan[1]}", state) for name, state in fans.items()
            if (fan := _NXOS_SUPPLY_FAN.fullmatch(name))}


# The lines of an NX-OS temperature table that are no row: its header, its units line, its
# rules, blank lines (some releases print spaces between rows).
_NXOS_TEMPERATURE_FRAME = re.compile(
    r"|[-=\s]+|Module\s+Sensor\s+MajorThresh\b.*|(?:\(Celsius\)\s*)+")


def parse_nxos_environment(text: str) -> Environment:
    """The `Fan:`, `Power Supply:` and `Temperature:` tables; some releases drop the colon."""
    psus: dict[str, str] = EachOnce()
    fans: dict[str, str] = EachOnce()
    temps: dict[str, Reading] = EachOnce()
    # The rows we cannot read, said once the whole output is read: an output holding its
    # tables twice (a reply printed again) is named for that, the better reason, and not
    # for the time stamps a terminal printed between the copies.
    unreadable: list[str] = []
    section = ""
    for line in text.splitlines():
        s = line.strip()
        if m := re.fullmatch(r"(Fan|Power Supply|Temperature|Clock|Power Usage Summary):?", s):
            section = m[1]
        elif re.match(r"^Mod(?:ule)?\s+Model\s+", s):  # MDS: `Mod Model`
            section = "module power"  # per-module power draw, not supplies
        elif (
            section == "Fan"
            and ":" not in s
            and (m := re.match(r"^((?:Fan|ChassisFan|PS)\S*\d\S*)\s.*?(\S+)$", s))
        ):
            fans[m[1]] = m[2]
        elif section == "Power Supply" and (m := re.match(r"^(\d+)\s+\S+\s.*?(\S+)$", s)):
            psus[f"PS{m[1]}"] = m[2]
        elif section == "Temperature" and (
            m := re.match(r"^(\d+)\s+(.+?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)$", s)
        ):
            temps[f"module {m[1]} {m[2]}"] = Reading(
                state=m[6], celsius=float(m[5]), warning=float(m[4]), critical=float(m[3])
            )
        elif section == "Temperature" and not _NXOS_TEMPERATURE_FRAME.fullmatch(s):
            # The table holds its header, its units line, rules and rows only: any other
            # line is a row we cannot read, perhaps the one sensor over its threshold.
            unreadable.append(f"the temperature row `{s}` cannot be read")
    if unreadable:
        raise Unreadable(unreadable[0])
    return _environment(psus, fans, temps, bay_parts=_nxos_bay_parts(psus, fans))


# --- IOS-XR: `admin show environment` -------------------------------------------------------


def parse_xr_environment(text: str) -> Environment:
    """Classic IOS-XR prints sections (`Temperature Information`, `Threshold Information`,
    `Fan Information`, `Power Supply Information`) with a location line (`0/RSP0/*`) above
    each row; 64-bit IOS-XR prints one table per kind (`Location  TEMPERATURE  Value  Crit
    Major Minor Minor Major Crit`, `Power Module  Supply Type ... Status`, `Location  FRU Type
    FAN_0 ...`), wrapping long fan rows onto a second line."""
    psus: dict[str, str] = EachOnce()
    fans: dict[str, str] = EachOnce()
    temps: dict[str, Reading] = EachOnce()
    limits: dict[str, tuple[float | None, float | None]] = EachOnce()  # classic: per location
    section = location = ""
    labels: list[str] = []
    unreadable: list[str] = []  # said once the whole output is read, as the NX-OS one's
    next_label = 0
    for line in text.splitlines():
        s = line.strip()
        if not s or re.fullmatch(r"[-=*\s]+", s):
            continue
        if m := re.match(
            r"^(Temperature|Threshold|Voltage|Current|LED|Fan|Power Supply)"
            r"\s+Information",
            s,
        ):
            section = m[1].lower()
        elif re.match(r"^Location\s+TEMPERATURE", s):
            section = "temperature table"
        elif re.match(r"^Location\s+FRU Type\s+FAN", s) or s.startswith("Fan speed"):
            section, labels = "fan", re.findall(r"FAN_?\d+", s)
        elif re.match(r"^Location\s+[A-Z]{4,}\b", s):  # `Location  VOLTAGE`: another table
            section = "other table"
        elif re.fullmatch(r"(?:FAN_?\d+\s*)+", s):
            labels += s.split()
        elif m := re.fullmatch(r"(\d+/\S+?)(?:/\*)?", s):
            location, next_label = m[1], 0
        elif section == "temperature" and (m := re.match(r"^host\s+(-?[\d.]+)\s+(-?[\d.]+)$", s)):
            temps[f"{location} inlet"] = Reading(state=None, celsius=float(m[1]))
            temps[f"{location} hotspot"] = Reading(state=None, celsius=float(m[2]))
        elif section == "threshold" and (
            m := re.match(r"^host\s+(\S+)\s+\S+/(\S+)\s+\S+/(\S+)", s)
        ):
            kind = (
                "inlet" if "inlet" in m[1].lower() else "hotspot" if "hot" in m[1].lower() else ""
            )
            limits[f"{location} {kind}"] = (_number(m[2]), _number(m[3]))
        elif section == "temperature table" and (
            m := re.match(r"^(\S+)\s+(-?\d+(?:\.\d+)?)\s+((?:(?:-?\d+|NA)\s+){5}(?:-?\d+|NA))$", s)
        ):
            levels = [_number(v) if v != "NA" else None for v in m[3].split()]
            temps[f"{location} {m[1]}"] = Reading(
                state=None, celsius=float(m[2]), warning=levels[3], critical=levels[4]
            )
        elif section == "fan" and (m := re.match(r"^(?:(\d+/FT\d+)\s+\S+\s+)?((?:\d+\s*)+)$", s)):
            if m[1]:
                location, next_label = m[1], 0
            for rpm in m[2].split():
                label = labels[next_label] if next_label < len(labels) else f"fan {next_label}"
                fans[f"{location} {label}"] = "running" if int(rpm) > 0 else "stopped (0 rpm)"
                next_label += 1
        elif m := re.match(r"^host\s+PM\s+\d+\s+(.+)$", s):  # classic: `host  PM  4400  Ok`
            psus[location] = m[1]
        # 64-bit: `0/PM0  3kW-DC ... OK`, or `0/PT0-PM0` in an ASR 9000 power tray
        elif m := re.match(r"^(\d+/(?:PT\d+-)?PM\d+)\s+\S+.*\s(\S+)$", s):
            psus[m[1]] = m[2]
        elif (section == "temperature table" and not re.match(r"Sensor\s+\(deg C\)", s)
              or section == "temperature" and s.startswith("host ")):
            # A table's header, its location lines and its rows are all it holds: any other
            # line is a sensor row we cannot read, perhaps the one over its threshold.
            unreadable.append(f"the temperature row `{s}` cannot be read")
    if unreadable:
        raise Unreadable(unreadable[0])
    with_limits = {name: Reading(state=None, celsius=temps[name].celsius, warning=warning,
                                 critical=critical)
                   for name, (warning, critical) in limits.items() if name in temps}
    return _environment(psus, fans, {**temps, **with_limits})


# --- ASA: `show environment` ----------------------------------------------------------------

_ASA_SECTIONS = {
    "cooling fans": "fan",
    "power supplies": "psu",
    "power supply": "psu",
    "temperature": "temp",
    "voltage": "voltage",
}


_ASA_READING = re.compile(r"-?[\d.]+\s*(?:RPM|C|V|W|A)?\s*-?")


def parse_asa_environment(text: str) -> Environment:
    """`Cooling Fans:` / `Power Supplies:` / `Temperature:` / `Voltage:` sections, each with
    sub-headings (`Chassis Fans:`, `Processors:`) over `Name: 7680 RPM - OK (detail)` lines.

    The ASA 5512-X/5515-X/5525-X have one fixed internal supply and print no power supply
    section; their supply is seen only through the voltage rails it feeds, which then stand
    in for it."""
    psus: dict[str, str] = {}  # merged: a supply's presence, then its readings
    rails: dict[str, str] = EachOnce()
    fans: dict[str, str] = EachOnce()
    temps: dict[str, Reading] = EachOnce()
    # A supply's own fan and temperature (`Power Supplies:` under `Cooling Fans:` and
    # `Temperature:`), by the bay the power supplies section names (`Right Slot (PS1)`).
    bay_parts: dict[str, tuple[str, str]] = {}
    unreadable: list[str] = []  # said once the whole output is read, as the NX-OS one's
    section = sub = ""
    for line in text.splitlines():
        s = line.strip()
        if not s or re.fullmatch(r"[-=\s]+", s):
            continue
        if m := re.fullmatch(r"([A-Za-z ]+):", s):
            heading = m[1].strip().lower()
            if not line[:1].isspace() and heading in _ASA_SECTIONS:
                section, sub = _ASA_SECTIONS[heading], ""
            else:
                sub = m[1].strip()
            continue
        m = re.match(
            r"^(?P<name>[^:]+?)\s*:\s*(?:(?P<value>-?[\d.]+)\s*(?P<unit>RPM|C|V|W|A)\s*-\s*)?"
            r"(?P<state>[^()]+?)\s*(?:\((?P<detail>.*)\))?$",
            s,
        )
        if not section:
            continue  # `Model Id:`, `Hardware:` above the sections
        # Every line of a section is a heading or a `Name: reading - state` row: a line that
        # is neither, or a row with a reading and no state (`Ambient 1 : 27.0 C`, cut), is
        # a row we cannot read, perhaps the fan that stopped.
        if not m or _ASA_READING.fullmatch(m["state"].strip()):
            unreadable.append(f"the row `{s}` cannot be read: its section is not seen whole")
            continue
        name = f"{sub}: {m['name']}" if sub else m["name"]
        state = m["state"].strip()
        if section in {"fan", "temp"} and sub.lower() == "power supplies":
            part = "fan" if section == "fan" else "temperature"
            bay_parts[f"{m['name']} {part}"] = (m["name"], state)
        # A power supply's own fan and temperature appear under the fan and temperature
        # sections; the supply itself is judged from the power supplies section.
        if section == "fan":
            fans[name] = state
        elif section == "psu" and m["unit"] in {None, "V", "W", "A"}:
            # The section lists presence first, then readings; a later `N/A` only says the
            # empty bay has no reading.
            if m["name"] not in psus or state.upper() != "N/A":
                psus[m["name"]] = _merge_states([psus.get(m["name"], ""), state])
        elif section == "temp":
            temps[name] = Reading(state=state, celsius=_number(m["value"]) if m["value"] else None)
        elif section == "voltage" and m["unit"] == "V":
            rails[f"{m['name']} ({m['detail'] or m['value'] + ' V'})"] = state
    if unreadable:
        raise Unreadable(unreadable[0])
    if not psus:
        bay_parts = {}  # no supply section: nothing for a supply's parts to agree with
    if not psus and rails:
        faults = [f"{rail} {state}" for rail, state in rails.items() if state.upper() != "OK"]
        psus["internal supply (voltage rails)"] = ", ".join(faults) or _merge_states(rails.values())
    return _environment(psus, fans, temps, bay_parts=bay_parts)


def _units(environment: Environment) -> dict[str, int]:
    return {"power supplies": len(environment.power_supplies or {}),
            "fans": len(environment.fans or {})}


# NX-OS: the supply rows under `Power Supply:` (after its last rule, up to its first blank
# line, before the per-module power table) and every fan row (`Fan1(sys_fan1)`, `Fan_in_PS1`,
# an MDS's `ChassisFan1`).
_NXOS_UNITS = re.compile(
    r"^Power Supply:?[ \t]*\n(?:.*\S.*\n)*?-{5,}.*\n(?P<psus>(?:\d+[ \t]+\S.*(?:\n|$))+)"
    r"|^(?P<fan>(?:Chassis)?Fan[^\s:]*\d[^\s:]*[ \t]+\S.*)$",
    re.MULTILINE,
)


_NXOS_READING_AT_END = re.compile(r"(?:\d|\bW)[ \t]*$")
_NXOS_POWER_SUMMARY = re.compile(r"^Power Usage Summary:?[ \t]*$", re.MULTILINE)


def count_nxos_units(text: str) -> dict[str, int]:
    """Every NX-OS release prints its `Power Usage Summary` after the supply table (after
    the per-module power table where there is one): a supply table without it is cut short,
    and the supplies after the last row shown are unseen."""
    counts = {"power supplies": 0, "fans": 0}
    for m in _NXOS_UNITS.finditer(text):
        if m["psus"] is not None:
            counts["power supplies"] += len(m["psus"].splitlines())
            for row in m["psus"].splitlines():
                # A row ends with its status (`Ok`, `Absent`, `Input lost`); one ending with
                # a reading was cut before it, and its `W` would be read as the state.
                if _NXOS_READING_AT_END.search(row):
                    raise Unreadable(f"the row `{row.strip()}` stops before its Status column: "
                                     "the output is cut short")
            if not _NXOS_POWER_SUMMARY.search(text, m.end()):
                raise Unreadable("no `Power Usage Summary` after the supply table: the output "
                                 "is cut short")
        else:
            counts["fans"] += 1
            _whole_fan_row(text, m)
    return counts


_NXOS_FAN_HEADER = re.compile(r"^(?:Chassis)?Fan[ \t]+Model[ \t].*?(Status)", re.MULTILINE)


def _whole_fan_row(text: str, row: re.Match[str]) -> None:
    """Every fan row reaches the Status column of the header above it, a blank Model or
    Hw cell or not: a row that stops before it is cut short (its model was read as the
    state)."""
    header = next(reversed(list(_NXOS_FAN_HEADER.finditer(text, 0, row.start()))), None)
    if header is None:
        return
    status_at = header.start(1) - header.start()
    if len(row["fan"].rstrip()) <= status_at:
        raise Unreadable(f"the row `{row['fan'].strip()}` stops before its Status column: "
                         "the output is cut short")


_IOS_ROWS = Rows(count_ios_units, _ios_units)
ENVIRONMENT = Fact(
    "environment",
    {
        "cisco_xe": Source("show environment all", Own(parse_ios_environment), rows=_IOS_ROWS),
        # Catalyst 4500 (12.2SG), 6500 / 7600 and the ASR 901 have no `all` keyword and
        # print the same sections under `show environment`.
        "cisco_ios": Source("show environment all", Own(parse_ios_environment), rows=_IOS_ROWS,
                            fallbacks=("show environment",)),
        "cisco_nxos": Source(
            "show environment", TextFSM(_nxos_rows), Own(parse_nxos_environment),
            rows=Rows(count_nxos_units, _units),
        ),
        "cisco_xr": Source(
            "admin show environment", Own(parse_xr_environment), fallbacks=("show environment",)
        ),
        "cisco_asa": Source("show environment", Own(parse_asa_environment)),
    },
)


# A supply's own fan (`PS-2 fan`, `PS2 FAN`, `Fan_in_PS1`, a PEM's or PM's): its bay empties
# with the supply's, so it is judged with the supply, not as a missing fan.
_SUPPLY_FAN = re.compile(r"(?<![a-z0-9])(?:ps|pem|pm)[-_ ]?\d", re.IGNORECASE)


def _components(found: dict[str, str], what: str, policy: Policy,
                needed: Callable[[str], bool] = lambda _name: False) -> Outcome:
    """Judge installed units; an empty bay is no fault unless `needed` says the chassis
    cannot do without the unit that belongs there."""
    evidence = [Evidence(path=f"{what}/{name}", actual=state) for name, state in found.items()]
    bad = {
        n: s
        for n, s in found.items()
        if not (is_ok(s, policy) or is_standby(s, policy) or is_absent(s, policy))
        or (is_absent(s, policy) and needed(n))
    }
    working = [n for n, s in found.items() if is_ok(s, policy) or is_standby(s, policy)]
    empty = len(found) - len(working) - len(bad)
    if bad:
        listing = ", ".join(
            f"{n}: {s}" + (" (a unit the chassis needs)" if is_absent(s, policy) else "")
            for n, s in bad.items()
        )
        return Outcome.failed(
            f"{what} not ok: {listing}",
            [Evidence(path=f"{what}/{n}", expected="ok", actual=s) for n, s in bad.items()],
        )
    if not working:
        # A running chassis has power and, unless fanless, cooling: an output listing only
        # empty bays is one we misread or a fragment, not a verdict on the hardware.
        return Outcome.error(f"every one of the {what} listed is absent", evidence)
    return Outcome.passed(
        f"{len(working)} {what} ok" + (f", {empty} empty bay(s)" if empty else ""), evidence
    )


@check(
    id="hw.psu.status",
    title="Every installed power supply is ok",
    domain=Domain.HARDWARE,
    severity=Severity.MAJOR,
    facts=[ENVIRONMENT],
)
def psu_status(environment: Environment, policy: Policy) -> Outcome:
    if environment.power_supplies is None:
        return Outcome.error("the environment output shows no power supplies")
    supplies = environment.power_supplies
    if disputed := _disputed_bays(environment, policy):
        # Two parts of one output that disagree on whether a bay holds a supply prove
        # neither: which of them describes the chassis cannot be told from the text.
        evidence: list[Evidence] = []
        said: list[str] = []
        for bay, parts in disputed.items():
            row = supplies.get(bay, "not listed")
            said.append(f"{bay} is `{row}` in the supply table, "
                        + ", ".join(f"{name} {state}" for name, state in parts.items()))
            evidence.append(Evidence(path=f"power supplies/{bay}", actual=row))
            evidence += [Evidence(path=f"power supply parts/{name}", actual=state)
                         for name, state in parts.items()]
        return Outcome.error("the supply table and the supplies' own parts disagree: "
                             + "; ".join(said), evidence)
    (only, state), *others = supplies.items()
    if not others and is_absent(state, policy):
        # One bay, empty: the chassis lacks the supply it is built with.
        return Outcome.failed(
            f"the only power supply, {only}, is absent ({state})",
            [Evidence(path=f"power supplies/{only}", expected="installed and ok", actual=state)],
        )
    outcome = _components(supplies, "power supplies", policy)
    # A supply sensor in a bad state (`PS2 Vout ... BAD`) shows the supply unhealthy, whatever
    # the supply table's Status column says of it: the device saw the fault.
    faults = {name: state for name, state in (environment.supply_sensors or {}).items()
              if not (is_ok(state, policy) or is_absent(state, policy))}
    if not faults:
        return outcome
    listing = "power supply sensors not ok: " + ", ".join(f"{n}: {s}" for n, s in faults.items())
    return Outcome.failed(
        f"{outcome.message}; {listing}" if outcome.status == Status.FAIL else listing,
        [*(outcome.evidence if outcome.status == Status.FAIL else ()),
         *(Evidence(path=f"power supply sensors/{n}", expected="ok", actual=s)
           for n, s in faults.items())],
    )


def _disputed_bays(environment: Environment, policy: Policy) -> dict[str, dict[str, str]]:
    """The supply table's bays whose own parts say otherwise of them: a bay the table shows
    holding a working supply (`2A ... OK`) and a part of it NOT PRESENT, or a bay the table
    shows empty, or does not list, and a part of it reading (GOOD, BAD). A supply the table
    shows in a fault may show its parts absent: a real Catalyst 3850 prints `FAN PS-1 is NOT
    PRESENT` beside `1A  PWR-C4-950WAC-R ... No Input Power`, and that supply fails."""
    supplies = environment.power_supplies or {}
    disputed: dict[str, dict[str, str]] = {}
    for part, (bay, state) in (environment.bay_parts or {}).items():
        row = supplies.get(bay)
        working = row is not None and (is_ok(row, policy) or is_standby(row, policy))
        empty = row is None or is_absent(row, policy)
        part_absent = is_absent(state, policy)
        if (working and part_absent) or (empty and not part_absent):
            disputed.setdefault(bay, {})[part] = state
    return disputed


def fanless_pid(inventory: list[InventoryItem] | None, policy: Policy) -> str | None:
    """The chassis PID when the policy lists it as a fanless model."""
    chassis = find_chassis(inventory) if inventory else None
    if chassis is None:
        return None
    pid = chassis.pid.strip()
    patterns = policy["hardware.fanless_pids"]
    return pid if any(fnmatch.fnmatch(pid.upper(), p.upper()) for p in patterns) else None


@check(
    id="hw.fan.status",
    title="Every fan is ok",
    domain=Domain.HARDWARE,
    severity=Severity.MAJOR,
    facts=[ENVIRONMENT],
    optional_facts=[INVENTORY],
)
def fan_status(
    environment: Environment, policy: Policy, inventory: list[InventoryItem] | None
) -> Outcome:
    # No fan section, or nothing but empty bays: a fanless model has nothing to judge; any
    # other model without a fan is a fragment or a misread, never healthy.
    if all(is_absent(s, policy) for s in (environment.fans or {}).values()) and (
        pid := fanless_pid(inventory, policy)
    ):
        return Outcome.skipped(f"{pid} is a fanless model: it has no fans to judge")
    if environment.fans is None:
        return Outcome.error("the environment output shows no fans"
                             + ("" if inventory else
                                " (and no chassis PID was read to tell a fanless model)"))
    if all(_SUPPLY_FAN.search(name) for name in environment.fans):
        # A supply's own fan says nothing of the chassis's fan trays: a power section alone
        # (the Catalyst 4500 supply table's `Fan Sensor` column).
        return Outcome.error("only the power supplies' own fans are listed, no chassis fan",
                             [Evidence(path=f"fans/{n}", actual=s)
                              for n, s in environment.fans.items()])
    # A chassis fan bay is fixed: a fan module missing from it is a finding.
    return _components(environment.fans, "fans", policy,
                       needed=lambda name: not _SUPPLY_FAN.search(name))


def _shown(r: Reading) -> str:
    return f"{r.state or ''} {'' if r.celsius is None else f'{r.celsius:g} C'}".strip()


@check(
    id="hw.temperature.status",
    title="Every temperature sensor is within the device's thresholds",
    domain=Domain.HARDWARE,
    severity=Severity.CRITICAL,
    facts=[ENVIRONMENT],
)
def temperature_status(environment: Environment, policy: Policy) -> Outcome:
    if environment.temperatures is None:
        return Outcome.error("the environment output shows no temperatures")
    bad: list[Evidence] = []
    judged: list[Evidence] = []
    faulty: list[Evidence] = []  # sensors that give no reading: nothing to hold to a threshold
    stateless: list[Evidence] = []  # a reading and its range, but `N/A` for a state
    for name, r in environment.temperatures.items():
        if r.state is not None and is_absent(r.state, policy):
            if r.celsius is None or r.critical is None:
                continue  # the sensor of an empty power supply bay (`NOT PRESENT  0 Celsius`)
            # A sensor printing its reading and range is there, whatever its state column
            # says: over its range it fails, and within it is not judged, but named.
            item = Evidence(path=f"temperature/{name}", expected=f"ok, below {r.critical:g} C",
                            actual=_shown(r))
            (bad if r.celsius >= r.critical else stateless).append(item)
            continue
        if r.state == SENSOR_FAULT:
            faulty.append(Evidence(path=f"temperature/{name}", expected="a reading",
                                   actual=SENSOR_FAULT))
            continue
        # The device's own threshold wins; the policy's default only stands in where the
        # device prints a bare value with neither a threshold nor a state of its own.
        limit = r.critical
        if limit is None and r.state is None:
            limit = float(policy["temperature.default_critical_celsius"])
        over = r.celsius is not None and limit is not None and r.celsius >= limit
        if r.state is None and r.celsius is None:
            continue
        expected = f"ok, below {limit:g} C" if limit is not None else "ok"
        item = Evidence(path=f"temperature/{name}", expected=expected, actual=_shown(r))
        judged.append(item)
        if over or (r.state is not None and not is_ok(r.state, policy)):
            bad.append(item)
    if bad:
        return Outcome.failed(
            "temperature out of range: "
            + ", ".join(f"{e.path.split('/', 1)[1]} {e.actual}" for e in bad),
            bad,
        )
    if faulty:
        return Outcome.error(
            f"{len(faulty)} temperature sensor(s) give no reading: "
            + ", ".join(e.path.split("/", 1)[1] for e in faulty), faulty + judged)
    if stateless:
        return Outcome.error(
            f"{len(stateless)} temperature sensor(s) read with no state: "
            + ", ".join(f"{e.path.split('/', 1)[1]} {e.actual}" for e in stateless),
            stateless + judged)
    if not judged:
        return Outcome.error("no temperature sensor reports a reading or a state")
    if all(_SUPPLY_FAN.search(e.path) for e in judged):
        # A supply's own hotspot says nothing of the chassis's air: a power section alone.
        return Outcome.error("only the power supplies' own sensors are listed, no chassis "
                             "temperature", judged)
    return Outcome.passed(f"{len(judged)} temperature sensors within range", judged)

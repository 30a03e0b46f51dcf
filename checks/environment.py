"""Hardware health from the environment command: power supplies, fans and temperatures.

Every platform's output is reduced to one shape, `Environment`; a section the output does
not show is None, which the checks report as "could not tell", never as healthy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from checks.common import is_absent, is_ok
from inspector.catalogue import check
from inspector.facts import Fact, Genie, Own, Source, Unreadable
from inspector.models import Domain, Evidence, Outcome, Severity
from inspector.policy import Policy


@dataclass(frozen=True, kw_only=True)
class Reading:
    state: str | None
    celsius: float | None = None
    warning: float | None = None  # the device's own yellow / minor threshold
    critical: float | None = None  # the device's own red / major threshold


@dataclass(kw_only=True)
class Environment:
    power_supplies: dict[str, str] | None = None
    fans: dict[str, str] | None = None
    temperatures: dict[str, Reading] | None = None
    sections: list[str] = field(default_factory=list)

    def finish(self) -> Environment:
        if not (self.power_supplies or self.fans or self.temperatures):
            raise Unreadable("no power supply, fan or temperature section found")
        return self


def _number(text: object) -> float | None:
    match = re.search(r"-?\d+(?:\.\d+)?", str(text)) if text is not None else None
    return float(match.group()) if match else None


# --- Catalyst switches (IOS, IOS-XE): Genie's `show environment all` -----------------------

_CATALYST_TEMPS = ("system_temperature", "inlet_temperature", "outlet_temperature",
                   "hotspot_temperature")


def _catalyst_genie(parsed: dict[str, Any]) -> Environment:
    env = Environment(power_supplies={}, fans={}, temperatures={})
    assert env.power_supplies is not None and env.fans is not None and env.temperatures is not None
    for switch, data in parsed["switch"].items():
        for fan, info in data.get("fan", {}).items():
            env.fans[f"switch {switch} fan {fan}"] = info["state"]
        for psu, info in data.get("power_supply", {}).items():
            env.power_supplies[f"switch {switch} PS{psu}"] = info.get("status") or info["state"]
        for key in _CATALYST_TEMPS:
            if isinstance(data.get(key), dict):
                t = data[key]
                env.temperatures[f"switch {switch} {key.split('_')[0]}"] = Reading(
                    state=t.get("state"), celsius=_number(t.get("value")),
                    warning=_number(t.get("yellow_threshold")),
                    critical=_number(t.get("red_threshold")),
                )
        if "system_temperature_state" in data and not any(
            name.startswith(f"switch {switch} ") for name in env.temperatures
        ):
            env.temperatures[f"switch {switch} system"] = Reading(
                state=data["system_temperature_state"]
            )
    return Environment(
        power_supplies=env.power_supplies or None, fans=env.fans or None,
        temperatures=env.temperatures or None,
    ).finish()


# --- Catalyst switches: our own reader of the same text (older IOS trains) -----------------

_FAN_LINE = re.compile(r"^(?:Switch\s+(\d+):?\s+)?FAN\s*(.*?)\s+is\s+(.+?)\s*$", re.I)
_FAN_ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s+\d+\s+(\S.*?)\s*$")
_TEMP_VALUE = re.compile(r"^(?:(\w+)\s+)?Temperature Value:\s*(-?\d+)", re.I)
_TEMP_STATE = re.compile(r"Temperature State:\s*(\S+)", re.I)
_THRESHOLD = re.compile(r"^(Yellow|Red) Threshold\s*:\s*(-?\d+)", re.I)
_SYSTEM_TEMP = re.compile(r"^(?:Switch\s+(\d+):\s*)?SYSTEM TEMPERATURE is\s+(.+?)\s*$", re.I)
_PSU_ROW = re.compile(
    r"^\s*(\d+[A-Z]?)\s+(\S+)\s+(?:(\S+)\s+)?(OK|Good|Bad|Not Present|No Input Power|Faulty|"
    r"Fail\w*|Off|Disabled|Unknown|Unsupported|Input Power Fault|Error)\b", re.I
)


def parse_catalyst_environment(text: str) -> Environment:
    psus: dict[str, str] = {}
    fans: dict[str, str] = {}
    temps: dict[str, dict[str, Any]] = {}
    switch = "1"
    current: str | None = None
    in_fan_table = in_psu_table = False
    for line in text.splitlines():
        stripped = line.strip()
        if re.match(r"^Switch\s+FAN\s+Speed\s+State", stripped, re.I):
            in_fan_table, in_psu_table = True, False
            continue
        if re.match(r"^SW\s+PID\s+Serial#\s+Status", stripped, re.I):
            in_psu_table, in_fan_table = True, False
            continue
        if m := _SYSTEM_TEMP.match(stripped):
            switch = m.group(1) or switch
            temps.setdefault(f"switch {switch} system", {"state": m.group(2)})
            current = None
            continue
        if m := _FAN_LINE.match(stripped):
            switch = m.group(1) or switch
            name = f"switch {switch} fan {m.group(2)}".rstrip()
            fans[name] = m.group(3)
            continue
        if in_fan_table and (m := _FAN_ROW.match(line)):
            fans[f"switch {m.group(1)} fan {m.group(2)}"] = m.group(3)
            continue
        if in_psu_table and (m := _PSU_ROW.match(line)):
            psus[f"switch {m.group(1)[0]} PS{m.group(1)}"] = m.group(4)
            continue
        if in_psu_table and (m := re.match(r"^\s*(\d+[A-Z]?)\s+Not Present", line, re.I)):
            psus[f"switch {m.group(1)[0]} PS{m.group(1)}"] = "not present"
            continue
        if m := _TEMP_VALUE.match(stripped):
            current = f"switch {switch} {(m.group(1) or 'system').lower()}"
            temps[current] = {"state": temps.get(current, {}).get("state"), "value": m.group(2)}
            continue
        if current and (m := _TEMP_STATE.search(stripped)):
            temps[current]["state"] = m.group(1)
            continue
        if current and (m := _THRESHOLD.match(stripped)):
            temps[current][m.group(1).lower()] = m.group(2)
            continue
        if not stripped or stripped.startswith("--"):
            continue
    readings = {
        name: Reading(
            state=t.get("state"), celsius=_number(t.get("value")),
            warning=_number(t.get("yellow")), critical=_number(t.get("red")),
        )
        for name, t in temps.items()
    }
    # A named system reading supersedes the bare "SYSTEM TEMPERATURE is OK" line.
    return Environment(
        power_supplies=psus or None, fans=fans or None, temperatures=readings or None
    ).finish()


# --- Routers (ISR 4000, ASR 1000): the sensor list of `show environment all` ----------------

_SENSOR_ROW = re.compile(r"^\s*(?P<a>\S.*?)\s{2,}(?P<b>\S+)\s{2,}(?P<state>\S.*?)\s{2,}(?P<reading>\S.*?)\s*$")


def parse_sensor_list(text: str) -> Environment:
    """Rows of `Sensor  Location  State  Reading` (or `Slot  Sensor  State  Reading`)."""
    lines = text.splitlines()
    header = next((i for i, l in enumerate(lines) if re.search(r"\bSensor\b.*\bState\b.*\bReading", l)), None)
    if header is None:
        raise Unreadable("no sensor table")
    slot_first = lines[header].split()[0].lower() == "slot"
    psus: dict[str, list[str]] = {}
    fans: dict[str, str] = {}
    temps: dict[str, Reading] = {}
    for line in lines[header + 1 :]:
        m = _SENSOR_ROW.match(line)
        if not m or line.strip().startswith("-"):
            continue
        sensor, location = (m["b"], m["a"]) if slot_first else (m["a"], m["b"])
        state, reading = m["state"], m["reading"]
        if re.match(r"^(P|PEM|PS)\d+$", location, re.I):
            psus.setdefault(f"power supply {location}", [])
            if not re.match(r"fan speed", state, re.I):
                psus[f"power supply {location}"].append(state)
        if "fan" in sensor.lower() and not sensor.lower().startswith("temp"):
            fans[f"{location} {sensor}"] = state
        if "celsius" in reading.lower():
            temps[f"{location} {sensor}"] = Reading(
                state="normal" if re.match(r"fan speed", state, re.I) else state,
                celsius=_number(reading),
            )
    power = {
        name: next((s for s in states if s.lower() != "normal"), "normal")
        for name, states in psus.items()
    }
    return Environment(
        power_supplies=power or None, fans=fans or None, temperatures=temps or None
    ).finish()


# --- Nexus: Genie's `show environment` ------------------------------------------------------


def _nxos_genie(parsed: dict[str, Any]) -> Environment:
    psus = {f"PS{n}": i["status"] for n, i in parsed.get("power", {}).get("power_supply", {}).items()}
    fans = {name: i["status"] for name, i in parsed.get("fans", {}).items()}
    temps = {
        f"module {module} {sensor}": Reading(
            state=i.get("status"), celsius=_number(i.get("current_temp_celsius")),
            warning=_number(i.get("minor_threshold_celsius")),
            critical=_number(i.get("major_threshold_celsius")),
        )
        for module, sensors in parsed.get("temperature", {}).items()
        for sensor, i in sensors.items()
    }
    return Environment(
        power_supplies=psus or None, fans=fans or None, temperatures=temps or None
    ).finish()


ENVIRONMENT = Fact(
    "environment",
    {
        "cisco_xe": Source(
            "show environment all",
            Genie(_catalyst_genie),
            Own(parse_catalyst_environment),
            Own(parse_sensor_list),
        ),
        "cisco_ios": Source(
            "show environment all", Own(parse_catalyst_environment), Own(parse_sensor_list)
        ),
        "cisco_nxos": Source("show environment", Genie(_nxos_genie)),
    },
)


def _components(found: dict[str, str], what: str, policy: Policy) -> Outcome:
    evidence = [Evidence(path=f"{what}/{name}", actual=state) for name, state in found.items()]
    bad = {n: s for n, s in found.items() if not is_ok(s, policy) and not is_absent(s, policy)}
    present = [n for n, s in found.items() if is_ok(s, policy)]
    if bad:
        listing = ", ".join(f"{n}: {s}" for n, s in bad.items())
        return Outcome.failed(
            f"{what} not ok: {listing}",
            [Evidence(path=f"{what}/{n}", expected="ok", actual=s) for n, s in bad.items()],
        )
    if not present:
        return Outcome.failed(f"no {what} reports ok", evidence)
    return Outcome.passed(f"{len(present)} {what} ok", evidence)


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
    return _components(environment.power_supplies, "power supplies", policy)


@check(
    id="hw.fan.status",
    title="Every fan is ok",
    domain=Domain.HARDWARE,
    severity=Severity.MAJOR,
    facts=[ENVIRONMENT],
)
def fan_status(environment: Environment, policy: Policy) -> Outcome:
    if environment.fans is None:
        return Outcome.error("the environment output shows no fans")
    return _components(environment.fans, "fans", policy)


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
    for name, r in environment.temperatures.items():
        limit = r.critical if r.critical is not None else None
        if r.celsius is not None and limit is None and r.state is None:
            limit = float(policy["temperature.default_critical_celsius"])
        over = r.celsius is not None and limit is not None and r.celsius >= limit
        if over or (r.state is not None and not is_ok(r.state, policy)):
            bad.append(
                Evidence(
                    path=f"temperature/{name}",
                    expected=f"ok, below {limit:g} C" if limit is not None else "ok",
                    actual=f"{r.state or ''} {'' if r.celsius is None else f'{r.celsius:g} C'}".strip(),
                )
            )
    if bad:
        return Outcome.failed(
            "temperature out of range: " + ", ".join(f"{e.path.split('/', 1)[1]} {e.actual}" for e in bad),
            bad,
        )
    evidence = [
        Evidence(path=f"temperature/{n}", actual=f"{r.state or ''} {'' if r.celsius is None else f'{r.celsius:g} C'}".strip())
        for n, r in environment.temperatures.items()
    ]
    return Outcome.passed(f"{len(evidence)} temperature sensors within range", evidence)

"""Chassis identity: what the chassis is (PID, serial) and what it runs (OS, version).

The program registers licenses against the serial number, so identity is read from the
inventory (what the hardware's IDPROM says) rather than from free text in `show version`.
"""

from __future__ import annotations

import re
from typing import Any

from checks.common import (
    NO_CHASSIS,
    count_inventory_entries,
    find_chassis,
    genie_inventory_items,
    parse_inventory_text,
)
from inspector.catalogue import check
from inspector.facts import Fact, Genie, Own, Rows, Source, TextFSM
from inspector.models import Domain, Evidence, Outcome, Severity
from inspector.policy import Policy


def _ios_version(parsed: dict[str, Any]) -> dict[str, Any]:
    v = parsed["version"]
    return {
        "os": v.get("os") or "IOS",
        "version": v["version"],
        "uptime": v.get("uptime"),
        "reload_reason": v.get("last_reload_reason") or v.get("returned_to_rom_by"),
        "config_register": v.get("curr_config_register"),
        "next_config_register": v.get("next_config_register"),
        "system_image": v.get("system_image"),
        "pid": v.get("chassis"),
        "serial": v.get("chassis_sn"),
    }


def _nxos_version(parsed: dict[str, Any]) -> dict[str, Any]:
    p = parsed["platform"]
    uptime = p.get("kernel_uptime") or {}
    return {
        "os": "NX-OS",
        "version": p["software"]["system_version"],
        "uptime": ", ".join(f"{uptime[k]} {k}" for k in ("days", "hours", "minutes") if k in uptime)
        or None,
        "reload_reason": p.get("reason"),
        "config_register": None,
        "next_config_register": None,
        "system_image": p["software"].get("system_image_file"),
        "pid": None,
        "serial": None,
    }


def _iosxr_version(parsed: dict[str, Any]) -> dict[str, Any]:
    return {
        "os": "IOS-XR",
        "version": parsed["software_version"],
        "uptime": parsed.get("uptime"),
        "reload_reason": None,
        "config_register": parsed.get("config_register"),
        "next_config_register": None,
        "system_image": parsed.get("image"),
        "pid": None,
        "serial": None,
    }


def _asa_version(parsed: dict[str, Any]) -> dict[str, Any]:
    v = parsed["version"]
    return {
        "os": "ASA",
        "version": v["asa_version"],
        "uptime": v.get("uptime"),
        "reload_reason": v.get("last_reload_reason"),
        "config_register": v.get("configuration_register"),
        "next_config_register": None,
        "system_image": v.get("system_image"),
        "pid": v.get("platform"),
        "serial": v.get("serial_number"),
    }


def _inventory_rows(rows: list[dict[str, Any]]) -> list[Any]:
    text = "\n".join(
        f'NAME: "{r.get("name", "")}", DESCR: "{r.get("descr", "")}"\n'
        f'PID: {r.get("pid", "")}, VID: {r.get("vid", "")}, SN: {r.get("sn", "")}'
        for r in rows
    )
    return parse_inventory_text(text)


VERSION = Fact(
    "version",
    {
        "cisco_ios": Source("show version", Genie(_ios_version)),
        "cisco_xe": Source("show version", Genie(_ios_version)),
        "cisco_nxos": Source("show version", Genie(_nxos_version)),
        "cisco_xr": Source("show version", Genie(_iosxr_version)),
        "cisco_asa": Source("show version", Genie(_asa_version)),
    },
)

# Our own reader first: `show inventory` prints the same NAME/DESCR, PID/VID/SN pairs on every
# OS, and on real outputs Genie drops whole entries (IOS-XE `module 0/F0/R0`, the Nexus 7000
# power supplies and fan tray in slots 33-35, a Catalyst 9500X chassis and its supplies) or
# raises (ASA entries without a PID, ASR 901, Catalyst 7600), while TextFSM's IOS template
# truncates PIDs with spaces. A dropped entry would hide the very FRU whose serial is bad.
_INVENTORY_SOURCE = Source(
    "show inventory",
    Own(parse_inventory_text),
    Genie(genie_inventory_items),
    TextFSM(_inventory_rows),
    rows=Rows(count_inventory_entries, what="inventory entries"),
)
INVENTORY = Fact(
    "inventory",
    {
        p: _INVENTORY_SOURCE
        for p in ("cisco_ios", "cisco_xe", "cisco_nxos", "cisco_xr", "cisco_asa")
    },
)

def readable(value: str | None) -> bool:
    """Devices print N/A or nothing where an IDPROM could not be read, and a capture's owner
    may mask the serial (`******`): a value without a letter or digit is no reading."""
    return (bool(value) and re.search(r"[A-Za-z0-9]", str(value)) is not None
            and str(value).strip().upper() not in {"N/A", "NA", "NONE", "UNKNOWN", "0"})


@check(
    id="hw.chassis.identity",
    title="Chassis PID, serial number and OS version can be read",
    domain=Domain.HARDWARE,
    severity=Severity.CRITICAL,
    facts=[VERSION, INVENTORY],
)
def chassis_identity(version: dict[str, Any], inventory: list[Any], policy: Policy) -> Outcome:
    chassis = find_chassis(inventory)
    if chassis is None:
        return Outcome.error(f"{NO_CHASSIS} (it opens with {inventory[0].name!r})")
    identity = {
        "os": version["os"],
        "version": version["version"],
        "pid": chassis.pid or version.get("pid"),
        "serial": chassis.serial or version.get("serial"),
    }
    evidence = [
        Evidence(path="inventory/chassis/name", actual=chassis.name),
        Evidence(path="inventory/chassis/pid", actual=identity["pid"]),
        Evidence(path="inventory/chassis/serial", actual=identity["serial"]),
        Evidence(path="version/os", actual=f'{identity["os"]} {identity["version"]}'),
    ]
    problems = []
    if not readable(identity["pid"]):
        problems.append(f"the chassis PID reads {identity['pid']!r}")
    if not readable(identity["serial"]):
        problems.append(f"the chassis serial number reads {identity['serial']!r}")
    if problems:
        return Outcome.failed("; ".join(problems), evidence, identity=identity)
    return Outcome.passed(
        f'{identity["pid"]} serial {identity["serial"]} running {identity["os"]} '
        f'{identity["version"]}',
        evidence,
        identity=identity,
    )

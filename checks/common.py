"""Helpers the checks share: state vocabularies and the inventory reader every OS uses."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from inspector.facts import SaidOnce, Unreadable
from inspector.policy import Policy


def norm_state(state: object) -> str:
    return _norm(str(state))


# A chassis's checks normalise the same few state words thousands of times (55,000 calls for
# 60 chassis): each word once, and each vocabulary once.
@functools.lru_cache(maxsize=4096)
def _norm(text: str) -> str:
    return _SEPARATORS.sub(" ", text).strip().lower()


_SEPARATORS = re.compile(r"[\s_\-]+")


@functools.lru_cache(maxsize=256)
def _vocabulary(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(_norm(str(w)) for w in words)


def is_ok(state: object, policy: Policy) -> bool:
    return norm_state(state) in _vocabulary(tuple(policy["states.ok"]))


def is_absent(state: object, policy: Policy) -> bool:
    return norm_state(state) in _vocabulary(tuple(policy["states.absent"]))


def is_standby(state: object, policy: Policy) -> bool:
    """Installed and healthy but not carrying load (a redundant supply in standby)."""
    return norm_state(state) in _vocabulary(tuple(policy["states.standby"]))


def in_vocabulary(state: object, words: list[str]) -> bool:
    return norm_state(state) in _vocabulary(tuple(words))


# The lines that open a `show version` banner, on every OS (`Cisco IOS XE Software, Version`,
# `Cisco Nexus Operating System (NX-OS) Software`, `Cisco Adaptive Security Appliance Software
# Version`, ...), and its copyright line. A release prints each once (IOS-XE's two banner lines
# differ); none of the corpus's outputs repeats one. Two `show version` in one output, however
# they differ (two taken a minute apart differ in their uptime): which of them describes the
# chassis cannot be told.
banner_said_twice = SaidOnce(
    re.compile(r"^[ \t]*(?:Cisco\b.*\bSoftware\b|IOS \(tm\)|Copyright \(c\)).*$",
               re.MULTILINE | re.IGNORECASE),
    "`show version`'s banner line")


@dataclass(frozen=True, kw_only=True)
class InventoryItem:
    name: str
    descr: str
    pid: str
    serial: str


# ASA spells the first label `Name:`, the other OSes `NAME:`; IOS-XR's admin plane prints
# the pairs without quotes or commas (`Name: Rack 0  Descr: ASR-9010 Chassis`).
# The runs of spaces are taken whole (`*+`): given back, a space could only be taken by the
# value after it, or by the run after an absent comma, which brings the match to the same
# place. After DESCR, `[^\S\n]*+\n` takes the first line end, where `\s*\n` took the last and
# the run after it began there; both reach `PID:` alike. Only the spaces after `DESCR:` may
# still be given back: an empty DESCR needs its line end. Given back space by space, the runs
# were tried in every split: `PID:` and 21 spaces before its comma, as NX-OS prints an optic
# without a PID, cost the cube of 21 for each place a row could fail, and an output with each
# line said 30 times over on itself took 506 s (0.3 s now). `tests/test_inventory_rows.py`
# keeps the first form as the reference.
_INVENTORY_ITEM = re.compile(
    r'NAME:\s*+"?(?P<name>[^"\n]*?)"?[ \t]*+,?[ \t]*+DESCR:\s*"?(?P<descr>[^"\n]*?)"?[^\S\n]*+\n'
    r"\s*+PID:\s*+(?P<pid>[^,\n]*?)[ \t]*+,?[ \t]*+VID:\s*+(?P<vid>[^,\n]*?)[ \t]*+,?[ \t]*+"
    r"SN:[ \t]*+(?P<sn>\S*+)[ \t]*+$",
    re.MULTILINE | re.IGNORECASE,
)


def parse_inventory_text(text: str) -> list[InventoryItem]:
    """`show inventory` prints the same NAME/DESCR, PID/VID/SN pairs on every Cisco OS."""
    items = [
        InventoryItem(
            name=m["name"].strip(), descr=m["descr"].strip(), pid=m["pid"].strip(),
            serial=m["sn"].strip(),
        )
        for m in _INVENTORY_ITEM.finditer(text)
    ]
    if not items:
        raise Unreadable("no NAME/PID entries in the inventory")
    return items


_INVENTORY_NAME = re.compile(r"^[ \t]*NAME:", re.MULTILINE | re.IGNORECASE)
# A `NAME:` line whose next line that is not blank is no `PID:` line.
_NAME_WITHOUT_PID = re.compile(r"^[ \t]*NAME:[^\n]*+(?!\n(?:[ \t]*\n)*+[ \t]*PID:)",
                               re.MULTILINE | re.IGNORECASE)


def count_inventory_entries(text: str) -> int:
    """Every `NAME:` line starts an entry: a parser that returns fewer items dropped some.

    Every OS prints the entry's `PID:` line right below it, even with nothing after `PID:`:
    an entry without one is cut short, and no reading of the output serves (TextFSM and
    Genie made it an entry with a blank PID, which failed the chassis).
    """
    if cut := _NAME_WITHOUT_PID.search(text):
        raise Unreadable(f"the entry `{cut[0].strip()}` has no PID line: the output is cut short")
    return len(_INVENTORY_NAME.findall(text))


def genie_inventory_items(parsed: Any) -> list[InventoryItem]:
    """Flatten any OS's Genie inventory schema: every mapping that carries a `pid` is an item."""
    items: list[InventoryItem] = []

    def walk(node: Any, key: str) -> None:
        if not isinstance(node, dict):
            return
        if "pid" in node and not isinstance(node["pid"], dict):
            items.append(
                InventoryItem(
                    name=str(node.get("name") or key),
                    descr=str(node.get("descr") or node.get("description") or ""),
                    pid=str(node.get("pid") or ""),
                    serial=str(node.get("sn") or node.get("serial_number") or ""),
                )
            )
        for child_key, child in node.items():
            walk(child, str(child_key))

    walk(parsed, "")
    if not items:
        raise Unreadable("no inventory item with a PID")
    return items


# Entries that are parts of a chassis, never the chassis itself (matched on the name): a
# listing that opens with one and names no chassis is a fragment, or classic IOS-XR's
# `show inventory`, which lists the chassis only in `admin show inventory`. A Nexus parent's
# fabric extender (`FEX 101 CHASSIS`) is another box, never the one inspected.
_PART_NAME = re.compile(
    r"^(?:module|slot|subslot|bay|fan|power|psu|pem|pm\d|ps\d|transceiver|sfp|qsfp|card|fex"
    r"|line ?card|supervisor|daughter)\b|ethernet|^(?:gi|te|tw|twe|fo|hu|fa|eth)\d",
    re.IGNORECASE,
)
# A module's PID never names a chassis: an ISR's service or network module (an EtherSwitch
# `SM-ES2-16-P` inspected from its own console lists only itself, as `1`), a shared port
# adapter, a Catalyst line card or supervisor.
_MODULE_PID = re.compile(r"^(?:SM|NM|HWIC|EHWIC|NIM|SPA|WS-X|WS-SUP|VS-SUP)-", re.IGNORECASE)
NO_CHASSIS = "the inventory lists no chassis entry, so the chassis's own PID and serial are unseen"


def names_a_chassis(item: InventoryItem) -> bool:
    """An entry that says it is a chassis (`Chassis`, `Switch 2 Chassis`, `FEX 106 CHASSIS`),
    not a chassis's fan, supply or slot (`... Chassis Fan Module`, `Slot 33`)."""
    text = f"{item.name} {item.descr}".lower()
    return ("chassis" in text and "fan" not in text and "power" not in text
            and "slot" not in item.name.lower())


def find_chassis(items: list[InventoryItem]) -> InventoryItem | None:
    """The chassis itself: the entry that says so, IOS-XR's `Rack 0`, or else the first entry
    (Catalyst stacks name it `1`, a Catalyst 4948 `Switch System`) unless that is a part.

    None when the listing holds no chassis entry: its first entry standing in would put a
    route processor's or an optic's serial where the chassis's belongs.
    """
    for item in items:
        # A Nexus parent lists each fabric extender's chassis (`FEX 106 CHASSIS`).
        if names_a_chassis(item) and not item.name.strip().lower().startswith("fex"):
            return item
    for item in items:
        if re.fullmatch(r"rack \d+", item.name.strip().lower()):
            return item
    if not items or _PART_NAME.search(items[0].name.strip()) or _MODULE_PID.match(items[0].pid):
        return None
    return items[0]

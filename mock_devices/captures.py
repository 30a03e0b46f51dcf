"""Saved outputs served as lab chassis: any real capture becomes a device to inspect.

A capture folder is what `inspector evaluate` reads: one `<command_slug>.txt` per command
(`.txt.gz` for a compressed one), plus, in a run's `evidence/<host>/` folder, `index.json`
naming the hostname, the platform and the file of each command. Each folder becomes one
chassis that logs in, prompts and pages like its OS, answers the saved commands with the
saved text byte for byte, and answers anything else as that OS answers an unknown command.

    specs = plan_captures([Path("captures/core-sw01")], platform="cisco_xe")
    serve_forever(specs, inventory_out=Path("lab-inv"))      # `inspector lab serve`
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .lab import ChassisSpec
from .platforms import OS_TRAITS
from .profiles import HEALTHY, Profile, ProfileError, Scenario, common_scenarios

INDEX = "index.json"
_OUTPUT = re.compile(r"^(?P<slug>[A-Za-z0-9_]+)\.txt(?:\.gz)?$")
_DEVICE_TYPES = {traits.device_type: traits.name for traits in OS_TRAITS.values()}
# The lab's own CLI words: an output saved under one of these names would take the command
# away from the session (`exit`, `enable`, `terminal length 0`), so such a file is not served.
_SESSION_WORDS = {"enable", "disable", "exit", "logout", "quit", "login", "end", "terminal",
                  "configure"}


class CaptureError(ProfileError):
    """A capture folder that cannot be served, said in one line."""


def _read_output(path: Path) -> str:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    # Read the way `inspector evaluate` reads a capture, so both see the same text.
    return data.decode("utf-8", errors="replace")


def _read_index(folder: Path) -> dict[str, Any] | None:
    path = folder / INDEX
    if not path.is_file():
        return None
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CaptureError(f"{path} is not a readable index: {exc}") from None
    if not isinstance(index, dict):
        raise CaptureError(f"{path} is not an evidence index (expected a JSON object)")
    return index


def capture_profile(folder: Path, platform: str | None = None) -> tuple[str, Profile]:
    """The hostname and the profile that serve one capture folder.

    With index.json, its hostname and platform are used and each command is answered under
    the exact command it names; without it, the hostname is the folder's name and `platform`
    (a netmiko device type) must be given. Every `<slug>.txt` in the folder is served; a
    command the index records as not collected (timed out, session lost) has no output, so
    the chassis rejects it as unknown. A refusal the device gave (its file holds the reply) is
    served back as that reply, which the inspector judges a refusal again.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CaptureError(f"capture folder not found: {folder}")
    index = _read_index(folder)
    hostname = str((index or {}).get("hostname") or folder.resolve().name)
    device_type = (index or {}).get("platform") or platform
    if not device_type:
        raise CaptureError(
            f"{folder} has no {INDEX}: say its platform with --platform "
            f"({', '.join(sorted(_DEVICE_TYPES))})"
        )
    if device_type not in _DEVICE_TYPES:
        where = f"{folder / INDEX} says" if index and index.get("platform") else "--platform is"
        raise CaptureError(
            f"{where} {device_type!r}; the lab serves {', '.join(sorted(_DEVICE_TYPES))}"
        )
    templates: dict[str, str] = {}
    commands: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        found = _OUTPUT.match(path.name)
        if not found or not path.is_file():
            continue
        slug = found.group("slug")
        words = [w for w in slug.lower().split("_") if w]
        if not words or words[0] in _SESSION_WORDS:
            continue
        templates[slug] = _read_output(path)
    for entry in (index or {}).get("commands") or []:
        found = _OUTPUT.match(str(entry.get("file") or ""))
        if found and found.group("slug") in templates:
            commands[found.group("slug")] = str(entry["command"])
    if not templates:
        raise CaptureError(f"{folder} holds no saved output (<command_slug>.txt)")
    os_name = _DEVICE_TYPES[device_type]
    scenarios: dict[str, Scenario] = {
        HEALTHY: Scenario(name=HEALTHY, description="As captured.", kind="healthy"),
        # The wire-level faults every lab chassis has (slow, dropped, hung, refusing login).
        **common_scenarios(),
    }
    profile = Profile(
        name=f"capture:{hostname}",
        os=os_name,
        pid="",
        description=f"saved outputs in {folder}",
        serial_prefix="CAP",
        version="",
        values={},
        templates=templates,
        scenarios=scenarios,
        command_names=commands,
        verbatim=True,
    )
    return hostname, profile


def plan_captures(folders: Sequence[Path], platform: str | None = None) -> list[ChassisSpec]:
    """One lab chassis per capture folder; `platform` applies to folders without index.json."""
    if not folders:
        raise CaptureError("give at least one capture folder")
    specs: list[ChassisSpec] = []
    seen: dict[str, Path] = {}
    for number, folder in enumerate(folders, start=1):
        hostname, profile = capture_profile(Path(folder), platform)
        if hostname in seen:
            raise CaptureError(
                f"{seen[hostname]} and {folder} are both chassis {hostname!r}: "
                "a lab serves each hostname once"
            )
        seen[hostname] = Path(folder)
        specs.append(
            ChassisSpec(
                hostname=hostname,
                profile=profile.name,
                scenario=HEALTHY,
                index=number,
                serial=profile.serial(number),
                capture=profile,
            )
        )
    return specs

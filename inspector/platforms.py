"""Platform quirks as data: one row per netmiko device type the inspector can talk to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Platform:
    device_type: str  # netmiko's name, used in inventories and on the command line
    genie_os: str  # the OS name Genie's parser abstraction expects
    label: str  # what an engineer calls it
    needs_enable: bool  # logs in unprivileged and must `enable` before most show commands
    # The support file the program asks for, printed on the terminal. IOS-XR's plain
    # `show tech-support` writes an archive to the chassis's disk, so `terminal` is asked for.
    show_tech: str = "show tech-support"


PLATFORMS: dict[str, Platform] = {
    p.device_type: p
    for p in (
        Platform(device_type="cisco_ios", genie_os="ios", label="IOS", needs_enable=True),
        Platform(device_type="cisco_xe", genie_os="iosxe", label="IOS-XE", needs_enable=True),
        Platform(device_type="cisco_nxos", genie_os="nxos", label="NX-OS", needs_enable=False),
        Platform(device_type="cisco_xr", genie_os="iosxr", label="IOS-XR", needs_enable=False,
                 show_tech="show tech-support terminal"),
        Platform(device_type="cisco_asa", genie_os="asa", label="ASA", needs_enable=True),
    )
}


class UnknownPlatform(ValueError):
    pass


def platform_for(device_type: str) -> Platform:
    try:
        return PLATFORMS[device_type]
    except KeyError:
        known = ", ".join(sorted(PLATFORMS))
        raise UnknownPlatform(
            f"unknown platform {device_type!r}: expected one of {known}"
        ) from None

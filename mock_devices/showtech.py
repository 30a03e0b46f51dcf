"""`show tech-support` for a lab chassis: the chassis's own outputs, its running
configuration (with the kinds of secrets a real one prints, so redaction is exercised) and
the per-process and per-interface detail that makes a real one large.

Generated on demand rather than stored: a modular chassis's file runs to several megabytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .server import Chassis

# The command each OS answers with the file on the terminal. IOS-XR's plain
# `show tech-support` writes an archive to the device's disk instead; `terminal` prints it.
COMMANDS = {
    "ios": "show tech-support",
    "iosxe": "show tech-support",
    "nxos": "show tech-support",
    "iosxr": "show tech-support terminal",
    "asa": "show tech-support",
}

# How large the file grows: modular chassis carry many more processes, cards and ports.
_TARGET_BYTES = {"iosxr": 6_000_000, "nxos": 2_500_000}
_DEFAULT_TARGET = 900_000

# Secrets as a running configuration prints them; the inspector must mask every one.
LAB_CONFIG_SECRETS = {
    "enable_secret": "$9$labEnableHashXyZ0123456789abcdefABCDEF",
    "user_password7": "0822455D0A16544541",
    "snmp_community": "lab-snmp-Community-RO",
    "tacacs_key": "lab-Tacacs-Key-9981",
    "isakmp_key": "lab-Isakmp-PSK-7731",
}


def _header(command: str) -> str:
    return f"\n------------------ {command} ------------------\n\n"


def _running_config(hostname: str) -> str:
    s = LAB_CONFIG_SECRETS
    return (
        "Building configuration...\n\nCurrent configuration : 9315 bytes\n!\n"
        f"hostname {hostname}\n!\n"
        f"enable secret 9 {s['enable_secret']}\n!\n"
        f"username netops privilege 15 password 7 {s['user_password7']}\n!\n"
        f"snmp-server community {s['snmp_community']} RO\n"
        f"tacacs-server host 192.0.2.10 key 7 {s['tacacs_key']}\n"
        f"crypto isakmp key {s['isakmp_key']} address 198.51.100.7\n!\n"
        "line vty 0 15\n transport input ssh\n!\nend\n"
    )


def _process_detail(hostname: str, block: int) -> str:
    rows = "".join(
        f" {pid:5d} {(pid * 7919 + block) % 900000:10d} {(pid * 104729) % 5000000:11d}"
        f" {(pid * 31) % 9000:10d} {(pid * 17) % 200:8d}  {hostname[:8]}-proc-{pid % 97:02d}\n"
        for pid in range(block * 200, block * 200 + 200)
    )
    return (
        _header(f"show processes memory detailed {block}")
        + "  PID  Allocated       Freed     Holding  Getbufs  Process\n" + rows
    )


def render_show_tech(chassis: Chassis) -> str:
    profile = chassis.profile
    parts = [_header("show clock"), "*00:00:00.000 UTC Mon Jan 1 2024\n"]
    for slug in sorted(chassis.templates):
        parts.append(_header(profile.command_for(slug)) + chassis.output(slug))
    parts.append(_header("show running-config") + _running_config(chassis.spec.hostname))
    size = sum(len(p) for p in parts)
    target = _TARGET_BYTES.get(profile.os, _DEFAULT_TARGET)
    block = 0
    while size < target:
        detail = _process_detail(chassis.spec.hostname, block)
        parts.append(detail)
        size += len(detail)
        block += 1
    return "".join(parts)

"""How each Cisco OS behaves at the CLI, as data: prompts, privilege, errors, set-up commands.

The server in `server.py` is one generic state machine; everything that differs between IOS,
IOS-XE, NX-OS, IOS-XR and ASA lives in the rows below, so a new OS is a new row, not a subclass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class OsTraits:
    name: str  # Genie's OS name, also the key profiles use
    device_type: str  # netmiko's device type
    # Prompt as printed; {hostname} is the chassis name, {mark} is '>' or '#'.
    prompt: str = "{hostname}{mark}"
    config_prompt: str = "{hostname}(config)#"
    starts_privileged: bool = False
    has_enable: bool = True
    enable_password_prompt: str = "Password: "
    # Tries before giving up, and what is printed after a wrong secret and after the last one.
    enable_attempts: int = 1
    enable_retry_message: str = ""
    enable_denied_message: str = "% Access denied"
    # The error for a command the OS does not know; the caret line is built by the server.
    invalid_input: str = "% Invalid input detected at '^' marker."
    ambiguous: str = '% Ambiguous command:  "{command}"'
    incomplete: str = "% Incomplete command."
    # Commands a session-preparation routine sends (netmiko, Nornir, scripts); they change the
    # terminal and print nothing. Full-match regexes on the whitespace-collapsed command.
    terminal_commands: tuple[str, ...] = ()
    # Regex whose first group is the page length the session asks for (0 = no paging).
    page_length_command: str = r"terminal length (\d+)"
    default_page_length: int = 24
    # What unprivileged EXEC may run (prefixes); privileged-only commands get `invalid_input`.
    user_mode_commands: tuple[str, ...] = ()
    exit_commands: tuple[str, ...] = ("exit", "logout")
    disable_command: str | None = "disable"
    config_command: str = "configure terminal"
    config_banner: str = "Enter configuration commands, one per line.  End with CNTL/Z."
    # IOS-XR stamps every exec command's output with the time unless told not to.
    timestamp_commands: bool = False
    timestamp_off_command: str | None = None
    # Login banners seen right after authentication, before the first prompt.
    motd: str = ""

    def render_prompt(self, hostname: str, privileged: bool) -> str:
        return self.prompt.format(hostname=hostname, mark="#" if privileged else ">")

    def is_terminal_command(self, command: str) -> bool:
        return any(re.fullmatch(p, command) for p in self.terminal_commands)

    def allowed_unprivileged(self, command: str) -> bool:
        return any(
            command == allowed or command.startswith(allowed + " ")
            for allowed in self.user_mode_commands
        )


_IOS_TERMINAL = (
    r"terminal length \d+",
    r"terminal width \d+",
    r"terminal (no )?monitor",
    r"terminal no editing",
    r"terminal editing",
    r"terminal exec prompt (no-)?timestamp",
)

# What IOS lets a privilege-1 user run. `show logging`, `dir` and friends need `enable`, so a
# tool that forgets to elevate sees the same "% Invalid input" a real switch prints.
_IOS_USER_MODE = (
    "enable",
    "show version",
    "show inventory",
    "show interfaces",
    "show clock",
    "show privilege",
    "show license",
    "show boot",
    "show environment",
)

OS_TRAITS: dict[str, OsTraits] = {
    t.name: t
    for t in (
        OsTraits(
            name="ios",
            device_type="cisco_ios",
            terminal_commands=_IOS_TERMINAL,
            user_mode_commands=_IOS_USER_MODE,
        ),
        OsTraits(
            name="iosxe",
            device_type="cisco_xe",
            terminal_commands=_IOS_TERMINAL,
            user_mode_commands=_IOS_USER_MODE,
        ),
        OsTraits(
            name="nxos",
            device_type="cisco_nxos",
            # NX-OS and ASA put a space after the prompt mark; IOS and IOS-XR do not.
            prompt="{hostname}{mark} ",
            config_prompt="{hostname}(config)# ",
            starts_privileged=True,
            has_enable=False,
            invalid_input="% Invalid command at '^' marker.",
            ambiguous="% Ambiguous command at '^' marker.",
            terminal_commands=(
                r"terminal length \d+",
                r"terminal width \d+",
                r"terminal (no )?monitor",
                r"terminal session-timeout \d+",
                r"terminal dont-ask",
            ),
            disable_command=None,
            config_banner="Enter configuration commands, one per line. End with CNTL/Z.",
            motd=(
                "Cisco Nexus Operating System (NX-OS) Software\n"
                "TAC support: http://www.cisco.com/tac\n"
                "Copyright (C) 2002-2023, Cisco and/or its affiliates.\n"
                "All rights reserved.\n"
                "The copyrights to certain works contained in this software are\n"
                "owned by other third parties and used and distributed under their own\n"
                'licenses, such as open source.  This software is provided "as is," and unless\n'
                "otherwise stated, there is no warranty, express or implied, including but not\n"
                "limited to warranties of merchantability and fitness for a particular purpose.\n"
                "Certain components of this software are licensed under\n"
                "the GNU General Public License (GPL) version 2.0 or \n"
                "GNU General Public License (GPL) version 3.0  or the GNU\n"
                "Lesser General Public License (LGPL) Version 2.1 or \n"
                "Lesser General Public License (LGPL) Version 2.0. \n"
                "A copy of each such license is available at\n"
                "http://www.opensource.org/licenses/gpl-2.0.php and\n"
                "http://opensource.org/licenses/gpl-3.0.html and\n"
                "http://www.opensource.org/licenses/lgpl-2.1.php and\n"
                "http://www.gnu.org/licenses/old-licenses/library.txt.\n"
            ),
        ),
        OsTraits(
            name="iosxr",
            device_type="cisco_xr",
            prompt="RP/0/RSP0/CPU0:{hostname}{mark}",
            config_prompt="RP/0/RSP0/CPU0:{hostname}(config)#",
            starts_privileged=True,
            has_enable=False,
            terminal_commands=(
                r"terminal length \d+",
                r"terminal width \d+",
                r"terminal (no )?monitor",
                r"terminal exec prompt (no-)?timestamp",
            ),
            disable_command=None,
            config_command="configure",
            config_banner="",
            timestamp_commands=True,
            timestamp_off_command="terminal exec prompt no-timestamp",
        ),
        OsTraits(
            name="asa",
            device_type="cisco_asa",
            prompt="{hostname}{mark} ",
            config_prompt="{hostname}(config)# ",
            enable_attempts=3,
            enable_retry_message="Invalid password",
            enable_denied_message="Access denied.",
            invalid_input="ERROR: % Invalid input detected at '^' marker.",
            ambiguous='ERROR: % Ambiguous command:  "{command}"',
            incomplete="ERROR: % Incomplete command",
            terminal_commands=(r"terminal pager (lines )?\d+", r"terminal width \d+"),
            page_length_command=r"terminal pager (?:lines )?(\d+)",
            # ASA user EXEC is tiny: no `show version` until you `enable` or `login`.
            user_mode_commands=("enable", "login", "show curpriv", "ping", "traceroute"),
            exit_commands=("exit", "logout", "quit"),
            config_banner="",
        ),
    )
}


def traits_for(os_name: str) -> OsTraits:
    try:
        return OS_TRAITS[os_name]
    except KeyError:
        raise ValueError(f"unknown OS {os_name!r}: expected one of {sorted(OS_TRAITS)}") from None

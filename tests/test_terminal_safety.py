"""Text a device or an inventory supplies never acts on the inspector's terminal."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from reports.terminal import print_record_detail, print_summary, shown

HOSTILE = "C9300\x1b[2J\x1b]0;owned\x07[bold red]FAKE PASS[/]\x9b31m"


def _console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    # No colour system: every escape sequence in the output would be the device's.
    return Console(file=buffer, color_system=None, width=300), buffer


def _record() -> dict[str, object]:
    return {
        "chassis": {"hostname": HOSTILE, "pid": HOSTILE, "serial": HOSTILE, "os": "IOS-XE",
                    "version": HOSTILE},
        "verdict": "FAIL", "verdict_reason": HOSTILE,
        "checks": [{"id": "hw.psu.status", "status": "FAIL", "severity": "major",
                    "message": HOSTILE, "evidence": [{"path": HOSTILE, "actual": HOSTILE}],
                    "commands": [{"command": "show environment all", "sha256": None,
                                  "parser": "own"}]}],
    }


def test_control_characters_and_markup_are_spelled_out() -> None:
    assert shown("a\x1bb\x07c\x9bd\te\nf") == "a\\x1bb\\x07c\\x9bd\te\nf"
    assert shown("[bold]x[/]") == "\\[bold]x\\[/]"


def test_a_record_and_a_summary_print_inert() -> None:
    console, buffer = _console()
    print_record_detail(console, _record())
    print_summary(console, [{"hostname": HOSTILE, "platform": "cisco_xe", "pid": HOSTILE,
                             "serial": HOSTILE, "verdict": "ERROR", "failed": [],
                             "reason": HOSTILE}], run_dir=Path("run"),
                  records=Path("run/records"))
    printed = buffer.getvalue()
    assert "\x1b" not in printed and "\x07" not in printed and "\x9b" not in printed
    assert "\\x1b[2J" in printed and "[bold red]FAKE PASS[/]" in printed

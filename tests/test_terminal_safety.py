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


def _row(hostname: str, verdict: str = "PASS", **more: object) -> dict[str, object]:
    return {"hostname": hostname, "platform": "cisco_xe", "pid": "C9300-48P",
            "serial": "FOC2115SRPE", "verdict": verdict, "failed": [], "reason": "", **more}


def test_the_summary_is_one_aligned_line_a_chassis_whatever_its_cells_hold() -> None:
    console, buffer = _console()
    rows = [_row("sw1"), _row("core\nsw2\tb", "FAIL", failed=["hw.psu.status", "op.cpu.load"]),
            _row("edge-3", "ERROR", reason="timed out\nconnecting")]
    print_summary(console, rows, run_dir=Path("site-a"), records=Path("site-a/records"))
    lines = buffer.getvalue().splitlines()
    assert lines[0] == "Inspection site-a"
    header, body = lines[1], lines[2:5]
    assert header.split() == ["chassis", "platform", "PID", "serial", "verdict", "findings"]
    assert [line.split()[0] for line in body] == ["sw1", "core\\x0asw2\\x09b", "edge-3"]
    assert body[1].endswith("FAIL     hw.psu.status, op.cpu.load")
    assert body[2].endswith("ERROR    timed out\\x0aconnecting")
    assert body[0].endswith("PASS")  # nothing trails a row without findings
    # Every column starts where its header does.
    for name in ("platform", "PID", "serial", "verdict"):
        at = header.index(name)
        assert all(line[at - 2:at] == "  " and line[at] != " " for line in body), name
    assert lines[5] == "3 chassis: 1 passed, 1 failed, 1 errored"


def test_a_very_long_cell_runs_on_without_widening_every_row() -> None:
    console, buffer = _console()
    print_summary(console, [_row("x" * 500), _row("sw1")], run_dir=Path("r"),
                  records=Path("r/records"))
    lines = buffer.getvalue().splitlines()
    assert len(lines[1]) < 120 and len(lines[3]) < 120
    assert lines[2].startswith("x" * 500 + "  cisco_xe")

"""Read-only by construction: the one gate every command passes before it reaches a device."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from inspector.collect import collect
from inspector.evidence import EvidenceWriter
from inspector.readonly import NotReadOnly, require_read_only
from tests.fake_session import FakeHost, FakeTask

ALLOWED = ["show version", "show environment all", "dir crashinfo:", "dir harddisk:/dumper",
           "admin show environment", "show interfaces status err-disabled",
           "show tech-support terminal"]
REFUSED = ["configure terminal", "conf t", "write memory", "copy run start", "reload",
           "delete flash:x", "show run | redirect flash:x", "show run | append disk0:x",
           "show version\nreload", "show version; reload", " show version", "show  version",
           "terminal length 0", "clear counters", "debug all", "test crash", "format flash:",
           "show tech | tee flash:x", "dir > x"]


@pytest.mark.parametrize("command", ALLOWED)
def test_read_only_commands_pass(command: str) -> None:
    assert require_read_only(command) == command


@pytest.mark.parametrize("command", REFUSED)
def test_anything_else_is_refused(command: str) -> None:
    with pytest.raises(NotReadOnly):
        require_read_only(command)


class _Device:
    """Stands in for a netmiko connection and remembers what reached it."""

    base_prompt = "sw1"
    global_cmd_verify = None

    def __init__(self) -> None:
        self.sent: list[str] = []

    def find_prompt(self) -> str:
        return "sw1#" if "enable" in self.sent else "sw1>"

    def enable(self, **_: Any) -> None:
        self.sent.append("enable")

    def send_command(self, command: str, **_: Any) -> str:
        self.sent.append(command)
        return f"output of {command}\n"


def test_a_check_asking_for_a_configuration_command_is_refused_before_sending(
        tmp_path: Path) -> None:
    device = _Device()
    writer = EvidenceWriter(tmp_path, hostname="sw1", platform="cisco_xe")
    session = collect(
        FakeTask(FakeHost(device)), writer=writer, command_timeout=5, secrets=[],
        commands=[("show version",), ("configure terminal",), ("show inventory",)],
    )
    writer.finish(session).write()
    assert device.sent == ["enable", "show version", "show inventory"]
    index = json.loads((tmp_path / "index.json").read_text())
    refused = next(e for e in index["commands"] if e["command"] == "configure terminal")
    assert "refused" in refused["error"] and "file" not in refused
    assert session.connected and session.privileged

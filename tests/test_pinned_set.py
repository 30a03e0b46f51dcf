"""What a run's judging and collection rely on, held in place: the pinned package set that
`make` installs, and the one paramiko internal the read loop uses."""

from __future__ import annotations

import re
import threading
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    """A requirement's distribution name, normalised as pip compares them."""
    name = re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_dependency_is_pinned_by_the_constraints_make_installs() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    lines = [line for line in (ROOT / "constraints.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    pinned = {_name(line): line for line in lines}
    assert all("==" in line for line in lines), "constraints.txt pins exact versions only"
    assert not wanted - pinned.keys(), f"not pinned: {sorted(wanted - pinned.keys())}"
    # The packages that read and judge evidence, and paramiko for collection, are pinned too.
    assert {"genie-libs-parser", "ntc-templates", "paramiko", "textfsm"} <= pinned.keys()
    assert "constraints.txt" in (ROOT / "Makefile").read_text()


def test_paramikos_channel_buffer_still_signals_arrival_as_the_read_loop_needs() -> None:
    """inspector.collect._send_command waits on `channel.in_buffer.set_event(event)` instead
    of polling: paramiko must set the event when data arrives or the channel closes, and
    clear it once the data is read. Should a paramiko release change that private
    behaviour, every command would time out; this test says why first."""
    import paramiko

    channel = paramiko.Channel(1)
    pipe = channel.in_buffer
    assert hasattr(pipe, "set_event"), (
        f"paramiko {paramiko.__version__}: Channel.in_buffer has no set_event; "
        "inspector.collect._send_command relies on it")
    arrived = threading.Event()
    pipe.set_event(arrived)
    assert not arrived.is_set(), "an empty buffer must leave the event clear"
    pipe.feed(b"R1#")
    assert arrived.is_set(), "data fed into the channel's buffer must set the event"
    assert pipe.read(3) == b"R1#"
    assert not arrived.is_set(), "reading the buffer empty must clear the event"
    pipe.close()
    assert arrived.is_set(), "a closed channel must set the event, or a read waits forever"


def test_a_change_of_what_judges_is_named_package_by_package() -> None:
    from inspector.policy import load_policy
    from inspector.provenance import differences, judged_with

    now = judged_with(load_policy())
    assert {"chassis-inspector", "genie", "genie.libs.parser", "ntc_templates", "netmiko",
            "paramiko"} <= now["packages"].keys()
    assert differences(now, now) == []
    before = {"packages": {**now["packages"], "genie.libs.parser": "24.1"},
              "policy_sha256": "0" * 64}
    before["packages"].pop("paramiko")
    assert differences(before, now) == [
        f"genie.libs.parser 24.1 -> {now['packages']['genie.libs.parser']}",
        f"paramiko absent -> {now['packages']['paramiko']}",
        "the policy differs from the run's"]
    assert "older inspector" in differences(None, now)[0]

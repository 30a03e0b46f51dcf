"""Privileged mode is entered with the fewest prompt reads, and only a `#` prompt counts as
privileged: the prompt read after login says the mode, `enable` is sent only from a user-mode
prompt, and the prompt read after it must end in `#` before any show command is sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from inspector.collect import collect
from inspector.evidence import EvidenceWriter
from tests.fake_session import FakeHost, FakeTask


class _Device:
    """A netmiko connection's stand-in: logs in at `prompt` and remembers every call that
    reaches the device. `enable_works` False: the secret is refused; `enable_raises`: netmiko
    gave up on the reply (its ValueError)."""

    def __init__(self, prompt: str, *, enable_works: bool = True,
                 enable_raises: bool = False) -> None:
        self.prompt = prompt
        self.enable_works = enable_works
        self.enable_raises = enable_raises
        self.calls: list[str] = []
        self.global_cmd_verify = None

    def find_prompt(self) -> str:
        self.calls.append("find_prompt")
        return self.prompt

    def enable(self, check_state: bool = True) -> str:
        self.calls.append(f"enable(check_state={check_state})")
        if self.enable_raises:
            raise ValueError("Failed to enter enable mode.")
        if self.enable_works:
            self.prompt = self.prompt[:-1] + "#"
        return ""

    def check_enable_mode(self) -> bool:
        self.calls.append("check_enable_mode")
        return self.prompt.endswith("#")

    def send_command(self, command: str, **_: Any) -> str:
        self.calls.append(command)
        return f"output of {command}\n"


def _collect(device: _Device, tmp_path: Path, platform: str = "cisco_xe") -> Any:
    writer = EvidenceWriter(tmp_path, hostname="sw1", platform=platform)
    return collect(FakeTask(FakeHost(device, platform)), writer=writer, command_timeout=5,
                   secrets=[], commands=[("show version",)])


@pytest.mark.parametrize("platform", ["cisco_ios", "cisco_xe", "cisco_asa"])
def test_a_user_mode_login_is_enabled_with_one_prompt_read_before_and_one_after(
        platform: str, tmp_path: Path) -> None:
    device = _Device("sw1>")
    session = _collect(device, tmp_path, platform)
    assert device.calls == ["find_prompt", "enable(check_state=False)", "find_prompt",
                            "show version"]
    assert session.privileged and session.prompt == "sw1#" and session.error is None


def test_a_login_already_privileged_is_not_sent_enable(tmp_path: Path) -> None:
    device = _Device("sw1#")
    session = _collect(device, tmp_path)
    assert device.calls == ["find_prompt", "show version"]
    assert session.privileged and session.prompt == "sw1#"


@pytest.mark.parametrize("device", [_Device("sw1>", enable_works=False),
                                    _Device("sw1>", enable_raises=True)],
                         ids=["prompt-stays-user-mode", "netmiko-gives-up"])
def test_a_refused_secret_sends_no_show_command_and_keeps_the_prompt_seen(
        device: _Device, tmp_path: Path) -> None:
    session = _collect(device, tmp_path)
    assert session.error == "enable secret refused" and not session.privileged
    assert session.prompt == "sw1>"
    assert "show version" not in device.calls
    assert device.calls.count("enable(check_state=False)") == 1


def test_platforms_without_enable_read_the_prompt_once(tmp_path: Path) -> None:
    device = _Device("sw1#")
    session = _collect(device, tmp_path, "cisco_nxos")
    assert device.calls == ["find_prompt", "show version"]
    assert session.privileged

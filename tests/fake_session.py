"""A Nornir task and host shaped as `inspector.collect.collect` uses them, around a stand-in
for a netmiko connection: a session's steps tested without SSH."""

from __future__ import annotations

from typing import Any


class FakeHost:
    name = "sw1"

    def __init__(self, device: Any, platform: str = "cisco_xe") -> None:
        self.device = device
        self.platform = platform

    def get_connection(self, *_: Any) -> Any:
        return self.device

    def close_connection(self, *_: Any) -> None:
        pass

    def get(self, key: str, default: Any = None) -> Any:  # its inventory data: none
        return default


class FakeTask:
    class nornir:  # noqa: N801 - shaped like Nornir's task.nornir.config
        config = None

    def __init__(self, host: FakeHost) -> None:
        self.host = host

"""The plain approach, as an engineer would write it by hand: the yardstick of `bench.py`.

`python bench/baseline.py --inventory DIR --workers N`

A Nornir run with its stock threaded runner; per chassis one nornir-netmiko
`netmiko_send_command(command_string=..., use_genie=True)` task per command, entering enable
mode where the platform needs it. The commands are the ones the inspector sends for the whole
catalogue (the first command of each of `inspector.evaluate.plan_commands`' groups). Nothing is
judged or written: Genie's parsed data stays in Nornir's results, as in such a script. The
connection is closed once a chassis is done, so 1000 chassis do not hold 1000 sessions open.

Prints one JSON line: chassis, ok (every command answered) and failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo

from inspector.catalogue import load_catalogue
from inspector.evaluate import plan_commands
from inspector.platforms import PLATFORMS


def commands_by_platform() -> dict[str, list[str]]:
    checks = load_catalogue().select(None)
    return {platform: [group[0] for group in plan_commands(platform, checks)]
            for platform in PLATFORMS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inventory", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=20)
    args = parser.parse_args(argv)

    from nornir import InitNornir
    from nornir.core.task import Result, Task
    from nornir_netmiko.tasks import netmiko_send_command

    commands = commands_by_platform()
    nornir = InitNornir(
        runner={"plugin": "threaded", "options": {"num_workers": args.workers}},
        inventory={"plugin": "SimpleInventory", "options": {
            "host_file": str(args.inventory / "hosts.yaml"),
            "group_file": str(args.inventory / "groups.yaml"),
            "defaults_file": str(args.inventory / "defaults.yaml"),
        }},
        logging={"enabled": False},
    )

    def inspect(task: Task) -> Result:
        enable = PLATFORMS[task.host.platform].needs_enable
        try:
            for command in commands[task.host.platform]:
                task.run(task=netmiko_send_command, command_string=command, use_genie=True,
                         enable=enable)
        finally:
            task.host.close_connections()
        return Result(host=task.host)

    results: Any = nornir.run(task=inspect)
    failed = sorted(results.failed_hosts)
    print(json.dumps({"chassis": len(results), "ok": len(results) - len(failed),
                      "failed": failed[:10]}))
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())

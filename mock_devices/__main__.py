"""`python -m mock_devices`: serve a lab until Ctrl-C, for manual poking and load tests.

The project's CLI (`inspector lab up`) is the supported entry point; this one exists so the lab
can be run and measured on its own.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .lab import LAB_HOST, Lab, plan_lab, serve_forever
from .server import Latency


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mock_devices", description=__doc__)
    parser.add_argument("--count", type=int, default=12)
    parser.add_argument("--scenario", default="mix", help='"mix", "healthy" or a scenario name')
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--host", default=LAB_HOST)
    parser.add_argument("--port-base", type=int, default=None)
    parser.add_argument("--inventory-out", type=Path, default=None)
    parser.add_argument("--command-log", type=Path, default=None)
    parser.add_argument("--latency", type=float, default=0.0, metavar="SECONDS",
                        help="every chassis waits this long before answering each command")
    parser.add_argument("--login-latency", type=float, default=0.0, metavar="SECONDS",
                        help="every chassis waits this long after login before its prompt")
    args = parser.parse_args(argv)
    specs = plan_lab(args.count, args.scenario, args.seed)

    def ready(lab: Lab) -> None:
        for spec in lab.specs:
            print(
                f"{spec.hostname:24} {spec.profile:10} {spec.scenario:20} {lab.host}:{spec.port}",
                flush=True,
            )
        where = f", inventory in {args.inventory_out}" if args.inventory_out else ""
        print(f"lab up: {len(lab.specs)} chassis{where}; Ctrl-C to stop", flush=True)

    serve_forever(specs, args.host, args.port_base, args.command_log, args.inventory_out, ready,
                  latency=Latency(login=args.login_latency, command=args.latency))
    return 0


if __name__ == "__main__":
    sys.exit(main())

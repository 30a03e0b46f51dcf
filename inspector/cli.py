"""The `inspector` command. Heavy libraries (Nornir, netmiko, Genie) load inside the commands
that need them, so `inspector --help` stays instant.

Exit codes: 0 every chassis passed, 1 any failed, 2 none failed but any errored,
3 the inspector could not run (bad arguments, inventory, policy or capture).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

EXIT_UNUSABLE = 3


class Unusable(Exception):
    """Bad input from the user: printed as one clear line, exit code 3."""


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


def _parse_filters(filters: tuple[str, ...]) -> dict[str, str]:
    parsed = {}
    for item in filters:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise Unusable(f"--filter takes NAME=VALUE, got {item!r}")
        parsed[key.strip()] = value.strip()
    return parsed


def _load_checks(ids: tuple[str, ...] = ()) -> Any:
    from inspector.catalogue import load_catalogue

    return load_catalogue().select(ids or None)


def _load_policy(path: Path | None) -> Any:
    from inspector.policy import load_policy

    return load_policy(path)


_PATH = click.Path(path_type=Path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="chassis-inspector")
def app() -> None:
    """Read-only inspection of used and secondary-market Cisco chassis."""


@app.command()
@click.option("--inventory", type=_PATH, required=True,
              help="Nornir SimpleInventory folder (hosts.yaml, groups.yaml, defaults.yaml).")
@click.option("--filter", "filters", multiple=True, metavar="NAME=VALUE",
              help="Only hosts whose name, platform or data key (e.g. site) has this value; "
                   "repeatable.")
@click.option("--out", type=_PATH, default=Path("out"), show_default=True,
              help="Folder that receives the run folder.")
@click.option("--run-id", help="Name of the run folder (default: UTC timestamp).")
@click.option("--workers", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="Chassis inspected at once.")
@click.option("--policy", type=_PATH, help="YAML file overriding policy settings.")
@click.option("--check", "check_ids", multiple=True, help="Run only this check id; repeatable.")
def run(inventory: Path, filters: tuple[str, ...], out: Path, run_id: str | None, workers: int,
        policy: Path | None, check_ids: tuple[str, ...]) -> None:
    """Inspect every chassis of an inventory: one record per chassis, a summary, an exit code."""
    from inspector.run import (
        Credentials,
        RunError,
        apply_filters,
        load_nornir,
        missing_credentials,
        new_run_id,
        prepare_hosts,
        run_inspection,
    )

    checks = _load_checks(check_ids)
    rules = _load_policy(policy)
    nornir = apply_filters(load_nornir(inventory, workers), _parse_filters(filters))
    if not nornir.inventory.hosts:
        raise Unusable("no host in the inventory matches the filters")
    credentials = Credentials.from_env()
    if missing_credentials(nornir) and not (credentials.username and credentials.password):
        credentials = _prompt_credentials(credentials, len(missing_credentials(nornir)))
    secrets = prepare_hosts(nornir, credentials, rules)
    if missing_credentials(nornir):
        raise RunError("no credentials for " + ", ".join(missing_credentials(nornir)[:5])
                       + ": set them in the inventory or INSPECTOR_USERNAME / INSPECTOR_PASSWORD")
    summary = _run_with_progress(nornir, out=out, run_id=run_id or new_run_id(), checks=checks,
                                 policy=rules, secrets=secrets)
    sys.exit(summary.exit_code)


def _prompt_credentials(current: Any, hosts: int) -> Any:
    from dataclasses import replace
    from getpass import getpass

    if not sys.stdin.isatty():
        return current
    print(f"No credentials for {hosts} host(s); they are used for this run only.")
    return replace(
        current,
        username=current.username or input("Username: "),
        password=current.password or getpass("Password: "),
        secret=current.secret or getpass("Enable secret (empty: same as password): ") or None,
    )


def _run_with_progress(nornir: Any, **kwargs: Any) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from inspector.run import run_inspection
    from reports.terminal import print_summary

    console = _console()
    with Progress(TextColumn("inspecting"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TextColumn("{task.description}"), console=console,
                  transient=True) as progress:
        bar = progress.add_task("", total=len(nornir.inventory.hosts))

        def done(row: dict[str, Any]) -> None:
            progress.update(bar, advance=1, description=f"{row['hostname']}: {row['verdict']}")

        summary = run_inspection(nornir=nornir, on_done=done, **kwargs)
    print_summary(console, summary.rows, run_dir=summary.run_dir)
    return summary


@app.command()
@click.option("--count", type=click.IntRange(1, 1000), default=12, show_default=True,
              help="Mock chassis in the demo lab.")
@click.option("--out", type=_PATH, default=Path("out"), show_default=True,
              help="Folder that receives the run folder.")
@click.option("--workers", type=click.IntRange(1, 1000), default=12, show_default=True)
def demo(count: int, out: Path, workers: int) -> None:
    """Start a lab of healthy and faulty mock chassis, inspect it, print the summary."""
    import tempfile

    from inspector.run import Credentials, load_nornir, new_run_id, prepare_hosts
    from mock_devices.lab import expected_verdict, plan_lab, running_lab, write_inventory

    specs = plan_lab(count, "mix")
    rules = _load_policy(None)
    with tempfile.TemporaryDirectory(prefix="inspector-lab-") as tmp, running_lab(specs):
        inventory = Path(tmp)
        write_inventory(specs, inventory)
        nornir = load_nornir(inventory, workers)
        secrets = prepare_hosts(nornir, Credentials(), rules)
        summary = _run_with_progress(nornir, out=out, run_id=f"demo-{new_run_id()}",
                                     checks=_load_checks(), policy=rules, secrets=secrets)
    wrong = [s.hostname for s in specs
             if summary.verdicts.get(s.hostname) != expected_verdict(s.scenario)]
    console = _console()
    console.print(f"The lab gave {sum(s.scenario != 'healthy' for s in specs)} of {len(specs)} "
                  "chassis a fault; " + (f"[red]verdicts differ from the lab's scenario on "
                                         f"{', '.join(wrong)}[/]" if wrong else
                                         "every verdict matches the scenario the lab served."))
    sys.exit(1 if wrong else 0)


@app.command("checks")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable list.")
def list_checks(as_json: bool) -> None:
    """List the check catalogue."""
    checks = _load_checks()
    if as_json:
        doc = [
            {"id": c.id, "title": c.title, "domain": str(c.domain), "severity": str(c.severity),
             "platforms": c.platforms, "commands": {p: c.commands(p) for p in c.platforms}}
            for c in checks
        ]
        print(json.dumps(doc, indent=2))
        return
    from rich.table import Table

    table = Table("id", "domain", "severity", "platforms", "title")
    for c in checks:
        table.add_row(c.id, str(c.domain), str(c.severity), ", ".join(c.platforms), c.title)
    _console().print(table)


@app.command()
@click.option("--platform", required=True,
              help="netmiko device type: cisco_ios, cisco_xe, cisco_nxos, cisco_xr, cisco_asa.")
@click.option("--capture", type=_PATH, required=True,
              help="Folder of saved outputs, one `<command_slug>.txt` per command.")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
@click.option("--policy", type=_PATH, help="YAML file overriding policy settings.")
@click.option("--check", "check_ids", multiple=True, help="Only this check id; repeatable.")
def evaluate(platform: str, capture: Path, as_json: bool, policy: Path | None,
             check_ids: tuple[str, ...]) -> None:
    """Run the checks on a folder of saved outputs, without contacting any device."""
    from inspector.offline import evaluate_capture
    from inspector.platforms import platform_for

    platform_for(platform)
    record = evaluate_capture(capture, platform=platform, checks=_load_checks(check_ids),
                              policy=_load_policy(policy))
    if as_json:
        print(json.dumps(record, indent=2))
    else:
        from reports.terminal import print_record

        print_record(_console(), record)
    sys.exit({"PASS": 0, "FAIL": 1}.get(record["verdict"], 2))


@app.group()
def lab() -> None:
    """Mock chassis served over real SSH on 127.0.0.1."""


@lab.command("up")
@click.option("--count", type=click.IntRange(1, 5000), default=10, show_default=True,
              help="How many mock chassis.")
@click.option("--scenario", default="mix", show_default=True,
              help="`mix`, `healthy` or a fault scenario name.")
@click.option("--inventory-out", type=_PATH, required=True,
              help="Folder that receives the Nornir inventory once every chassis listens.")
@click.option("--port-base", type=click.IntRange(1, 65535),
              help="First TCP port (default: any free ports).")
@click.option("--command-log", type=_PATH, help="JSON-lines log of every command received.")
def lab_up(count: int, scenario: str, inventory_out: Path, port_base: int | None,
           command_log: Path | None) -> None:
    """Serve mock chassis on 127.0.0.1 until interrupted."""
    from mock_devices.lab import plan_lab, serve_forever

    serve_forever(plan_lab(count, scenario), inventory_out=inventory_out, port_base=port_base,
                  command_log=command_log)


def main() -> None:
    from inspector.catalogue import UnknownCheck
    from inspector.platforms import UnknownPlatform
    from inspector.policy import PolicyError
    from inspector.run import RunError

    try:
        code = app.main(standalone_mode=False)
    except click.exceptions.UsageError as exc:
        exc.show()
        code = EXIT_UNUSABLE
    except click.exceptions.Abort:
        print("inspector: interrupted", file=sys.stderr)
        code = 130
    except (Unusable, RunError, PolicyError, UnknownPlatform, UnknownCheck, FileNotFoundError,
            NotADirectoryError, ValueError) as exc:
        print(f"inspector: {exc}", file=sys.stderr)
        code = EXIT_UNUSABLE
    sys.exit(code or 0)

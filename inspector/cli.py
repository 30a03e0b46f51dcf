"""The `inspector` command. Heavy libraries (Nornir, netmiko, Genie) load inside the commands
that need them, so `inspector --help` stays instant."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

app = typer.Typer(
    help="Read-only inspection of used and secondary-market Cisco chassis.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
lab_app = typer.Typer(help="Mock chassis served over real SSH on 127.0.0.1.", no_args_is_help=True)
app.add_typer(lab_app, name="lab")

# Exit codes: 0 every chassis passed, 1 any failed, 2 none failed but any errored,
# 3 the inspector could not run (bad arguments, inventory, policy or capture).
EXIT_UNUSABLE = 3


class Unusable(Exception):
    """Bad input from the user: printed as one clear line, exit code 3."""


def _console() -> Any:
    from rich.console import Console

    return Console(stderr=False, highlight=False)


def _parse_filters(filters: list[str]) -> dict[str, str]:
    parsed = {}
    for item in filters:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise Unusable(f"--filter takes NAME=VALUE, got {item!r}")
        parsed[key.strip()] = value.strip()
    return parsed


def _load_checks(ids: list[str] | None) -> Any:
    from inspector.catalogue import load_catalogue

    return load_catalogue().select(ids or None)


def _load_policy(path: Path | None) -> Any:
    from inspector.policy import load_policy

    return load_policy(path)


@app.command()
def run(
    inventory: Annotated[Path, typer.Option(help="Nornir SimpleInventory folder (hosts.yaml, groups.yaml, defaults.yaml).")],
    filter: Annotated[list[str], typer.Option("--filter", help="Only hosts whose NAME=VALUE (name, platform, or a data key such as site); repeatable.")] = [],
    out: Annotated[Path, typer.Option(help="Folder that receives the run folder.")] = Path("out"),
    run_id: Annotated[Optional[str], typer.Option(help="Name of the run folder (default: UTC timestamp).")] = None,
    workers: Annotated[int, typer.Option(min=1, max=1000, help="Chassis inspected at once.")] = 20,
    policy: Annotated[Optional[Path], typer.Option(help="YAML file overriding policy settings.")] = None,
    check: Annotated[list[str], typer.Option("--check", help="Run only this check id; repeatable.")] = [],
) -> None:
    """Inspect every chassis of an inventory: one record per chassis, a summary, an exit code."""
    from inspector.run import (
        Credentials,
        RunError,
        load_nornir,
        missing_credentials,
        new_run_id,
        prepare_hosts,
        run_inspection,
    )

    checks = _load_checks(check)
    rules = _load_policy(policy)
    nornir = load_nornir(inventory, workers)
    from inspector.run import apply_filters

    nornir = apply_filters(nornir, _parse_filters(filter))
    if not nornir.inventory.hosts:
        raise Unusable("no host in the inventory matches the filters")
    credentials = Credentials.from_env()
    if missing_credentials(nornir) and not (credentials.username and credentials.password):
        credentials = _prompt_credentials(credentials, missing_credentials(nornir))
    secrets = prepare_hosts(nornir, credentials, rules)
    if missing_credentials(nornir):
        raise RunError("no credentials for " + ", ".join(missing_credentials(nornir)[:5])
                       + ": set them in the inventory or INSPECTOR_USERNAME / INSPECTOR_PASSWORD")
    summary = _run_with_progress(nornir, run_inspection, out=out, run_id=run_id or new_run_id(),
                                 checks=checks, policy=rules, secrets=secrets)
    raise typer.Exit(summary.exit_code)


def _prompt_credentials(current: Any, hosts: list[str]) -> Any:
    from dataclasses import replace
    from getpass import getpass

    if not sys.stdin.isatty():
        return current
    print(f"No credentials for {len(hosts)} host(s); they are used for this run only.")
    return replace(
        current,
        username=current.username or input("Username: "),
        password=current.password or getpass("Password: "),
        secret=current.secret or getpass("Enable secret (empty: same as password): ") or None,
    )


def _run_with_progress(nornir: Any, runner: Any, **kwargs: Any) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from reports.terminal import print_summary

    console = _console()
    total = len(nornir.inventory.hosts)
    with Progress(TextColumn("inspecting"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TextColumn("{task.description}"), console=console,
                  transient=True) as progress:
        bar = progress.add_task("", total=total)

        def done(row: dict[str, Any]) -> None:
            progress.update(bar, advance=1, description=f"{row['hostname']}: {row['verdict']}")

        summary = runner(nornir=nornir, on_done=done, **kwargs)
    print_summary(console, summary.rows, run_dir=summary.run_dir)
    return summary


@app.command()
def demo(
    count: Annotated[int, typer.Option(min=1, help="Mock chassis in the demo lab.")] = 12,
    out: Annotated[Path, typer.Option(help="Folder that receives the run folder.")] = Path("out"),
    workers: Annotated[int, typer.Option(min=1)] = 12,
) -> None:
    """Start a lab of healthy and faulty mock chassis, inspect it, print the summary."""
    import tempfile

    from inspector.run import Credentials, load_nornir, new_run_id, prepare_hosts, run_inspection
    from mock_devices.lab import plan_lab, running_lab, write_inventory

    specs = plan_lab(count, "mix")
    with tempfile.TemporaryDirectory(prefix="inspector-lab-") as tmp, running_lab(specs):
        inventory = Path(tmp)
        write_inventory(specs, inventory)
        nornir = load_nornir(inventory, workers)
        rules = _load_policy(None)
        secrets = prepare_hosts(nornir, Credentials(), rules)
        summary = _run_with_progress(nornir, run_inspection, out=out, run_id=f"demo-{new_run_id()}",
                                     checks=_load_checks(None), policy=rules, secrets=secrets)
    expected = {s.hostname: s.scenario for s in specs}
    _console().print(
        f"The lab served {len(specs)} chassis; faults given: "
        + ", ".join(sorted({s for s in expected.values() if s != 'healthy'})) + "."
    )


@app.command("checks")
def list_checks(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable list.")] = False,
) -> None:
    """List the check catalogue."""
    checks = _load_checks(None)
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
def evaluate(
    platform: Annotated[str, typer.Option(help="netmiko device type: cisco_ios, cisco_xe, cisco_nxos, cisco_xr, cisco_asa.")],
    capture: Annotated[Path, typer.Option(help="Folder of saved outputs, one `<command_slug>.txt` per command.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the record as JSON.")] = False,
    policy: Annotated[Optional[Path], typer.Option(help="YAML file overriding policy settings.")] = None,
    check: Annotated[list[str], typer.Option("--check", help="Only this check id; repeatable.")] = [],
) -> None:
    """Run the checks on a folder of saved outputs, without contacting any device."""
    from inspector.offline import evaluate_capture
    from inspector.platforms import platform_for

    platform_for(platform)
    record = evaluate_capture(capture, platform=platform, checks=_load_checks(check),
                              policy=_load_policy(policy))
    if as_json:
        print(json.dumps(record, indent=2))
    else:
        from reports.terminal import print_record

        print_record(_console(), record)
    raise typer.Exit({"PASS": 0, "FAIL": 1}.get(record["verdict"], 2))


@lab_app.command("up")
def lab_up(
    count: Annotated[int, typer.Option(min=1, max=5000, help="How many mock chassis.")] = 10,
    scenario: Annotated[str, typer.Option(help="`mix`, `healthy` or a fault scenario name.")] = "mix",
    inventory_out: Annotated[Path, typer.Option(help="Folder that receives the Nornir inventory.")] = Path("lab-inventory"),
    port_base: Annotated[Optional[int], typer.Option(help="First TCP port (default: any free ports).")] = None,
    command_log: Annotated[Optional[Path], typer.Option(help="JSON-lines log of every command received.")] = None,
) -> None:
    """Serve mock chassis on 127.0.0.1 until interrupted; the inventory is written once all listen."""
    from mock_devices.lab import plan_lab, serve_forever

    specs = plan_lab(count, scenario)
    serve_forever(specs, inventory_out=inventory_out, port_base=port_base,
                  command_log=command_log)


def main() -> None:
    from inspector.catalogue import UnknownCheck
    from inspector.platforms import UnknownPlatform
    from inspector.policy import PolicyError

    try:
        app(standalone_mode=True)
    except (Unusable, PolicyError, UnknownPlatform, UnknownCheck, FileNotFoundError,
            NotADirectoryError) as exc:
        print(f"inspector: {exc}", file=sys.stderr)
        sys.exit(EXIT_UNUSABLE)
    except Exception as exc:
        from inspector.run import RunError

        if isinstance(exc, RunError):
            print(f"inspector: {exc}", file=sys.stderr)
            sys.exit(EXIT_UNUSABLE)
        raise

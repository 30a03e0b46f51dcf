"""The `inspector` command. Heavy libraries (Nornir, netmiko, Genie) load inside the commands
that need them, so `inspector --help` stays instant.

Exit codes: 0 every chassis passed, 1 any failed, 2 none failed but any errored,
3 the inspector could not run (bad arguments, inventory, policy or capture).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from pathlib import Path
from shlex import quote
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


def _source_options(command: Any) -> Any:
    """The four places a run's hosts may come from; one of them at a time."""
    for option in reversed((
        click.option("--inventory", type=_PATH, metavar="DIR",
                     help="Nornir SimpleInventory folder (hosts.yaml, groups.yaml, "
                          "defaults.yaml)."),
        click.option("--checklist", "checklist_file", type=_PATH, metavar="FILE.csv",
                     help="Pre-inspection checklist (CSV)."),
        click.option("--nornir-config", type=_PATH, metavar="FILE.yaml",
                     help="Nornir configuration file: any inventory plugin and transform "
                          "function (NetBox, Nautobot, a spreadsheet)."),
        click.option("--testbed", type=_PATH, metavar="FILE.yaml",
                     help="pyATS testbed, read by pyATS's own loader."),
    )):
        command = option(command)
    return command


def _chosen_source(inventory: Path | None, checklist_file: Path | None,
                   nornir_config: Path | None, testbed: Path | None) -> Any:
    """The inventory source the user named (inspector.hosts.Source), or None."""
    from inspector.hosts import SOURCE_OPTIONS, Source

    given = [Source(kind, path) for kind, path in (
        ("inventory", inventory), ("checklist", checklist_file),
        ("nornir_config", nornir_config), ("testbed", testbed)) if path is not None]
    if len(given) > 1:
        raise Unusable("give one inventory source: " + ", ".join(
            SOURCE_OPTIONS[s.kind] for s in given) + " were given")
    return given[0] if given else None


def _access_options(command: Any) -> Any:
    """How sessions reach and log in to the chassis: on `run`, and on `rerun --live` for that
    rerun only (otherwise it reuses the run's)."""
    for option in reversed((
        click.option("--credentials", "credentials_file", type=_PATH, metavar="FILE.yaml",
                     help="Candidate credential sets (label, username, password, secret), "
                          "tried in order after the inventory's login, at most "
                          "collection.max_auth_failures refused per chassis; and the jump "
                          "host's `jump_password`."),
        click.option("--jump-host", metavar="USER@HOST[:PORT]",
                     help="Reach every chassis through this SSH bastion (a host's or group's "
                          "`jump_host` data wins); its password, if any, from the "
                          "--credentials file's `jump_password`, else "
                          "INSPECTOR_JUMP_PASSWORD."),
    )):
        command = option(command)
    return command


_NO_SOURCE = "give one of --inventory DIR, --checklist FILE.csv, --nornir-config FILE.yaml " \
             "or --testbed FILE.yaml"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="chassis-inspector")
def app() -> None:
    """Read-only inspection of used and secondary-market Cisco chassis."""


@app.command()
@_source_options
@click.option("--filter", "filters", multiple=True, metavar="NAME=VALUE",
              help="Only hosts whose name, platform or data key (e.g. site) has this value; "
                   "repeatable.")
@click.option("--out", type=_PATH, default=Path("out"), show_default=True,
              help="Folder that receives the run folder.")
@click.option("--run-id", help="Name of the run folder (default: UTC timestamp).")
# 50: on two cores, 50 sessions at once inspected 1000 lab chassis fastest and kept chassis
# that take 5 s each within 10% of the ideal time; 100 contend for the CPU (docs/performance.md).
@click.option("--workers", type=click.IntRange(1, 1000), default=50, show_default=True,
              help="Chassis inspected at once.")
@click.option("--policy", type=_PATH, help="YAML file overriding policy settings.")
@click.option("--check", "check_ids", multiple=True, help="Run only this check id; repeatable.")
@click.option("--resume", type=_PATH, metavar="RUN_DIR",
              help="Finish an interrupted run: inspect only its chassis without a record, "
                   "with the run's inventory, checks and policy.")
@click.option("--hold-list", type=_PATH, metavar="FILE",
              help="Serial numbers on compliance hold, one per line.")
@click.option("--show-tech/--no-show-tech", default=None,
              help="Collect each chassis's show tech-support file as evidence "
                   "(default: the policy's collection.show_tech, on).")
@click.option("--public-key", type=_PATH,
              help="With --resume: the key the run must be signed by (.pub; default: this "
                   "inspector's own).")
@_access_options
def run(inventory: Path | None, checklist_file: Path | None, nornir_config: Path | None,
        testbed: Path | None, filters: tuple[str, ...], out: Path, run_id: str | None,
        workers: int, policy: Path | None, check_ids: tuple[str, ...],
        resume: Path | None, hold_list: Path | None,
        show_tech: bool | None, public_key: Path | None, credentials_file: Path | None,
        jump_host: str | None) -> None:
    """Inspect every chassis of an inventory: one record per chassis, a summary, an exit code."""
    from inspector.credentials import load_file
    from inspector.hosts import Source, apply_filters, load_hosts
    from inspector.jump import JumpHost
    from inspector.manifest import default_key_path
    from inspector.provenance import judged_with
    from inspector.run import (
        Credentials,
        RunError,
        missing_credentials,
        new_run_id,
        prepare_hosts,
    )
    from inspector.store import read_seal, seal_for_resume, start_run, writing

    if public_key is not None and resume is None:
        raise Unusable("--public-key checks the run to resume: it needs --resume")
    source = _chosen_source(inventory, checklist_file, nornir_config, testbed)
    lock = contextlib.ExitStack()
    if resume:
        if filters or check_ids or policy or run_id:
            raise Unusable("--resume takes the run's own hosts, checks and policy; "
                           "drop --filter, --check, --policy and --run-id")
        lock.enter_context(writing(resume))
        resumable = seal_for_resume(resume, public_key)  # before anything reads the run
        if resumable.set_aside is not None:
            print(f"set aside what the run wrote after it was last signed (it was killed): "
                  f"{resumable.set_aside}; those chassis are inspected again")
        # The source the user gives wins over the one the run remembers.
        if source is None and resumable.source is not None:
            source = Source.from_json(resumable.source)
        if source is None:
            raise Unusable(f"the run does not name its inventory: {_NO_SOURCE}")
        check_ids, policy = tuple(resumable.check_ids), resumable.policy
        credentials_file = credentials_file or resumable.credentials
        jump_host = jump_host or resumable.jump_host
    elif source is None:
        raise Unusable(f"{_NO_SOURCE} (or --resume RUN_DIR)")
    if jump_host:
        JumpHost.parse(jump_host, "--jump-host")  # before the inventory is read
    checks = _load_checks(check_ids)
    rules = _load_policy(policy)
    holds = _load_hold_list(hold_list)  # with every other input, before the run folder
    nornir = apply_filters(load_hosts(source, workers), _parse_filters(filters))
    if resume:
        nornir = nornir.filter(filter_func=lambda host: host.name in set(resumable.hosts))
    if not nornir.inventory.hosts:
        raise Unusable("no host in the inventory matches the filters")
    given = load_file(credentials_file) if credentials_file else None
    credentials = Credentials.from_env(jump_password=given.jump_password if given else None)
    sets = given.sets if given else []
    if missing_credentials(nornir, bool(sets)) and not (credentials.username
                                                        and credentials.password):
        credentials = _prompt_credentials(credentials, len(missing_credentials(nornir)))
    prepare_hosts(nornir, credentials, rules, sets, jump_host)
    if missing := missing_credentials(nornir):
        # Quoted as check_hosts quotes a name: a control character in it is spelled out.
        raise RunError("no credentials for " + ", ".join(map(repr, missing[:5]))
                       + ": set them in the inventory or INSPECTOR_USERNAME / INSPECTOR_PASSWORD")
    new_key = not default_key_path().exists()  # the run's first signature makes it
    run_dir = resume or start_run(out=out, run_id=run_id or new_run_id(),
                                  hosts=list(nornir.inventory.hosts),
                                  check_ids=[c.id for c in checks], policy=rules,
                                  source=source.as_json(),
                                  show_tech=rules["collection.show_tech"] if show_tech is None
                                  else show_tech, judged_with=judged_with(rules),
                                  credentials=credentials_file, jump_host=jump_host)
    with lock:
        if not resume:
            lock.enter_context(writing(run_dir))
        summary = _run_with_progress(nornir, run_dir=run_dir, checks=checks, policy=rules,
                                     hold_list=holds,
                                     seal=resumable.seal if resume else read_seal(run_dir, None),
                                     new_key=new_key)
    sys.exit(summary.exit_code)


def _load_hold_list(path: Path | None) -> frozenset[str] | None:
    if path is None:
        return None
    from inspector.program import load_hold_list

    return load_hold_list(path)


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


def _run_with_progress(nornir: Any, new_key: bool = False, **kwargs: Any) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from inspector.run import run_inspection
    from inspector.store import record_path, records_dir
    from reports.terminal import print_signing, print_summary, shown_line

    console = _console()
    with Progress(TextColumn("inspecting"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TextColumn("{task.description}"), console=console,
                  transient=True) as progress:
        hosts = list(nornir.inventory.hosts)
        finished = sum(record_path(kwargs["run_dir"], h).is_file() for h in hosts)  # on resume
        bar = progress.add_task("", total=len(hosts), completed=finished)

        def done(row: dict[str, Any]) -> None:
            progress.update(bar, advance=1,
                            description=f"{shown_line(row['hostname'])}: {row['verdict']}")

        def working(hostname: str, what: str) -> None:
            progress.update(bar, description=f"{shown_line(hostname)}: {what}")

        summary = run_inspection(nornir=nornir, on_done=done, on_progress=working, **kwargs)
    print_summary(console, summary.rows, run_dir=summary.run_dir,
                  records=records_dir(summary.run_dir))
    for path in summary.reports:
        console.print(f"report: {shown_line(path)}")
    print_signing(console, summary.signing_key, new_key)
    if summary.judge_workers_lost:
        after = ("they were given up, and the chassis left were judged in this process, "
                 "without a parse deadline" if summary.judged_here
                 else "each time a new one judged the chassis left")
        console.print(f"[yellow]a judge worker died during the run, {summary.judge_workers_lost}"
                      f" time(s) (killed, or out of memory): {after}[/]")
    for hostname in summary.not_judged:
        console.print(shown_line(
            f"{hostname}: not judged, a judge worker died judging it twice; its evidence is "
            f"kept: `inspector rerun {quote(str(summary.run_dir))} --host {quote(hostname)} "
            "--all` judges it"), style="yellow")
    if summary.interrupted or summary.missing:
        console.print(f"[yellow]interrupted: {len(summary.missing)} chassis not inspected; "
                      f"finish with `inspector run --resume {shown_line(summary.run_dir)}`[/]")
    return summary


@app.command()
@click.option("--count", type=click.IntRange(1, 1000), default=24, show_default=True,
              help="Mock chassis in the demo lab.")
@click.option("--out", type=_PATH, default=Path("out"), show_default=True,
              help="Folder that receives the run folder.")
@click.option("--workers", type=click.IntRange(1, 1000), default=12, show_default=True)
def demo(count: int, out: Path, workers: int) -> None:
    """Start a lab of healthy and faulty mock chassis, inspect it, print the summary."""
    import tempfile

    from inspector.hosts import load_nornir
    from inspector.manifest import default_key_path
    from inspector.provenance import judged_with
    from inspector.run import Credentials, new_run_id, prepare_hosts
    from inspector.store import read_seal, start_run, writing
    from mock_devices.lab import expected_verdict, plan_lab, running_lab

    specs = plan_lab(count, "mix")
    rules = _load_policy(None)
    with tempfile.TemporaryDirectory(prefix="inspector-lab-") as tmp, \
            running_lab(specs, inventory_out=Path(tmp)):
        nornir = load_nornir(Path(tmp), workers)
        prepare_hosts(nornir, Credentials(), rules)
        checks = _load_checks()
        new_key = not default_key_path().exists()
        run_dir = start_run(out=out, run_id=f"demo-{new_run_id()}",
                            hosts=list(nornir.inventory.hosts), check_ids=[c.id for c in checks],
                            policy=rules, source=None, show_tech=True,
                            judged_with=judged_with(rules))
        with writing(run_dir):
            summary = _run_with_progress(nornir, run_dir=run_dir, checks=checks, policy=rules,
                                         seal=read_seal(run_dir, None), new_key=new_key)
    wrong = [s.hostname for s in specs
             if summary.verdicts.get(s.hostname) != expected_verdict(s.scenario)]
    console = _console()
    faults = [f"{s.hostname} ({s.scenario})" for s in specs if s.scenario != "healthy"]
    console.print(f"The lab served {len(specs)} chassis, {len(faults)} with a fault: "
                  + ", ".join(faults) + ".")
    console.print(f"[red]Verdicts differ from what the lab served on {', '.join(wrong)}.[/]"
                  if wrong else "Every verdict matches what the lab served.")
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


@app.command("families")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable matrix.")
@click.option("--markdown", is_flag=True, help="The README's table.")
def families(as_json: bool, markdown: bool) -> None:
    """Every family of the program's tier lists: tier, OS, lab chassis, what tests proved, and
    how the labelled real outputs of the family agree with the lab."""
    from inspector.families import (
        corpus_cell,
        family_matrix,
        lab_pids,
        load_agreement,
        load_proofs,
        markdown_table,
    )

    agreement, no_family = load_agreement()
    rows = family_matrix(lab_pids(), load_proofs(), agreement=agreement)
    if as_json:
        print(json.dumps([row.as_dict() for row in rows], indent=2))
        return
    if markdown:
        print(markdown_table(rows), end="")
        return
    from rich.table import Table

    table = Table("family", "tier", "OS", "lab chassis", "claim", "PASS healthy", "faults FAIL",
                  "not proven", "corpus agree / disagree / n.c.")
    for row in rows:
        passed = sorted({c for p in row.proofs for c in p.passed})
        # A SKIP is a check that does not apply there (an ASA licence on IOS): --json lists them.
        gaps = sorted({f"{c} {s}" for p in row.proofs for c, s in p.not_passed.items()
                       if s != "SKIP"}
                      | {f"{f} missed" for p in row.proofs for f in p.missed}
                      | {f"{p.profile}: {p.modelled_only}" for p in row.proofs if p.modelled_only}
                      | {f"{n} untested" for n in row.unproven_profiles})
        table.add_row(row.family, str(row.tier), row.os, ", ".join(row.profiles) or "-",
                      row.claim, str(len(passed)) if row.proofs else "-",
                      ", ".join(sorted({f for p in row.proofs for f in p.caught})) or "-",
                      ", ".join(gaps) or "-", corpus_cell(row.corpus))
    _console().print(table)
    print("Corpus: labels (one real output, one check) of each family against its lab chassis; "
          "a disagreement shown is explained (--json says why). Labels of no family: "
          + ", ".join(f"{n} {why}" for why, n in no_family.items()) + ".")


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


@app.command()
@click.argument("run_dir", type=_PATH)
@click.option("--host", "hosts", multiple=True,
              help="Only this chassis; repeatable (default: all).")
@click.option("--check", "check_ids", multiple=True, help="Rerun this check id; repeatable.")
@click.option("--failed", "failed_only", is_flag=True, help="Rerun every FAIL and ERROR check.")
@click.option("--all", "rerun_all", is_flag=True, help="Re-judge every check from evidence.")
@click.option("--live", is_flag=True, help="Reconnect and collect the checks' commands anew.")
@_source_options
@_access_options
@click.option("--policy", type=_PATH, help="YAML file overriding policy settings.")
@click.option("--public-key", type=_PATH,
              help="The key the run must be signed by (.pub; default: this inspector's own).")
def rerun(run_dir: Path, hosts: tuple[str, ...], check_ids: tuple[str, ...], failed_only: bool,
          rerun_all: bool, live: bool, inventory: Path | None, checklist_file: Path | None,
          nornir_config: Path | None, testbed: Path | None, credentials_file: Path | None,
          jump_host: str | None, policy: Path | None, public_key: Path | None) -> None:
    """Rerun checks of a finished run, offline from its evidence or --live on the chassis
    (from the run's own inventory source, credentials and jump host unless given)."""
    from inspector.jump import JumpHost
    from inspector.rerun import rerun_run
    from inspector.store import records_dir
    from reports.terminal import print_changes, print_summary

    if sum(map(bool, (check_ids, failed_only, rerun_all))) != 1:
        raise Unusable("choose one of --check ID, --failed or --all")
    if live and rerun_all:
        raise Unusable("--all re-judges from evidence; it cannot be combined with --live")
    if not live and (credentials_file or jump_host):
        raise Unusable("--credentials and --jump-host are for reconnecting: they need --live")
    if jump_host:
        JumpHost.parse(jump_host, "--jump-host")  # before the run is touched
    rules = _load_policy(policy)
    source = _chosen_source(inventory, checklist_file, nornir_config, testbed)
    done = rerun_run(run_dir, hosts=list(hosts) or None, check_ids=list(check_ids) or None,
                     failed_only=failed_only, policy=rules, public_key=public_key,
                     live=live, source=source, credentials_file=credentials_file,
                     jump_host=jump_host)
    console = _console()
    for line in done.provenance_changes:
        console.print(f"[yellow]judged differently from the run: {line}[/]")
    print_changes(console, done.changes, done.retired)
    print_summary(console, done.summary.rows, run_dir=run_dir, records=records_dir(run_dir))
    sys.exit(done.summary.exit_code)


@app.command()
@click.argument("run_dir", type=_PATH)
@click.option("--host", help="Show this chassis's record in full.")
def show(run_dir: Path, host: str | None) -> None:
    """A readable view of a run, or of one chassis's record with evidence and attempts."""
    from inspector.records import summary_row
    from inspector.store import named_host, read_record, read_records, record_path, records_dir
    from reports.terminal import print_record_detail, print_summary

    console = _console()
    if host:
        path = record_path(run_dir, named_host(run_dir, host))
        if not path.is_file():
            raise Unusable(f"no record for {host} in {run_dir}")
        print_record_detail(console, read_record(path))
        shown = [path.relative_to(run_dir).as_posix()]
    else:
        print_summary(console, [summary_row(r) for r in read_records(run_dir)],
                      run_dir=run_dir, records=records_dir(run_dir))
        shown = [records_dir(run_dir).name]
    _warn_unless_as_signed(run_dir, shown)


def _warn_unless_as_signed(run_dir: Path, shown: list[str]) -> None:
    """Say on stderr when what `show` printed, or a report drew (records, relative to the
    run), is not as a trusted key signed it: a viewer is no proof, but it must not pass an
    altered record off as the inspector's."""
    from inspector.manifest import RunAltered, Seal, trusted_signer
    from inspector.store import RunBusy, reading
    from reports.terminal import plain_line

    try:
        with reading(run_dir):  # a command writing the run is between two of its seals
            found = Seal.read(run_dir, trusted_signer(run_dir)).differences(shown)
    except RunBusy:
        print("inspector: warning: not checked against the run's signature: a command is "
              "writing the run", file=sys.stderr)
        return
    except RunAltered as exc:
        found = [str(exc).splitlines()[0]]
    for line in found:
        print(f"inspector: warning: not as signed: {plain_line(line)}; see `inspector verify`",
              file=sys.stderr)


@app.command()
@click.argument("run_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["html", "junit", "csv", "md"]),
              default="html", show_default=True)
@click.option("--output", type=_PATH,
              help="File to write (default: RUN_DIR-report.<ext>, beside the run folder).")
@click.option("--into-run", is_flag=True,
              help="Write RUN_DIR/report.<ext> and sign the run again, once every file of "
                   "it is found as signed.")
@click.option("--public-key", type=_PATH,
              help="With --into-run: the key the run must be signed by (.pub; default: this "
                   "inspector's own).")
def report(run_dir: Path, fmt: str, output: Path | None, into_run: bool,
           public_key: Path | None) -> None:
    """Render a report of a run from its records alone; never contacts a device."""
    from inspector.store import records_dir, report_into_run, report_outside, write_report

    if into_run:
        if output is not None:
            raise Unusable("--into-run writes RUN_DIR/report.<ext>: drop --output")
        print(report_into_run(run_dir, fmt, public_key))
        return
    output = output or report_outside(run_dir, fmt)
    if output.is_dir():
        raise Unusable(f"--output {output} is a folder: name the file to write")
    if run_dir.resolve() in output.resolve().parents:
        raise Unusable(f"{output} is inside the signed run folder: write it elsewhere, or use "
                       "--into-run to have the run checked and signed again over it")
    print(write_report(run_dir, fmt, output))
    _warn_unless_as_signed(run_dir, [records_dir(run_dir).name])


@app.command()
@click.option("--key", type=_PATH, help="Where to write the private key (default: "
              "$INSPECTOR_KEY or ~/.config/inspector/inspector_ed25519.pem).")
@click.option("--force", is_flag=True, help="Replace an existing key.")
def keygen(key: Path | None, force: bool) -> None:
    """Make the inspector's Ed25519 key that signs every run's manifest."""
    from inspector.manifest import default_key_path, fingerprint
    from inspector.manifest import keygen as make_key

    try:
        path = make_key(key or default_key_path(), overwrite=force)
    except FileExistsError as exc:
        raise Unusable(str(exc)) from None
    public = path.with_suffix(".pub").read_text().strip()
    print(f"private key: {path}\npublic key:  {path.with_suffix('.pub')} ({fingerprint(public)})")


@app.command()
@click.argument("run_dir", type=_PATH)
@click.option("--public-key", type=_PATH, help="Require the run to be signed by this key (.pub).")
@click.option("--trust", is_flag=True,
              help="Accept a signing key this inspector has never seen, and trust it from now on.")
def verify(run_dir: Path, public_key: Path | None, trust: bool) -> None:
    """Check every record and evidence file of a run against its signed manifest, and that
    the run's documents agree: run.json and the records, each record's verdict and its
    checks, the outputs they judged and each evidence index, each index and its outputs,
    the records and the verdicts the reports show.

    Without --public-key the signer must be this inspector's own key or one trusted before."""
    from inspector.manifest import added_note, verify_run
    from inspector.store import RunDocuments, reading
    from reports.terminal import plain_line

    if not run_dir.is_dir():
        raise Unusable(f"run folder not found: {run_dir}")
    with reading(run_dir):  # not while a command writes it: its files are then between seals
        result = verify_run(run_dir, public_key, trust=trust, documents=RunDocuments())
    # The signature first: while it is not good, no line after it is vouched for by a key
    # the user trusts, and it says so once; they still show what was done to the run.
    for problem in result.problems:
        print(f"problem: {plain_line(problem)}")
    if result.problems and not result.as_signed_and_whole:
        print("problem: no trusted signature vouches for what follows: it compares the run's "
              "files with the manifest they came with, and with each other")
    # A name is anyone's who could write to the run: each prints on its own line, inert.
    for name in result.changed:
        print(f"changed: {plain_line(name)}")
    for name in result.added:
        print(f"added: {plain_line(name)}{added_note(name)}")
    for name in result.removed:
        print(f"removed: {plain_line(name)}")
    for disagreement in result.disagreements:
        print(f"not whole: {plain_line(disagreement)}")
    if result.ok:
        print(f"ok: every file matches the manifest signed by {result.signer} "
              f"({result.trusted_as}); the run is {result.state}")
    sys.exit(0 if result.ok else 1)


_DB = click.option("--db", help="The fleet store: an SQLite file, or a database URL "
                   "(postgresql://...); default $INSPECTOR_DB, else the user's own SQLite file.")


@app.group("store")
def store_group() -> None:
    """The fleet store: every signed run in one database."""


@store_group.command("add")
@click.argument("run_dirs", nargs=-1, required=True, type=_PATH, metavar="RUN_DIR...")
@_DB
@click.option("--public-key", "public_keys", type=_PATH, multiple=True,
              help="Also accept runs signed by this key (.pub); repeatable. This inspector's "
                   "own key and those trusted with `verify --trust` are always accepted.")
def store_add(run_dirs: tuple[Path, ...], db: str | None, public_keys: tuple[Path, ...]) -> None:
    """Verify each run's seal and store its records; exit 1 if any run was refused."""
    from inspector.fleet.db import add_runs, store
    from inspector.manifest import read_public_key
    from reports.terminal import plain_text

    pinned = [read_public_key(key) for key in public_keys]
    refused = 0
    with store(db) as engine:
        for done in add_runs(engine, run_dirs, pinned):
            if isinstance(done, Exception):
                refused += 1
                print(f"refused: {plain_text(done)}", file=sys.stderr)
            else:
                print(f"{done.outcome}: {done.run_id} ({done.chassis} chassis) from {done.run_dir}")
    sys.exit(1 if refused else 0)


@app.command()
@click.argument("serial", required=False)
@click.option("--hostname", help="Every chassis inspected under this hostname, whatever its "
              "serial, its case or how its letters are typed (instead of SERIAL).")
@_DB
@click.option("--json", "as_json", is_flag=True, help="Print the inspections as JSON "
              "(`frus` is null where the unit list was not read).")
def history(serial: str | None, hostname: str | None, db: str | None, as_json: bool) -> None:
    """Every stored inspection of a chassis (SERIAL, or --hostname NAME), newest first;
    exit 1 when there is none."""
    from dataclasses import asdict

    from inspector.fleet.db import history as find_history
    from inspector.fleet.db import store
    from reports.fleet import history_lines

    if (serial is None) == (hostname is None):
        raise Unusable("history takes a SERIAL or --hostname NAME, not both")
    with store(db) as engine:
        found = find_history(engine, serial, hostname)
    if not found:
        asked = f"serial {serial}" if hostname is None else f"hostname {hostname}"
        print(f"no inspection of {asked} in the store", file=sys.stderr)
    if as_json:
        print(json.dumps([{**asdict(i), "failed": i.failed} for i in found], indent=2))
    elif found:
        print("\n".join(history_lines(found)))
    sys.exit(0 if found else 1)


def _moving_help() -> str:
    from inspector.fleet import MOVING

    return ("Compare every field, also those left out by default as always moving "
            f"({', '.join(MOVING)}).")


@app.command()
@click.argument("items", nargs=-1, required=True, metavar="A B | SERIAL RUN_A RUN_B")
@_DB
@click.option("--ignore", multiple=True, metavar="FIELD",
              help="Also leave out these fields; a glob over the field names a diff prints "
                   "(check/op.cpu.load, license/*); repeatable.")
@click.option("--all-fields", is_flag=True, help=_moving_help())
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
def diff(items: tuple[str, ...], db: str | None, ignore: tuple[str, ...], all_fields: bool,
         as_json: bool) -> None:
    """What changed between two inspections of a chassis: two record files, or a serial and
    two run ids in the fleet store. Fields that always move are left out (--all-fields keeps
    them). Exit 0 when nothing changed, 1 otherwise."""
    from inspector.fleet.inspection import Inspection
    from inspector.fleet.inspection import diff as compare
    from reports.fleet import diff_lines

    if len(items) == 2:
        from inspector.files import read_json

        a, b = (Inspection.of(read_json(Path(item))) for item in items)
    elif len(items) == 3:
        from inspector.fleet.db import inspection, store

        with store(db) as engine:
            a, b = (inspection(engine, items[0], run_id) for run_id in items[1:])
    else:
        raise Unusable("diff takes two record files, or a serial and two run ids")
    found = compare(a, b, ignore, all_fields=all_fields)
    print(json.dumps(found.as_dict(), indent=2) if as_json else "\n".join(diff_lines(found)))
    sys.exit(1 if found.changed else 0)


@app.group()
def fleet() -> None:
    """Questions across every stored run."""


@fleet.command("report")
@_DB
@click.option("--format", "fmt", type=click.Choice(["html", "csv"]), default="html",
              show_default=True)
@click.option("--output", type=_PATH, help="File to write (default: fleet-report.<ext>).")
@click.option("--site", "sites", multiple=True, help="Only this site; repeatable.")
@click.option("--since", metavar="DATE", help="Only inspections from this day (YYYY-MM-DD) or "
              "month (YYYY-MM) on, UTC.")
@click.option("--until", metavar="DATE", help="Only inspections up to this day (YYYY-MM-DD) "
              "or month (YYYY-MM), inclusive, UTC.")
def fleet_report(db: str | None, fmt: str, output: Path | None, sites: tuple[str, ...],
                 since: str | None, until: str | None) -> None:
    """Counts by site, month, tier and verdict, the most common failing checks, and chassis
    whose inspections disagree; the report says which filters it applied."""
    from inspector.fleet.db import FleetFilter, fleet_summary, store
    from reports.fleet import write_fleet_report

    filters = FleetFilter(sites=sites, since=since, until=until)  # bad dates refused first
    with store(db) as engine:
        summary = fleet_summary(engine, filters)
    print(write_fleet_report(summary, fmt, output or Path(f"fleet-report.{fmt}")))


@app.group()
def checklist() -> None:
    """The buyer's pre-inspection checklist (CSV)."""


@checklist.command("import")
@click.argument("file", type=_PATH)
@click.option("--inventory-out", type=_PATH, required=True,
              help="Folder that receives hosts.yaml (groups.yaml / defaults.yaml there are kept).")
def checklist_import(file: Path, inventory_out: Path) -> None:
    """Check a checklist and write it as a Nornir inventory: every row, or nothing."""
    from inspector.checklist import import_checklist, write_inventory_from_checklist

    rows = import_checklist(file)
    path = write_inventory_from_checklist(rows, inventory_out, source=str(file))
    print(f"{len(rows)} chassis from {file} written to {path}")


@app.command()
@_source_options
@click.option("--hold-list", type=_PATH, metavar="FILE",
              help="Serial numbers on compliance hold, one per line.")
@click.option("--policy", type=_PATH, help="YAML file overriding policy settings.")
@click.option("--json", "as_json", is_flag=True, help="Print the preflight as JSON.")
def preflight(inventory: Path | None, checklist_file: Path | None, nornir_config: Path | None,
              testbed: Path | None, hold_list: Path | None, policy: Path | None,
              as_json: bool) -> None:
    """Judge each chassis before any visit: tier, eligibility and why, quote and date per site."""
    from datetime import date

    from inspector.checklist import import_checklist
    from inspector.hosts import load_hosts
    from inspector.program import preflight as judge
    from inspector.program import print_preflight

    source = _chosen_source(inventory, checklist_file, nornir_config, testbed)
    if source is None:
        raise Unusable(_NO_SOURCE)
    hosts = (import_checklist(source.path) if source.kind == "checklist"
             else load_hosts(source, 1))
    report = judge(hosts, _load_hold_list(hold_list), date.today(), _load_policy(policy))
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        print_preflight(_console(), report)
    sys.exit(0 if all(c["eligible"] for c in report["chassis"]) else 1)


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
@click.option("--latency", type=click.FloatRange(0), default=0.0, metavar="SECONDS",
              help="Each chassis waits this long before answering a command, as real ones do.")
@click.option("--login-latency", type=click.FloatRange(0), default=0.0, metavar="SECONDS",
              help="Each chassis waits this long after login before showing its prompt.")
@click.option("--bastion-log", type=_PATH, metavar="FILE.jsonl",
              help="Also serve a jump host that forwards to these chassis only, logging every "
                   "forward here; its --jump-host is printed once it listens.")
def lab_up(count: int, scenario: str, inventory_out: Path, port_base: int | None,
           command_log: Path | None, latency: float, login_latency: float,
           bastion_log: Path | None) -> None:
    """Serve mock chassis on 127.0.0.1 until interrupted."""
    from mock_devices.bastion import BASTION_PASSWORD, BASTION_USERNAME, running_bastion
    from mock_devices.lab import Lab, plan_lab, serve_forever
    from mock_devices.server import Latency

    with contextlib.ExitStack() as stack:
        bastion = stack.enter_context(running_bastion((), log=bastion_log)) \
            if bastion_log else None

        def ready(lab: Lab) -> None:
            if bastion is not None:
                bastion.allowed = frozenset((lab.host, s.port) for s in lab.specs)
                print(f"bastion up: --jump-host {BASTION_USERNAME}@{bastion.host}:"
                      f"{bastion.port} with INSPECTOR_JUMP_PASSWORD={BASTION_PASSWORD}",
                      flush=True)

        serve_forever(plan_lab(count, scenario), inventory_out=inventory_out,
                      port_base=port_base, command_log=command_log,
                      latency=Latency(login=login_latency, command=latency), on_ready=ready)


@lab.command("serve")
@click.option("--capture", "captures", type=_PATH, multiple=True, required=True,
              metavar="FOLDER", help="Saved outputs of one chassis (`<command_slug>.txt` each, "
              "or a run's evidence/<host>/ folder); repeatable.")
@click.option("--platform", help="netmiko device type of every capture without index.json.")
@click.option("--inventory-out", type=_PATH, required=True,
              help="Folder that receives the Nornir inventory once every chassis listens.")
@click.option("--port-base", type=click.IntRange(1, 65535),
              help="First TCP port (default: any free ports).")
@click.option("--command-log", type=_PATH, help="JSON-lines log of every command received.")
def lab_serve(captures: tuple[Path, ...], platform: str | None, inventory_out: Path,
              port_base: int | None, command_log: Path | None) -> None:
    """Serve saved outputs as lab chassis on 127.0.0.1 until interrupted: each answers its
    saved commands verbatim and any other as its OS answers an unknown command."""
    from mock_devices.captures import plan_captures
    from mock_devices.lab import Lab, serve_forever

    specs = plan_captures(list(captures), platform)

    def ready(lab: Lab) -> None:
        for spec in lab.specs:
            print(f"{spec.hostname} {spec.device_type} {lab.host}:{spec.port}", flush=True)
        print(f"lab up: {len(lab.specs)} chassis from captures, inventory in {inventory_out}; "
              "Ctrl-C to stop", flush=True)

    serve_forever(specs, inventory_out=inventory_out, port_base=port_base,
                  command_log=command_log, on_ready=ready)


@app.group("testbed")
def testbed_group() -> None:
    """pyATS testbeds: the same chassis for pyATS and the inspector."""


@testbed_group.command("export")
@_source_options
@click.option("--out", "output", type=_PATH, required=True, metavar="FILE.yaml",
              help="The testbed file to write.")
def testbed_export(inventory: Path | None, checklist_file: Path | None,
                   nornir_config: Path | None, testbed: Path | None, output: Path) -> None:
    """Write an inventory's chassis as a pyATS testbed. No secret is written: pyATS reads the
    login from INSPECTOR_USERNAME and INSPECTOR_PASSWORD when it loads the file."""
    from inspector.hosts import load_hosts
    from inspector.sources import write_testbed

    source = _chosen_source(inventory, checklist_file, nornir_config, testbed)
    if source is None:
        raise Unusable(_NO_SOURCE)
    nornir = load_hosts(source, 1)
    try:
        write_testbed(nornir, output)
    except FileExistsError as exc:
        raise Unusable(str(exc)) from None
    print(f"wrote {len(nornir.inventory.hosts)} chassis to {output}")


def join_worker_processes() -> None:
    """A run's judge workers end their teardown beside the run's last steps (`judge_pool`):
    the command leaves after them, never leaving one behind, their CPU counted as its own."""
    if (run := sys.modules.get("inspector.run")) is not None:
        run.join_judge_pools()
    if (multiprocessing := sys.modules.get("multiprocessing")) is None:
        return
    for worker in multiprocessing.active_children():
        worker.join()
    # A worker that has exited may be reaped by the pool's own thread, which does so at once;
    # it is counted as active until then.
    while multiprocessing.active_children():
        time.sleep(0.005)


def main() -> None:
    from inspector.catalogue import UnknownCheck
    from inspector.files import StorageError
    from inspector.platforms import UnknownPlatform
    from inspector.policy import PolicyError
    from inspector.rerun import RerunError
    from inspector.run import RunError

    try:
        code = app.main(standalone_mode=False)
    except SystemExit as exc:  # the commands' own exit codes
        code = exc.code
    except click.exceptions.UsageError as exc:
        exc.show()
        code = EXIT_UNUSABLE
    except click.exceptions.Abort:
        print("inspector: interrupted", file=sys.stderr)
        code = 130
    except (Unusable, RunError, RerunError, PolicyError, UnknownPlatform, UnknownCheck,
            StorageError, FileNotFoundError, NotADirectoryError, ValueError) as exc:
        from reports.terminal import plain_text

        print(f"inspector: {plain_text(exc)}", file=sys.stderr)
        code = EXIT_UNUSABLE
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    # Every file the command wrote is complete and closed by now (records fsynced, reports
    # renamed into place). Leaving without the interpreter's teardown of Genie, netmiko and
    # their thousands of objects saves 0.2 to 0.4 s on every command.
    join_worker_processes()
    if (pool_util := sys.modules.get("multiprocessing.util")) is not None:
        # What the interpreter's exit does next, and `os._exit` skips: release the named
        # semaphores of the judge pool's queues. Left behind, the pool's resource tracker
        # removes them and warns of them on stderr as leaked.
        pool_util._exit_function()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)

"""Terminal views: the summary table after a run and one record in full."""

from __future__ import annotations

from pathlib import Path
from typing import Any

_STYLE = {"PASS": "green", "FAIL": "bold red", "ERROR": "yellow", "SKIP": "dim"}


def print_summary(console: Any, rows: list[dict[str, Any]], *, run_dir: Path,
                  records: Path) -> None:
    from rich.table import Table

    table = Table(title=f"Inspection {run_dir.name}", title_justify="left")
    for column in ("chassis", "platform", "PID", "serial", "verdict", "findings"):
        table.add_column(column, overflow="fold")
    for row in rows:
        verdict = row["verdict"]
        findings = ", ".join(row["failed"]) if verdict == "FAIL" else (
            row["reason"] if verdict == "ERROR" else "")
        table.add_row(row["hostname"], row["platform"] or "-", row["pid"] or "-",
                      row["serial"] or "-", f"[{_STYLE[verdict]}]{verdict}[/]", findings)
    console.print(table)
    counts = {v: sum(r["verdict"] == v for r in rows) for v in ("PASS", "FAIL", "ERROR")}
    console.print(
        f"{len(rows)} chassis: [green]{counts['PASS']} passed[/], "
        f"[bold red]{counts['FAIL']} failed[/], [yellow]{counts['ERROR']} errored[/]"
    )
    console.print(f"records: {records}")


def print_signing(console: Any, key: Path | None, created: bool) -> None:
    if key is None:
        return
    note = (" (a new key, made for this first run: keep it, it identifies this inspector)"
            if created else "")
    console.print(f"signed manifest: verify with `inspector verify RUN_DIR`; key {key}{note}")


def print_record(console: Any, record: dict[str, Any]) -> None:
    from rich.table import Table

    chassis = record["chassis"]
    verdict = record["verdict"]
    console.print(
        f"[bold]{chassis['hostname']}[/] {chassis.get('pid') or '-'} serial "
        f"{chassis.get('serial') or '-'} {chassis.get('os') or ''} {chassis.get('version') or ''}"
    )
    console.print(f"verdict: [{_STYLE[verdict]}]{verdict}[/] ({record['verdict_reason']})")
    table = Table("check", "status", "severity", "message")
    for check in record["checks"]:
        status = check["status"]
        table.add_row(check["id"], f"[{_STYLE[status]}]{status}[/]", check["severity"],
                      check["message"])
    console.print(table)


def print_record_detail(console: Any, record: dict[str, Any]) -> None:
    """One record in full: every check, the evidence of those that did not pass, attempts."""
    print_record(console, record)
    for check in record["checks"]:
        if check["status"] in ("PASS", "SKIP") and len(check.get("attempts", [])) < 2:
            continue
        console.print(f"\n[bold]{check['id']}[/] [{_STYLE[check['status']]}]{check['status']}[/]"
                      f" {check['message']}")
        for item in check["evidence"]:
            expected = f" (expected {item['expected']})" if "expected" in item else ""
            console.print(f"  {item['path']}: {item['actual']}{expected}")
        for command in check["commands"]:
            console.print(f"  read `{command['command']}` sha256 {command.get('sha256') or '-'}"
                          f" via {command.get('parser') or '-'}")
        for attempt in check.get("attempts", []):
            console.print(f"  attempt {attempt['at']} {attempt['mode']}: "
                          f"[{_STYLE[attempt['status']]}]{attempt['status']}[/] "
                          f"{attempt['message']}")


def print_changes(console: Any, changes: list[Any]) -> None:
    changed = [c for c in changes if c.before != c.after]
    console.print(f"{len(changes)} check(s) rerun, {len(changed)} changed status")
    for c in changed:
        console.print(f"  {c.hostname} {c.check_id}: [{_STYLE[c.before]}]{c.before}[/] -> "
                      f"[{_STYLE[c.after]}]{c.after}[/] ({c.mode})")

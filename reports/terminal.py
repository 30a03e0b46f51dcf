"""Terminal views: the summary table after a run and one record in full."""

from __future__ import annotations

from pathlib import Path
from typing import Any

_STYLE = {"PASS": "green", "FAIL": "bold red", "ERROR": "yellow", "SKIP": "dim"}


def print_summary(console: Any, rows: list[dict[str, Any]], *, run_dir: Path) -> None:
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
    console.print(f"records: {run_dir / 'records'}")


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

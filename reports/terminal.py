"""Terminal views: the summary table after a run and one record in full."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

_STYLE = {"PASS": "green", "FAIL": "bold red", "ERROR": "yellow", "SKIP": "dim"}
# C0 and C1 control characters (tab and newline aside) and DEL: a device's text holding
# `ESC[2J` or an OSC title sequence would otherwise act on the inspector's terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def shown(value: object) -> str:
    """Text from a device, an inventory or a record, made inert for the terminal: control
    characters spelled out, and rich's `[markup]` escaped so it prints as written."""
    from rich.markup import escape

    return escape(_spelled_out(value, _CONTROL))


def shown_line(value: object) -> str:
    """`shown`, on one line: tab and newline spelled out too, so a name can never forge a
    line of its own (a progress line, a table cell, a message naming a host)."""
    from rich.markup import escape

    return escape(_spelled_out(value, _NOT_ONE_LINE))


def plain_text(value: object) -> str:
    """Text for a plain `print`, its lines kept, every other control character spelled out:
    a message may name a file someone put in a run (`x<ESC>[2J<CR>ok: ...`), which would
    otherwise clear the terminal and print over the message."""
    return _spelled_out(value, _CONTROL)


def plain_line(value: object) -> str:
    """Text for a plain `print` (no rich markup to escape) on one line, control characters,
    tab and newline spelled out: a serial or a unit's name holding `ESC]0;` or `ESC[2J`
    would otherwise act on the terminal, and a newline forge a line of its own."""
    return _spelled_out(value, _NOT_ONE_LINE)


def _spelled_out(value: object, control: re.Pattern[str]) -> str:
    return control.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))


# The run's summary is a line a chassis in plain columns, as a CLI's `show` tables are: a
# site's thousands of chassis print at once and grep cleanly. (rich's boxed table took 0.5 s
# a thousand rows, at the run's end, when nothing else is left to run beside it.)
_SUMMARY = ("chassis", "platform", "PID", "serial", "verdict", "findings")
_WIDEST = 40  # a column is padded to its widest cell up to this; a longer cell just runs on
# In a one-line row, tab and newline are spelled out too.
_NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def print_summary(console: Any, rows: list[dict[str, Any]], *, run_dir: Path,
                  records: Path) -> None:
    from rich.cells import cell_len
    from rich.text import Text

    table = []
    for row in rows:
        verdict = row["verdict"]
        # A PASS chassis's findings are those that do not fail it (minor, info): still named.
        findings = row["reason"] if verdict == "ERROR" else ", ".join(row["failed"])
        table.append((plain_line(row["hostname"]), plain_line(row["platform"] or "-"),
                      plain_line(row["pid"] or "-"), plain_line(row["serial"] or "-"),
                      verdict, plain_line(findings)))
    widths = [min(_WIDEST, max(map(cell_len, column)))
              for column in zip(_SUMMARY, *table, strict=True)]

    def padded(values: tuple[str, ...]) -> str:  # chassis to verdict: findings run on
        return "".join(v + " " * max(0, w - cell_len(v)) + "  "
                       for v, w in zip(values, widths[:5], strict=False))

    text = Text()
    text.append(f"Inspection {plain_line(run_dir.name)}\n", style="italic")
    text.append(padded(_SUMMARY[:5]) + _SUMMARY[5] + "\n", style="bold")
    for *identity, verdict, findings in table:
        text.append(padded(tuple(identity)))
        text.append(verdict, style=_STYLE[verdict])
        gap = " " * (widths[4] - len(verdict) + 2)
        text.append((gap + findings if findings else "") + "\n")
    console.print(text, end="", soft_wrap=True)
    counts = {v: sum(r["verdict"] == v for r in rows) for v in ("PASS", "FAIL", "ERROR")}
    console.print(
        f"{len(rows)} chassis: [green]{counts['PASS']} passed[/], "
        f"[bold red]{counts['FAIL']} failed[/], [yellow]{counts['ERROR']} errored[/]"
    )
    console.print(f"records: {shown(records)}")


def print_signing(console: Any, key: Path | None, created: bool) -> None:
    if key is None:
        return
    note = (" (a new key, made for this first run: keep it, it identifies this inspector)"
            if created else "")
    console.print(f"signed manifest: verify with `inspector verify RUN_DIR`; key "
                  f"{shown_line(key)}{note}")


def print_record(console: Any, record: dict[str, Any]) -> None:
    from rich.table import Table

    chassis = record["chassis"]
    verdict = record["verdict"]
    console.print(
        f"[bold]{shown(chassis['hostname'])}[/] {shown(chassis.get('pid') or '-')} serial "
        f"{shown(chassis.get('serial') or '-')} {shown(chassis.get('os') or '')} "
        f"{shown(chassis.get('version') or '')}"
    )
    for member in chassis.get("members") or []:
        console.print(f"other chassis on site: {shown(member.get('name'))} "
                      f"{shown(member.get('pid') or '-')} serial "
                      f"{shown(member.get('serial') or '-')}")
    console.print(f"verdict: [{_STYLE[verdict]}]{verdict}[/] ({shown(record['verdict_reason'])})")
    table = Table("check", "status", "severity", "message")
    for check in record["checks"]:
        status = check["status"]
        table.add_row(shown(check["id"]), f"[{_STYLE[status]}]{status}[/]", check["severity"],
                      shown(check["message"]))
    console.print(table)


def print_record_detail(console: Any, record: dict[str, Any]) -> None:
    """One record in full: every check, the evidence of those that did not pass, attempts."""
    print_record(console, record)
    for check in record["checks"]:
        if check["status"] in ("PASS", "SKIP") and len(check.get("attempts", [])) < 2:
            continue
        console.print(f"\n[bold]{shown(check['id'])}[/] "
                      f"[{_STYLE[check['status']]}]{check['status']}[/] {shown(check['message'])}")
        for item in check["evidence"]:
            expected = f" (expected {shown(item['expected'])})" if "expected" in item else ""
            console.print(f"  {shown(item['path'])}: {shown(item['actual'])}{expected}")
        for command in check["commands"]:
            console.print(f"  read `{shown(command['command'])}` sha256 "
                          f"{shown(command.get('sha256') or '-')} via "
                          f"{shown(command.get('parser') or '-')}")
        for attempt in check.get("attempts", []):
            console.print(f"  attempt {attempt['at']} {attempt['mode']}: "
                          f"[{_STYLE[attempt['status']]}]{attempt['status']}[/] "
                          f"{shown(attempt['message'])}")


def print_changes(console: Any, changes: list[Any], retired: list[tuple[str, str]]) -> None:
    """What a rerun changed, and the checks it left as judged (`retired`: hostname and id of
    each the catalogue no longer has)."""
    changed = [c for c in changes if c.before != c.after]
    console.print(f"{len(changes)} check(s) rerun, {len(changed)} changed status")
    if retired:
        console.print("[yellow]not rerun, as the catalogue no longer has the check (its result "
                      "stands as the run judged it): "
                      + ", ".join(f"{shown(host)} {shown(check)}" for host, check in retired)
                      + "[/]")
    for c in changed:
        console.print(f"  {shown(c.hostname)} {shown(c.check_id)}: "
                      f"[{_STYLE[c.before]}]{c.before}[/] -> "
                      f"[{_STYLE[c.after]}]{c.after}[/] ({c.mode})")

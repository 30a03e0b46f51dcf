"""A short Markdown summary for tickets and chat: counts, then the chassis that did not pass."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from reports._shared import (
    TIER_LABELS,
    VERDICT_LABELS,
    VERDICTS,
    ChassisRow,
    Record,
    Tally,
    atomic_output,
    chassis_row,
    clean,
)

# A ticket is not the place for a thousand rows; the HTML report has them all.
DEFAULT_LIMIT = 50


def write_markdown(records: Iterable[Record], output: Path, *,
                   limit: int = DEFAULT_LIMIT) -> Path:
    tally = Tally()
    shown: list[ChassisRow] = []  # at most `limit` rows stay in memory
    with_members: list[ChassisRow] = []  # and as many of those listing other chassis
    listing_members = 0
    for record in records:
        row = chassis_row(record)
        tally.add(row, record.get("tool_version"))
        if row.verdict != "PASS" and len(shown) < limit:
            shown.append(row)
        if row.members:
            listing_members += 1
            if len(with_members) < limit:
                with_members.append(row)
    not_passing = tally.chassis - tally.verdicts["PASS"]
    runs = ", ".join(_code(r) for r in sorted(tally.run_ids)) or "(no run id)"
    lines = [f"## Chassis inspection {runs}", ""]
    counts = ", ".join(f"{tally.verdicts[v]} {v}" for v in VERDICTS)
    lines += [f"**{tally.chassis} chassis**: {counts}.", ""]
    lines += ["| Verdict | Chassis |", "| --- | ---: |"]
    lines += [f"| {v} ({VERDICT_LABELS[v].lower()}) | {tally.verdicts[v]} |" for v in VERDICTS]
    lines.append("")
    if tally.has_program:
        tiers = ", ".join(f"{TIER_LABELS.get(tier, _code(tier))}: {sum(c.values())}"
                          for tier, c in tally.tiers())
        lines += [f"By tier: {tiers}. Eligible for support: {tally.eligible}.", ""]
    if not_passing:
        lines += [f"### Not passing ({not_passing})", "",
                  "| Chassis | PID | Serial | Verdict | Failed checks / reason |",
                  "| --- | --- | --- | --- | --- |"]
        for row in shown:
            why = _code(row.verdict_reason)
            if row.verdict == "FAIL" and row.failed:
                why = ", ".join(_code(c) for c in row.failed)
            elif row.cannot_be_done:
                why = "not inspected: " + _code(row.cannot_be_done)
            elif row.not_reached:
                why = "not reached: " + _code(row.not_reached)
            elif row.errored:
                why = "could not tell: " + ", ".join(_code(c) for c in row.errored)
            lines.append(f"| {_code(row.hostname)} | {_code(row.pid)} | {_code(row.serial)} | "
                         f"{row.verdict} | {why} |")
        if not_passing > len(shown):
            lines += ["", f"...and {not_passing - len(shown)} more: see the HTML report."]
    else:
        lines.append("Every chassis passed.")
    if with_members:
        # Each a chassis of its own to the program (its fee, its licences' serial), and on no
        # line of the checklist: shown as read, so that none goes unseen.
        lines += ["", f"### Other chassis on site ({listing_members} chassis list some)", "",
                  "| Chassis | Other chassis its inventory lists |", "| --- | --- |"]
        lines += [f"| {_code(row.hostname)} | {'; '.join(map(_code, row.members))} |"
                  for row in with_members]
        if listing_members > len(with_members):
            lines += ["", f"...and {listing_members - len(with_members)} more: see the HTML "
                      "report."]
    with atomic_output(output) as out:
        out.write("\n".join(lines) + "\n")
    return output


def _code(value: object) -> str:
    """Text of a record (a device's, an inventory's, a reason quoting them) as a code span:
    shown literally, whole, and nothing in it renders as markup or becomes a link. Escaping
    it as text would not do: GitHub links a bare `http://...`, `www.` or email address in
    text, an address whatever backslashes stand in it. The fence is longer than any run of
    backticks inside, and spaced from one that starts or ends it; a table's `|` is escaped,
    as GitHub reads a cell's pipes before its code spans."""
    text = " ".join(clean(value).split()).replace("|", "\\|")
    if not text:
        return "-"
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    space = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{space}{text}{space}{fence}"

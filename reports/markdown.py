"""A short Markdown summary for tickets and chat: counts, then the chassis that did not pass."""

from __future__ import annotations

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
    for record in records:
        row = chassis_row(record)
        tally.add(row, record.get("tool_version"))
        if row.verdict != "PASS" and len(shown) < limit:
            shown.append(row)
    not_passing = tally.chassis - tally.verdicts["PASS"]
    runs = ", ".join(_code(r) for r in sorted(tally.run_ids)) or "(no run id)"
    lines = [f"## Chassis inspection {runs}", ""]
    counts = ", ".join(f"{tally.verdicts[v]} {v}" for v in VERDICTS)
    lines += [f"**{tally.chassis} chassis**: {counts}.", ""]
    lines += ["| Verdict | Chassis |", "| --- | ---: |"]
    lines += [f"| {v} ({VERDICT_LABELS[v].lower()}) | {tally.verdicts[v]} |" for v in VERDICTS]
    lines.append("")
    if tally.has_program:
        tiers = ", ".join(f"{TIER_LABELS.get(tier, _text(tier))}: {sum(c.values())}"
                          for tier, c in tally.tiers())
        lines += [f"By tier: {tiers}. Eligible for support: {tally.eligible}.", ""]
    if not_passing:
        lines += [f"### Not passing ({not_passing})", "",
                  "| Chassis | PID | Serial | Verdict | Failed checks / reason |",
                  "| --- | --- | --- | --- | --- |"]
        for row in shown:
            why = _text(row.verdict_reason)
            if row.verdict == "FAIL" and row.failed:
                why = ", ".join(_code(c) for c in row.failed)
            elif row.not_reached:
                why = "not reached: " + _text(row.not_reached)
            elif row.errored:
                why = "could not tell: " + ", ".join(_code(c) for c in row.errored)
            lines.append(f"| {_code(row.hostname)} | {_code(row.pid)} | {_code(row.serial)} | "
                         f"{row.verdict} | {why} |")
        if not_passing > len(shown):
            lines += ["", f"...and {not_passing - len(shown)} more: see the HTML report."]
    else:
        lines.append("Every chassis passed.")
    with atomic_output(output) as out:
        out.write("\n".join(lines) + "\n")
    return output


def _code(value: object) -> str:
    """Untrusted names as code spans: shown literally, nothing in them renders as markup."""
    text = " ".join(clean(value).split()).replace("`", "'").replace("|", "\\|")
    return f"`{text}`" if text else "-"


def _text(value: object) -> str:
    text = " ".join(clean(value).split())
    # Backslash-escape what Markdown or a table would read as markup (CommonMark allows it).
    return "".join("\\" + c if c in "\\`*_[]<>|#!~&" else c for c in text) or "-"

"""CSV for spreadsheets and quotes: one row per chassis."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from reports._shared import Record, atomic_output, chassis_row, spreadsheet_cell

COLUMNS = ("hostname", "site", "platform", "pid", "serial", "os", "version", "tier",
           "eligible_for_support", "verdict", "failed_checks", "errored_checks",
           "verdict_reason", "other_chassis")


def write_csv(records: Iterable[Record], output: Path) -> Path:
    # utf-8-sig: Excel reads the file as UTF-8 only when it starts with a byte order mark.
    with atomic_output(output, newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for record in records:
            row = chassis_row(record)
            eligible = {True: "yes", False: "no", None: ""}[row.eligible_for_support]
            values = (row.hostname, row.site, row.platform, row.pid, row.serial, row.os,
                      row.version, row.tier, eligible, row.verdict, "; ".join(row.failed),
                      "; ".join(row.errored), row.verdict_reason, "; ".join(row.members))
            writer.writerow([spreadsheet_cell(value) for value in values])
    return output


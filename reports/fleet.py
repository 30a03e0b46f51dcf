"""The fleet report: every stored inspection across sites and months, from the fleet store's
summary (inspector.fleet.db.FleetSummary) alone.

HTML: one self-contained file (inline CSS and SVG charts, no script, nothing fetched); its
Content-Security-Policy forbids anything else. CSV: one row per site, month, tier and verdict,
the table the charts are drawn from, for spreadsheets, under one `#` line that says which
inspections were counted. Both say the filters applied (inspector.fleet.db.FleetFilter).
"""

from __future__ import annotations

import csv
import html
from collections import defaultdict
from pathlib import Path
from typing import Any

from inspector.files import atomic_write
from reports._shared import clean, spreadsheet_cell
from reports.terminal import plain_line

FORMATS = {"html": "html", "csv": "csv"}
VERDICTS = ("PASS", "FAIL", "ERROR")
_COLOURS = {"PASS": "#2e7d32", "FAIL": "#c62828", "ERROR": "#ef6c00"}


def write_fleet_report(summary: Any, fmt: str, output: Path) -> Path:
    if fmt not in FORMATS:
        raise ValueError(f"fleet report format {fmt!r}: one of {', '.join(FORMATS)}")
    body = fleet_csv(summary) if fmt == "csv" else fleet_html(summary)
    output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(output, body.encode())
    return output


def fleet_csv(summary: Any) -> str:
    import io

    out = io.StringIO()
    # A plain table, header first, for spreadsheets and tools; the HTML report states the
    # filters applied (a comment line would be a row of data to a spreadsheet).
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["site", "month", "tier", "verdict", "inspections"])
    for g in summary.by_site_month:
        writer.writerow([spreadsheet_cell(g["site"]), g["month"],
                         spreadsheet_cell(g["tier"]), g["verdict"], g["count"]])
    return out.getvalue()


def _by(summary: Any, key: str) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(VERDICTS, 0))
    for g in summary.by_site_month:
        counts[str(g[key] or "-")][g["verdict"]] = (
            counts[str(g[key] or "-")].get(g["verdict"], 0) + g["count"])
    return dict(sorted(counts.items()))


def _stacked_bars(title: str, chart_id: str, counts: dict[str, dict[str, int]]) -> str:
    """A horizontal bar per label, stacked by verdict, as inline SVG."""
    width, label_w, row_h = 760, 180, 26
    most = max((sum(v.values()) for v in counts.values()), default=0) or 1
    rows = []
    for n, (name, verdicts) in enumerate(counts.items()):
        label = html.escape(clean(name))
        y, x = 30 + n * row_h, float(label_w)
        bars = []
        for verdict in VERDICTS:
            count = verdicts.get(verdict, 0)
            if not count:
                continue
            w = (width - label_w - 60) * count / most
            bars.append(f'<rect class="bar" data-label="{label}" '
                        f'data-verdict="{verdict}" data-count="{count}" x="{x:.1f}" y="{y}" '
                        f'width="{w:.1f}" height="{row_h - 6}" fill="{_COLOURS[verdict]}">'
                        f"<title>{label}: {count} {verdict}</title></rect>")
            x += w
        rows.append(f'<text x="{label_w - 8}" y="{y + row_h - 12}" text-anchor="end">'
                    f"{label}</text>" + "".join(bars)
                    + f'<text x="{x + 6:.1f}" y="{y + row_h - 12}">{sum(verdicts.values())}'
                    "</text>")
    height = 40 + len(counts) * row_h
    legend = "".join(f'<rect x="{label_w + i * 90}" y="6" width="12" height="12" '
                     f'fill="{_COLOURS[v]}"/><text x="{label_w + i * 90 + 16}" y="17">{v}</text>'
                     for i, v in enumerate(VERDICTS))
    return (f'<figure><figcaption>{html.escape(title)}</figcaption>'
            f'<svg id="{chart_id}" role="img" aria-label="{html.escape(title)}" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            f"{legend}{''.join(rows)}</svg></figure>")


def _table(headers: list[str], rows: list[list[Any]], table_id: str) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(clean(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


_CSS = """body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;
text-align:left}th{background:#f3f3f3}figure{margin:1rem 0}figcaption{font-weight:600}
svg text{font-size:12px}.totals span{font-weight:600}"""


def fleet_html(summary: Any) -> str:
    verdicts = {v: sum(g["count"] for g in summary.by_site_month if g["verdict"] == v)
                for v in VERDICTS}
    totals = (f'<p class="totals"><span data-count="inspections">{summary.inspections}</span>'
              f" inspections of <span data-count=\"chassis\">{summary.chassis}</span> chassis"
              f' in <span data-count="runs">{summary.runs}</span> runs; '
              + "; ".join(f'{v} <span data-count="{v}">{n}</span>' for v, n in verdicts.items())
              + "</p>")
    failing = [[check, count] for check, count in summary.failing_checks]
    disagreeing = [[d["serial"], d["pid"], "; ".join(
        f"{i['inspected_at'][:10]} {i['site'] or '-'} {i['run_id']}: {i['verdict']}"
        for i in d["inspections"])] for d in summary.disagreeing]
    parts = [
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">",
        f"<title>Fleet report: {summary.inspections} inspections</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Fleet report</h1>",
        f'<p id="filters">Filters: {html.escape(summary.filters.describe())}</p>', totals,
        _stacked_bars("Inspections by site and verdict", "chart-site", _by(summary, "site")),
        _stacked_bars("Inspections by month and verdict", "chart-month", _by(summary, "month")),
        _stacked_bars("Inspections by tier and verdict", "chart-tier", _by(summary, "tier")),
        "<h2>Most common failing checks</h2>",
        _table(["check", "inspections that failed it"], failing, "failing-checks"),
        "<h2>Chassis inspected more than once with different verdicts</h2>",
        _table(["serial", "PID", "inspections, newest first"], disagreeing, "disagreeing"),
        "<h2>By site, month, tier and verdict</h2>",
        _table(["site", "month", "tier", "verdict", "inspections"],
               [[g["site"], g["month"], g["tier"], g["verdict"], g["count"]]
                for g in summary.by_site_month], "counts"),
        "</body></html>\n",
    ]
    return "".join(parts)


def history_lines(found: list[Any]) -> list[str]:
    """`inspector history`: one line per inspection, newest first. Serials, PIDs and versions
    are the devices' own text: each line prints inert (`plain_line`)."""
    lines = []
    for i in found:
        failed = ", ".join(i.failed) or "-"
        frus = "not read" if i.frus is None else str(len(i.frus))
        lines.append(f"{i.inspected_at}  {i.verdict:<5}  site {i.site or '-'}  run {i.run_id}  "
                     f"{i.hostname}  serial {i.serial or '-'}  {i.pid or '-'}  "
                     f"{i.os or '-'} {i.version or '-'}  units: {frus}  failed: {failed}")
    return [plain_line(line) for line in lines]


def diff_lines(found: Any) -> list[str]:
    """`inspector diff`: what changed from A to B, one line each, printing inert: units'
    names, serials and license values are the devices' own text."""
    a, b = found.a, found.b
    lines = [f"A: run {a.run_id} {a.inspected_at} {a.verdict}",
             f"B: run {b.run_id} {b.inspected_at} {b.verdict}"]
    lines += [f"note: {note}" for note in found.notes]
    lines += [f"{c.kind}: {c.field}: {'(none)' if c.before is None else c.before} -> "
              f"{'(none)' if c.after is None else c.after}" for c in found.changes]
    if found.moving:
        lines.append(f"{found.moving} change(s) of fields that always move left out "
                     "(--all-fields shows them)")
    if found.ignored:
        lines.append(f"{found.ignored} change(s) ignored (--ignore)")
    lines.append(f"{len(found.changes)} change(s)" if found.changes else "nothing changed")
    return [plain_line(line) for line in lines]

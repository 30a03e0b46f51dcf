"""One self-contained HTML report: opens from a USB stick with no network, prints as a PDF.

Everything is inline (CSS, a few lines of JS, SVG charts drawn here), and a Content-Security-
Policy forbids the page from loading anything at all, so even a hostname crafted to inject
markup could not reach out. Every string from a record is escaped.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import shutil
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from inspector.evidence import command_slug
from inspector.files import safe_name
from reports._shared import (
    NO_SITE,
    TIER_LABELS,
    VERDICT_LABELS,
    VERDICTS,
    ChassisRow,
    Record,
    Tally,
    anchored,
    atomic_output,
    chassis_row,
    clean,
    spool,
    when,
)

STATUSES = ("PASS", "FAIL", "ERROR", "SKIP")
COLORS = {"PASS": "#1a7f37", "FAIL": "#cf222e", "ERROR": "#bf8700", "SKIP": "#8c959f"}
MAX_SITE_BARS = 10  # more sites than this fold into one "other sites" bar
DISCLAIMER = (
    "The inspection verifies basic operational and physical requirements that a service "
    "contract will support. It does not certify that the product meets every manufacturer "
    "specification, and it carries no guarantee or warranty."
)

# `content-visibility:auto` on chassis sections lets the browser lay out only those in view:
# a 500-chassis report opens about three times faster. Printing still lays out every one.
_CSS = """
:root{--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa;--accent:#0b3d91;
--pass:#1a7f37;--fail:#cf222e;--error:#9a6700;color-scheme:light}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,
sans-serif;color:var(--ink);background:#fff}
main,.cover-inner,footer{max-width:1180px;margin:0 auto;padding:0 24px}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;
font-size:12.5px}
.cover{border-top:6px solid var(--accent);background:var(--soft);
border-bottom:1px solid var(--line);margin-bottom:24px}
.cover-inner{padding-top:22px;padding-bottom:18px}
.eyebrow{margin:0;color:var(--muted);text-transform:uppercase;letter-spacing:.08em;font-size:12px}
h1{margin:4px 0 14px;font-size:28px;font-weight:650}
h2{font-size:19px;margin:28px 0 12px}
.meta{display:flex;flex-wrap:wrap;gap:6px 32px;margin:0}
.meta div{min-width:0}.meta dt{color:var(--muted);font-size:12px}.meta dd{margin:0;font-weight:550}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px}
.card{border:1px solid var(--line);border-radius:8px;padding:12px 16px;border-top-width:4px}
.card .num{display:block;font-size:30px;font-weight:700;line-height:1.1}
.card .label{color:var(--muted);font-size:13px}
.card.PASS{border-top-color:var(--pass)}.card.PASS .num{color:var(--pass)}
.card.FAIL{border-top-color:var(--fail)}.card.FAIL .num{color:var(--fail)}
.card.ERROR{border-top-color:#d4a72c}.card.ERROR .num{color:var(--error)}
.card.total,.card.eligible{border-top-color:var(--accent)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:16px;
margin-top:16px}
figure{margin:0;border:1px solid var(--line);border-radius:8px;padding:12px 16px}
figcaption{font-weight:600;margin-bottom:8px}
.chart{display:block;max-width:100%;height:auto}
.chart text{font-size:12px;fill:var(--ink)}.chart .count{font-weight:600}
.legend{color:var(--muted);font-size:12.5px;margin:12px 0 0}
.legend b{font-weight:600}
.filters{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid var(--line);
padding:10px 0;margin-top:24px;display:flex;flex-wrap:wrap;gap:8px;align-items:center}
.filters[hidden]{display:none}
.filters button{font:inherit;border:1px solid var(--line);background:#fff;border-radius:999px;
padding:3px 12px;cursor:pointer}
.filters button[aria-pressed=true]{background:var(--accent);border-color:var(--accent);color:#fff}
.filters .shown{color:var(--muted);margin-left:auto}
.filter-note{display:none}
table{border-collapse:collapse;width:100%}
th{text-align:left;font-weight:600;color:var(--muted);font-size:12.5px}
th,td{padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
.chassis-table tbody tr:nth-child(even){background:var(--soft)}
.chassis-table td a{color:var(--accent);font-weight:600;text-decoration:none}
.no-site .col-site,.no-tier .col-tier{display:none}
.badge{display:inline-block;font-size:11.5px;font-weight:700;letter-spacing:.03em;
border-radius:4px;padding:1px 7px;border:1px solid}
.badge.PASS{color:#116329;background:#dafbe1;border-color:#aceebb}
.badge.FAIL{color:#a40e26;background:#ffebe9;border-color:#ffcecb}
.badge.ERROR{color:#7d4e00;background:#fff8c5;border-color:#f2d680}
.badge.SKIP,.badge.UNKNOWN{color:#57606a;background:#eaeef2;border-color:#d0d7de}
.nw{white-space:nowrap}.findings{min-width:11em}
.table-wrap{overflow-x:auto}.chassis-table{font-size:13px}.chassis-table :is(th,td){padding:6px 8px}
.chassis-table td:first-child{overflow-wrap:anywhere;min-width:13em}
.findings code{color:#a40e26}.findings .errored,.findings .errored code{color:#7d4e00}
.findings .minor,.findings .minor code{color:var(--muted)}
.chassis{border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin:20px 0;
content-visibility:auto;contain-intrinsic-size:auto 900px}
.chassis-head{display:flex;align-items:center;gap:12px;flex-wrap:wrap}
.chassis-head h2{margin:0;font-size:20px;word-break:break-all}
.chassis-head .top{margin-left:auto;font-size:12.5px;color:var(--muted)}
.reason{margin:6px 0 12px;color:var(--muted)}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px 20px;
margin:0 0 12px;padding:10px 14px;background:var(--soft);border-radius:6px}
.facts dt{color:var(--muted);font-size:12px}.facts dd{margin:0;word-break:break-word}
.program{margin:0 0 12px}.program ul{margin:4px 0 0;padding-left:20px}
.checks{table-layout:fixed}.checks td{overflow-wrap:anywhere}
.checks>thead>tr>th:nth-child(1){width:84px}.checks>thead>tr>th:nth-child(2){width:25%}
.checks>thead>tr>th:nth-child(3){width:80px}
.checks>tbody>tr.st-FAIL>td{background:#fff6f5}.checks>tbody>tr.st-ERROR>td{background:#fffcec}
.checks .title{color:var(--muted);font-size:12.5px}
.checks>tbody>tr.st-SKIP>td{color:var(--muted)}
.msg{margin:0 0 6px;font-weight:550}
.evidence{margin:0 0 6px;padding:0;list-style:none;font-size:12.5px}
.evidence li{padding:1px 0;word-break:break-word}
.evidence .path{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:var(--muted)}
.evidence .expected{color:var(--muted)}.evidence .bad{color:#a40e26;font-weight:600}
.raw{font-size:12px;color:var(--muted)}
.raw ul{margin:2px 0 0;padding-left:18px}.raw li{word-break:break-all}
.sub{font-size:12px;margin-top:6px;table-layout:fixed}.sub th,.sub td{padding:2px 6px}
.sub th:nth-child(1){width:25%}.sub th:nth-child(2){width:10%}.sub th:nth-child(3){width:12%}
.sub th:nth-child(5){width:26%}.sub .mono{word-break:break-all}
footer{color:var(--muted);font-size:12px;border-top:1px solid var(--line);margin-top:32px;
padding-top:12px;padding-bottom:32px}
html[data-show=PASS] [data-verdict]:not([data-verdict=PASS]),
html[data-show=FAIL] [data-verdict]:not([data-verdict=FAIL]),
html[data-show=ERROR] [data-verdict]:not([data-verdict=ERROR]),
html[data-show=NOTPASS] [data-verdict=PASS]{display:none}
@page{margin:14mm 12mm}
@media print{
body{font-size:10pt}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.filters,.top{display:none!important}
.filter-note:not(:empty){display:block;font-weight:600}
.cover{background:none;border-bottom:0}
.chassis{break-before:page;border:0;padding:0;margin:0}
.table-wrap{overflow:visible}
tr,figure,.card,.facts{break-inside:avoid}
a{color:inherit!important;text-decoration:none}
}
"""

# No `history`, no network, nothing but toggling one attribute: CSS does the hiding, so a
# thousand chassis filter instantly, and with JavaScript off nothing is ever hidden.
_JS = """
(function () {
  var root = document.documentElement, bar = document.getElementById("filters");
  var shown = document.getElementById("shown"), note = document.getElementById("filter-note");
  var buttons = bar.querySelectorAll("button");
  function show(which) {
    var chosen = buttons[0];
    for (var i = 0; i < buttons.length; i++) {
      if (buttons[i].getAttribute("data-show") === which) chosen = buttons[i];
    }
    for (var j = 0; j < buttons.length; j++) {
      buttons[j].setAttribute("aria-pressed", String(buttons[j] === chosen));
    }
    which = chosen.getAttribute("data-show");
    root.setAttribute("data-show", which);
    shown.textContent = "Showing " + chosen.getAttribute("data-n") + " of " +
      bar.getAttribute("data-total") + " chassis";
    note.textContent = which === "all" ? "" :
      "Filtered view: " + chosen.getAttribute("data-label") + " only.";
  }
  bar.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (button) show(button.getAttribute("data-show"));
  });
  bar.hidden = false;
  var wanted = /^#show=(\\w+)$/.exec(window.location.hash);
  show(wanted ? wanted[1] : "all");
})();
"""


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# Only the exact inline style and script above may run; nothing may load.
_CSP = (f"default-src 'none'; style-src {_csp_hash(_CSS)}; script-src {_csp_hash(_JS)}; "
        "img-src data:; base-uri 'none'; form-action 'none'")


def _e(value: Any) -> str:
    return html.escape(clean(value), quote=True)


def _known(value: Any, allowed: Iterable[str], fallback: str) -> str:
    """A record value used as a CSS class or data attribute: only words we chose."""
    return value if isinstance(value, str) and value in allowed else fallback


def _badge(status: Any) -> str:
    return f'<span class="badge {_known(status, STATUSES, "UNKNOWN")}">{_e(status or "?")}</span>'


def write_html(records: Iterable[Record], output: Path, *,
               title: str = "Chassis inspection report") -> Path:
    with HtmlAssembly(title) as report:
        for name, record in anchored(records):
            report.add(html_piece(name, record))
        return report.write(output)


# Where the report shows each chassis's verdict, read back by `inspector verify`: its row of
# the chassis table and its section, each giving the verdict as data and as its badge's text,
# by the chassis's anchor, with the piece (`html_piece`) that holds it; and the summary's
# count of each verdict. Whatever a record quotes is escaped, so none of these can be written
# by a device or an inventory.
SHOWN_VERDICTS = {
    "chassis table": ("table_row", re.compile(
        rb'<tr data-verdict="(?P<verdict>[^"]*)"><td><a href="#c-(?P<anchor>[^"]*)">[^\n]*?'
        rb'<td><span class="badge [^"]*">(?P<badge>[^<]*)</span></td><td class="findings">')),
    "section": ("section", re.compile(
        rb'<section class="chassis" id="c-(?P<anchor>[^"]*)" data-verdict="(?P<verdict>[^"]*)">'
        rb'<div class="chassis-head"><h2>[^<]*</h2><span class="badge [^"]*">(?P<badge>[^<]*)'
        rb'</span>')),
}
SHOWN_COUNTS = re.compile(rb'<span class="num" data-count="(?P<verdict>[A-Z]+)">(?P<count>\d+)'
                          rb'</span>')


def html_piece(anchor: str, record: Record) -> dict[str, Any]:
    """What the report shows of one chassis, as plain data: its table row, its section, and
    what the summary counts; `anchor` names its section, unique in the report. A run keeps
    these per chassis so a rerun redraws only its own."""
    row = chassis_row(record)
    return {"row": asdict(row), "tool_version": record.get("tool_version"),
            "table_row": _table_row(anchor, row).encode(),
            "section": _chassis_section(anchor, record, row).encode()}


class HtmlAssembly:
    """One HTML file from the chassis' pieces; the summary comes first though it is known
    last, so rows and sections wait in temporary files rather than in memory."""

    def __init__(self, title: str = "Chassis inspection report") -> None:
        self.title = title
        self.tally = Tally()
        self.rows = spool()
        self.details = spool()

    def __enter__(self) -> HtmlAssembly:
        return self

    def __exit__(self, *exc: object) -> None:
        self.rows.close()
        self.details.close()

    def add(self, piece: Mapping[str, Any]) -> None:
        self.tally.add(ChassisRow(**piece["row"]), piece["tool_version"])
        self.rows.write(piece["table_row"])
        self.details.write(piece["section"])

    def write(self, output: Path) -> Path:
        tally = self.tally
        self.rows.seek(0)
        self.details.seek(0)
        hidden = [cls for cls, hide in (("no-site", len(tally.by_site) <= 1),
                                        ("no-tier", not tally.has_program)) if hide]
        top = (_head(self.title, tally) + _summary(tally) + _filters(tally)
               + '<section aria-labelledby="inventory-h"><h2 id="inventory-h">Chassis</h2>'
               f'<div class="table-wrap"><table class="chassis-table {" ".join(hidden)}">'
               '<thead><tr>'
               '<th>Hostname</th><th class="col-site">Site</th><th>PID</th>'
               '<th>Serial</th><th>OS version</th><th class="col-tier">Tier</th>'
               '<th>Verdict</th><th>Failed checks</th></tr></thead><tbody>\n')
        with atomic_output(output, binary=True) as out:
            out.write(top.encode())
            shutil.copyfileobj(self.rows, out)
            out.write(b"</tbody></table></div></section>\n")
            shutil.copyfileobj(self.details, out)
            out.write(f"</main>\n<footer><p>{_e(DISCLAIMER)}</p><p>Computed from the "
                      "inspection records alone; every raw output is identified by its "
                      f"sha256.</p></footer>\n<script>{_JS}</script>\n</body>\n</html>\n".encode())
        return output


def _head(title: str, tally: Tally) -> str:
    runs = ", ".join(sorted(tally.run_ids)) or "-"
    sites = sorted(s for s in tally.by_site if s != NO_SITE)
    site = ", ".join(sites) if len(sites) <= 4 else f"{len(sites)} sites"
    meta = [("Run", _e(runs)), ("Site", _e(site or "-")),
            ("Inspected", _e(when(tally.first_start, tally.last_finish)) or "-"),
            ("Chassis", str(tally.chassis))]
    if tally.tool_versions:
        meta.append(("Tool", _e("chassis-inspector " + ", ".join(sorted(tally.tool_versions)))))
    items = "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in meta)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title)} {_e(runs)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            f'<header class="cover" id="top"><div class="cover-inner">'
            f'<p class="eyebrow">Used equipment inspection</p><h1>{_e(title)}</h1>'
            f'<dl class="meta">{items}</dl></div></header>\n<main>\n')


def _summary(tally: Tally) -> str:
    cards = [("total", str(tally.chassis), "Chassis", "total")]
    cards += [(v, str(tally.verdicts[v]), f"{VERDICT_LABELS[v]} ({v})", v) for v in VERDICTS]
    if tally.has_program:
        cards.append(("eligible", str(tally.eligible), "Eligible for support", "eligible"))
    html_cards = "".join(
        f'<div class="card {cls}"><span class="num" data-count="{key}">{num}</span>'
        f'<span class="label">{label}</span></div>' for cls, num, label, key in cards)
    charts = [("By verdict", _bar_chart(
        "Chassis by verdict",
        [(VERDICT_LABELS[v], Counter({v: tally.verdicts[v]})) for v in VERDICTS]))]
    sites = sorted(tally.by_site.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    if len(sites) > MAX_SITE_BARS:
        other: Counter[str] = Counter()
        for _, counts in sites[MAX_SITE_BARS - 1:]:
            other.update(counts)
        sites = sites[:MAX_SITE_BARS - 1] + [(f"{len(sites) - MAX_SITE_BARS + 1} other sites",
                                              other)]
    if len(sites) > 1:  # one site's bar would only repeat the verdict chart
        charts.append(("By site", _bar_chart("Chassis by site and verdict", sites)))
    if tally.has_program:
        tiers = [(TIER_LABELS.get(tier, clean(tier)), counts) for tier, counts in tally.tiers()]
        charts.append(("By tier", _bar_chart("Chassis by program tier and verdict", tiers)))
    figures = "".join(f"<figure><figcaption>{caption}</figcaption>{svg}</figure>"
                      for caption, svg in charts)
    legend = ('<p class="legend"><b>PASS</b> the chassis meets every requirement that applies. '
              "<b>FAIL</b> a check that counts failed (critical or major, unless the policy says "
              "otherwise). <b>ERROR</b> the inspection could "
              "not tell (unreachable, output missing or unreadable); it is never a pass. "
              "<b>SKIP</b> the check does not apply to this chassis.</p>")
    return (f'<section aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>'
            f'<div class="cards">{html_cards}</div><div class="charts">{figures}</div>'
            f"{legend}</section>\n")


def _bar_chart(title: str, groups: list[tuple[str, Counter[str]]]) -> str:
    """Horizontal bars, one per group, stacked by verdict, scaled to the largest group."""
    label_w, bar_w, count_w, row_h, gap = 112, 190, 36, 20, 8
    width, height = label_w + bar_w + count_w, max(1, len(groups) * (row_h + gap) - gap)
    most = max((sum(counts.values()) for _, counts in groups), default=0) or 1
    parts = [(f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
              f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
              f"<title>{_e(title)}</title>")]
    for index, (label, counts) in enumerate(groups):
        y = index * (row_h + gap)
        short = label if len(label) <= 17 else label[:16] + "\u2026"
        parts.append(f'<text x="{label_w - 8}" y="{y + row_h / 2}" text-anchor="end" '
                     f'dominant-baseline="central"><title>{_e(label)}</title>{_e(short)}</text>'
                     f'<rect x="{label_w}" y="{y}" width="{bar_w}" height="{row_h}" rx="3" '
                     'fill="#eef1f4"/>')
        x = float(label_w)
        for verdict in VERDICTS:
            if counts[verdict]:
                w = bar_w * counts[verdict] / most
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h}" '
                             f'fill="{COLORS[verdict]}"><title>{_e(label)}: '
                             f"{counts[verdict]} {verdict}</title></rect>")
                x += w
        parts.append(f'<text class="count" x="{label_w + bar_w + 8}" y="{y + row_h / 2}" '
                     f'dominant-baseline="central">{sum(counts.values())}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _filters(tally: Tally) -> str:
    not_passing = tally.chassis - tally.verdicts["PASS"]
    choices = [("all", "All", tally.chassis), ("NOTPASS", "Not passing", not_passing)]
    choices += [(v, VERDICT_LABELS[v], tally.verdicts[v]) for v in ("FAIL", "ERROR", "PASS")]
    buttons = "".join(
        f'<button type="button" data-show="{key}" data-n="{n}" data-label="{label}" '
        f'aria-pressed="false">{label} ({n})</button>' for key, label, n in choices)
    # Hidden until the script runs, so a reader without JavaScript sees no dead controls.
    return (f'<nav class="filters" id="filters" data-total="{tally.chassis}" hidden '
            f'aria-label="Filter chassis by verdict"><span>Show</span>{buttons}'
            f'<span class="shown" id="shown"></span></nav>'
            f'<p class="filter-note" id="filter-note"></p>\n')


def _table_row(anchor: str, row: ChassisRow) -> str:
    verdict = _known(row.verdict, VERDICTS, "ERROR")
    failed = " ".join(f"<code>{_e(c)}</code>" for c in row.failed)
    if verdict == "PASS" and failed:  # failures that did not count against the chassis
        findings = f'<span class="minor">minor: {failed}</span>'
    elif row.cannot_be_done:
        findings = f'<span class="errored">not inspected: {_e(row.cannot_be_done)}</span>'
    elif row.not_reached:
        findings = f'<span class="errored">not reached: {_e(row.not_reached)}</span>'
    else:
        findings = failed
        if row.errored:
            findings += (' <span class="errored">could not tell: '
                         + " ".join(f"<code>{_e(c)}</code>" for c in row.errored) + "</span>")
        if not row.failed and not row.errored and verdict != "PASS":
            findings = _e(row.verdict_reason)
    tier = TIER_LABELS.get(row.tier, clean(row.tier)) if row.has_program else "-"
    return (f'<tr data-verdict="{verdict}">'
            f'<td><a href="#c-{_e(anchor)}">{_e(row.hostname)}</a></td>'
            f'<td class="col-site nw">{_e(row.site) or "-"}</td>'
            f'<td class="nw">{_e(row.pid) or "-"}</td>'
            f"<td>{_e(row.serial) or '-'}</td><td>{_e(row.os_version) or '-'}</td>"
            f'<td class="col-tier">{_e(tier)}</td><td>{_badge(row.verdict)}</td>'
            f'<td class="findings">{findings.strip()}</td></tr>\n')


def _chassis_section(anchor: str, record: Record, row: ChassisRow) -> str:
    chassis = record.get("chassis") or {}
    verdict = _known(row.verdict, VERDICTS, "ERROR")
    facts = [("Platform", row.platform), ("PID", row.pid), ("Serial", row.serial),
             ("OS version", row.os_version), ("Site", row.site),
             ("Address", chassis.get("address")), ("Session", _session(record)),
             ("Inspected", when(row.started_at, row.finished_at)),
             ("Run", row.run_id)]
    if row.members:  # each a chassis of its own to the program, and on no checklist line
        facts.insert(3, ("Other chassis on site", "; ".join(row.members)))
    facts_html = "".join(f"<div><dt>{k}</dt><dd>{_e(v) or '-'}</dd></div>" for k, v in facts)
    checks = "".join(_check_row(row.hostname, check) for check in record.get("checks") or [])
    if not checks:
        checks = '<tr><td colspan="4">No check was run on this chassis.</td></tr>'
    return (f'<section class="chassis" id="c-{_e(anchor)}" data-verdict="{verdict}">'
            f'<div class="chassis-head"><h2>{_e(row.hostname)}</h2>{_badge(row.verdict)}'
            f'<a class="top" href="#top">back to summary</a></div>'
            f'<p class="reason">{_e(row.verdict_reason)}</p><dl class="facts">{facts_html}</dl>'
            f"{_program(record.get('program'))}"
            '<table class="checks"><thead><tr><th>Status</th><th>Check</th><th>Severity</th>'
            f"<th>Finding and evidence</th></tr></thead><tbody>{checks}</tbody></table>"
            "</section>\n")


def _session(record: Record) -> str:
    session = record.get("session")
    if not isinstance(session, Mapping):
        return "no SSH session"  # judged from saved outputs, or a platform never contacted
    if not session.get("connected"):
        return f"not reached: {clean(session.get('error')) or 'unknown reason'}"
    return "connected, privileged" if session.get("privileged") else "connected, not privileged"


def _program(program: Any) -> str:
    if not isinstance(program, Mapping):
        return ""
    tier = TIER_LABELS.get(program.get("tier"), clean(program.get("tier")))
    eligible = program.get("eligible_for_support")
    eligible = "yes" if eligible is True else "no" if eligible is False else "unknown"
    reasons = "".join(f"<li>{_e(r)}</li>" for r in program.get("reasons") or [])
    return (f'<div class="program"><strong>Program:</strong> {_e(tier)}; eligible for support: '
            f"<strong>{eligible}</strong>{f'<ul>{reasons}</ul>' if reasons else ''}</div>")


def _check_row(hostname: str, check: Mapping[str, Any]) -> str:
    status = _known(check.get("status"), STATUSES, "UNKNOWN")
    evidence = "".join(_evidence_item(item, failed=status == "FAIL")
                       for item in check.get("evidence") or [] if isinstance(item, Mapping))
    # The outputs the check's latest judgement read: a live rerun's are in its attempt folder.
    attempts = check.get("attempts")
    latest = attempts[-1] if isinstance(attempts, list) and attempts else {}
    folder = latest.get("evidence_dir") if isinstance(latest, Mapping) else None
    shown = _e(folder) if isinstance(folder, str) else "evidence/" + _e(safe_name(hostname))
    raw = "".join(
        f"<li><code>{_e(c.get('command'))}</code> &middot; "
        f"<span class=\"mono\">{shown}/"
        f"{_e(command_slug(clean(c.get('command'))))}.txt</span><br>sha256 "
        f"<span class=\"mono\">{_e(c.get('sha256')) or 'none (not captured)'}</span>"
        + (f" &middot; parser {_e(c.get('parser'))}" if c.get("parser") else "") + "</li>"
        for c in check.get("commands") or [] if isinstance(c, Mapping))
    body = f'<p class="msg">{_e(check.get("message"))}</p>'
    if evidence:
        body += f'<ul class="evidence">{evidence}</ul>'
    if raw:
        body += f'<div class="raw">Raw outputs read:<ul>{raw}</ul></div>'
    body += _attempts(check.get("attempts"))
    return (f'<tr class="st-{status}"><td>{_badge(check.get("status"))}</td>'
            f'<td><code>{_e(check.get("id"))}</code><div class="title">{_e(check.get("title"))}'
            f'</div></td><td>{_e(check.get("severity"))}</td><td>{body}</td></tr>')


def _evidence_item(item: Mapping[str, Any], *, failed: bool) -> str:
    actual = _e(item.get("actual"))
    if item.get("expected") is None:
        return f'<li><span class="path">{_e(item.get("path"))}</span> {actual}</li>'
    # Checks state an expectation on the observations that failed it: those stand out.
    if failed:
        actual = f'<span class="bad">{actual}</span>'
    return (f'<li><span class="path">{_e(item.get("path"))}</span> {actual} '
            f'<span class="expected">(expected {_e(item.get("expected"))})</span></li>')


def _attempts(attempts: Any) -> str:
    if not isinstance(attempts, list) or not attempts:
        return ""
    rows = "".join(
        f"<tr><td class=\"nw\">{_e(when(a.get('at')))}</td><td>{_e(a.get('mode'))}</td>"
        f"<td>{_badge(a.get('status'))}</td><td>{_e(a.get('message'))}</td>"
        f"<td class=\"mono\">{_e(a.get('evidence_dir')) or '-'}"
        f"{''.join(_attempt_output(c) for c in a.get('commands') or [])}</td></tr>"
        for a in attempts if isinstance(a, Mapping))
    return ('<table class="sub"><thead><tr><th>Attempt</th><th>Mode</th><th>Status</th>'
            f"<th>Message</th><th>Evidence</th></tr></thead><tbody>{rows}</tbody></table>")


def _attempt_output(command: Any) -> str:
    """One output an attempt read: its command and sha256, as the record names them."""
    if not isinstance(command, Mapping):
        return ""
    return f"<br>{_e(command.get('command'))}: {_e(command.get('sha256')) or '-'}"

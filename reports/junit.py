"""JUnit XML for CI: one <testsuite> per chassis, one <testcase> per check.

Written to the attribute names and types Jenkins (xunit junit-10.xsd) and the Ant schema read:
counts on every suite, `time` as a plain decimal, `timestamp` without a zone (it is UTC).
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from reports._shared import (
    Record,
    anchored,
    atomic_output,
    chassis_row,
    clean,
    parse_time,
    seconds_between,
    spool,
)

# A chassis whose verdict none of its checks shows (no checks at all, or every check skipped)
# gets this extra testcase, so CI never shows green for a chassis that did not pass.
VERDICT_CASE = "chassis.verdict"
_OUTCOME_TAG = {"FAIL": "failure", "ERROR": "error", "SKIP": "skipped"}
_COUNTED = {"failure": "failures", "error": "errors", "skipped": "skipped"}


def write_junit(records: Iterable[Record], output: Path, *,
                name: str = "chassis inspection") -> Path:
    with JunitAssembly(name) as report:
        for name, record in anchored(records):
            report.add(junit_piece(name, record))
        return report.write(output)


# Where the report shows each chassis's verdict, read back by `inspector verify`: its suite's
# `verdict` property, by the suite's id (the chassis's anchor), with the piece (`junit_piece`)
# that holds it. Attribute values are escaped, so no quoted text can be taken for it.
SHOWN_VERDICTS = {
    "testsuite": ("suite", re.compile(
        rb'<testsuite [^>\n]*? id="(?P<anchor>[^"]*)"><properties>(?:<property [^>\n]*/>)*?'
        rb'<property name="verdict" value="(?P<verdict>[^"]*)" />')),
}


def junit_piece(suite_id: str, record: Record) -> dict[str, Any]:
    """One chassis's <testsuite> (its `id` unique in the report) and what the root element
    counts, as plain data."""
    suite, counts = _testsuite(suite_id, record)
    return {"suite": ET.tostring(suite, encoding="unicode").encode() + b"\n",
            "counts": dict(counts), "run_id": clean(record.get("run_id")),
            "started_at": record.get("started_at"), "finished_at": record.get("finished_at")}


class JunitAssembly:
    """The <testsuites> document from the chassis' pieces; its counts come first though they
    are known last, so the suites wait in a temporary file."""

    def __init__(self, name: str = "chassis inspection") -> None:
        self.name = name
        self.totals: Counter[str] = Counter()
        self.run_ids: set[str] = set()
        self.first: str | None = None
        self.last: str | None = None
        self.suites = spool()

    def __enter__(self) -> JunitAssembly:
        return self

    def __exit__(self, *exc: object) -> None:
        self.suites.close()

    def add(self, piece: Mapping[str, Any]) -> None:
        self.totals.update(piece["counts"])
        self.suites.write(piece["suite"])
        self.run_ids.add(piece["run_id"])
        started, finished = piece["started_at"], piece["finished_at"]
        if self.first is None or (started and started < self.first):
            self.first = started
        if self.last is None or (finished and finished > self.last):
            self.last = finished

    def write(self, output: Path) -> Path:
        self.suites.seek(0)
        title = " ".join([self.name, *sorted(r for r in self.run_ids if r)])
        root = {"name": title, "tests": self.totals["tests"],
                "failures": self.totals["failures"], "errors": self.totals["errors"],
                "time": f"{seconds_between(self.first, self.last):.3f}"}
        attributes = "".join(f" {key}={quoteattr(str(value))}" for key, value in root.items())
        with atomic_output(output, binary=True) as out:
            out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n'
                      f"<testsuites{attributes}>\n".encode())
            shutil.copyfileobj(self.suites, out)
            out.write(b"</testsuites>\n")
        return output


def _testsuite(suite_id: str, record: Record) -> tuple[ET.Element, Counter[str]]:
    row = chassis_row(record)
    cases = [_testcase(row.hostname, check) for check in record.get("checks") or []]
    shown = {tag for case in cases for tag in _outcomes(case)}
    wanted = None
    if row.verdict == "FAIL" and "failure" not in shown:
        wanted = "failure"
    elif row.verdict not in ("PASS", "FAIL") and not shown & {"failure", "error"}:
        wanted = "error"
    if wanted:
        case = ET.Element("testcase", name=VERDICT_CASE, classname=row.hostname, time="0")
        ET.SubElement(case, wanted, message=row.verdict_reason or row.verdict, type="verdict")
        cases.append(case)
    counts: Counter[str] = Counter(tests=len(cases))
    for case in cases:
        counts.update(_COUNTED[tag] for tag in _outcomes(case))
    started = parse_time(record.get("started_at"))
    suite = ET.Element("testsuite", {
        "name": row.hostname,
        "tests": str(counts["tests"]),
        "failures": str(counts["failures"]),
        "errors": str(counts["errors"]),
        "skipped": str(counts["skipped"]),
        "time": f"{seconds_between(record.get('started_at'), record.get('finished_at')):.3f}",
        "timestamp": started.strftime("%Y-%m-%dT%H:%M:%S") if started else "",
        "hostname": clean((record.get("chassis") or {}).get("address")) or row.hostname,
        "id": suite_id,
    })
    if not suite.get("timestamp"):
        del suite.attrib["timestamp"]
    properties = ET.SubElement(suite, "properties")
    facts: dict[str, Any] = {
        "run_id": row.run_id, "site": row.site, "platform": row.platform, "pid": row.pid,
        "serial": row.serial, "os": row.os, "version": row.version, "verdict": row.verdict,
        "verdict_reason": row.verdict_reason, "tier": row.tier,
        "eligible_for_support": row.eligible_for_support,
        "other_chassis": "; ".join(row.members),
    }
    for key, value in facts.items():
        if value is not None and value != "":
            ET.SubElement(properties, "property", name=key, value=clean(value))
    suite.extend(cases)
    return suite, counts


def _outcomes(case: ET.Element) -> list[str]:
    return [child.tag for child in case if child.tag in _COUNTED]


def _testcase(hostname: str, check: Mapping[str, Any]) -> ET.Element:
    case = ET.Element("testcase", name=clean(check.get("id")) or "(unnamed check)",
                      classname=hostname, time="0")
    status = check.get("status")
    message = clean(check.get("message"))
    tag = _OUTCOME_TAG.get(str(status))
    if status not in ("PASS", "FAIL", "ERROR", "SKIP"):
        # An unknown status is our own trouble: never let it read as a pass.
        tag, message = "error", f"unknown status {clean(status)!r}: {message}"
    if tag == "skipped":
        ET.SubElement(case, "skipped", message=message)
        return case
    body = _details(check, message)
    if tag is None:  # PASS keeps its evidence where CI shows a test's output
        ET.SubElement(case, "system-out").text = body
    else:
        outcome = ET.SubElement(case, tag, message=message, type=clean(check.get("severity")))
        outcome.text = body
    return case


def _details(check: Mapping[str, Any], message: str) -> str:
    lines = [message, f"check: {clean(check.get('id'))} {clean(check.get('title'))}".rstrip(),
             f"severity: {clean(check.get('severity'))}"]
    evidence = check.get("evidence") or []
    if evidence:
        lines.append("evidence:")
    for item in evidence:
        line = f"  {clean(item.get('path'))}: {clean(item.get('actual'))}"
        if item.get("expected") is not None:
            line += f" (expected {clean(item.get('expected'))})"
        lines.append(line)
    commands = check.get("commands") or []
    if commands:
        lines.append("raw outputs read:")
    for command in commands:
        lines.append(f"  {clean(command.get('command'))}  sha256 "
                     f"{clean(command.get('sha256')) or 'none (not captured)'}"
                     f"  parser {clean(command.get('parser')) or 'none'}")
    for attempt in check.get("attempts") or []:
        lines.append(f"attempt {clean(attempt.get('at'))} {clean(attempt.get('mode'))}: "
                     f"{clean(attempt.get('status'))} {clean(attempt.get('message'))}".rstrip())
    return "\n".join(lines)

"""The program's rules: a product's complexity tier, whether a chassis can be inspected and when,
and whether an inspected chassis can be placed under support.

Everything here works from the checklist, the product catalogue and records: nothing contacts
a device. The preflight decides which chassis are worth a visit; the record's `program` section
decides, after the visit, which are eligible for support.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from inspector.checklist import (
    ChecklistRow,
    cross_row_problems,
    declared_through_checklist,
    field_problem,
    row_from_host,
    rows_from_nornir,
)
from inspector.files import json_bytes, read_json
from inspector.policy import Policy
from inspector.records import build_record

# ------------------------------------------------------------------------- product catalogue


class Tier(StrEnum):
    LOW = "low"
    HIGH = "high"
    NOT_IN_PROGRAM = "not_in_program"
    # No PID to classify (none declared, none read): which list it is on cannot be told, and
    # saying "not in the program" would be a guess.
    UNKNOWN = "unknown"


class CatalogueError(ValueError):
    """The product catalogue itself is wrong (bad pattern, unknown tier, ambiguous PID)."""


_PATTERN_CHARS = set(".^$*+?{}[]\\|()")


def literal_prefix(pattern: str) -> str:
    """The characters every PID matching `pattern` starts with: `C9300[A-Z]*` -> `C9300`."""
    prefix = ""
    for char in pattern:
        if char in _PATTERN_CHARS:
            # A quantifier makes the character before it optional or repeatable.
            return prefix[:-1] if char in "*?{" else prefix
        prefix += char
    return prefix


@dataclass(frozen=True, kw_only=True)
class _Rule:
    family: str
    tier: Tier
    os: str
    pattern: str
    regex: re.Pattern[str]

    @property
    def specificity(self) -> tuple[bool, int]:
        # A PID written out in full beats any pattern; then the longer certain start wins.
        exact = not any(char in _PATTERN_CHARS for char in self.pattern)
        return exact, len(literal_prefix(self.pattern))


@dataclass(frozen=True, kw_only=True)
class Product:
    """What the catalogue says about one PID, with what it takes to explain it."""

    pid: str
    tier: Tier
    family: str | None = None  # the entry of the program's lists, as listed
    rule: str | None = None  # the pattern that matched
    os: str | None = None
    platforms: tuple[str, ...] = ()  # SSH platforms whose parsers read this OS; () = none
    outranked: tuple[str, ...] = ()  # families that matched too, less specifically

    @property
    def in_program(self) -> bool:
        return self.tier in (Tier.LOW, Tier.HIGH)

    @property
    def has_ssh_cli(self) -> bool:
        return bool(self.platforms)

    def explain(self) -> str:
        if self.tier is Tier.UNKNOWN:
            return "no PID, declared or read: its tier cannot be told"
        if self.family is None:
            return f"{self.pid} is on neither of the program's tier lists"
        text = f"{self.pid}: {self.family} ({self.tier}), matched {self.rule!r}"
        if self.outranked:
            text += ", more specific than " + ", ".join(self.outranked)
        return text


@dataclass(frozen=True, kw_only=True)
class Family:
    name: str
    tier: Tier
    os: str
    platforms: tuple[str, ...]  # SSH platforms whose parsers read its OS; () = none


class ProductCatalogue:
    def __init__(self, rules: list[_Rule], operating_systems: Mapping[str, list[str]]) -> None:
        self._rules = rules
        self._platforms = {os: tuple(p) for os, p in operating_systems.items()}

    @classmethod
    def from_yaml(cls, text: str) -> ProductCatalogue:
        doc = yaml.safe_load(text)
        systems = doc["operating_systems"]
        rules = []
        for entry in doc["families"]:
            # A family name with an unquoted comma splits into extra keys: refuse, not guess.
            if set(entry) != {"family", "tier", "os", "pids"}:
                raise CatalogueError(f"catalogue entry {entry}: expected family, tier, os, pids")
            if entry["os"] not in systems:
                raise CatalogueError(f"{entry['family']}: unknown os {entry['os']!r}")
            # `unknown` answers a lookup with no PID; no family of the lists is of it.
            if entry["tier"] not in {str(t) for t in Tier} - {Tier.UNKNOWN}:
                raise CatalogueError(f"{entry['family']}: unknown tier {entry['tier']!r}")
            tier = Tier(entry["tier"])
            for pattern in entry["pids"]:
                try:
                    regex = re.compile(pattern, re.IGNORECASE)
                except re.error as exc:
                    raise CatalogueError(
                        f"{entry['family']}: bad pattern {pattern!r}: {exc}") from None
                rules.append(_Rule(family=entry["family"], tier=tier, os=entry["os"],
                                   pattern=pattern, regex=regex))
        return cls(rules, systems)

    def families(self) -> list[str]:
        return list(dict.fromkeys(rule.family for rule in self._rules))

    def entries(self) -> list[Family]:
        """Every family of the lists, in their order."""
        first = {rule.family: rule for rule in reversed(self._rules)}
        return [Family(name=name, tier=first[name].tier, os=first[name].os,
                       platforms=self._platforms[first[name].os]) for name in self.families()]

    def lookup(self, pid: str | None) -> Product:
        """Classify a PID as the device prints it; anything unlisted is not in the program."""
        pid = (pid or "").strip().upper()
        if not pid:
            return Product(pid=pid, tier=Tier.UNKNOWN)
        matches = [rule for rule in self._rules if rule.regex.fullmatch(pid)]
        if not matches:
            return Product(pid=pid, tier=Tier.NOT_IN_PROGRAM)
        matches.sort(key=lambda rule: rule.specificity, reverse=True)
        best = matches[0]
        tied = {r.family for r in matches if r.specificity == best.specificity} - {best.family}
        if tied:
            raise CatalogueError(
                f"{pid} matches {best.family} and {', '.join(sorted(tied))} equally: "
                "make one pattern more specific"
            )
        outranked = tuple(dict.fromkeys(r.family for r in matches if r.family != best.family))
        return Product(pid=pid, tier=best.tier, family=best.family, rule=best.pattern,
                       os=best.os, platforms=self._platforms[best.os], outranked=outranked)


def load_products(path: Path | None = None) -> ProductCatalogue:
    """The catalogue in `checks/catalogue_pids.yaml`, or another file of the same shape."""
    if path is not None:
        return ProductCatalogue.from_yaml(path.read_text(encoding="utf-8"))
    return _default_products()


@cache
def _default_products() -> ProductCatalogue:
    text = files("checks").joinpath("catalogue_pids.yaml").read_text(encoding="utf-8")
    return ProductCatalogue.from_yaml(text)


# ------------------------------------------------------------------------------ eligibility

_CANNOT_BE_INSPECTED = {
    "permanently_damaged": "permanently damaged",
    "out_of_commission": "out of commission",
    "unusable": "permanently unusable",
}
_ALWAYS_REQUIRED = ("site", "country", "declared_pid", "declared_serial", "condition")


@dataclass(frozen=True, kw_only=True)
class Reason:
    text: str
    blocks_inspection: bool  # the chassis is not inspected (and not contacted)
    blocks_support: bool  # the chassis cannot be placed under a service contract


@dataclass(frozen=True, kw_only=True)
class Assessment:
    """One chassis judged on its declaration alone."""

    hostname: str
    product: Product
    reasons: tuple[Reason, ...]
    fee_waived: bool = False  # a transfer the program excepts: no new license fee

    @property
    def tier(self) -> Tier:
        return self.product.tier

    @property
    def eligible(self) -> bool:
        return not any(r.blocks_inspection for r in self.reasons)

    def as_dict(self) -> dict[str, Any]:
        return {"hostname": self.hostname, "tier": str(self.tier), "eligible": self.eligible,
                "reasons": [r.text for r in self.reasons]}


# Europe, for the program's transfers within it: the countries wholly or mostly in it (a
# transfer declared within Europe for a site elsewhere is questioned, not taken).
EUROPE = frozenset(
    "AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI "
    "LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA".split())


def missing_fields(row: ChecklistRow, product: Product, *, visited: bool = False) -> list[str]:
    """What the checklist must say about this chassis and does not.

    After a visit (`visited`), how to reach the chassis no longer matters: the record says.
    """
    missing = [name for name in _ALWAYS_REQUIRED if not getattr(row, name)]
    if visited:
        return missing
    # Gear without an SSH CLI (ONS, BPX, MGX, StarOS) is inspected by hand: no platform needed.
    if product.in_program and product.has_ssh_cli and not row.platform:
        missing.append("platform")
    if row.platform and not row.address:
        missing.append("address")
    return missing


def assess(row: ChecklistRow, hold_list: AbstractSet[str] | None, products: ProductCatalogue,
           *, pid: str | None = None, visited: bool = False,
           conflicts: Iterable[tuple[str, str]] = ()) -> Assessment:
    """Every reason that bears on inspecting and supporting this chassis, from its declaration.

    `hold_list` None: no hold list was given, so a hold cannot be flagged and the reasons say
    it was not checked. After a visit, `pid` is the PID the chassis reported (it decides the
    tier) and `visited` leaves out what only mattered for reaching the chassis. `conflicts`
    are (column, why) that this row and an earlier one of the same declarations cannot both
    be true of.
    """
    product = products.lookup(pid or row.declared_pid)
    reasons: list[Reason] = []

    def add(text: str, *, inspection: bool, support: bool = True) -> None:
        reasons.append(Reason(text=text, blocks_inspection=inspection, blocks_support=support))

    missing = missing_fields(row, product, visited=visited)
    if missing:
        # The program: the checklist must be accurate and complete, or no inspection is done.
        add(f"checklist incomplete: missing {', '.join(missing)}", inspection=True)
    for column, why in conflicts:
        add(f"checklist inaccurate: {column}: {why}", inspection=True)
    for column in ("address", "platform", "country", "declared_pid", "declared_serial",
                   "condition", "transfer_exception", "license_proof"):
        problem = field_problem(column, getattr(row, column))
        if problem:  # only hand-written inventories get here: the import refuses these
            add(f"checklist invalid: {column}: {problem}",
                inspection=column != "license_proof")
    if product.pid and not product.in_program:
        add(f"not in the program: {product.explain()}", inspection=True)
    if row.condition in _CANNOT_BE_INSPECTED:
        add(f"declared {_CANNOT_BE_INSPECTED[row.condition]}: cannot be inspected or placed "
            "under a service contract", inspection=True)
    if row.condition == "environmental_damage":
        add("declared damaged by fire, flood or another environmental event: out of this "
            "program, refer it to the compromised-equipment return-to-service process",
            inspection=True)
    serial = row.declared_serial.strip().upper()
    if hold_list is None:
        add("compliance hold not checked: no hold list was given", inspection=False)
    elif serial and serial in hold_list:
        add(f"serial {serial} is on compliance hold", inspection=True)
    if not row.license_proof:
        add("no license proof: inspectable, but not supportable until a sales order number or "
            "an authorized reseller's receipt for the license is given", inspection=False)
    fee_waived = False
    if row.transfer_exception and not field_problem("transfer_exception",
                                                     row.transfer_exception):
        if row.transfer_exception == "within_europe" and row.country.upper() not in EUROPE:
            where = row.country or "no country"
            add(f"a transfer within Europe is declared for a site in {where}: the new license "
                "fee is waived only if it is one (check the checklist)", inspection=False,
                support=False)
        else:
            fee_waived = True
            add(f"the new license fee is waived: {row.transfer_exception.replace('_', ' ')} "
                "transfer, one the program excepts", inspection=False, support=False)
    if product.in_program and not product.has_ssh_cli:
        add(f"{product.family} runs {product.os}: no SSH CLI the inspector can parse, so its "
            "device checks cannot run (inspect it by hand)", inspection=False, support=False)
    elif product.in_program and row.platform and row.platform not in product.platforms:
        add(f"platform {row.platform} does not fit {product.family}, which runs {product.os} "
            f"(expected {' or '.join(product.platforms)}): check the checklist",
            inspection=False, support=False)
    return Assessment(hostname=row.hostname, product=product, reasons=tuple(reasons),
                      fee_waived=fee_waived)


# ---------------------------------------------------------------------------------- preflight

# The program fixes the notice in the United States and Canada; elsewhere its text says 7
# business days in one place and 10 in another, so the policy decides (default: the longer).
FIXED_NOTICE_BUSINESS_DAYS = {"US": 5, "CA": 5}
LONGER_NOTICE_ELSEWHERE = 10
NO_SITE = "(no site)"


def notice_business_days(country: str, policy: Policy) -> int:
    fixed = FIXED_NOTICE_BUSINESS_DAYS.get(country.upper())
    return fixed if fixed is not None else int(policy["program.notice_business_days_elsewhere"])


def add_business_days(start: date, days: int) -> date:
    """`days` business days after `start`, skipping Saturdays and Sundays (not holidays)."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def site_notice(countries: Iterable[str], policy: Policy) -> tuple[int, str]:
    """The business days' notice a site needs, and what it stands on: said, so that the
    policy's choice between the program's two readings is never made silently. With no known
    country, or several, the longest notice among them is the safe one."""
    known = [c.upper() for c in countries if c]
    if known and all(c in FIXED_NOTICE_BUSINESS_DAYS for c in known):
        return (max(FIXED_NOTICE_BUSINESS_DAYS[c] for c in known),
                "fixed by the program for the United States and Canada")
    notice = max(notice_business_days(c, policy) for c in [*known, ""])
    basis = ("the policy's program.notice_business_days_elsewhere, where the program's text "
             "says 7 business days in one place and 10 in another")
    if notice < LONGER_NOTICE_ELSEWHERE:
        basis += f": fewer than the {LONGER_NOTICE_ELSEWHERE} it also says"
    return notice, basis


def load_hold_list(path: Path) -> frozenset[str]:
    """Serials on compliance hold: one per line; blank lines and `#` comments are ignored. A
    line holding anything else is refused: two serials pasted on one line (`FOC1 FOC2`,
    `FOC1,FOC2`) would be read as one that no chassis has, and both held chassis pass."""
    from inspector.files import read_text

    serials = set()
    text = read_text(path, f"--hold-list {path}", encoding="utf-8-sig")
    for number, line in enumerate(text.splitlines(), start=1):
        serial = line.split("#", 1)[0].strip().upper()
        if serial and not (serial.isascii() and serial.isprintable()
                           and not re.search(r"[\s,;]", serial)):
            raise ValueError(f"--hold-list {path}, line {number}: {serial!r} is not one serial "
                             "number (one a line, in ASCII, without spaces, commas or "
                             "control characters)")
        if serial:
            serials.add(serial)
    return frozenset(serials)


def conflicts_by_row(rows: list[ChecklistRow]) -> dict[int, list[tuple[str, str]]]:
    """`cross_row_problems` by index of row. An imported checklist has none (the import
    refuses them); an inventory written by hand, a Nornir configuration or a testbed can."""
    found: dict[int, list[tuple[str, str]]] = {}
    for index, column, why in cross_row_problems(rows):
        found.setdefault(index, []).append((column, why))
    return found


def declarations(source: Any) -> list[ChecklistRow]:
    """Checklist rows as given, or read from a Nornir object's hosts."""
    if hasattr(source, "inventory"):
        return rows_from_nornir(source)
    return list(source)


def preflight(
    declared: Iterable[ChecklistRow] | Any,
    hold_list: AbstractSet[str] | None,
    today: date,
    policy: Policy,
    products: ProductCatalogue | None = None,
) -> dict[str, Any]:
    """Judge every declared chassis and summarise each site, without contacting anything.

    A site's `tiers` is the quote: `low` and `high` count the chassis that can be inspected,
    `not_in_program` counts the chassis the program does not cover. Chassis excluded for
    another reason (damage, hold, an incomplete checklist) are in no count: they get no quote.
    `fee_waived` counts the quoted chassis whose new license fee the program waives (a
    transfer it excepts: to an affiliate, within Europe, ...). Without a hold list (None) no
    chassis is said to be clear of a compliance hold.
    """
    products = products or load_products()
    hold = None if hold_list is None else frozenset(s.strip().upper() for s in hold_list)
    chassis = []
    sites: dict[str, dict[str, Any]] = {}
    countries: dict[str, set[str]] = {}
    rows = declarations(declared)
    conflicts = conflicts_by_row(rows)
    for index, row in enumerate(rows):
        assessment = assess(row, hold, products, conflicts=conflicts.get(index, ()))
        chassis.append(assessment.as_dict())
        site = row.site or NO_SITE
        # A chassis of unknown tier has no declared PID: its checklist is incomplete, no quote.
        summary = sites.setdefault(site, {"tiers": {str(t): 0 for t in Tier
                                                    if t is not Tier.UNKNOWN}, "fee_waived": 0})
        countries.setdefault(site, set()).add(row.country)
        if assessment.tier is Tier.NOT_IN_PROGRAM or assessment.eligible:
            summary["tiers"][str(assessment.tier)] += 1
        if assessment.fee_waived and assessment.eligible and (
                assessment.tier is not Tier.NOT_IN_PROGRAM):
            summary["fee_waived"] += 1
    for site, summary in sites.items():
        notice, basis = site_notice(countries[site], policy)
        summary["earliest_inspection_date"] = add_business_days(today, notice).isoformat()
        summary["notice_business_days"] = notice
        summary["notice_basis"] = basis
    return {"chassis": chassis, "sites": dict(sorted(sites.items()))}


def print_preflight(console: Any, report: Mapping[str, Any]) -> None:
    """The preflight as a table and one line per site; plain text when not on a terminal."""
    from rich.table import Table

    from reports.terminal import shown_line

    table = Table(title="Preflight", title_justify="left")
    for column in ("chassis", "tier", "inspect", "reasons"):
        table.add_column(column, overflow="fold")
    for item in report["chassis"]:
        verdict = "[green]yes[/]" if item["eligible"] else "[bold red]no[/]"
        table.add_row(shown_line(item["hostname"]), item["tier"], verdict,
                      "\n".join(map(shown_line, item["reasons"])) or "-")
    console.print(table)
    for site, summary in report["sites"].items():
        tiers = summary["tiers"]
        console.print(
            f"site {shown_line(site)}: quote {tiers['low']} low, {tiers['high']} high "
            f"({summary['fee_waived']} with the new license fee waived); "
            f"{tiers['not_in_program']} not in the program; earliest inspection "
            f"{summary['earliest_inspection_date']} ({summary['notice_business_days']} "
            f"business days' notice: {summary['notice_basis']})"
        )


# ------------------------------------------------------------- on site: context and records


@dataclass(frozen=True, kw_only=True)
class HostContext:
    """What a program check knows besides the chassis's outputs: its checklist row and the
    compliance hold list. The evaluator passes it to checks that take a `context` argument."""

    hostname: str
    declaration: ChecklistRow | None  # None: the host was not declared through a checklist
    hold_list: frozenset[str] | None  # None: no hold list was given for this run

    @classmethod
    def from_data(
        cls,
        hostname: str,
        data: Mapping[str, Any],
        hold_list: Iterable[str] | None = None,
        *,
        address: str | None = None,
        port: int | None = None,
        platform: str | None = None,
    ) -> HostContext:
        declaration = (
            row_from_host(hostname, data, address=address, port=port, platform=platform)
            if declared_through_checklist(data)
            else None
        )
        hold = None if hold_list is None else frozenset(s.strip().upper() for s in hold_list)
        return cls(hostname=hostname, declaration=declaration, hold_list=hold)

    @classmethod
    def for_host(cls, host: Any, hold_list: Iterable[str] | None) -> HostContext:
        """From a Nornir host: its data including what its groups and defaults give it."""
        return cls.from_data(host.name, dict(host.items()), hold_list, address=host.hostname,
                             port=host.port, platform=host.platform)

    def host_data(self) -> dict[str, Any]:
        """The inventory data the context came from ({} without a checklist)."""
        return self.declaration.data() if self.declaration else {}

    # Saved beside the chassis's outputs, the context is evidence like them: a rerun re-judges
    # the program checks against what the run judged them against, not against nothing.
    FILE = "context.json"

    def file(self, folder: Path) -> tuple[Path, bytes]:
        """The context's file in the evidence folder `folder`, and its bytes."""
        return folder / self.FILE, json_bytes({
            "hostname": self.hostname,
            "declaration": self.declaration.data() if self.declaration else None,
            "hold_list": sorted(self.hold_list) if self.hold_list is not None else None,
        })

    @classmethod
    def load(cls, folder: Path) -> HostContext | None:
        """The context saved in an evidence folder; None when it holds none (older runs,
        a capture made by hand)."""
        path = folder / cls.FILE
        if not path.is_file():
            return None
        saved = read_json(path)
        return cls.from_data(saved["hostname"], saved["declaration"] or {}, saved["hold_list"])


# What devices print where an IDPROM could not be read (the same words checks.identity uses).
_UNREADABLE = {"", "N/A", "NA", "NONE", "UNKNOWN", "0"}


def _readable(value: Any) -> bool:
    return value is not None and str(value).strip().upper() not in _UNREADABLE


def program_section(
    record: Mapping[str, Any], host_data: Mapping[str, Any], catalogue: ProductCatalogue
) -> dict[str, Any]:
    """The record's `program` section: tier, and whether the chassis can go under support.

    Eligible only when the inspection verdict is PASS, license proof was given, the hold list
    was consulted and cleared the chassis, and nothing in the declaration excludes it. The
    tier follows the PID the chassis reported; the declared one stands in when unreadable.
    """
    chassis = record["chassis"]
    found_pid = chassis.get("pid") if _readable(chassis.get("pid")) else None
    reasons: list[str] = []
    if declared_through_checklist(host_data):
        row = row_from_host(chassis["hostname"], host_data, address=chassis.get("address"),
                            platform=chassis.get("platform"))
        # The hold is judged from the record (prog.hold.list read the serials the chassis has).
        assessment = assess(row, frozenset(), catalogue, pid=found_pid, visited=True)
        reasons += [r.text for r in assessment.reasons if r.blocks_support]
        product = assessment.product
    else:
        product = catalogue.lookup(found_pid)
        reasons.append("no pre-inspection checklist for this chassis: its condition and "
                       "license proof are unknown")
        if found_pid and not product.in_program:
            reasons.append(f"not in the program: {product.explain()}")
    if record["verdict"] != "PASS":
        reasons.append(f"inspection verdict {record['verdict']}: {record['verdict_reason']}")
    hold = next((c for c in record.get("checks", []) if c["id"] == "prog.hold.list"), None)
    if hold is None:
        reasons.append("compliance hold not checked: prog.hold.list did not run")
    elif hold["status"] == "FAIL":
        reasons.append(hold["message"])
    elif hold["status"] != "PASS":
        reasons.append(f"compliance hold not checked: {hold['message']}")
    reasons = list(dict.fromkeys(reasons))
    return {"tier": str(product.tier), "eligible_for_support": not reasons, "reasons": reasons}


def excluded_hosts(
    nornir: Any, hold_list: AbstractSet[str] | None, catalogue: ProductCatalogue
) -> dict[str, Assessment]:
    """The hosts the preflight rules out, by name: a run does not contact them.

    Only hosts declared through a checklist are judged; others (the lab, a hand-written
    inventory) are inspected as before and their records say that no checklist stood behind.
    """
    hold = frozenset(s.strip().upper() for s in hold_list or ())
    declared = [(host.name, context.declaration) for host in nornir.inventory.hosts.values()
                if (context := HostContext.for_host(host, hold)).declaration is not None]
    conflicts = conflicts_by_row([row for _, row in declared])
    excluded = {}
    for index, (name, row) in enumerate(declared):
        assessment = assess(row, hold, catalogue, conflicts=conflicts.get(index, ()))
        if not assessment.eligible:
            excluded[name] = assessment
    return excluded


def excluded_record(
    *,
    run_id: str,
    hostname: str,
    platform: str | None,
    assessment: Assessment,
    policy: Policy,
    started_at: str,
    finished_at: str,
    site: str | None = None,
    address: str | None = None,
    judged_with: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The record of a chassis the preflight excluded: never contacted, and saying why."""
    record = build_record(
        run_id=run_id, hostname=hostname, platform=platform, results=[], session=None,
        policy=policy, started_at=started_at, finished_at=finished_at, site=site,
        address=address,
        excluded=[r.text for r in assessment.reasons if r.blocks_inspection],
        judged_with=judged_with,
    )
    record["program"] = {
        "tier": str(assessment.tier),
        "eligible_for_support": False,
        "reasons": [r.text for r in assessment.reasons if r.blocks_support],
    }
    return record


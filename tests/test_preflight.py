"""Preflight: eligibility, quotes and the earliest inspection date, without any device."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console

from inspector.checklist import ChecklistRow, import_checklist
from inspector.policy import Policy, load_policy
from inspector.program import (
    add_business_days,
    load_hold_list,
    preflight,
    print_preflight,
    site_notice,
)

WEDNESDAY = date(2024, 6, 5)
FRIDAY = date(2024, 6, 7)
SATURDAY = date(2024, 6, 8)


def row(hostname: str, **fields: str) -> ChecklistRow:
    base = {"address": f"{hostname}.example.net", "platform": "cisco_xe", "site": "Austin",
            "country": "US", "declared_pid": "C9300-48P", "declared_serial": f"SN-{hostname}",
            "condition": "working", "license_proof": "SO-1"}
    base.update(fields)
    return ChecklistRow(hostname=hostname, **base)  # type: ignore[arg-type]


MIXED = [
    row("ok-low"),
    row("ok-high", declared_pid="ISR4431/K9", license_proof=""),
    row("c1941", declared_pid="CISCO1941/K9", platform="cisco_ios"),
    row("damaged", condition="permanently_damaged"),
    row("retired", condition="out_of_commission"),
    row("dead", condition="unusable"),
    row("flooded", condition="environmental_damage"),
    row("held", declared_serial="fox-held-1"),
    row("partial", site="Berlin", country="DE", declared_serial="", platform=""),
    row("ons", site="Berlin", country="DE", declared_pid="15454-M6-SA", platform="", address=""),
    row("nexus", site="Berlin", country="DE", declared_pid="N9K-C93180YC-EX",
        platform="cisco_ios"),
    row("nowhere", site="", country=""),
]


@pytest.fixture()
def report() -> dict:
    return preflight(MIXED, {"FOX-HELD-1"}, WEDNESDAY, load_policy())


def by_host(report: dict) -> dict[str, dict]:
    return {c["hostname"]: c for c in report["chassis"]}


def test_shape_is_fixed_and_serializable(report: dict) -> None:
    assert set(report) == {"chassis", "sites"}
    assert [c["hostname"] for c in report["chassis"]] == [r.hostname for r in MIXED]
    for item in report["chassis"]:
        assert set(item) == {"hostname", "tier", "eligible", "reasons"}
    for summary in report["sites"].values():
        assert set(summary) == {"tiers", "fee_waived", "earliest_inspection_date",
                                "notice_business_days", "notice_basis"}
        assert set(summary["tiers"]) == {"low", "high", "not_in_program"}
    json.dumps(report)


def test_every_reason(report: dict) -> None:
    chassis = by_host(report)

    def only(host: str, tier: str, eligible: bool, *fragments: str) -> None:
        item = chassis[host]
        assert (item["tier"], item["eligible"]) == (tier, eligible), item
        assert len(item["reasons"]) == len(fragments), item["reasons"]
        for reason, fragment in zip(item["reasons"], fragments, strict=True):
            assert fragment in reason, (fragment, reason)

    only("ok-low", "low", True)
    only("ok-high", "high", True, "no license proof: inspectable, but not supportable")
    only("c1941", "not_in_program", False, "not in the program: CISCO1941/K9")
    only("damaged", "low", False, "declared permanently damaged: cannot be inspected")
    only("retired", "low", False, "declared out of commission: cannot be inspected")
    only("dead", "low", False, "declared permanently unusable: cannot be inspected")
    only("flooded", "low", False, "out of this program, refer it to the compromised-equipment")
    only("held", "low", False, "serial FOX-HELD-1 is on compliance hold")
    only("partial", "low", False, "checklist incomplete: missing declared_serial, platform")
    only("ons", "high", True, "ONS 15454 series multiservice provisioning platforms runs TL1 "
         "or element manager: no SSH CLI")
    only("nexus", "high", True, "platform cisco_ios does not fit Nexus 9300 series, which runs "
         "NX-OS (expected cisco_nxos)")
    only("nowhere", "low", False, "checklist incomplete: missing site, country")


def test_site_quote_counts_inspectable_chassis_per_tier(report: dict) -> None:
    assert report["sites"]["Austin"]["tiers"] == {"low": 1, "high": 1, "not_in_program": 1}
    # partial is a Catalyst 9300 but cannot be inspected: no quote for it.
    assert report["sites"]["Berlin"]["tiers"] == {"low": 0, "high": 2, "not_in_program": 0}
    assert report["sites"]["(no site)"]["tiers"] == {"low": 0, "high": 0, "not_in_program": 0}


def test_a_chassis_declared_without_a_pid_is_of_unknown_tier_and_in_no_count() -> None:
    """The program: a product on neither list is not in the program, "do not guess a tier".
    A row with no PID is on no list that anyone can tell: it was counted in the site's quote
    as not in the program."""
    report = preflight([row("nopid", declared_pid="")], set(), WEDNESDAY, load_policy())
    (item,) = report["chassis"]
    assert (item["tier"], item["eligible"]) == ("unknown", False)
    assert item["reasons"] == ["checklist incomplete: missing declared_pid"]
    assert report["sites"]["Austin"]["tiers"] == {"low": 0, "high": 0, "not_in_program": 0}


def test_earliest_dates_by_country(report: dict) -> None:
    # Wednesday + 5 business days (US) and + 10 (DE, the policy default), weekends skipped.
    assert report["sites"]["Austin"]["earliest_inspection_date"] == "2024-06-12"
    assert report["sites"]["Berlin"]["earliest_inspection_date"] == "2024-06-19"
    # No country known: the longer notice is the safe one.
    assert report["sites"]["(no site)"]["earliest_inspection_date"] == "2024-06-19"


@pytest.mark.parametrize(
    ("today", "days", "expected"),
    [
        (WEDNESDAY, 5, date(2024, 6, 12)),  # crosses one weekend
        (FRIDAY, 5, date(2024, 6, 14)),  # Friday to Friday
        (SATURDAY, 5, date(2024, 6, 14)),  # a weekend day counts nothing
        (date(2024, 6, 9), 1, date(2024, 6, 10)),  # Sunday -> Monday
        (FRIDAY, 1, date(2024, 6, 10)),  # Friday -> Monday
        (FRIDAY, 10, date(2024, 6, 21)),  # two weekends
        (date(2024, 12, 27), 5, date(2025, 1, 3)),  # across a year end
        (WEDNESDAY, 0, WEDNESDAY),
    ],
)
def test_add_business_days(today: date, days: int, expected: date) -> None:
    assert add_business_days(today, days) == expected
    assert expected.weekday() < 5 or days == 0


def earliest_inspection_date(countries: list[str], today: date, policy: Policy) -> date:
    """As the preflight finds each site's date: its notice, in business days from today."""
    return add_business_days(today, site_notice(countries, policy)[0])


def test_notice_by_country_and_policy(tmp_path: Path) -> None:
    policy = load_policy()
    assert earliest_inspection_date(["US"], FRIDAY, policy) == date(2024, 6, 14)
    assert earliest_inspection_date(["CA"], SATURDAY, policy) == date(2024, 6, 14)
    assert earliest_inspection_date(["DE"], FRIDAY, policy) == date(2024, 6, 21)
    assert earliest_inspection_date(["US", "DE"], FRIDAY, policy) == date(2024, 6, 21)
    override = tmp_path / "policy.yaml"
    override.write_text("program:\n  notice_business_days_elsewhere: 7\n")
    seven = load_policy(override)
    assert earliest_inspection_date(["DE"], FRIDAY, seven) == date(2024, 6, 18)
    assert earliest_inspection_date(["US"], FRIDAY, seven) == date(2024, 6, 14)  # fixed at 5


def test_the_notice_says_what_it_stands_on_and_a_shorter_reading_is_never_silent(
        tmp_path: Path) -> None:
    """Outside the United States and Canada the program's text says 7 business days in one
    place and 10 in another. A policy may choose 7; the preflight gave the date alone, so
    whoever books the visit could not tell that the shorter reading was in force."""
    rows = [row("us"), row("de", site="Berlin", country="DE"),
            row("mixed", site="Mixed", country="US"), row("mixed-de", site="Mixed", country="DE")]
    default = preflight(rows, set(), FRIDAY, load_policy())["sites"]
    assert default["Austin"]["notice_business_days"] == 5
    assert default["Austin"]["notice_basis"] == ("fixed by the program for the United States "
                                                 "and Canada")
    assert default["Berlin"]["notice_business_days"] == 10
    assert "says 7 business days in one place and 10 in another" in (
        default["Berlin"]["notice_basis"])
    assert "fewer" not in default["Berlin"]["notice_basis"]
    override = tmp_path / "policy.yaml"
    override.write_text("program:\n  notice_business_days_elsewhere: 7\n")
    seven = preflight(rows, set(), FRIDAY, load_policy(override))["sites"]
    for site in ("Berlin", "Mixed"):  # a site with a US and a DE row takes the longer, 7
        assert (seven[site]["notice_business_days"], seven[site]["earliest_inspection_date"]) == (
            7, "2024-06-18")
        assert seven[site]["notice_basis"].endswith(": fewer than the 10 it also says")
    console = Console(width=400, record=True)
    print_preflight(console, preflight(rows, set(), FRIDAY, load_policy(override)))
    assert ("earliest inspection 2024-06-18 (7 business days' notice: the policy's "
            "program.notice_business_days_elsewhere") in console.export_text()


def test_without_a_hold_list_no_chassis_is_said_to_be_clear_of_a_hold() -> None:
    """The program: a chassis whose serial carries a compliance hold must be flagged. With no
    hold list the preflight could flag none, and said nothing: a held chassis read as eligible
    with no reason at all, where a run's record says the hold was not checked."""
    report = preflight([row("sw1")], None, WEDNESDAY, load_policy())
    (item,) = report["chassis"]
    assert item["eligible"]  # inspectable: the hold is checked on site against a list
    assert item["reasons"] == ["compliance hold not checked: no hold list was given"]
    assert preflight([row("sw1")], set(), WEDNESDAY, load_policy())["chassis"][0]["reasons"] == []


def test_hold_list_file(tmp_path: Path) -> None:
    path = tmp_path / "hold.txt"
    path.write_text("# compliance holds, 2024-06\n\nfox1234abcd\n  SAL999  # stolen\n#SAL000\n")
    assert load_hold_list(path) == {"FOX1234ABCD", "SAL999"}


def test_preflight_of_an_imported_checklist(tmp_path: Path) -> None:
    path = tmp_path / "checklist.csv"
    path.write_text(
        "hostname;address;platform;site;country;declared_pid;declared_serial;condition;license_proof\n"
        "sw1;10.0.0.1;cisco_ios;Toronto;CA;WS-C2960X-48FPD-L;FOC1;working;SO-5\n"
        "sw2;10.0.0.2;cisco_ios;Toronto;CA;WS-C3650-24TS-L;FOC2;working;SO-6\n"
    )
    report = preflight(import_checklist(path), set(), FRIDAY, load_policy())
    assert [(c["tier"], c["eligible"]) for c in report["chassis"]] == [
        ("low", True), ("not_in_program", False)]
    assert report["sites"] == {"Toronto": {
        "tiers": {"low": 1, "high": 0, "not_in_program": 1}, "fee_waived": 0,
        "earliest_inspection_date": "2024-06-14", "notice_business_days": 5,
        "notice_basis": "fixed by the program for the United States and Canada"}}


def test_a_transfer_the_program_excepts_waives_the_new_license_fee(tmp_path: Path) -> None:
    """The program waives a new license fee for some transfers (to an affiliate, within
    Europe, ...): the column was checked, then nothing read it. The quote counts the chassis
    so waived, and a transfer within Europe declared for a site elsewhere is questioned."""
    path = tmp_path / "checklist.csv"
    path.write_text(
        "hostname,address,platform,site,country,declared_pid,declared_serial,condition,"
        "license_proof,transfer_exception\n"
        "a1,10.0.0.1,cisco_xe,Paris,FR,C9300-48P,FCW1,working,SO-1,within_europe\n"
        "a2,10.0.0.2,cisco_xe,Paris,FR,C9300-48P,FCW2,working,SO-2,\n"
        "b1,10.0.0.3,cisco_xe,Austin,US,C9300-48P,FCW3,working,SO-3,affiliate\n"
        "b2,10.0.0.4,cisco_xe,Austin,US,C9300-48P,FCW4,working,SO-4,within_europe\n"
    )
    report = preflight(import_checklist(path), set(), FRIDAY, load_policy())
    reasons = {c["hostname"]: c["reasons"] for c in report["chassis"]}
    assert reasons["a1"] == ["the new license fee is waived: within europe transfer, one the "
                             "program excepts"]
    assert reasons["a2"] == []
    assert reasons["b1"] == ["the new license fee is waived: affiliate transfer, one the "
                             "program excepts"]
    assert reasons["b2"] == ["a transfer within Europe is declared for a site in US: the new "
                             "license fee is waived only if it is one (check the checklist)"]
    assert all(c["eligible"] for c in report["chassis"])
    assert {site: s["fee_waived"] for site, s in report["sites"].items()} == {
        "Austin": 1, "Paris": 1}


def test_preflight_of_a_hand_written_inventory(tmp_path: Path) -> None:
    from inspector.hosts import load_nornir

    (tmp_path / "hosts.yaml").write_text(
        "r1:\n  hostname: 10.0.0.1\n  platform: cisco_xe\n  data:\n    site: Paris\n"
        "    country: fr\n    declared_pid: C9300-48P V02\n    declared_serial: FCW1\n"
        "    condition: Broken\n    license_proof: N/A\n"
    )
    report = preflight(load_nornir(tmp_path, 1), set(), FRIDAY, load_policy())
    (item,) = report["chassis"]
    assert not item["eligible"]
    assert any("checklist invalid: condition: unknown condition 'broken'" in r
               for r in item["reasons"])
    assert any("checklist invalid: license_proof: 'N/A' is a placeholder" in r
               for r in item["reasons"])
    assert any("checklist invalid: declared_pid: 'C9300-48P V02' holds a space" in r
               for r in item["reasons"])
    assert report["sites"]["Paris"]["earliest_inspection_date"] == "2024-06-21"


def test_preflight_of_a_hand_written_inventory_compares_its_hosts(tmp_path: Path) -> None:
    """The checklist import refuses one serial declared twice and a site in two countries;
    an inventory written by hand was judged host by host, so both hosts were quoted."""
    from inspector.hosts import load_nornir

    host = ("{name}:\n  hostname: {address}\n  platform: cisco_xe\n  data:\n"
            "    site: Paris\n    country: {country}\n    declared_pid: C9300-48P\n"
            "    declared_serial: {serial}\n    condition: working\n    license_proof: SO-1\n")
    (tmp_path / "hosts.yaml").write_text(
        host.format(name="a", address="10.0.0.1", country="FR", serial="FCW1")
        + host.format(name="b", address="10.0.0.2", country="FR", serial="fcw1")
        + host.format(name="c", address="10.0.0.3", country="US", serial="FCW3"))
    report = preflight(load_nornir(tmp_path, 1), set(), FRIDAY, load_policy())
    assert [(c["hostname"], c["eligible"], c["reasons"]) for c in report["chassis"]] == [
        ("a", True, []),
        ("b", False, ["checklist inaccurate: declared_serial: 'fcw1' is also declared on "
                      "host 'a'"]),
        ("c", False, ["checklist inaccurate: country: site 'Paris' is US here but FR on "
                      "host 'a'"]),
    ]
    assert report["sites"]["Paris"]["tiers"] == {"low": 1, "high": 0, "not_in_program": 0}


def test_rendering_plain_text(report: dict) -> None:
    console = Console(record=True, width=160, force_terminal=False, color_system=None)
    print_preflight(console, report)
    text = console.export_text()
    assert "c1941" in text and "not in the program" in text
    assert ("site Austin: quote 1 low, 1 high (0 with the new license fee waived); 1 not in "
            "the program; earliest inspection 2024-06-12") in text
    assert "site (no site)" in text

"""Every corpus output of every command the hardware and license checks read, on every OS.

A corpus file belongs to a command family: the command a fact reads, its aliases and its
sub-commands (`show env fan` is the fan slice of `show environment all`). Each file is
judged by every check that reads that command, on the file's platform and on the platforms
that print the same layout (IOS and IOS-XE; IOS-XR's Smart Licensing). Three properties:

- nothing escapes: `evaluate_check` returns, and no message reports an extractor or a check
  meeting data it did not expect (the engine turns those into ERRORs that would hide bugs);
- a fragment never passes: a check whose section the output does not print (another
  sub-command's slice, a `| include` excerpt, a refused command) gives ERROR or SKIP;
- the parsers read the corpus: a check whose section the output does print reaches a
  verdict (PASS, FAIL or SKIP), except for the few files listed in `LACKS` with the reason.

And a property test: every parser, fed real lines of its command shuffled, repeated or cut
short (what a truncated or garbled capture looks like), returns a value or raises Unreadable.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.environment import (
    parse_asa_environment,
    parse_ios_environment,
    parse_nxos_environment,
    parse_xr_environment,
)
from checks.hardware import (
    parse_diagnostic_result,
    parse_ios_transceivers,
    parse_nxos_transceivers,
    parse_post,
)
from checks.licensing import (
    parse_asa_license,
    parse_classic_license,
    parse_license_status,
    parse_license_summary,
    parse_license_udi,
    parse_nxos_license_usage,
)
from inspector.catalogue import Check, load_catalogue
from inspector.evaluate import evaluate_check
from inspector.evidence import RawOutput, Session, sha256_text
from inspector.facts import FactResolver, Unreadable
from inspector.policy import load_policy
from tests.corpus import CORPUS, corpus_index

PLATFORM = {
    "ios": "cisco_ios",
    "iosxe": "cisco_xe",
    "nxos": "cisco_nxos",
    "iosxr": "cisco_xr",
    "asa": "cisco_asa",
}
SIBLING = {"cisco_ios": "cisco_xe", "cisco_xe": "cisco_ios"}
ENV = {"hw.psu.status": "psu", "hw.fan.status": "fan", "hw.temperature.status": "temp"}


IOS = ("ios", "iosxe")


@dataclass(frozen=True)
class Family:
    pattern: str  # the corpus commands that belong to it
    command: str  # the command a fact reads
    oses: tuple[str, ...] = tuple(PLATFORM)  # the corpus folders it is read from
    also: tuple[str, ...] = ()  # platforms that print the same layout


FAMILIES = (
    Family(r"^show env", "show environment all", IOS),
    Family(r"^show environment", "show environment", ("nxos",)),
    Family(r"^show (?:post|diagnostic post)$", "show post", IOS),
    Family(r"^show interfaces? transceiver(?: detail)?$", "show interfaces transceiver", IOS),
    Family(
        r"^show interface transceiver details$", "show interface transceiver details", ("nxos",)
    ),
    Family(r"^show inventory$", "show inventory"),
    Family(r"^show license$", "show license", IOS),
    Family(r"^show license status$", "show license status", IOS, also=("cisco_xr",)),
    Family(r"^show license summary$", "show license summary", IOS, also=("cisco_xr",)),
    Family(r"^show license udi$", "show license udi", IOS),
    Family(r"^show license all$", "show license all", ("asa",)),  # after `show activation-key`
)

# Corpus files that do not print a section their command's name promises: the sections they
# lack (`all`: every check; a check id: that check), and why.
LACKS: dict[str, tuple[set[str], str]] = {
    "ios/show_env_temperature_status/napalm--test_get_environment-temp_cmd_fail.txt": (
        {"all"},
        "the device refused the command",
    ),
    "ios/show_environment/genieparser--golden_output2.txt": ({"all"}, "a `| include` excerpt"),
    "ios/show_environment/genieparser--golden_output3.txt": ({"all"}, "a `| include` excerpt"),
    "iosxe/show_environment/genieparser--golden_output2.txt": ({"all"}, "a `| include` excerpt"),
    "iosxe/show_environment/genieparser--golden_output3.txt": ({"all"}, "a `| include` excerpt"),
    "iosxe/show_env_power/genieparser--golden_output1.txt": ({"psu"}, "the PoE budget only"),
    "iosxe/show_env_rps/genieparser--golden_output.txt": ({"psu"}, "an absent external RPS"),
    "iosxe/show_environment/genieparser--cat9k_c9400-golden_output.txt": (
        {"psu", "fan"},
        "`show environment` on a Catalyst 9400 prints the sensor list only",
    ),
    "iosxe/show_environment/genieparser--golden_output4.txt": ({"psu", "fan"}, "sensor list only"),
    "iosxe/show_environment/genieparser--golden_output5.txt": (
        {"psu"},
        "an ASR 1001-X sensor list: its P2 slot is the fan tray, no supply row",
    ),
    "iosxe/show_env_all/genieparser--cat9k_c9610-golden_output.txt": (
        {"temp"},
        "five R0 sensors print `NA Sensor Fault`: no reading to hold to a threshold",
    ),
    "iosxe/show_interfaces_transceiver/genieparser--rv1-golden_output1.txt": (
        {"all"},
        "the output of `show interfaces HundredGigE2/0/0 transceiver`: one port",
    ),
    "ios/show_inventory/genieparser--golden_output_6.txt": (
        {"hw.inventory.serials"},
        "an EtherSwitch service module's own inventory (`SM-ES2-16-P`): no chassis entry",
    ),
    "nxos/show_inventory/genieparser--golden_output_2.txt": (
        {"hw.inventory.serials"},
        "a fragment from `Slot 38`: only the fabric extenders' `FEX 106 CHASSIS` entries",
    ),
    "iosxe/show_environment_all/genieparser--ie3k-golden_output.txt": ({"fan"}, "fanless"),
    "iosxe/show_environment_all/genieparser--ie3k-golden_output2.txt": ({"fan"}, "fanless"),
    "iosxe/show_environment_all/genieparser--ie3k-golden_output3.txt": ({"fan"}, "fanless"),
    "ios/show_interfaces_transceiver/napalm--test_get_optics-vss_setup.txt": (
        {"all"},
        "the device answered `% Incomplete command.`",
    ),
    "iosxr/show_inventory/genieparser--golden_output_1.txt": (
        {"hw.inventory.serials"},
        "no chassis entry: classic IOS-XR lists it only in `admin show inventory`",
    ),
    "iosxr/show_inventory/genieparser--golden_output_3.txt": (
        {"hw.inventory.serials"},
        "no chassis entry: classic IOS-XR lists it only in `admin show inventory`",
    ),
    "asa/show_inventory/genieparser--golden_output1.txt": (
        {"hw.inventory.serials"},
        "an excerpt: two optics, no chassis entry",
    ),
    "iosxe/show_post/genieparser--cat9k_c9610-golden_output1.txt": (
        {"all"},
        "a member printed `No POST information`",
    ),
    "iosxe/show_post/genieparser--cat9k_c9610-golden_output2.txt": (
        {"all"},
        "the only member printed `No POST information`",
    ),
}

# Corpus files that print more than their command's name says.
# (None today: an IE power section's supply hotspots are no chassis temperature.)
EXTRA: dict[str, tuple[set[str], str]] = {}


def sections(family: Family, corpus_command: str, check_id: str) -> bool:
    """Whether an output of `corpus_command` prints what `check_id` judges."""
    if check_id not in ENV:
        return True
    c = corpus_command.lower()
    if "|" in c or "alarm-contact" in c:
        shown: set[str] = set()
    elif re.search(r"\bfan\b", c):
        shown = {"fan"}
    elif "temperature" in c:
        shown = {"temp"}
    elif "power" in c or "rps" in c:
        shown = {"psu"}
    elif "stack" in c:
        shown = {"fan", "temp"}
    elif "status" in c:
        shown = {"psu", "fan"}
    else:
        shown = {"psu", "fan", "temp"}
    return ENV[check_id] in shown


def _mine(check: Check) -> bool:
    return check.id.startswith(
        (
            "hw.psu.",
            "hw.fan.",
            "hw.temperature.",
            "hw.inventory.",
            "hw.diagnostics",
            "hw.transceivers",
            "lic.",
        )
    )


def _cases() -> list[tuple[str, str, str, str, str]]:
    rows = corpus_index()
    if not rows:
        return []
    checks = [c for c in load_catalogue().all() if _mine(c)]
    cases = []
    for row in rows:
        family = next(
            (
                f
                for f in FAMILIES
                if row["os"] in f.oses and re.search(f.pattern, row["command"])
            ),
            None,
        )
        if family is None:
            continue
        own = PLATFORM[row["os"]]
        for platform in dict.fromkeys((own, SIBLING.get(own), *family.also)):
            for check in checks:
                if platform and family.command in _needs(check, platform):
                    cases.append(
                        (row["file"], row["command"], family.command, platform, check.id)
                    )
    return cases


def _needs(check: Any, platform: str) -> list[str]:
    """The commands of the facts a check cannot do without (not its optional ones)."""
    if platform not in check.platforms:
        return []
    return [c for fact in check.facts for c in fact.sources[platform].commands]


CASES = _cases()


def _judge(file: str, command: str, platform: str, check_id: str) -> dict[str, Any]:
    text = (CORPUS / file).read_text(encoding="utf-8", errors="replace")
    check = load_catalogue().get(check_id)
    # A fallback command is only read after the device rejected the ones before it.
    group = next(g for g in check.command_groups(platform) if command in g)
    rejected = group[: group.index(command)]

    def output(asked: str) -> RawOutput:
        if asked == command:
            return RawOutput(command=asked, text=text, sha256=sha256_text(text))
        if asked in rejected:
            return RawOutput(command=asked, text=None, error="rejected by the device: % Invalid")
        return RawOutput(command=asked, text=None, error="not captured")

    return evaluate_check(
        check,
        platform=platform,
        resolver=FactResolver(platform, output),
        session=Session(connected=True, privileged=True),
        policy=load_policy(),
    )


@pytest.mark.skipif(not CASES, reason=f"the shared corpus is not at {CORPUS}")
@pytest.mark.parametrize(
    ("file", "corpus_command", "command", "platform", "check_id"),
    CASES,
    ids=[f"{c[4]}:{c[3]}:{c[0]}" for c in CASES],
)
def test_corpus_output(
    file: str, corpus_command: str, command: str, platform: str, check_id: str
) -> None:
    result = _judge(file, command, platform, check_id)
    message = result["message"]
    assert result["status"] in {"PASS", "FAIL", "ERROR", "SKIP"}
    assert "unexpected data" not in message, message
    assert "could not evaluate" not in message, message

    family = next(f for f in FAMILIES if f.command == command)
    lacks = LACKS.get(file, (set(), ""))[0]
    extra = EXTRA.get(file, (set(), ""))[0]
    prints_it = (sections(family, corpus_command, check_id) or ENV.get(check_id) in extra) and not (
        "all" in lacks or ENV.get(check_id) in lacks or check_id in lacks
    )
    other_facts_missing = check_id == "lic.udi.match"  # needs two outputs; one is given here
    if not prints_it:
        assert result["status"] != "PASS", f"a fragment passed: {message}"
    elif not other_facts_missing:
        assert result["status"] in {"PASS", "FAIL", "SKIP"}, f"no verdict on {file}: {message}"


def test_every_family_has_corpus_files() -> None:
    """Guard against a family pattern that silently matches nothing."""
    if not CASES:
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    used = {command for _, _, command, _, _ in CASES}
    assert used == {f.command for f in FAMILIES}
    assert set(LACKS) | set(EXTRA) <= {file for file, *_ in CASES}, "a stale exemption"


# --- the parsers on shuffled real lines -------------------------------------------------------

PARSERS: dict[str, tuple[Callable[[str], Any], tuple[str, ...]]] = {
    # parser -> the commands whose corpus files and case texts feed its line pool
    "ios environment": (parse_ios_environment, ("show environment all",)),
    "nxos environment": (parse_nxos_environment, ("show environment",)),
    "xr environment": (parse_xr_environment, ("admin show environment",)),
    "asa environment": (parse_asa_environment, ("show environment",)),
    "post": (parse_post, ("show post",)),
    "gold diagnostics": (parse_diagnostic_result, ("show diagnostic result module all",)),
    "ios transceivers": (parse_ios_transceivers, ("show interfaces transceiver",)),
    "nxos transceivers": (parse_nxos_transceivers, ("show interface transceiver details",)),
    "license status": (parse_license_status, ("show license status",)),
    "license summary": (parse_license_summary, ("show license summary",)),
    "classic license": (parse_classic_license, ("show license",)),
    "nxos license usage": (parse_nxos_license_usage, ("show license usage",)),
    "asa license": (parse_asa_license, ("show activation-key", "show license all")),
    "license udi": (parse_license_udi, ("show license udi",)),
}


def _line_pool(commands: tuple[str, ...]) -> list[str]:
    """Lines of every case text and corpus file of these commands."""
    lines: list[str] = []
    for path in sorted((Path(__file__).parent / "cases").glob("*.yaml")):
        for case in yaml.safe_load(path.read_text()) or []:
            for command, spec in (case.get("outputs") or {}).items():
                if command in commands and isinstance(spec, dict) and "text" in spec:
                    lines += str(spec["text"]).splitlines()
    families = [f for f in FAMILIES if f.command in commands]
    for file, corpus_command, *_ in CASES:
        if any(re.search(f.pattern, corpus_command) for f in families):
            lines += (CORPUS / file).read_text(encoding="utf-8", errors="replace").splitlines()
    return sorted(set(lines)) or [""]


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_parser_on_shuffled_lines(name: str) -> None:
    """Real lines in any order or number: the parser returns a value or raises Unreadable,
    never anything else (which the engine would report as `unexpected data`)."""
    parse, commands = PARSERS[name]
    pool = _line_pool(commands)

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.sampled_from(pool), max_size=40))
    def parses(lines: list[str]) -> None:
        try:
            parse("\n".join(lines))
        except Unreadable:
            pass

    parses()

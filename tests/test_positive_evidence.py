"""No PASS without positive evidence: rows a parser dropped, and a log that was never kept.

The row-count guard: a source may count its table's rows in the raw text (`Rows`);
`FactResolver` refuses a way of reading that judged fewer, tries the next, and when none
reads them all the fact is unavailable, which the engine reports as ERROR. Proven three
ways: on the mechanism itself with generated tables, on the catalogue's own counters and
parsers with rows in a format the parser does not know, and on the corpus files where Genie
drops rows.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.common import count_inventory_entries
from checks.environment import ENVIRONMENT, parse_ios_environment
from checks.operational import LOGGING, MODULES
from inspector.catalogue import load_catalogue
from inspector.evaluate import evaluate_check
from inspector.evidence import RawOutput, Session, sha256_text
from inspector.facts import (
    Fact,
    FactResolver,
    FactUnavailable,
    Genie,
    Own,
    Rows,
    Source,
    Unreadable,
)
from inspector.policy import load_policy
from tests.corpus import corpus_file

_ROW = re.compile(r"^row (\d+)", re.MULTILINE)


def _known_rows(text: str) -> list[str]:
    """A parser that knows only `row N ok` rows and skips any other shape silently."""
    return re.findall(r"^row (\d+) ok$", text, re.MULTILINE)


def _resolve(source: Source, text: str, platform: str = "cisco_ios") -> Any:
    fact = Fact("table", {platform: source})
    resolver = FactResolver(platform, lambda c: RawOutput(command=c, text=text, sha256="x"))
    return resolver.resolve(fact)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["ok", "strange"]), min_size=1, max_size=30))
def test_a_parser_missing_rows_is_refused(shapes: list[str]) -> None:
    """Every row the counter sees must be in the value; one the parser skipped fails the fact."""
    text = "\n".join(
        f"row {i} ok" if shape == "ok" else f"row {i} | a layout the parser does not know"
        for i, shape in enumerate(shapes)
    )
    source = Source("show table", Own(_known_rows),
                    rows=Rows(lambda t: len(_ROW.findall(t)), what="table rows"))
    unknown = shapes.count("strange")
    if unknown:
        with pytest.raises(FactUnavailable) as refused:
            _resolve(source, text)
        read = f"own read {len(shapes) - unknown} of {len(shapes)} table rows"
        assert read in refused.value.reason
    else:
        assert len(_resolve(source, text).value) == len(shapes)


def test_the_next_way_serves_when_the_first_drops_rows() -> None:
    text = "row 1 ok\nrow 2 ok\nrow 3 | other\n"
    source = Source(
        "show table",
        Own(_known_rows),
        Own(lambda t: _ROW.findall(t)),
        rows=Rows(lambda t: len(_ROW.findall(t))),
    )
    found = _resolve(source, text)
    assert found.value == ["1", "2", "3"]


def _xr_platform(rows: list[tuple[str, str, str]]) -> str:
    lines = [
        "Node              Type                       State             Config state",
        "-" * 80,
    ]
    for node, kind, state in rows:
        if state:
            lines.append(f"{node:<18}{kind:<27}{state:<18}NSHUT")
        else:  # a row cut short: the parser finds no State column in it
            lines.append(f"{node:<18}{kind}")
    return "\n".join(lines) + "\n"


def _judge(check_id: str, platform: str, command: str, text: str,
           **others: str) -> dict[str, Any]:
    """The check on `text` as `command`'s output, with `others` (by command, spaces as
    underscores) its other outputs."""
    outputs = {command: text, **{c.replace("_", " "): t for c, t in others.items()}}

    def output(asked: str) -> RawOutput:
        if asked not in outputs:
            return RawOutput(command=asked, text=None, error="not captured")
        # As a live reply is judged: a refusal is no output.
        return RawOutput.from_text(asked, outputs[asked], platform=platform)

    return evaluate_check(
        load_catalogue().get(check_id), platform=platform,
        resolver=FactResolver(platform, output),
        session=Session(connected=True, privileged=True), policy=load_policy(),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.sampled_from(["A9K-8X100GE-L-SE", "A9K-RSP880-SE", "A9K-FAN-V2"]),
                          st.sampled_from(["IOS XR RUN", "OPERATIONAL", "FAILED", ""])),
                min_size=1, max_size=12))
def test_ios_xr_modules_error_on_a_row_the_parser_cannot_read(
    cards: list[tuple[str, str]],
) -> None:
    """A row without a state (a layout our column reader does not know) is never left out of
    a verdict: the check is ERROR, naming how many rows were read."""
    rows = [(f"0/{i}/CPU0", kind, state) for i, (kind, state) in enumerate(cards)]
    result = _judge("op.modules.state", "cisco_xr", "show platform", _xr_platform(rows))
    unreadable = sum(1 for _, _, state in rows if not state)
    if unreadable:
        assert result["status"] == "ERROR", result["message"]
        if unreadable < len(rows):
            assert f"own read {len(rows) - unreadable} of {len(rows)} module rows" in (
                result["message"]
            )
    elif any(state == "FAILED" for _, _, state in rows):
        assert result["status"] == "FAIL", result["message"]
    else:
        assert result["status"] == "PASS", result["message"]
        assert f"{len(rows)} module(s) ok" in result["message"]


def test_extra_units_of_one_kind_never_hide_a_missing_one_of_another() -> None:
    """Counted per kind: a reader that dropped a supply row is refused even when it made
    more fans than the text has fan rows."""
    text = corpus_file("iosxe/show_env_all/genieparser--cat9k_c9610-golden_output.txt").read_text()
    lines = [line for line in text.splitlines() if not line.startswith("PS3 ")]
    source = ENVIRONMENT.sources["cisco_xe"]
    assert source.rows is not None
    dropped_ps3 = Source(
        source.command,
        Own(lambda _text: parse_ios_environment("\n".join(lines))),
        rows=source.rows,
    )
    with pytest.raises(FactUnavailable) as refused:
        _resolve(dropped_ps3, text, "cisco_xe")
    assert "own read 7 of 8 power supplies" in refused.value.reason


def test_genie_dropping_the_c9610_fan_trays_is_refused() -> None:
    """Genie reads 22 of the 26 rows of a C9610's `show platform`; with no other way to read
    them the fact is unavailable, and with ours the four failed fan trays are judged."""
    text = corpus_file("iosxe/show_platform/genieparser--golden_output_9.txt").read_text()
    source = MODULES.sources["cisco_xe"]
    genie_only = Source(source.command, *[s for s in source.strategies if isinstance(s, Genie)],
                        rows=source.rows)
    with pytest.raises(FactUnavailable) as refused:
        _resolve(genie_only, text, "cisco_xe")
    assert "genie read 22 of 26 module rows" in refused.value.reason
    found = _resolve(source, text, "cisco_xe")
    assert found.parser == "own" and len(found.value) == 26


def test_each_counter_sees_a_table_row_the_parsers_never_wrote() -> None:
    """The catalogue's counters count rows by their own patterns: an extra row added to a
    real output raises the count, so a parser that skips it would be refused."""
    samples = [
        (MODULES, "cisco_xe", "iosxe/show_platform/genieparser--golden_output_asr1k.txt",
         "P2        ASR1006-PWR-AC      ps, fail              00:33:17"),
        (MODULES, "cisco_xr", "iosxr/show_platform/genieparser--golden_output6.txt",
         "0/2               NCS1K4-OTN-XP              BOOTING  NSHUT"),
        (ENVIRONMENT, "cisco_nxos", "nxos/show_environment/genieparser--golden1.txt",
         "Fan5(sys_fan5)  N9K-C9808-FAN-A      1.0    front-to-back   Ok"),
        (ENVIRONMENT, "cisco_xe", "iosxe/show_env_all/genieparser--cat9k_c9610-golden_output.txt",
         "FT5     active       good  good  good  good  good  good"),
        (LOGGING, "cisco_xe", "iosxe/show_logging/genieparser--golden_output_1.txt",
         "*Jan  1 00:00:01: %PLATFORM-2-FAN_FAIL: Fan tray 1 failed"),
    ]
    for fact, platform, path, extra in samples:
        rows = fact.sources[platform].rows
        assert rows is not None

        def total(text: str, rows: Rows = rows) -> int:
            try:
                return sum(rows.by_kind(rows.in_text(text)).values())
            except Unreadable:  # a part of the output that the counter finds cut short
                return -1

        text = corpus_file(path).read_text()
        lines = text.splitlines()
        # Right below the line that completes the count: the table's last row.
        last = min(i for i in range(len(lines))
                   if total("\n".join(lines[: i + 1]) + "\n") == total(text))
        grown = "\n".join([*lines[: last + 1], extra, *lines[last + 1 :]]) + "\n"
        assert total(grown) == total(text) + 1, (path, extra)
    inventory = corpus_file("ios/show_inventory/genieparser--golden_output_2.txt").read_text()
    assert count_inventory_entries(inventory + 'NAME: "x", DESCR: "y"\nPID: ,VID: ,SN:\n') == (
        count_inventory_entries(inventory) + 1
    )


@pytest.mark.parametrize(("setting", "status"), [("error", "ERROR"), ("skip", "SKIP")])
def test_a_disabled_log_buffer_is_no_evidence(tmp_path: Any, setting: str, status: str) -> None:
    """Whichever parser serves (Genie here), a disabled buffer is ERROR, or SKIP where the
    policy says the site keeps no log; never "no critical messages"."""
    override = tmp_path / "policy.yaml"
    override.write_text(f"operational:\n  logging:\n    without_log: {setting}\n")
    text = corpus_file("iosxe/show_logging/genieparser--golden_output_10.txt").read_text()

    def output(asked: str) -> RawOutput:
        return RawOutput(command=asked, text=text, sha256=sha256_text(text))

    result = evaluate_check(
        load_catalogue().get("op.logging.critical"), platform="cisco_xe",
        resolver=FactResolver("cisco_xe", output),
        session=Session(connected=True, privileged=True), policy=load_policy(override),
    )
    assert result["status"] == status, result["message"]
    assert "buffer logging is disabled" in result["message"]
    assert result["commands"][0]["parser"] == "genie"


def test_the_table_outputs_count_their_rows() -> None:
    """Modules, supplies and fans, inventory entries, interfaces and log messages: every
    source that reads one of these tables counts its rows (a new platform must too)."""
    every = ("cisco_ios", "cisco_xe", "cisco_nxos", "cisco_xr", "cisco_asa")
    wanted = (
        {("modules", p) for p in ("cisco_xe", "cisco_xr", "cisco_nxos", "cisco_asa")}
        | {("environment", p) for p in ("cisco_ios", "cisco_xe", "cisco_nxos")}
        | {(fact, p) for fact in ("inventory", "interface_errors", "log_buffer") for p in every}
        | {("smart_usage", p) for p in ("cisco_xe", "cisco_xr")}
    )
    counted = {
        (fact.name, platform)
        for check in load_catalogue().all()
        for fact in check.facts
        for platform, source in fact.sources.items()
        if source.rows is not None
    }
    assert wanted <= counted, sorted(wanted - counted)


def test_an_exact_count_refuses_rows_the_text_never_shows() -> None:
    """A parser that makes a row of a header is passed over where the count is `exact`;
    where the counter knows only some layouts, a value holding more rows is not refused."""
    text = "slot  state\n-----------\n"
    made_up = Own(lambda t: [t.split()[:2]])  # a row of the header's first two words
    exact = Source("show table", made_up, rows=Rows(lambda t: len(_ROW.findall(t)), exact=True))
    with pytest.raises(FactUnavailable) as refused:
        _resolve(exact, text)
    assert "own read 1 rows where the text shows 0" in refused.value.reason
    lower_bound = Source("show table", made_up, rows=Rows(lambda t: len(_ROW.findall(t))))
    assert _resolve(lower_bound, text).value == [["slot", "state"]]


_C9300_INVENTORY = (
    'NAME: "c93xx Stack", DESCR: "c93xx Stack"\n'
    "PID: C9300-48P         , VID: V02  , SN: FCW2124G09K\n"
)


@pytest.mark.parametrize("platform", ["cisco_xe", "cisco_ios"])
@pytest.mark.parametrize("udi_text", [
    "SlotID   PID    \t\tSN      \t\tUDI\n" + "-" * 80 + "\n",  # the table's header alone
    "Cisco IOS XE Software, Version 17.09.04a\nConfiguration register is 0x102\n",
    "\x1b[0m% Invalid input detected at '^' marker.\x1b[0m\n",  # a refusal in escape codes
    "syntax error, expecting <command>\n",
    "PID:C9300-48P\n",  # cut before its serial
], ids=["header", "another command", "escaped refusal", "syntax error", "cut"])
def test_a_license_udi_output_without_a_udi_is_no_udi(platform: str, udi_text: str) -> None:
    """Genie's `show license udi` parser makes a UDI of the first two words of a line it does
    not know (`PID:Invalid,SN:input`), which failed the chassis as registered to another:
    a text showing no UDI can tell nothing."""
    outputs = {"show license udi": udi_text, "show inventory": _C9300_INVENTORY}

    def output(asked: str) -> RawOutput:
        text = outputs.get(asked)
        if text is None:
            return RawOutput(command=asked, text=None, error="not captured")
        return RawOutput(command=asked, text=text, sha256=sha256_text(text))

    def judged(udi: str) -> dict[str, Any]:
        outputs["show license udi"] = udi
        return evaluate_check(
            load_catalogue().get("lic.udi.match"), platform=platform,
            resolver=FactResolver(platform, output),
            session=Session(connected=True, privileged=True), policy=load_policy(),
        )

    result = judged(udi_text)
    assert result["status"] == "ERROR", result["message"]
    assert result["message"].startswith("could not read `show license udi`")
    # The same inventory against a UDI the text does show: judged, either way.
    assert judged("UDI: PID:C9300-48P,SN:FCW2124G09K\n")["status"] == "PASS"
    assert judged("UDI: PID:C9300-48P,SN:FCW0000AAAA\n")["status"] == "FAIL"


@pytest.mark.parametrize("platform", ["cisco_xe", "cisco_xr"])
def test_a_license_status_without_its_authorization_section_can_tell_nothing(
    platform: str,
) -> None:
    """Smart Licensing prints its Registration and License Authorization sections in every
    state: an output cut before one, or whose `Status:` key is garbled, is a fragment, not an
    unknown authorization (it failed the chassis). A status the device did print is judged,
    even one that is no word of the vocabulary."""
    text = corpus_file("iosxe/show_license_status/genieparser--golden_output2.txt").read_text()
    assert _judge("lic.smart.registration", platform, "show license status", text)[
        "status"] == "PASS"
    cut = text.split("License Authorization:")[0]
    assert "Status: REGISTERED" in cut
    result = _judge("lic.smart.registration", platform, "show license status", cut)
    assert result["status"] == "ERROR", result["message"]
    assert "no `License Authorization:` status" in result["message"]
    garbled_key = text.replace("Status: REGISTERED", "St\ufffd\ufffdus: REGISTERED")
    result = _judge("lic.smart.registration", platform, "show license status", garbled_key)
    assert result["status"] == "ERROR", result["message"]
    assert "no `Registration:` status" in result["message"]
    garbled_value = text.replace("Status: REGISTERED", "Status: REGIS\ufffd\ufffdTERED")
    result = _judge("lic.smart.registration", platform, "show license status", garbled_value)
    assert result["status"] == "FAIL", result["message"]
    assert "registration REGIS\ufffd\ufffdTERED" in result["message"]


_NXOS_INVENTORY = (
    'NAME: "Chassis",  DESCR: "Nexus9000 C93180YC-EX chassis"\n'
    "PID: N9K-C93180YC-EX     ,  VID: V03  ,  SN: FDO21120U8N\n\n"
    'NAME: "Slot 1",  DESCR: "48x10/25G + 6x40/100G Ethernet Module"\n'
    "PID: N9K-C93180YC-EX     ,  VID: V03  ,  SN: FDO21120U8N\n"
)


_VERSIONS = {
    "cisco_ios": "ios/show_version/napalm--test_get_facts-normal.txt",
    "cisco_xe": "iosxe/show_version/genieparser--cat9k_c9500-golden_output_c9500_1.txt",
    "cisco_nxos": "nxos/show_version/genieparser--golden_output_2.txt",
    "cisco_xr": "iosxr/show_version/genieparser--golden_output_1.txt",
    "cisco_asa": "asa/show_version/genieparser--golden_output4.txt",
}


@pytest.mark.parametrize("platform", sorted(_VERSIONS))
@pytest.mark.parametrize("check_id", ["hw.chassis.identity", "hw.inventory.serials"])
def test_an_inventory_entry_cut_before_its_pid_line_can_tell_nothing(
    platform: str, check_id: str,
) -> None:
    """Every OS prints an entry's PID line below its NAME line: an entry without one is a
    fragment (TextFSM read it as a blank PID, which failed the chassis), while a PID line with
    nothing after `PID:` is the device's own word and fails as before (the chassis's
    identity then stands on the PID and serial IOS, IOS-XE and ASA print in `show version`)."""
    version = corpus_file(_VERSIONS[platform]).read_text()
    first_line = _NXOS_INVENTORY.splitlines(keepends=True)[0]
    pid_line = "PID: N9K-C93180YC-EX     ,  VID: V03  ,  SN: FDO21120U8N"
    for text in (first_line, _NXOS_INVENTORY.replace(pid_line + "\n", "", 1)):
        result = _judge(check_id, platform, "show inventory", text, show_version=version)
        assert result["status"] == "ERROR", result["message"]
        assert 'the entry `NAME: "Chassis"' in result["message"]
        assert "has no PID line" in result["message"]
    blank = _NXOS_INVENTORY.replace(pid_line, "PID:                     ,  VID:      ,  SN:", 1)
    result = _judge(check_id, platform, "show inventory", blank, show_version=version)
    from_version = check_id == "hw.chassis.identity" and platform not in ("cisco_nxos", "cisco_xr")
    assert result["status"] == ("PASS" if from_version else "FAIL"), result["message"]


def test_an_install_summary_listing_fewer_packages_than_it_declares_can_tell_nothing() -> None:
    """64-bit IOS-XR 6.x declares how many packages it lists (`Active Packages: 9`): a
    listing cut short, or one with none, passed on the packages it did show."""
    from mock_devices.lab import render_output

    version = render_output("asr9006", "show version")
    summary = render_output("asr9006", "show install active summary")
    assert "Active Packages: 9" in summary

    def judged(text: str) -> dict[str, Any]:
        return _judge("op.software.boot", "cisco_xr", "show install active summary", text,
                      show_version=version)

    assert judged(summary)["status"] == "PASS"
    lines = summary.splitlines(keepends=True)
    head = next(i for i, line in enumerate(lines) if "Active Packages:" in line) + 1
    for kept, read in ((0, "no active package listed"), (2, "genie read 2 of 9 active packages")):
        result = judged("".join(lines[: head + kept]))
        assert result["status"] == "ERROR", result["message"]
        assert read in result["message"]
    # Without a declared count (32-bit releases), a listing that shows none tells nothing.
    corpus = corpus_file(
        "iosxr/show_install_active_summary/genieparser--golden_output_1.txt").read_text()
    result = judged(corpus.split("    disk0:")[0])
    assert result["status"] == "ERROR", result["message"]


def test_an_activation_key_cut_in_its_feature_list_can_tell_nothing() -> None:
    """An ASA's `show activation-key` cut right after `Licensed features for this platform:`
    passed with 0 features, and cut after the first one passed on it, while a time-based
    feature could be in the rows cut away. Every real output goes on past the list (the
    platform's license line, the failover cluster's list, `Serial Number:`)."""
    from mock_devices.lab import render_output

    key = render_output("asa5525", "show activation-key")
    assert _judge("lic.asa.license", "cisco_asa", "show activation-key", key)["status"] == "PASS"
    # The ASA 5520's list in `show version`, the same body, with two time-based features.
    version = corpus_file("asa/show_version/genieparser--golden_output2.txt").read_text()
    result = _judge("lic.asa.license", "cisco_asa", "show activation-key", version)
    assert result["status"] == "FAIL", result["message"]
    assert "time-based: UC Phone Proxy Sessions 12 for 62 days" in result["message"]
    lines = key.splitlines(keepends=True)
    head = next(i for i, line in enumerate(lines) if "Licensed features" in line) + 1
    closing = next(i for i, line in enumerate(lines) if line.startswith("This platform has"))
    for cut, why in ((head, "lists no feature"), (head + 1, "stops after 1"),
                     (closing, f"stops after {closing - head - 1}")):
        result = _judge("lic.asa.license", "cisco_asa", "show activation-key",
                        "".join(lines[:cut]))
        assert result["status"] == "ERROR", result["message"]
        assert why in result["message"]


@pytest.mark.parametrize("platform", ["cisco_ios", "cisco_xe"])
def test_a_redundancy_output_cut_at_the_peer_heading_can_tell_nothing(platform: str) -> None:
    """A Catalyst 6500's `show redundancy` cut right after `Peer Processor Information :` and
    its dashes failed as "peer supervisor is not listed"; the peer's heading is printed, its
    state is not. A peer the chassis lost (its `not available because it is in 'DISABLED'
    state` line) still fails."""
    from mock_devices.lab import render_output

    def judged(text: str) -> dict[str, Any]:
        return _judge("op.redundancy.standby", platform, "show redundancy", text)

    healthy = render_output("cat6500", "show redundancy")
    assert judged(healthy)["status"] == "PASS"
    lines = healthy.splitlines(keepends=True)
    peer = next(i for i, line in enumerate(lines) if "Peer Processor Information" in line)
    for cut in (peer + 1, peer + 2, peer + 3):  # the heading, its dashes, the location
        result = judged("".join(lines[:cut]))
        assert result["status"] == "ERROR", result["message"]
        assert "`Peer Processor Information` is printed with no state" in result["message"]
    # Cut before the peer's heading: a duplex chassis prints its peer, or says it is not
    # available; showing neither, the output says nothing of the peer.
    result = judged("".join(lines[:peer]))
    assert result["status"] == "ERROR", result["message"]
    assert "shows neither its peer's state nor that it is not available" in result["message"]
    lost = judged(render_output("cat6500", "show redundancy", scenario="standby_down"))
    assert lost["status"] == "FAIL", lost["message"]
    unavailable = "".join(lines[:peer]) + (
        "Peer (slot: 6) information is not available because it is in 'DISABLED' state\n")
    assert judged(unavailable)["status"] == "FAIL"


@pytest.mark.parametrize("refusal", ["Command authorization failed.\n",
                                     "% Incomplete command.\n"])
def test_a_config_register_unseen_in_show_version_is_not_passed_on_rom_variables(
    refusal: str,
) -> None:
    """A Catalyst 9300 on 17.9 prints its register in `show version`. Denied that command, or
    given it cut before the register, the check passed on `show romvar`, claiming the release
    prints no register: a refusal that is not "no such command" says nothing of the chassis,
    and a cut output is no whole one lacking the register."""
    from mock_devices.lab import render_output

    outputs = {c.replace(" ", "_"): render_output("cat9300", c)
               for c in ("show bootvar", "show romvar")}
    version = render_output("cat9300", "show version")

    def judged(text: str) -> dict[str, Any]:
        return _judge("op.config.register", "cisco_xe", "show version", text, **outputs)

    assert judged(version)["status"] == "PASS"
    result = judged(refusal)
    assert result["status"] == "ERROR", result["message"]
    assert "`show version` rejected by the device" in result["message"]
    cut = version.split("cisco C9300")[0]
    assert "uptime is" in cut and "Configuration register" not in cut
    result = judged(cut)
    assert result["status"] == "ERROR", result["message"]
    assert "could not read `show version`" in result["message"]


def test_an_empty_nxos_err_disabled_reply_is_no_table() -> None:
    """NX-OS prints the err-disabled table's header even when it lists no port, so an empty
    reply is not that table (it passed as "lists none"); IOS prints nothing when no port is
    error-disabled, and its empty reply still means none."""
    from mock_devices.lab import render_output

    command = "show interface status err-disabled"
    table = render_output("nexus9300", command)
    assert "Reason" in table
    assert _judge("op.interfaces.errdisabled", "cisco_nxos", command, table)["status"] == "PASS"
    row = "Eth1/7        --                 down      linkFlapErrDisabled\n"
    failed = _judge("op.interfaces.errdisabled", "cisco_nxos", command, table + row)
    assert failed["status"] == "FAIL", failed["message"]
    for empty in ("", "\n"):
        result = _judge("op.interfaces.errdisabled", "cisco_nxos", command, empty)
        assert result["status"] == "ERROR", result["message"]
        assert "no `Port Name Status Reason` header" in result["message"]
        ios = _judge("op.interfaces.errdisabled", "cisco_ios",
                     "show interfaces status err-disabled", empty)
        assert ios["status"] == "PASS", ios["message"]


def test_a_temperature_sensor_with_a_reading_but_no_state_is_never_dropped() -> None:
    """A Catalyst 9300 sensor row `SYSTEM HOTSPOT  1  N/A  130 Celsius  0 - 125` was taken for
    an empty supply bay's and left out: the check passed on the other two. Over its printed
    range it fails; within it, it is named, not judged. An empty bay's sensor (`NOT PRESENT`,
    `0 Celsius`, no range) is still left out."""
    from mock_devices.lab import render_output

    command = "show environment all"
    text = render_output("cat9300", command)
    assert _judge("hw.temperature.status", "cisco_xe", command, text)["status"] == "PASS"
    hotspot = re.search(r"^ SYSTEM HOTSPOT .*$", text, re.MULTILINE)
    assert hotspot is not None

    def with_hotspot(celsius: str) -> dict[str, Any]:
        row = f" SYSTEM HOTSPOT  1{' ' * 15}N/A{' ' * 18}{celsius:>3} Celsius   0 - 125"
        return _judge("hw.temperature.status", "cisco_xe", command,
                      text.replace(hotspot[0], row))

    over = with_hotspot("130")
    assert over["status"] == "FAIL", over["message"]
    assert "SYSTEM HOTSPOT N/A 130 C" in over["message"]
    within = with_hotspot("45")
    assert within["status"] == "ERROR", within["message"]
    assert "read with no state: switch 1 SYSTEM HOTSPOT N/A 45 C" in within["message"]
    empty_bay = corpus_file("iosxe/show_env_all/genieparser--golden_output1.txt").read_text()
    assert "NOT PRESENT" in empty_bay
    assert _judge("hw.temperature.status", "cisco_xe", command, empty_bay)["status"] == "PASS"


def test_a_switch_that_refuses_show_inventory_is_named_by_its_model_number() -> None:
    """A Catalyst 3750-X without `show inventory` was named by its processor line,
    WS-C3750X-24P, and its license UDI, for WS-C3750X-24P-L, failed lic.udi.match as another
    chassis's. `show version` prints the switch's model number too, the PID its IDPROM holds."""
    from mock_devices.lab import render_output

    outputs = {c.replace(" ", "_"): render_output("cat3750x", c)
               for c in ("show version", "show license udi")}
    refused = "show inventory\n                   ^\n% Invalid input detected at '^' marker.\n"
    result = _judge("lic.udi.match", "cisco_ios", "show inventory", refused, **outputs)
    assert result["status"] != "FAIL", result["message"]
    identity = _judge("hw.chassis.identity", "cisco_ios", "show inventory", refused, **outputs)
    assert "WS-C3750X-24P-L" in identity["message"], identity["message"]

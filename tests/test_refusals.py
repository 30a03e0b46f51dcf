"""A device's refusal is never data, and captures judge as people save them.

One vocabulary of refusals per platform (`Platform.refusals`), applied where an output is made
from text (`RawOutput.from_text`), so live collection, `evaluate`, `rerun` and a served capture
judge alike. Tested both ways: every reply the OSes and AAA servers give is a refusal, and no
output that merely quotes one (a log line, a show tech) is; every real output of the corpus is
an output but the three the corpus holds that are refusals.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from inspector.catalogue import load_catalogue
from inspector.evidence import EvidenceWriter, RawOutput, command_slug, open_capture
from inspector.offline import evaluate_capture
from inspector.platforms import PLATFORMS, platform_for
from inspector.policy import load_policy
from tests.corpus import COMPANIONS, CORPUS, companion_text, corpus_file

DEVICE_TYPE = {"ios": "cisco_ios", "iosxe": "cisco_xe", "nxos": "cisco_nxos",
               "iosxr": "cisco_xr", "asa": "cisco_asa"}

# (platform, command, the whole reply): each a refusal.
REFUSALS = [
    ("cisco_xe", "show platform", "Command authorization failed.\n"),
    ("cisco_xe", "show platform", "\n% Authorization failed.\n\n"),
    ("cisco_ios", "show interfaces status err-disabled",
     "                              ^\n% Invalid input detected at '^' marker.\n\n"),
    ("cisco_ios", "show env all", "% Incomplete command.\n\n"),
    ("cisco_ios", "sh i", '% Ambiguous command:  "sh i"\n'),
    ("cisco_ios", "show power", '% Type "show ?" for a list of subcommands\n'),
    ("cisco_xe", "show platform", "% This command is not supported on this platform.\n"),
    ("cisco_xe", "show environment all", "Command not supported on this platform\n"),
    ("cisco_nxos", "show inventory | json", "          ^\n% Invalid command at '^' marker."),
    ("cisco_nxos", "show environment", "% Permission denied for the role\n"),
    ("cisco_nxos", "show module", "Cmd exec error.\n"),
    ("cisco_nxos", "show license usage", "Syntax error while parsing 'show license usage x'\n"),
    ("cisco_nxos", "show hardware", "% Incomplete command at '^' marker.\n"),
    ("cisco_xr", "show install active summary", "Unknown command\n"),
    ("cisco_xr", "show install active summary", "Unknown command\nUnknown command\n"),
    ("cisco_xr", "show install active summary",
     "Sat Dec  5 13:35:30.123 UTC\n                    ^\n"
     "% Invalid input detected at '^' marker.\n"),
    ("cisco_xr", "admin show environment", "syntax error, expecting 'show' or 'exit'\n"),
    ("cisco_xr", "show platform", "% This command is not authorized\n"),
    ("cisco_xr", "show logging", "% Permission denied\n"),
    ("cisco_asa", "show activation-key",
     "                 ^\nERROR: % Invalid input detected at '^' marker.\n"),
    ("cisco_asa", "show license all", "ERROR: % Incomplete command\n"),
    ("cisco_asa", "show inventory", "Command authorization failed\n"),
    ("cisco_asa", "show inventory", "ERROR: Command authorization failed\n"),
    ("cisco_asa", "show foo", "ERROR: % Unrecognized command\nType help or '?' for a list of "
     "available commands.\n"),
    # A capture saved from a terminal, the echo of the command above the reply.
    ("cisco_xe", "show platform", "sw1#show platform\n          ^\n"
     "% Invalid input detected at '^' marker.\n"),
    # CRLF, as a capture may be saved.
    ("cisco_xe", "show platform", "Command authorization failed.\r\n"),
]

_LOG_HEAD = (
    "Syslog logging: enabled (0 messages dropped, 2 messages rate-limited)\n"
    "    Console logging: disabled\n"
    "    Buffer logging:  level debugging, 3 messages logged, xml disabled,\n"
    "Log Buffer (8192 bytes):\n"
)
# (platform, command, text): each an output, though it holds a refusal's words.
OUTPUTS = [
    ("cisco_xe", "show logging", _LOG_HEAD
     + "*Dec  5 10:00:00.000: %PARSER-5-CFGLOG_LOGGEDCMD: User:admin logged command:"
       "% Invalid input detected at '^' marker.\n"),
    ("cisco_xe", "show logging", "*Dec  5 10:00:00.000: %AAA-3-AUTHORFAIL: Command "
     "authorization failed. user admin\n"),
    # Longer than any refusal, though it begins with one (a show tech quoting a session).
    ("cisco_xe", "show tech-support", "% Invalid input detected at '^' marker.\n"
     + "------------------ show version ------------------\n" * 200),
    ("cisco_nxos", "show logging logfile",
     "2024 Jan 10 10:00:00 sw %VSHD-5-VSHD_SYSLOG_CONFIG_I: % Invalid command at '^' marker.\n"),
    # A refusal on a later line is an output that holds one, not a refusal.
    ("cisco_ios", "show environment all", "FAN is OK\n% Invalid input detected at '^' marker.\n"),
    ("cisco_xe", "show platform", ""),
    ("cisco_xe", "show platform", "\n\n   \n"),
]


# The refusals above that an authorization gave, not the OS.
DENIALS = {"Command authorization failed.\n", "\n% Authorization failed.\n\n",
           "% Permission denied for the role\n", "% This command is not authorized\n",
           "% Permission denied\n", "Command authorization failed\n",
           "ERROR: Command authorization failed\n", "Command authorization failed.\r\n"}


@pytest.mark.parametrize("platform, command, reply", REFUSALS)
def test_each_refusal_of_each_os_is_a_rejection_quoting_the_whole_reply(
        platform: str, command: str, reply: str) -> None:
    output = RawOutput.from_text(command, reply, platform=platform)
    assert not output.captured and output.rejected
    assert output.denied == (reply in DENIALS)
    assert output.error is not None
    words = [line.strip() for line in reply.splitlines()
             if line.strip() and line.strip() != "^" and not line.startswith("Sat ")
             and not line.strip().endswith(command)]
    for line in words:
        assert line in output.error, (line, output.error)


@pytest.mark.parametrize("platform, command, text", OUTPUTS)
def test_an_output_that_merely_holds_a_refusals_words_is_data(
        platform: str, command: str, text: str) -> None:
    output = RawOutput.from_text(command, text, platform=platform)
    assert output.captured and not output.rejected


def test_a_quoted_reply_is_trimmed_to_a_sane_length() -> None:
    reply = "Command authorization failed. " + "x" * 1500
    output = RawOutput.from_text("show platform", reply, platform="cisco_xe")
    assert output.rejected and output.error is not None and len(output.error) < 500


def test_every_platform_knows_the_common_refusals_and_its_own() -> None:
    for platform in PLATFORMS.values():
        assert platform.refusal("show x", "% Invalid input detected at '^' marker.")
        assert platform.refusal("show x", "Command authorization failed.")
    assert platform_for("cisco_nxos").refusal("show x", "Cmd exec error.")
    assert platform_for("cisco_xe").refusal("show x", "Cmd exec error.") is None
    assert platform_for("cisco_xr").refusal("show x", "syntax error, expecting 'show'")


def test_every_real_output_of_the_corpus_is_data_but_the_refusals_it_holds() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS} (set INSPECTOR_CORPUS)")
    refused = set()
    judged = 0
    for path in sorted(CORPUS.glob("*/*/*.txt")):
        os_name, slug = path.parts[-3], path.parts[-2]
        text = path.read_bytes().decode("utf-8", errors="replace")
        output = RawOutput.from_text(slug.replace("_", " "), text,
                                     platform=DEVICE_TYPE[os_name])
        judged += 1
        if output.rejected:
            refused.add(str(path.relative_to(CORPUS)))
    assert judged > 500
    assert refused == {
        "nxos/show_inventory_json/napalm--test_get_facts-does_not_support_json.txt",
        "ios/show_interfaces_transceiver/napalm--test_get_optics-vss_setup.txt",
        "ios/show_env_temperature_status/napalm--test_get_environment-temp_cmd_fail.txt",
    }


# --------------------------------------------------------------------------- judged offline


def _capture(folder: Path, outputs: dict[str, str], *, crlf: bool = False) -> Path:
    folder.mkdir(parents=True)
    for command, text in outputs.items():
        data = text.replace("\r\n", "\n")
        if crlf:
            data = data.replace("\n", "\r\n")
        (folder / f"{command_slug(command)}.txt").write_bytes(data.encode("utf-8"))
    return folder


def _evaluate(folder: Path, platform: str, *check_ids: str) -> dict[str, dict[str, Any]]:
    catalogue = load_catalogue()
    checks = [catalogue.get(c) for c in check_ids] if check_ids else [
        c for c in catalogue.all() if platform in c.platforms]
    record = evaluate_capture(folder, platform=platform, checks=checks, policy=load_policy(None))
    return {c["id"]: c for c in record["checks"]}


def _companions(platform: str) -> dict[str, str]:
    corpus_file(COMPANIONS[platform]["show version"])  # skips without the corpus
    return {command: companion_text(value) for command, value in COMPANIONS[platform].items()}


@pytest.mark.parametrize("reply", ["Command authorization failed.\n",
                                   "% Authorization failed.\n"])
def test_a_tacacs_denial_of_show_platform_is_an_error_quoting_it_offline(
        tmp_path: Path, reply: str) -> None:
    folder = _capture(tmp_path / "c9300", {**_companions("cisco_xe"), "show platform": reply})
    check = _evaluate(folder, "cisco_xe", "op.modules.state")["op.modules.state"]
    assert check["status"] == "ERROR", check
    # Its fallback (`show module`, for a Catalyst 4500-E) is not in this capture either.
    assert check["message"] == (f"`show platform` rejected by the device (not authorized): "
                                f"{reply.strip()}; `show module` is not in the capture")


@pytest.mark.parametrize("reply, status", [
    ("                ^\n% Invalid input detected at '^' marker.\n", "SKIP"),
    ("Command authorization failed.\n", "ERROR"),
])
def test_only_the_os_not_an_authorization_says_a_feature_is_absent(
        tmp_path: Path, reply: str, status: str) -> None:
    # `show post` is skipped where the device does not know it (a router keeps no POST log);
    # an AAA server's refusal says nothing of the chassis: could not tell.
    folder = _capture(tmp_path / "c9300", {**_companions("cisco_xe"), "show post": reply})
    check = _evaluate(folder, "cisco_xe", "hw.diagnostics")["hw.diagnostics"]
    assert check["status"] == status, check
    if status == "ERROR":
        assert check["message"] == ("`show post` rejected by the device (not authorized): "
                                    "Command authorization failed.")


def test_an_iosxr_unknown_command_for_the_install_summary_is_a_rejection(
        tmp_path: Path) -> None:
    outputs = {**_companions("cisco_xr"), "show install active summary": "Unknown command\n"}
    check = _evaluate(_capture(tmp_path / "xr", outputs), "cisco_xr",
                      "op.software.boot")["op.software.boot"]
    assert check["status"] == "ERROR", check
    assert "rejected by the device: Unknown command" in check["message"]


def test_a_log_that_quotes_a_refusal_in_a_log_line_is_still_judged(tmp_path: Path) -> None:
    text = corpus_file("iosxe/show_logging/genieparser--golden_output_1.txt").read_text()
    quoting = text.rstrip("\n") + (
        "\n*Dec  5 10:00:00.000: %PARSER-5-CFGLOG_LOGGEDCMD: User:admin logged command:"
        "% Invalid input detected at '^' marker.\n")
    plain = _evaluate(_capture(tmp_path / "plain", {"show logging": text}), "cisco_xe",
                      "op.logging.critical")["op.logging.critical"]
    quoted = _evaluate(_capture(tmp_path / "quoting", {"show logging": quoting}), "cisco_xe",
                       "op.logging.critical")["op.logging.critical"]
    assert plain["status"] in ("PASS", "FAIL"), plain
    assert quoted["status"] == plain["status"], quoted
    assert "rejected" not in quoted["message"]


def test_a_capture_without_a_commands_file_reads_its_fallback_and_says_so(
        tmp_path: Path) -> None:
    license_all = corpus_file(
        "asa/show_license_all/ntc-templates--cisco_asa_show_license_all.txt").read_text()
    folder = _capture(tmp_path / "asa", {**_companions("cisco_asa"),
                                         "show license all": license_all})
    check = _evaluate(folder, "cisco_asa", "lic.asa.license")["lic.asa.license"]
    assert check["status"] == "PASS", check
    (read,) = check["commands"]
    assert read["command"] == "show license all"
    assert "`show activation-key` is not in the capture" in read["note"]


def test_a_capture_without_the_command_nor_its_fallback_is_an_error(tmp_path: Path) -> None:
    folder = _capture(tmp_path / "asa", _companions("cisco_asa"))
    check = _evaluate(folder, "cisco_asa", "lic.asa.license")["lic.asa.license"]
    assert check["status"] == "ERROR"
    assert check["message"] == "`show activation-key` not captured"


def test_a_rejected_command_and_a_missing_fallback_is_an_error_not_a_skip(
        tmp_path: Path) -> None:
    # `show post` is skipped where the device rejects it; a capture that has only the
    # rejection of a command with a fallback says both, and is not judged "not supported".
    folder = _capture(tmp_path / "asa", {**_companions("cisco_asa"),
                                         "show activation-key": "ERROR: % Invalid input "
                                                                "detected at '^' marker.\n"})
    check = _evaluate(folder, "cisco_asa", "lic.asa.license")["lic.asa.license"]
    assert check["status"] == "ERROR"
    assert "`show activation-key` rejected by the device" in check["message"]
    assert "`show license all` is not in the capture" in check["message"]


# The corpus outputs each platform's capture holds, besides the companions: the checks that
# read them reach PASS or FAIL, so a change of line ends would show.
CRLF_CAPTURES = {
    "cisco_xe": {
        "show environment all": "iosxe/show_environment_all/"
                                "genieparser--cat9k_c9300-golden_output.txt",
        "show logging": "iosxe/show_logging/genieparser--golden_output_1.txt",
        "show platform": "iosxe/show_platform/genieparser--golden_output_5.txt",
    },
    # As below, the companions' pair is two products' (a 9372PX, a 9396PX): one 9396PX's.
    "cisco_nxos": {"show module": "nxos/show_module/genieparser--golden_output1.txt",
                   "show version": "nxos/show_version/genieparser--golden_output_1.txt",
                   "show inventory": "nxos/show_inventory/"
                                     "ntc-templates--cisco_nxos_show_inventory.txt"},
    "cisco_xr": {"show platform": "iosxr/show_platform/genieparser--golden_output1.txt"},
    "cisco_asa": {"show license all": "asa/show_license_all/"
                                      "ntc-templates--cisco_asa_show_license_all.txt"},
    # The companions' show version and inventory are a Catalyst 2960G's and a 6504-E's: two
    # devices' outputs, on which no check that reads either is judged. One 6503-E's pair.
    "cisco_ios": {"show version": "ios/show_version/genieparser--cat6k-golden_output.txt",
                  "show inventory": "ios/show_inventory/genieparser--cat6k-golden_output.txt"},
}


@pytest.mark.parametrize("platform", sorted(CRLF_CAPTURES))
def test_a_capture_saved_with_crlf_judges_exactly_as_with_lf(
        tmp_path: Path, platform: str) -> None:
    outputs = _companions(platform)
    for command, relative in CRLF_CAPTURES[platform].items():
        if (CORPUS / relative).is_file():
            outputs[command] = companion_text(relative)
    lf = _evaluate(_capture(tmp_path / "lf", outputs), platform)
    crlf = _evaluate(_capture(tmp_path / "crlf", outputs, crlf=True), platform)

    def judged(check: dict[str, Any]) -> tuple[Any, ...]:
        return (check["status"], check["message"], check["evidence"],
                [(c["command"], c["parser"]) for c in check["commands"]])

    assert {k: judged(v) for k, v in crlf.items()} == {k: judged(v) for k, v in lf.items()}
    assert {c["status"] for c in lf.values()} & {"PASS", "FAIL"}  # outputs were read


# --------------------------------------------------------------------------- evidence


def test_the_evidence_keeps_a_refusal_and_its_index_quotes_it(tmp_path: Path) -> None:
    writer = EvidenceWriter(tmp_path / "ev", hostname="sw1", platform="cisco_xe")
    output = writer.add("show platform", "Command authorization failed.\n")
    assert output.rejected
    entry = writer.entry("show platform")
    assert entry is not None
    assert entry["error"] == ("rejected by the device (not authorized): "
                              "Command authorization failed.")
    from inspector.evidence import Session

    writer.finish(Session(connected=True, privileged=True)).write()
    assert (tmp_path / "ev" / entry["file"]).read_text() == "Command authorization failed.\n"
    # Read back, by a rerun or `evaluate`, it is the same rejection.
    again = open_capture(tmp_path / "ev").output("show platform")
    assert again.rejected and again.error == output.error and again.sha256 == output.sha256
    index = json.loads((tmp_path / "ev" / "index.json").read_text())
    assert index["commands"][0]["sha256"] == output.sha256


# --------------------------------------------------------------------------- kinds of refusal


@pytest.mark.parametrize("platform, reply, unknown", [
    ("cisco_ios", "        ^\n% Invalid input detected at '^' marker.\n", True),
    ("cisco_ios", "% Unrecognized command\n", True),
    ("cisco_xr", "Unknown command\n", True),
    ("cisco_ios", "% Incomplete command.\n\n", False),
    ("cisco_ios", '% Ambiguous command:  "show int t"\n', False),
    ("cisco_nxos", "% Incomplete command at '^' marker.\n", False),
    ("cisco_asa", "ERROR: % Incomplete command\n", False),
    ("cisco_ios", "Command authorization failed.\n", False),
])
def test_a_refusal_says_which_kind_it_is(platform: str, reply: str, unknown: bool) -> None:
    output = RawOutput.from_text("show interfaces transceiver", reply, platform=platform)
    assert output.rejected and output.error is not None
    assert output.unknown_command == unknown
    if "Incomplete" in reply or "Ambiguous" in reply:
        assert output.error.startswith("rejected by the device (incomplete or ambiguous command): ")


@pytest.mark.parametrize("reply, status, message", [
    ("                ^\n% Invalid input detected at '^' marker.\n", "SKIP",
     "does not apply: the device does not support `show post`: no such command"),
    ("% Incomplete command.\n", "ERROR",
     "`show post` rejected by the device (incomplete or ambiguous command): "
     "% Incomplete command."),
    ('% Ambiguous command:  "show post"\n', "ERROR",
     "`show post` rejected by the device (incomplete or ambiguous command): "
     '% Ambiguous command:  "show post"'),
    ("Command authorization failed.\n", "ERROR",
     "`show post` rejected by the device (not authorized): Command authorization failed."),
])
def test_only_no_such_command_makes_a_source_not_apply(
        tmp_path: Path, reply: str, status: str, message: str) -> None:
    # A command the device finds incomplete or ambiguous is there: the feature may be too.
    folder = _capture(tmp_path / "c9300", {**_companions("cisco_xe"), "show post": reply})
    check = _evaluate(folder, "cisco_xe", "hw.diagnostics")["hw.diagnostics"]
    assert (check["status"], check["message"]) == (status, message), check


def test_a_record_from_before_refusal_kinds_is_judged_again_from_its_file(
        tmp_path: Path) -> None:
    writer = EvidenceWriter(tmp_path / "ev", hostname="sw1", platform="cisco_ios")
    writer.add("show interfaces transceiver", "% Incomplete command.\n")
    from inspector.evidence import INDEX, Session

    writer.finish(Session(connected=True, privileged=True)).write()
    index_path = tmp_path / "ev" / INDEX
    index = json.loads(index_path.read_text())
    (entry,) = [e for e in index["commands"] if e["command"] == "show interfaces transceiver"]
    entry["error"] = "rejected by the device: % Incomplete command."  # as it was written
    index_path.write_text(json.dumps(index))
    again = open_capture(tmp_path / "ev").output("show interfaces transceiver")
    assert again.rejected and not again.unknown_command


# --------------------------------------------------------------------------- not plain text

# What a terminal's pager leaves in a saved session: its prompt, then the backspaces, spaces and
# backspaces that erase it once a key is pressed; the next row goes on from there.
_PAGED = " --More-- " + "\b" * 10 + " " * 10 + "\b" * 10


def _lab_capture(folder: Path, profile: str, changed: dict[str, str]) -> Path:
    """Every output a healthy lab chassis of `profile` prints, `changed` (command -> text) in
    place of its own: a capture folder as a tester saves one."""
    from mock_devices import get_profile, render_output

    lab = get_profile(profile)
    outputs = {lab.command_for(slug): render_output(profile, lab.command_for(slug))
               for slug in lab.effective_templates()}
    outputs = {command: text for command, text in outputs.items()
               if command_slug(command) not in {command_slug(c) for c in changed}}
    return _capture(folder, {**outputs, **changed})


def _render(profile: str, command: str) -> str:
    from mock_devices import render_output

    return render_output(profile, command)


def _one_row(text: str, row: str, new: str) -> str:
    assert row in text, row
    return text.replace(row, new, 1)


# (profile, platform, command, the output as saved paged, a check that reads it). Each hides a
# fault behind the pager, or runs the pager into what the check reads.
PAGED_CAPTURES = [
    ("cat6500", "cisco_ios", "show module", lambda text: "\n".join(
        _PAGED + line if n == 12 else line for n, line in enumerate(
            _one_row(text, "SAL1827R8Q0  5.1    Ok", "SAL1827R8Q0  5.1    Faulty").split("\n"))),
     "op.modules.state"),
    ("cat9400", "cisco_xe", "show platform", lambda text: _one_row(
        text, "2         C9400-LC-48P        ok      ",
        _PAGED + "2         C9400-LC-48P        failed  "), "op.modules.state"),
    ("cat9400", "cisco_xe", "show environment all", lambda text: _one_row(
        text, "PS2     C9400-PWR-3200AC      ac    3200 W    active  ",
        _PAGED + "PS2     C9400-PWR-3200AC      ac    3200 W    faulty  "), "hw.psu.status"),
    ("asr9006", "cisco_xr", "show install active summary", lambda text: text + "\n --More-- ",
     "op.software.boot"),
]


@pytest.mark.parametrize("profile, platform, command, paged, check_id", PAGED_CAPTURES)
def test_an_output_captured_with_paging_on_is_never_read(
        tmp_path: Path, profile: str, platform: str, command: str, paged: Any,
        check_id: str) -> None:
    folder = _lab_capture(tmp_path / profile, profile, {command: paged(_render(profile, command))})
    check = _evaluate(folder, platform, check_id)[check_id]
    assert check["status"] == "ERROR", check
    assert check["message"].startswith(
        f"could not read `{command}`: not the device's plain answer: it holds a pager prompt "
        "(`--More--` on line "), check["message"]
    assert check["message"].endswith("capture it again after `terminal length 0`")


# (profile, platform, command, the output as a terminal painted it, checks that read it)
ESCAPED_CAPTURES = [
    ("cat9300", "cisco_xe", "show license summary",
     lambda text: "\x1b[1m" + text.replace("\n", "\x1b[0m\n\x1b[1m"), ["lic.smart.usage"]),
    # With its codes, the UDI's PID reads blank.
    ("nexus9508", "cisco_nxos", "show inventory",
     lambda text: "\x1b[1m" + text.replace("\n", "\x1b[0m\n\x1b[1m"),
     ["lic.udi.match", "hw.chassis.identity"]),
    # A refusal in a terminal's colours is not the device's plain refusal either.
    ("cat9300", "cisco_xe", "show license summary",
     lambda text: "\x1b[0m% Invalid input detected at '^' marker.\x1b[0m\n", ["lic.smart.usage"]),
]


@pytest.mark.parametrize("profile, platform, command, painted, check_ids", ESCAPED_CAPTURES)
def test_an_output_with_terminal_escape_codes_is_never_read(
        tmp_path: Path, profile: str, platform: str, command: str, painted: Any,
        check_ids: list[str]) -> None:
    text = painted(_render(profile, command))
    folder = _lab_capture(tmp_path / profile, profile, {command: text})
    code = text[:text.index("m") + 1].encode("unicode_escape").decode()
    for check_id, check in _evaluate(folder, platform, *check_ids).items():
        assert check["status"] == "ERROR", check
        assert check["message"] == (
            f"could not read `{command}`: not the device's plain answer: it holds terminal "
            f"escape codes (`{code}` on line 1): it was saved with a terminal's colours or "
            "cursor moves; capture it again as plain text"), check_id


@pytest.mark.parametrize("text", [
    "Mod Ports Card Type\n" + _PAGED + "  1   48  SFM-capable 48 port\n",  # IOS
    "Mod  Ports  Module-Type\n--More--\n1    36     36x40G Ethernet Module\n",  # NX-OS
    "Hardware:   ASA5525\n<--- More --->\r              \rLicense mode: Smart\n",  # ASA
    "Switch Ports Model\n --More-- ",  # the capture ends at the pager: cut short as well
    "Switch Ports Model\x1b[K\n",
    "Switch Ports Model\n\x1b",
])
def test_a_pager_prompt_or_an_escape_code_anywhere_makes_an_output_unread(text: str) -> None:
    for platform in PLATFORMS:
        output = RawOutput.from_text("show module", text, platform=platform)
        assert not output.captured and output.not_plain and not output.rejected, platform
        assert output.error is not None and "\x1b" not in output.error


@pytest.mark.parametrize("text", [
    "Description: press --More-- to page\n",  # the words, not at a line's start
    "Model: More-X 9000\n",
])
def test_the_words_of_a_pager_inside_a_line_are_data(text: str) -> None:
    output = RawOutput.from_text("show inventory", text, platform="cisco_xe")
    assert output.captured and not output.not_plain


def test_a_support_file_with_escape_codes_is_kept_as_it_came(tmp_path: Path) -> None:
    """No check reads a show tech: it is evidence as the device sent it, never unread."""
    writer = EvidenceWriter(tmp_path / "ev", hostname="sw1", platform="cisco_xe")
    tech = writer.add("show tech-support", "--- show version ---\n\x1b[0mCisco IOS XE\n",
                      read_by_checks=False)
    assert tech.captured and "error" not in (writer.entry("show tech-support") or {})


def test_the_evidence_keeps_an_escaped_output_and_its_index_says_why(tmp_path: Path) -> None:
    from inspector.evidence import Session

    writer = EvidenceWriter(tmp_path / "ev", hostname="sw1", platform="cisco_xe")
    text = "\x1b[1mSwitch Ports Model\x1b[0m\n"
    output = writer.add("show version", text)
    assert output.not_plain
    entry = writer.entry("show version")
    assert entry is not None and entry["error"] == output.error
    writer.finish(Session(connected=True, privileged=True)).write()
    assert (tmp_path / "ev" / entry["file"]).read_text() == text  # kept as it came
    again = open_capture(tmp_path / "ev").output("show version")
    assert again.not_plain and again.error == output.error and again.sha256 == output.sha256


# --------------------------------------------------------------------------- echoes


@pytest.mark.parametrize("platform, command, reply", [
    ("cisco_xe", "show platform", "R1#sh platform\nCommand authorization failed.\n"),
    ("cisco_xe", "show platform", "R1#sh plat\nCommand authorization failed.\n"),
    ("cisco_xe", "show environment all", "sw1#SH ENV AL\n% Authorization failed.\n"),
    ("cisco_nxos", "show module", "switch# sh mod\n% Permission denied for the role\n"),
])
def test_a_denial_under_an_abbreviated_echo_is_a_denial(
        platform: str, command: str, reply: str) -> None:
    output = RawOutput.from_text(command, reply, platform=platform)
    assert output.denied, output
    assert output.error is not None and "#" not in output.error  # the echo is not quoted


def test_a_tacacs_denial_under_its_abbreviated_echo_is_an_error_offline(tmp_path: Path) -> None:
    folder = _lab_capture(tmp_path / "c9300", "cat9300", {
        "show platform": "R1#sh platform\nCommand authorization failed.\n"})
    check = _evaluate(folder, "cisco_xe", "op.modules.state")["op.modules.state"]
    assert check["status"] == "ERROR", check
    assert check["message"].startswith(
        "`show platform` rejected by the device (not authorized): Command authorization failed."
    ), check["message"]


@pytest.mark.parametrize("first", ["R1#sh version", "R1#show platform detail", "R1#sh"])
def test_another_commands_echo_is_not_taken_for_this_ones(first: str) -> None:
    output = RawOutput.from_text("show platform", f"{first}\nCommand authorization failed.\n",
                                 platform="cisco_xe")
    assert not output.rejected

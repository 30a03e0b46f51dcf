"""Judging without unicon's and napalm's package `__init__` (`parsing.lazy_package_init`).

A judge process imports only the modules of both packages it reads (Genie's parsers, NAPALM's
two Cisco drivers); a package's `__init__` runs when something asks the package for a name.
Proven against a process that imported both packages whole first, as any program that used
them would, and against one that loaded NAPALM's drivers before any parse (its netmiko, as
the run's sessions', imported with Genie hidden from it): every lab chassis of every
profile, healthy and in each of its faults, judged offline with every check and its second
reading, and every output of the shared corpus parsed by Genie with and without its schema
check, give the same records, the same parses and the same failures. And code that then
asks either package for a name gets the package whole.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mock_devices import load_profiles, render_output
from tests.corpus import CORPUS, corpus_index
from tests.fresh import fresh_json
from tests.lab_run import CAUGHT_BY

NOW = datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC)

# Judges each capture and parses each corpus output, printing what it found as JSON. Given
# `whole`, it first imports both packages as a program using them would.
_JUDGE = """
import json, sys
from pathlib import Path
if sys.argv[1] == "whole":
    import napalm, unicon
elif sys.argv[1] == "napalm_first":  # as a rerun whose check reads no checked Genie parse
    from inspector.second_reading import warm_up_napalm
    warm_up_napalm()
from inspector.catalogue import load_catalogue
from inspector.offline import evaluate_capture
from inspector.parsing import ParseFailure, genie_parse
from inspector.policy import load_policy

job = json.loads(Path(sys.argv[2]).read_text())
catalogue, policy = load_catalogue(), load_policy(None)
records = {}
for folder, platform in job["captures"]:
    checks = [c for c in catalogue.all() if platform in c.platforms]
    record = evaluate_capture(Path(folder), platform=platform, checks=checks, policy=policy)
    records[folder] = {"verdict": record["verdict"], "checks": record["checks"]}
parses = []
for genie_os, command, path in job["corpus"]:
    text = open(path, encoding="utf-8", errors="replace").read()
    for schema_check in (True, False):
        try:
            parses.append(repr(genie_parse(genie_os, command, text, schema_check=schema_check)))
        except ParseFailure as exc:
            parses.append(f"failed: {exc}")
# Read, not imported: a report that imported netmiko could add to the modules it lists.
print(json.dumps({"records": records, "parses": parses,
                  "netmiko_saw_genie": sys.modules["netmiko.utilities"].GENIE_INSTALLED,
                  "modules": sorted(m for m in sys.modules
                                    if m.split(".")[0] in ("unicon", "napalm"))}))
"""


def _captures(folder: Path) -> list[tuple[str, str]]:
    """Every profile's chassis, healthy and in each fault it can show, as capture folders."""
    from inspector.platforms import PLATFORMS

    device_type = {p.genie_os: p.device_type for p in PLATFORMS.values()}
    captures = []
    for name, profile in load_profiles().items():
        for scenario in ("healthy", *sorted(set(CAUGHT_BY) & set(profile.scenarios))):
            capture = folder / f"{name}-{scenario}"
            capture.mkdir(parents=True)
            for slug in profile.effective_templates(scenario):
                text = render_output(name, profile.command_for(slug), scenario, index=7, now=NOW)
                (capture / f"{slug}.txt").write_text(text, encoding="utf-8")
            captures.append((str(capture), device_type[profile.os]))
    return captures


def _corpus() -> list[tuple[str, str, str]]:
    return [(row["os"], row["command"], str(CORPUS / row["file"])) for row in corpus_index()]


def _judged(*hows: str, job: Path) -> list[dict[str, Any]]:
    """The judging of `job` by one fresh process for each of `hows`, side by side."""
    # One hash seed: Genie lists a schema's missing keys from a set.
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONHASHSEED": "0"}
    processes = [subprocess.Popen([sys.executable, "-c", _JUDGE, how, str(job)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=env) for how in hows]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err[-3000:]
        results.append(json.loads(out))
    return results


def test_judging_without_the_packages_init_finds_what_it_finds_with_them(
        tmp_path: Path) -> None:
    job = {"captures": _captures(tmp_path / "captures"), "corpus": _corpus()}
    (tmp_path / "job.json").write_text(json.dumps(job))
    lean, whole, napalm_first = _judged("lean", "whole", "napalm_first",
                                        job=tmp_path / "job.json")

    # Each side really ran as it says: the lean one without unicon's plugins and NAPALM's
    # other vendors, the whole one with them.
    for module in ("unicon.plugins.iosxe", "napalm.junos", "napalm.eos"):
        assert module not in lean["modules"]
        assert module in whole["modules"]
    assert "unicon.core.errors" in lean["modules"] and "napalm.ios.ios" in lean["modules"]

    assert len(lean["records"]) == len(job["captures"])
    for folder, record in whole["records"].items():
        assert lean["records"][folder] == record, folder
    # The second readings ran: NAPALM's drivers were used, not skipped on both sides alike.
    readings = [check["second_reading"]["status"] for record in lean["records"].values()
                for check in record["checks"] if "second_reading" in check]
    assert readings.count("agreed") > 100
    assert lean["parses"] == whole["parses"]
    assert len(lean["parses"]) == 2 * len(job["corpus"])

    # NAPALM's drivers loaded before any parse import netmiko with Genie hidden from it, as
    # the run's sessions have it: the same records and parses.
    assert napalm_first["netmiko_saw_genie"] is False and whole["netmiko_saw_genie"] is True
    assert napalm_first["records"] == whole["records"]
    assert napalm_first["parses"] == whole["parses"]


# After judging, what other code in the process would ask of each package: threads racing for
# a name of the package's own, Nornir's NAPALM plugin (`from napalm import get_network_driver`)
# and pyATS's default connection class (`from unicon import Connection`).
_ASKED_AFTER = """
import json, sys, threading
from inspector.parsing import genie_parse
from inspector.second_reading import _driver_classes, warm_up_napalm
from mock_devices import render_output

genie_parse("iosxe", "show version", render_output("cat9300", "show version"))
warm_up_napalm()
lean = [m for m in ("napalm.junos", "unicon.plugins.iosxe") if m in sys.modules]
found, together = [], threading.Barrier(8)
def ask():
    import napalm
    together.wait()
    found.append(napalm.get_network_driver)
threads = [threading.Thread(target=ask) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
from napalm import SUPPORTED_DRIVERS, get_network_driver
from nornir_napalm.plugins.connections import Napalm
from unicon import Connection
print(json.dumps([lean, len(found), len(set(found)), "napalm.junos" in sys.modules,
                  "unicon.plugins.iosxe" in sys.modules, "ios" in SUPPORTED_DRIVERS,
                  get_network_driver("ios") is _driver_classes["ios"], Napalm.__name__,
                  Connection.__name__]))
"""


def test_code_that_asks_either_package_for_a_name_gets_it_whole() -> None:
    assert fresh_json(_ASKED_AFTER) == [[], 8, 1, True, True, True, True, "Napalm", "Connection"]

"""Where the shared corpus of real device outputs lives, for tests that read it."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from pathlib import Path

import pytest

CORPUS = Path(os.environ.get("INSPECTOR_CORPUS",
                             Path(__file__).resolve().parents[1].parent / "shared" / "corpus"))


def corpus_index() -> list[dict[str, str]]:
    """The corpus's index, a row a file (os, command, file, source); none without the corpus
    (the tests that need it say so themselves)."""
    index = CORPUS / "index.tsv"
    if not index.is_file():
        return []
    with index.open(encoding="utf-8") as rows:
        return list(csv.DictReader(rows, delimiter="\t"))


def corpus_file(relative: str) -> Path:
    path = CORPUS / relative
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS} (set INSPECTOR_CORPUS)")
    if not path.is_file():
        raise FileNotFoundError(f"corpus file missing: {relative}")
    return path


_IOS_SHOW_BOOT = """BOOT path-list      : flash:c2960-lanbasek9-mz.150-2.SE4.bin
Config file         : flash:/config.text
Private Config file : flash:/private-config.text
Enable Break        : no
Manual Boot         : no
"""
_NXOS_SHOW_BOOT = """
Boot Variables on next reload:

sup-1
NXOS variable = bootflash:/nxos.7.0.3.I4.3.bin
Boot POAP Disabled
"""

# A Catalyst 9500's ROM monitor variables as 17.x prints them, set as shipped (the lab's
# Catalyst 9300 prints the same variables): the source of op.config.register where neither
# `show version` nor `show bootvar` prints a register.
_XE_SHOW_ROMVAR = """----------------------------------
ROMMON variables for Active Switch
----------------------------------
ABNORMAL_RESET_COUNT=0
BAUD=9600
BOOT=bootflash:packages.conf;
ENABLE_BREAK=yes
MANUAL_BOOT=no
MODEL_NUM=C9500-24Y4C
SWITCH_NUMBER=1
"""

# Answers for a two-command check's other command, per platform: a corpus file (a path
# relative to the corpus) or inline text. A labelled output may name its own (`companions`).
COMPANIONS: dict[str, dict[str, str]] = {
    "cisco_xe": {
        "show version": "iosxe/show_version/genieparser--cat9k_c9500-golden_output_c9500_4.txt",
        "show bootvar": "iosxe/show_bootvar/genieparser--golden_output_cat9400.txt",
        "show install summary": "iosxe/show_install_summary/genieparser--golden_output_3.txt",
        "show inventory": "iosxe/show_inventory/genieparser--cat9k_c9300-golden_output.txt",
        "show license udi": "iosxe/show_license_udi/genieparser--golden_output1.txt",
        "show romvar": _XE_SHOW_ROMVAR,
    },
    "cisco_ios": {
        "show version": "ios/show_version/napalm--test_get_facts-normal.txt",
        "show boot": _IOS_SHOW_BOOT,
        "show inventory": "ios/show_inventory/genieparser--golden_output_2.txt",
    },
    "cisco_nxos": {
        "show version": "nxos/show_version/ntc-templates--cisco_nxos_show_version4.txt",
        "show boot": _NXOS_SHOW_BOOT,
        "show inventory": "nxos/show_inventory/genieparser--golden_output_1.txt",
    },
    "cisco_xr": {
        "show version": "iosxr/show_version/ntc-templates--cisco_xr_show_version.txt",
        "show install active summary": "iosxr/show_install_active_summary/"
        "genieparser--golden_output_2.txt",
        "show inventory": "iosxr/show_inventory/genieparser--golden_output_1.txt",
    },
    "cisco_asa": {
        "show version": "asa/show_version/genieparser--golden_output1.txt",
        "show inventory": "asa/show_inventory/genieparser--golden_output.txt",
    },
}


# The outputs that say which chassis this is, compared with each other.
IDENTITY_PAIR = ("show version", "show inventory", "admin show inventory")


def default_companions(platform: str, command: str, read: Iterable[str]) -> dict[str, str]:
    """The platform's COMPANIONS that stand for what a check reading the commands `read`
    reads besides `command`: each other output it reads, and one output of the identity pair
    at most, none beside `command` of it. Two of them are two devices' outputs, which no
    check judges (`checks.identity.outputs_of_two_chassis`): a case needing both names them."""
    read = set(read)
    pair_alone = command not in IDENTITY_PAIR and len(read & set(IDENTITY_PAIR)) == 1
    return {other: body for other, body in COMPANIONS.get(platform, {}).items()
            if other in read and (other not in IDENTITY_PAIR or pair_alone)}


# `show version` companions we wrote, named in the labels, for an inventory whose product no
# `show version` of the corpus names: beside another product's, the pair is two devices'
# outputs (hw.chassis.identity ERROR). The release-only ones name no platform and no chassis
# model, so the inventory alone names the chassis; Genie's ASA parser wants the whole header.
WRITTEN_VERSIONS = {
    "written: release only, IOS": "Cisco IOS Software, IOS Software (UNIVERSALK9-M), "
                                  "Version 15.1(4)M8, RELEASE SOFTWARE (fc2)\n",
    "written: release only, IOS-XE": "Cisco IOS XE Software, Version 17.03.03\n"
                                     "Cisco IOS Software [Amsterdam], IOS-XE Software "
                                     "(UNIVERSALK9), Version 17.3.3, RELEASE SOFTWARE (fc7)\n",
    "written: release only, NX-OS": "Cisco Nexus Operating System (NX-OS) Software\n\n"
                                    "Software\n  NXOS: version 9.3(5)\n",
    "written: an ASA 5506-X": """Cisco Adaptive Security Appliance Software Version 9.8(2)
Firepower Extensible Operating System Version 2.2(1.66)
Device Manager Version 7.8(2)

Compiled on Fri 14-Jul-17 08:31 PDT by builders
System image file is "disk0:/asa982-lfbff-k8.SPA"
Config file at boot was "startup-config"

asa5506 up 10 days 2 hours

Hardware:   ASA5506, 4096 MB RAM, CPU Atom C2000 series 1250 MHz, 1 CPU (4 cores)
Internal ATA Compact Flash, 8000MB
BIOS Flash M25P64 @ 0xfed01000, 16384KB
""",
}


def companion_text(value: str) -> str:
    """A companion is a corpus path, one of the outputs we wrote, or the output itself."""
    if value in WRITTEN_VERSIONS:
        return WRITTEN_VERSIONS[value]
    if "\n" not in value and value.endswith(".txt"):
        return (CORPUS / value).read_text(encoding="utf-8", errors="replace")
    return value

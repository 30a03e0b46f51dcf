"""The serious lines of a log buffer (`op.logging.critical`) are found as they first were.

The first form matched every line against each ignored pattern with `fnmatch` and each
hardware family with its own regex; it is kept here as the reference. The policy's lists are
now made into two patterns once. Both must keep the same lines, in order, from the lab's logs
in every device scenario, the corpus's, and lines made at random, under the default policy
and under others: empty lists, families that are prefixes of one another, patterns with
classes and wildcards.
"""

from __future__ import annotations

import copy
import fnmatch
import random
import re
from typing import Any

import pytest

from checks.operational import _TAG, serious_log_lines
from inspector.policy import Policy, load_policy
from tests.test_fuzz import outputs_of


def reference(lines: list[str], policy: Policy) -> list[str]:
    max_severity = int(policy["operational.logging.max_severity"])
    family_max = int(policy["operational.logging.family_max_severity"])
    families = [f.upper() for f in policy["operational.logging.hardware_families"]]
    ignored = [i.lower() for i in policy["operational.logging.ignore"]]
    found = []
    for line in lines:
        m = _TAG.search(line)
        if m is None:
            continue
        tag, severity = m["tag"].upper(), int(m["severity"])
        message = line[m.start() + 1 :].lower()
        if any(fnmatch.fnmatch(message, pattern) for pattern in ignored):
            continue
        of_family = any(
            re.search(rf"(?<![A-Z0-9]){re.escape(f)}(?![A-Z0-9])", tag) for f in families
        )
        if severity <= max_severity or (of_family and severity <= family_max):
            found.append(line)
    return found


def _policy(**logging: Any) -> Policy:
    settings = copy.deepcopy(load_policy().as_dict())
    settings["operational"]["logging"].update(logging)
    return Policy(settings)


POLICIES = {
    "default": load_policy(),
    "nothing ignored, no family": _policy(ignore=[], hardware_families=[]),
    "prefixes and classes": _policy(
        hardware_families=["PLATFORM", "PLAT", "SYS-2", "FAN", "C4K", "A.B"],
        ignore=["*ok*", "platform-[24]-*", "sys-?-*restart*", "[!a-z]*", "*[*]*", "envmon*"],
        max_severity=1, family_max_severity=5),
}


_LOGS = (("cisco_ios", "show logging"), ("cisco_xe", "show logging"),
         ("cisco_xr", "show logging"), ("cisco_nxos", "show logging logfile"),
         ("cisco_asa", "show logging"))


def real_lines() -> list[str]:
    """Every line of the lab's logs in every device scenario, and of the corpus's."""
    return list(dict.fromkeys(
        line for platform, command in _LOGS for text in outputs_of(platform, command)
        for line in text.splitlines()))


def random_lines(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    tags = ["PLATFORM", "PLAT", "ENVMON", "FAN", "PWR", "PSU", "SYS", "C4K_IOSMODPORTMAN", "ASA",
            "TRANSCEIVER", "LINEPROTO", "KERN", "SYSLOG", "A.B", "A", "MALLOCFAIL"]
    texts = ["Power supply 1 OK", "Fan 2 failed", "System restarted", "hwport mode x", "*", "",
             "Module 1 detected", "Deny tcp src", "[x] ok: done", "Temperature MAJOR"]
    lines = []
    for _ in range(count):
        parts = rng.choices(tags, k=rng.randint(1, 3))
        tag = "-".join(parts) + f"-{rng.randint(0, 7)}-" + rng.choice(["PS_OK", "FAIL", "OK",
                                                                          "MOD_DETECT", "X"])
        lines.append(f"*Dec  6 04:{rng.randint(10, 59)}: %{tag}: {rng.choice(texts)}"
                     if rng.random() < 0.95 else rng.choice(texts))
    return lines


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_the_same_lines_as_the_first_form(name: str) -> None:
    policy = POLICIES[name]
    lines = real_lines() + random_lines(5_000, seed=6)
    kept = serious_log_lines(lines, policy)
    assert kept == reference(lines, policy)
    assert 0 < len(kept) < len([line for line in lines if _TAG.search(line)])  # both ways


# Real logs that hold no serious message, each with a message line to run a second one onto.
_RUN_TOGETHER = [
    ("cisco_xe", "iosxe/show_logging/genieparser--golden_output_5.txt"),
    ("cisco_ios", "ios/show_logging/genieparser--golden_output_1.txt"),
    ("cisco_xr", "iosxr/show_logging/genieparser--golden_output.txt"),
    ("cisco_asa", "asa/show_logging/ntc-templates--cisco_asa_show_logging_1.txt"),
]


@pytest.mark.parametrize(("platform", "path"), _RUN_TOGETHER, ids=[p for p, _ in _RUN_TOGETHER])
def test_a_message_run_together_with_another_on_one_line_is_read(platform: str,
                                                                 path: str) -> None:
    """Two messages logged at one moment can run together on one line. Only the first tag of
    a line was read: a memory allocation failure written after a configuration notice passed
    as "N log message(s), none critical", one message short."""
    from tests.corpus import corpus_file
    from tests.test_check_cases import judge

    def judged(text: str) -> dict[str, Any]:
        return judge({"name": path, "check": "op.logging.critical", "platform": platform,
                      "outputs": {"show logging": {"text": text}}})

    healthy = corpus_file(path).read_text(encoding="utf-8", errors="replace")
    last = [line for line in healthy.splitlines() if _TAG.search(line)][-1]
    alone = judged(healthy)
    assert alone["status"] == "PASS", alone["message"]
    count = int(alone["message"].split()[0])

    notice = healthy.replace(last, f"{last} %SYS-5-CONFIG_I: Configured from console by admin")
    assert judged(notice)["message"].startswith(f"{count + 1} log message(s), none critical")

    failure = "%SYS-2-MALLOCFAIL: Memory allocation of 65536 bytes failed"
    result = judged(healthy.replace(last, f"{last} {failure}"))
    assert result["status"] == "FAIL", result["message"]
    assert failure in result["message"]

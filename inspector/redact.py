"""Removing secrets from device outputs before they are written anywhere.

`show tech-support` and configuration sections print enable secrets, user passwords, SNMP
communities, TACACS+/RADIUS keys and pre-shared keys, in clear or as reversible type 7
hashes. Each is replaced by `<redacted>` and counted, so a record can say what was removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "<redacted>"

# Each pattern keeps the keyword (so the line still reads) and captures the secret.
_PATTERNS = [
    # enable secret 9 $9$..., enable password 7 0822455D0A16, username x secret 5 $1$...
    re.compile(r"(\b(?:enable|username \S+(?: privilege \d+)?)\s+(?:secret|password)\s+(?:\d+\s+)?)(\S+)"),
    # snmp-server community PUBLIC RO
    re.compile(r"(\bsnmp-server community\s+)(\S+)"),
    # tacacs-server key 7 ..., radius-server key ..., key 7 ... inside tacacs/radius server blocks
    re.compile(r"(\b(?:tacacs-server|radius-server)\s+(?:host \S+\s+)?key\s+(?:\d+\s+)?)(\S+)"),
    re.compile(r"(^\s*key\s+(?:\d+\s+)?)(\S+)", re.MULTILINE),
    # crypto isakmp key K address ..., pre-shared-key K, ikev1/ikev2 pre-shared-key
    re.compile(r"(\bcrypto isakmp key\s+(?:\d+\s+)?)(\S+)"),
    re.compile(r"(\bpre-shared-key\s+(?:local\s+|remote\s+)?(?:\d+\s+)?)(\S+)"),
    # NX-OS: username admin password 5 $5$..., snmp-server user x auth md5 0x... priv 0x...
    re.compile(r"(\bsnmp-server user \S+ \S+ auth \S+\s+)(\S+)"),
    re.compile(r"(\bpriv (?:aes-128\s+)?)(0x[0-9a-fA-F]+|\S{8,})"),
    # ASA: passwd 2KFQnbNIdI.2KYOU encrypted, enable password ... encrypted
    re.compile(r"(^\s*passwd\s+)(\S+)", re.MULTILINE),
    # BGP / OSPF / key chains: neighbor x password 7 ..., key-string 7 ...
    re.compile(r"(\b(?:neighbor \S+ password|key-string|authentication-key|message-digest-key \d+ md5)\s+(?:\d+\s+)?)(\S+)"),
]


def redact_output(text: str, known_secrets: Iterable[str] = ()) -> tuple[str, int]:
    """Return the text with secrets masked, and how many items were masked."""
    count = 0

    def mask(match: re.Match[str]) -> str:
        nonlocal count
        if match.group(2) == MASK:
            return match.group(0)
        count += 1
        return match.group(1) + MASK

    for pattern in _PATTERNS:
        text = pattern.sub(mask, text)
    for secret in sorted({s for s in known_secrets if s}, key=len, reverse=True):
        occurrences = text.count(secret)
        if occurrences:
            count += occurrences
            text = text.replace(secret, MASK)
    return text, count

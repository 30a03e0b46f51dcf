"""Removing secrets from device outputs before they are written anywhere.

`show tech-support` and configuration sections print enable secrets, user passwords, SNMP
communities, TACACS+/RADIUS keys and pre-shared keys, in clear or as reversible type 7
hashes. Each is replaced by `<redacted>` and counted, so a record can say what was removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "<redacted>"

# Each configuration line that carries a secret: the part kept (so the line still reads),
# then the secret. Every one starts a line, which keeps one pass over a multi-megabyte
# show tech file fast (a pattern that may start anywhere costs a scan per pattern).
_SECRET_LINES = [
    # enable secret 9 $9$..., enable password 7 0822455D0A16, username x secret 5 $1$...
    r"(?:enable|username \S+(?: privilege \d+)?)\s+(?:secret|password)\s+(?:\d+\s+)?",
    # snmp-server community PUBLIC RO
    r"snmp-server community\s+",
    # snmp-server user NAME GROUP v3 auth sha AUTHPASS [priv aes 128 PRIVPASS]
    r"snmp-server user \S+ \S+(?: v3)? auth \S+\s+",
    # tacacs-server key 7 ..., radius-server host x key ..., `key 7 ...` in a server block
    r"(?:tacacs-server|radius-server)\s+(?:host \S+\s+)?key\s+(?:\d+\s+)?",
    r"key\s+(?:\d+\s+)?",
    # crypto isakmp key K address ..., (ikev1/ikev2) pre-shared-key [local|remote] K
    r"crypto isakmp key\s+(?:\d+\s+)?",
    r"(?:ikev[12]\s+)?pre-shared-key\s+(?:local\s+|remote\s+)?(?:\d+\s+)?",
    # ASA: passwd 2KFQnbNIdI.2KYOU encrypted
    r"passwd\s+",
    # BGP, OSPF, key chains
    r"(?:neighbor \S+ password|key-string|ip ospf authentication-key"
    r"|ip ospf message-digest-key \d+ md5)\s+(?:\d+\s+)?",
]
_SECRET = re.compile(
    "|".join(rf"^(?P<k{i}>[ \t]*{keep})(?P<s{i}>\S+)" for i, keep in enumerate(_SECRET_LINES)),
    re.MULTILINE,
)
# The privacy password later on an snmp-server user line.
_SNMP_PRIV = re.compile(r"^(?P<k>[ \t]*snmp-server user .*? priv (?:\S+ (?:\d+ )?)?)(?P<s>\S+)",
                        re.MULTILINE)


def redact_output(text: str, known_secrets: Iterable[str] = ()) -> tuple[str, int]:
    """Return the text with secrets masked, and how many items were masked."""
    count = 0

    def mask(match: re.Match[str]) -> str:
        nonlocal count
        secret_group = match.lastgroup or "s"
        secret = match.group(secret_group)
        if secret == MASK:
            return match.group(0)
        count += 1
        return match.group(0)[: match.start(secret_group) - match.start()] + MASK

    text = _SNMP_PRIV.sub(mask, text)
    text = _SECRET.sub(mask, text)
    for secret in sorted({s for s in known_secrets if s}, key=len, reverse=True):
        occurrences = text.count(secret)
        if occurrences:
            count += occurrences
            text = text.replace(secret, MASK)
    return text, count
